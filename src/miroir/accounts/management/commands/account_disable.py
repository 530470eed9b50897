"""``miroir account_disable``: disable a login and end every session of it at once.

For a compromised or departed account when no administrator can reach the pages. Reversible
with ``miroir account_enable``; written to the audit log, like the same action at **Logins**.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from miroir.accounts.management.logins import login_argument, login_of
from miroir.accounts.services import account_disable
from miroir.core.management.base import MiroirCommand


class Command(MiroirCommand):
    help = "Disable a login: it can no longer log in, and every session of it ends at once."

    def add_arguments(self, parser: CommandParser) -> None:
        login_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        user = login_of(self, options["login"])
        email = user.identifier
        if not user.is_active and user.disabled_at is not None:
            self.stdout.write(_("The login of %(email)s is already disabled.") % {"email": email})
            return
        ended = account_disable(user=user, actor=None)
        text = ngettext(
            "The login of %(email)s is disabled; %(count)d session ended.",
            "The login of %(email)s is disabled; %(count)d sessions ended.",
            ended,
        )
        self.stdout.write(text % {"email": email, "count": ended})
