"""Logging in through the pages in browser tests, second factor included."""

from __future__ import annotations

from typing import Any

from miroir.accounts import services, twofactor
from miroir.accounts.selectors import confirmed_device, two_factor_required
from tests.personas import PASSWORD


def browser_log_in(page: Any, base_url: str, user: Any, *, password: str = PASSWORD) -> None:
    """Log ``user`` in through the login pages, as a person would.

    Someone whose role requires a second factor (direction, administrators) gets an
    authenticator set up in the database first, confirmed with the previous step's code, so
    that the code typed at login (the current step's) is a later one and is accepted.
    """
    device = confirmed_device(user)
    if device is None and two_factor_required(user):
        device = services.totp_setup_start(user=user)
        step = twofactor.current_step() - 1
        services.totp_confirm(user=user, code=twofactor.code_at_step(device.secret, step))
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(password)
    page.locator("form.stacked button[type=submit]").click()
    if device is not None:
        code = twofactor.code_at_step(device.secret, twofactor.current_step())
        page.locator("input[name=code]").fill(code)
        page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
