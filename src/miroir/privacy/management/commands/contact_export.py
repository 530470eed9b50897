"""``miroir contact_export``: everything Miroir holds about one person, as JSON."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from miroir.core.management.base import MiroirCommand
from miroir.privacy.selectors import contact_query
from miroir.privacy.services import contact_export


def add_contact_arguments(parser: CommandParser) -> None:
    """Add the ``--email``/``--phone`` pair every privacy command takes."""
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--email", help="The person's e-mail address.")
    group.add_argument("--phone", help="The person's phone number (any usual format).")


class Command(MiroirCommand):
    help = (
        "Print as JSON what Miroir holds about one person (customer invitations and answers, "
        "opt-out, member profile), for an access request. The export is audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_contact_arguments(parser)
        parser.add_argument("--output", help="Write the JSON to this file instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        query = contact_query(email=options["email"], phone=options["phone"])
        data = contact_export(query=query, actor=None)
        text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        if options["output"]:
            try:
                with open(options["output"], "w", encoding="utf-8") as output:
                    output.write(text + "\n")
            except OSError as error:
                self.fail(
                    _("Cannot write %(path)s (%(error)s)")
                    % {"path": options["output"], "error": error.strerror or error}
                )
            if self.verbosity > 0:
                self.stderr.write(_("Written to %(path)s.") % {"path": options["output"]})
        else:
            self.stdout.write(text)
