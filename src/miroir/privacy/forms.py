"""The forms of the privacy page: one contact, and the confirmation an erasure needs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from miroir.privacy.selectors import ContactQuery, contact_query


class ContactForm(forms.Form):
    """An e-mail address or a phone number; ``query`` is its canonical form once valid."""

    email = forms.CharField(label=_("E-mail address"), required=False, max_length=254)
    phone = forms.CharField(label=_("Phone number"), required=False, max_length=32)

    query: ContactQuery

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            self.query = contact_query(email=data.get("email"), phone=data.get("phone"))
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    self.add_error(name, errors)
            else:
                raise
        return data


class EraseForm(ContactForm):
    confirm = forms.BooleanField(
        label=_("I confirm the erasure: it cannot be undone."),
        required=True,
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )
    opt_out = forms.BooleanField(
        label=_("Also add the address to the opt-outs (no more invitations, ever)."),
        required=False,
    )
