"""``miroir api_token_create``: create an integration token and print its secret once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from miroir.api.selectors import unit_by_reference
from miroir.api.services import TOKEN_MAX_DAYS, api_token_create
from miroir.core.management.base import MiroirCommand


class Command(MiroirCommand):
    help = "Create an integration token and print its secret once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument(
            "--unit",
            help="External id or number of the unit the token is scoped to "
            "(default: the whole network).",
        )
        parser.add_argument("--expires-days", type=int, help="Days before the token expires.")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = None
        if options["unit"]:
            unit = unit_by_reference(options["unit"])
            if unit is None:
                self.fail(
                    _("No unit has the external id or number “%(value)s”.")
                    % {"value": options["unit"]}
                )
        days = options["expires_days"]
        if days is not None and not 1 <= days <= TOKEN_MAX_DAYS:
            self.fail(_("--expires-days must be from 1 to %(max)d.") % {"max": TOKEN_MAX_DAYS})
        token, secret = api_token_create(
            name=options["name"],
            scope_unit=unit,
            actor=None,
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )
        scope = unit.name if unit else _("the whole network")
        # Only the secret goes to stdout, so `miroir api_token_create … > file` keeps it alone.
        self.stderr.write(
            _("Token “%(name)s” (mir_%(prefix)s) created for %(scope)s.")
            % {"name": token.name, "prefix": token.prefix, "scope": scope}
        )
        self.stderr.write(_("Copy the secret now: it is not stored and will not be shown again."))
        self.stdout.write(secret)
