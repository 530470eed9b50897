"""Following the main navigation as a person on a phone does: open the menu, then the link."""

from __future__ import annotations

from typing import Any


def menu_go(page: Any, name: str) -> None:
    """Open the folded main menu (if closed) and follow its link named ``name``."""
    menu = page.locator("details.menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    menu.get_by_role("link", name=name).first.click()
