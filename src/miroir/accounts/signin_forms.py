"""Forms of signing in by phone: the mobile number, the code received, keeping the phone."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from miroir.collect.phones import PhoneInvalid, phone_e164


def _remember_field() -> forms.BooleanField:
    days = settings.MIROIR_REMEMBER_PHONE_DAYS
    label = ngettext_lazy(
        "This is my own phone: keep me signed in for %(days)d day",
        "This is my own phone: keep me signed in for %(days)d days",
        "days",
    ) % {"days": days}
    return forms.BooleanField(label=label, required=False, initial=True)


class PhoneNumberForm(forms.Form):
    """The mobile number a member without an e-mail address logs in with."""

    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "tel", "inputmode": "tel", "type": "tel"}
        ),
    )

    def clean_phone(self) -> str:
        try:
            return phone_e164(self.cleaned_data["phone"])
        except PhoneInvalid:
            raise forms.ValidationError(
                _("This is not a mobile number: type it as on your phone, e.g. 06 12 34 56 78.")
            ) from None


class SignInCodeForm(forms.Form):
    """The six-digit code received by SMS."""

    code = forms.CharField(
        label=_("Six-digit code received by SMS"),
        max_length=10,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
            }
        ),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["remember"] = _remember_field()


class SignInLinkForm(forms.Form):
    """The button of a handed-out link's page (a link scanner's GET signs nobody in)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["remember"] = _remember_field()
