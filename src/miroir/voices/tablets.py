"""Shop tablets for anonymous voices: issuing and revoking them, finding one by its key.

A manager of a unit (or the direction, an administrator) sets a tablet up for that unit: a
random key of which only the SHA-256 is kept (``models.VoiceTablet``). As for kiosks
(collect/channels/kiosk/keys.py), the key travels only after ``#`` in the link opened once
on the tablet; the page's script posts it, the answer keeps it in an HttpOnly cookie scoped
to the tablet's path, and the link leaves the address bar. Voices left on the tablet are
anonymous voices like any other (``services.tablet_voice_submit``); the tablet is named in
none of them.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from miroir.audit.services import audit_record
from miroir.org.models import Unit
from miroir.org.selectors import Scope
from miroir.voices.models import VoiceTablet

COOKIE_NAME = "miroir_voice_tablet"
FRAGMENT_NAME = "key"


def tablet_key_digest(key: str) -> str:
    """Return the stored form of a tablet key (SHA-256: the key is random)."""
    return hashlib.sha256(key.encode("ascii", "ignore")).hexdigest()


def tablet_link(tablet: VoiceTablet, key: str) -> str:
    """Return the link to open once on the tablet, its key after ``#``."""
    path = reverse("voices:tablet", args=[tablet.pk])
    return f"{settings.SITE_URL}{path}#{FRAGMENT_NAME}={key}"


@transaction.atomic
def tablet_issue(*, unit: Unit, actor: Any) -> tuple[VoiceTablet, str]:
    """Return a new tablet of ``unit`` and its key, shown once."""
    key = secrets.token_urlsafe(32)
    tablet = VoiceTablet.objects.create(
        unit=unit,
        key_hash=tablet_key_digest(key),
        issued_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="voice_tablet.issue",
        target=f"unit:{unit.pk}",
        details={"tablet": str(tablet.pk)},
    )
    return tablet, key


@transaction.atomic
def tablet_revoke(*, tablet: VoiceTablet, actor: Any) -> None:
    """Revoke a tablet: its next page is the set-up page, its voices are refused."""
    revoked = VoiceTablet.objects.filter(pk=tablet.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor if getattr(actor, "pk", None) else None
    )
    if revoked:
        audit_record(
            actor=actor,
            action="voice_tablet.revoke",
            target=f"unit:{tablet.unit_id}",
            details={"tablet": str(tablet.pk)},
        )


def tablet_by_key(tablet_id: Any, key: str | None) -> VoiceTablet | None:
    """Return the unrevoked tablet ``tablet_id`` if ``key`` is its key, else None."""
    if not key or len(key) > 100:
        return None
    return (
        VoiceTablet.objects.filter(
            pk=tablet_id, key_hash=tablet_key_digest(key), revoked_at__isnull=True
        )
        .select_related("unit")
        .first()
    )


def tablets_of_unit(unit: Unit) -> QuerySet[VoiceTablet]:
    """Return the unrevoked tablets of ``unit``, latest first."""
    return VoiceTablet.objects.filter(unit=unit, revoked_at__isnull=True).select_related(
        "issued_by"
    )


def access_tablet(scope: Scope, tablet_id: Any) -> VoiceTablet:
    """Return the tablet if ``scope`` reaches its unit; 404 otherwise."""
    tablet = VoiceTablet.objects.select_related("unit").filter(pk=tablet_id).first()
    if tablet is None or not scope.contains(tablet.unit):
        raise Http404("No such tablet")
    return tablet
