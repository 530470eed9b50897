"""Writes of the API app: integration tokens."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from miroir.api.models import ApiToken
from miroir.api.tokens import TOKEN_MARK, token_digest
from miroir.audit.services import audit_record
from miroir.core.inputs import LATEST_YEARS_AHEAD, text_clean
from miroir.org.models import Unit

if TYPE_CHECKING:
    from miroir.accounts.models import User

# last_used_at is informative: one write a minute per token is plenty.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# A token lives at most as far ahead as any planned date (docs/security.md, "Input rules").
TOKEN_MAX_DAYS = 365 * LATEST_YEARS_AHEAD


@transaction.atomic
def api_token_create(
    *, name: str, scope_unit: Unit | None, actor: User | None, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Return the new token and its secret, which is never stored and cannot be shown again."""
    name = text_clean(name).strip()
    if not name:
        raise ValidationError(_("A token needs a name."), code="blank_name")
    # The prefix is shown in lists and typed on the command line; the secrecy is all in the
    # random part that follows it.
    while True:
        prefix = secrets.token_hex(4)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    # 32 random bytes: 256 bits, far above the 128 the threat model needs.
    secret = f"{TOKEN_MARK}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        name=name[:100],
        prefix=prefix,
        digest=token_digest(secret),
        scope_unit=scope_unit,
        created_by=actor if getattr(actor, "pk", None) else None,
        expires_at=expires_at,
    )
    audit_record(
        actor=actor,
        action="api_token.create",
        target=f"api_token:{token.pk}",
        details={"scope_unit": scope_unit.pk if scope_unit else None},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None) -> ApiToken:
    """Return the token, revoked from now on (revoking twice keeps the first date)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoke", target=f"api_token:{token.pk}")
    return token


def api_token_touch(*, token: ApiToken, now: datetime | None = None) -> None:
    """Record that the token was used, at most once per minute."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
