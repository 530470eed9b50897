"""``miroir api_token_revoke``: revoke an integration token by its prefix or number."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from miroir.api.selectors import api_token_by_reference
from miroir.api.services import api_token_revoke
from miroir.core.management.base import MiroirCommand


class Command(MiroirCommand):
    help = "Revoke an integration token, given its prefix (mir_xxxxxxxx) or its number."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("token", help="Prefix (with or without mir_) or number of the token.")

    def handle(self, *args: Any, **options: Any) -> None:
        token = api_token_by_reference(options["token"])
        if token is None:
            self.fail(
                _("No token has the prefix or number “%(value)s”.") % {"value": options["token"]}
            )
        api_token_revoke(token=token, actor=None)
        self.stdout.write(
            _("Token “%(name)s” (mir_%(prefix)s) is revoked.")
            % {"name": token.name, "prefix": token.prefix}
        )
