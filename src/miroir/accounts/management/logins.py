"""What the ``account_*`` commands share: finding a login by e-mail address or mobile number."""

from __future__ import annotations

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from miroir.accounts.models import User
from miroir.accounts.selectors import login_by_identifier, login_identifier
from miroir.core.management.base import MiroirCommand


def login_argument(parser: CommandParser) -> None:
    """Add the positional ``login`` argument: an e-mail address or a mobile number."""
    parser.add_argument(
        "login",
        help="E-mail address of the login, or the mobile number of a login without one "
        '("06 12 34 56 78" or "+33612345678").',
    )


def login_of(command: MiroirCommand, value: str) -> User:
    """Return the login ``value`` names, or stop ``command`` saying why there is none."""
    try:
        identifier = login_identifier(value)
    except ValueError as error:
        command.fail(str(error))
    user = login_by_identifier(identifier)
    if user is None:
        command.fail(
            _("No login has the e-mail address or mobile number “%(value)s”.")
            % {"value": identifier}
        )
    return user
