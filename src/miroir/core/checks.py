"""System checks that catch self-hosting mistakes before they reach users."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.module_loading import import_string

MINIMUM_ANONYMITY_THRESHOLD = 3


@register()
def check_privacy_thresholds(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Return errors for anonymity thresholds that would expose small groups."""
    errors = []
    threshold = settings.MIROIR_ANONYMITY_THRESHOLD
    if threshold < MINIMUM_ANONYMITY_THRESHOLD:
        errors.append(
            Error(
                f"MIROIR_ANONYMITY_THRESHOLD is {threshold}; it can never be below "
                f"{MINIMUM_ANONYMITY_THRESHOLD}.",
                hint="Set MIROIR_ANONYMITY_THRESHOLD to 3 or more (the default is 5).",
                id="miroir.E001",
            )
        )
    if settings.MIROIR_VERBATIM_THRESHOLD < threshold:
        errors.append(
            Error(
                "MIROIR_VERBATIM_THRESHOLD is below MIROIR_ANONYMITY_THRESHOLD.",
                hint="Verbatims identify people more easily than scores: use at least the "
                "score threshold (the default is 10).",
                id="miroir.E002",
            )
        )
    return errors


@register(deploy=True)
def check_site_url(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Return a warning when a production install is not served over HTTPS."""
    if settings.HTTPS or settings.EMBEDDED:
        return []
    return [
        Warning(
            "MIROIR_SITE_URL is not an https:// URL: cookies are not secure and HSTS is off.",
            hint="Serve Miroir over HTTPS and set MIROIR_SITE_URL to its https:// address.",
            id="miroir.W001",
        )
    ]


@register(deploy=True)
def check_email_backend(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Return a warning when production e-mail only goes to the console."""
    if settings.EMBEDDED or "console" not in settings.EMAIL_BACKEND:
        return []
    return [
        Warning(
            "E-mails are written to the console, not sent.",
            hint="Set MIROIR_EMAIL_BACKEND to django.core.mail.backends.smtp.EmailBackend and "
            "the MIROIR_EMAIL_HOST* variables.",
            id="miroir.W002",
        )
    ]


@register()
def check_two_factor_roles(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Return an error for a role name in MIROIR_2FA_REQUIRED_ROLES that no role has."""
    from miroir.org.models import RoleKind

    unknown = sorted(set(settings.MIROIR_2FA_REQUIRED_ROLES) - set(RoleKind.values))
    if not unknown:
        return []
    return [
        Error(
            f"MIROIR_2FA_REQUIRED_ROLES names unknown roles: {', '.join(unknown)}.",
            hint=f"Use some of: {', '.join(RoleKind.values)} (comma-separated).",
            id="miroir.E201",
        )
    ]


@register(deploy=True)
def check_csrf_middleware(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Return a warning when no CSRF middleware protects the forms.

    Stands in for Django's security.W003, silenced because it only recognises Django's own
    class by its path, not Miroir's subclass of it.
    """
    for path in settings.MIDDLEWARE:
        try:
            middleware = import_string(path)
        except ImportError:
            continue
        if isinstance(middleware, type) and issubclass(middleware, CsrfViewMiddleware):
            return []
    return [
        Warning(
            "No CSRF middleware is installed: forms can be posted from other sites.",
            hint="Keep miroir.core.middleware.CsrfViewMiddleware in MIDDLEWARE.",
            id="miroir.W003",
        )
    ]
