"""System checks of the single sign-on settings (MIROIR_OIDC_*): a provider missing what it
needs, or a role obliged to use providers that do not exist, is caught before anyone logs in."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.checks import Error, register

KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
REQUIRED = ("discovery_url", "client_id", "client_secret")


@register()
def check_single_sign_on(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Return errors for providers that cannot work and enforced roles that cannot log in."""
    from miroir.org.models import RoleKind

    errors = []
    for key, config in settings.MIROIR_OIDC_PROVIDERS.items():
        prefix = f"MIROIR_OIDC_{key.upper().replace('-', '_')}_"
        if not KEY.match(key):
            errors.append(
                Error(
                    f"MIROIR_OIDC_PROVIDERS names {key!r}, which cannot be part of an address.",
                    hint="Use lower-case letters, digits and dashes, like entra or google.",
                    id="miroir.sso.E001",
                )
            )
        missing = [prefix + name.upper() for name in REQUIRED if not config[name]]
        if missing:
            errors.append(
                Error(
                    f"The sign-in provider {key!r} lacks {', '.join(missing)}.",
                    hint="See docs/security.md, 'Single sign-on', for each provider's values.",
                    id="miroir.sso.E002",
                )
            )
        elif not str(config["discovery_url"]).startswith(("https://", "http://")):
            errors.append(
                Error(
                    f"{prefix}DISCOVERY_URL is not an address.",
                    hint="The provider's .well-known/openid-configuration address.",
                    id="miroir.sso.E003",
                )
            )
        if "openid" not in config["scopes"]:
            errors.append(
                Error(
                    f"{prefix}SCOPES lacks openid: the provider would send no ID token.",
                    hint="Keep the default, openid email profile.",
                    id="miroir.sso.E004",
                )
            )
    required = set(settings.MIROIR_OIDC_REQUIRED_ROLES)
    unknown = sorted(required - set(RoleKind.values))
    if unknown:
        errors.append(
            Error(
                f"MIROIR_OIDC_REQUIRED_ROLES names unknown roles: {', '.join(unknown)}.",
                hint=f"Roles are {', '.join(RoleKind.values)}.",
                id="miroir.sso.E005",
            )
        )
    if required and not settings.MIROIR_OIDC_PROVIDERS:
        errors.append(
            Error(
                "MIROIR_OIDC_REQUIRED_ROLES is set but no provider is (MIROIR_OIDC_PROVIDERS).",
                hint="Configure a provider, or empty MIROIR_OIDC_REQUIRED_ROLES.",
                id="miroir.sso.E006",
            )
        )
    return errors
