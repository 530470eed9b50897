"""Keep respondent tokens out of Django's request logs.

Django logs every 4xx and 5xx answer with the request path ("Conflict: /r/<token>/"),
and the development server logs every request line. A token there would tie a person's
invitation to a precise time in the logs; these records get the token replaced.
Web servers and proxies in front of Miroir need the same care (docs/anonymity.md).
"""

from __future__ import annotations

import logging
import re

from django.http import HttpRequest

RESPONDENT_PATH = re.compile(r"/(r|u)/(?!thanks/)[^/\s?\"'#]+")
REDACTED = r"/\1/[redacted]"
# Kiosk links once carried their device key in the query; they now carry it after "#",
# which reaches no server, but an old link may still be opened: keep it out of the logs.
KIOSK_KEY = re.compile(r"(/k/[^?\s]*\?(?:[^\s\"'#]*&)?key=)[^&\s\"'#]+")
# Django logs suspicious requests under "django.security.<exception class>", with the request.
LOGGERS = (
    "django.request",
    "django.server",
    "django.security.csrf",
    "django.security.DisallowedHost",
    "django.security.RequestDataTooBig",
    "django.security.SuspiciousOperation",
    "django.security.SuspiciousMultipartForm",
    "django.security.TooManyFieldsSent",
    "django.security.TooManyFilesSent",
)


class RedactRespondentLinks(logging.Filter):
    """A filter that rewrites any respondent link in a record and lets the record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = KIOSK_KEY.sub(r"\1[redacted]", RESPONDENT_PATH.sub(REDACTED, message))
        if redacted != message:
            record.msg, record.args = redacted, ()
        request = getattr(record, "request", None)
        # Handlers such as the admin e-mails print the whole request, path included.
        if isinstance(request, HttpRequest) and RESPONDENT_PATH.search(request.path):
            del record.request
        return True


def install() -> None:
    """Attach the filter to the loggers that print request paths (once)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactRespondentLinks) for existing in logger.filters):
            logger.addFilter(RedactRespondentLinks())
