"""The one helper that renders e-mail template triplets in the recipient's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def email_render(name: str, context: dict[str, Any], language: str) -> RenderedEmail:
    """Return ``<name>-subject.txt``, ``-body.txt`` and ``-body.html`` rendered in ``language``."""
    with translation.override(language):
        context = {**context, "language": language}
        subject = render_to_string(f"{name}-subject.txt", context)
        text = render_to_string(f"{name}-body.txt", context)
        html = render_to_string(f"{name}-body.html", context)
    # A header must hold one line.
    return RenderedEmail(subject=" ".join(subject.split()), text=text, html=html)


def email_message(
    rendered: RenderedEmail, *, to: str, headers: dict[str, str] | None = None
) -> EmailMultiAlternatives:
    """Return the message with its plain text body and its HTML alternative."""
    message = EmailMultiAlternatives(
        subject=rendered.subject, body=rendered.text, to=[to], headers=headers or {}
    )
    message.attach_alternative(rendered.html, "text/html")
    return message
