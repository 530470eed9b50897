"""``miroir account_enable``: enable again a login that was disabled.

The person logs in again with their password (or chooses one through *Forgotten password*).
Written to the audit log, like the same action at **Logins**.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from miroir.accounts.management.logins import login_argument, login_of
from miroir.accounts.services import account_enable
from miroir.core.management.base import MiroirCommand


class Command(MiroirCommand):
    help = "Enable again a disabled login, so that it can log in."

    def add_arguments(self, parser: CommandParser) -> None:
        login_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        user = login_of(self, options["login"])
        email = user.identifier
        if user.is_active and user.disabled_at is None:
            self.stdout.write(_("The login of %(email)s is already active.") % {"email": email})
            return
        account_enable(user=user, actor=None)
        self.stdout.write(_("The login of %(email)s is enabled again.") % {"email": email})
