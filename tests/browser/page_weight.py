"""What a page costs a phone: the bytes transferred to open it (HTML, styles, scripts,
images), as Chromium counts them on the wire (DevTools ``encodedDataLength``)."""

from __future__ import annotations

from typing import Any

# The budget of issue 19: a page opened on a phone, cold, transfers less than this.
BUDGET_BYTES = 150 * 1024


def weighed_goto(page: Any, url: str) -> int:
    """Open ``url`` with an empty cache and return the bytes it transferred."""
    return weighed_now(page, lambda: page.goto(url))


def weighed_now(page: Any, action: Any) -> int:
    """Run ``action`` (a click that loads a page) and return the bytes the load transferred."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes: dict[str, float] = {}
    session.on(
        "Network.loadingFinished",
        lambda event: sizes.__setitem__(event["requestId"], event["encodedDataLength"]),
    )
    action()
    page.wait_for_load_state("networkidle")
    session.detach()
    return int(sum(sizes.values()))
