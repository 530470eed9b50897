"""``miroir two_factor_reset``: remove a login's second factor, when no administrator can.

For the administrator who lost their phone and their recovery codes (or the only one): they
log in again with their password and set up a new authenticator. Written to the audit log.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from miroir.accounts.management.logins import login_argument, login_of
from miroir.accounts.services import login_unlock, totp_reset
from miroir.core.management.base import MiroirCommand


class Command(MiroirCommand):
    help = "Remove the two-factor authentication of a login (and lift its lock with --unlock)."

    def add_arguments(self, parser: CommandParser) -> None:
        login_argument(parser)
        parser.add_argument(
            "--unlock", action="store_true", help="Also lift a lock left by failed logins."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = login_of(self, options["login"])
        email = user.identifier
        ended = totp_reset(user=user, actor=None)
        if options["unlock"]:
            login_unlock(user=user, actor=None)
        self.stdout.write(
            _("Two-factor authentication of %(email)s removed; %(count)d session(s) ended.")
            % {"email": email, "count": ended}
        )
