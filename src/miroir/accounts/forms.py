from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from miroir.accounts.selectors import login_identifier


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form, asking for an e-mail address, case-insensitively."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class PasswordSetupForm(PasswordResetForm):
    """Django's reset form, also serving logins created without a password.

    Imported members get a login with no usable password; this same link is how
    they choose their first one, so they must not be filtered out.
    """

    def get_users(self, email: str) -> Iterator[Any]:
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return iter(users)


class SecondFactorForm(forms.Form):
    """The second step of a login: the app's code, or one of the recovery codes."""

    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "autocapitalize": "off"}
        ),
    )


class TotpCodeForm(forms.Form):
    """A six-digit code of the authenticator app."""

    code = forms.CharField(
        label=_("Six-digit code shown by the app"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )


class AccountLookupForm(forms.Form):
    """An administrator looks a login up by its e-mail address or its mobile number."""

    login = forms.CharField(label=_("E-mail address or mobile number"), max_length=254)

    def clean_login(self) -> str:
        try:
            return login_identifier(self.cleaned_data["login"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class AccountDisableForm(forms.Form):
    """An administrator confirms that a login is to be disabled and its sessions ended."""

    confirm = forms.BooleanField(label=_("Yes, disable this login and end its sessions"))
