"""Writes of privacy: erasing one person's data on request, and contacts past their retention.

Every erasure keeps the answers: a customer's response stays, without the invitation that
linked it to their address; an employee's response never had such a link. Audit entries
name the contact by the first characters of its keyed digest, never by the address.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from miroir.audit.services import audit_record
from miroir.collect.models import (
    ContactInvited,
    ContactOptOut,
    Interaction,
    Invitation,
    InvitationStatus,
    InvitationToken,
    Response,
)
from miroir.collect.services import contact_opt_out
from miroir.org.models import Member, Role
from miroir.privacy.selectors import (
    ContactQuery,
    contact_export_data,
    contact_members,
    contact_records,
    customer_invitations,
)

if TYPE_CHECKING:
    from miroir.accounts.models import User

# What an erased interaction's external id becomes: unique, and naming nobody.
ERASED_PREFIX = "erased:"
ERASED_NAME = "Erased"


def contact_retention_days() -> int:
    """Return the days customer contact details are kept after their invitation ends."""
    return settings.COLLECT_CONTACT_RETENTION_DAYS


def audit_target(query: ContactQuery) -> str:
    """Return how audit entries name a contact: a prefix of its keyed digest."""
    return f"contact:{query.digest[:16]}"


@dataclass
class ErasureReport:
    """What an erasure removed (or, in a dry run, would remove)."""

    invitations: int = 0
    responses_unlinked: int = 0
    interactions: int = 0
    invited_digests: int = 0
    members: int = 0
    opted_out: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _invitations_forget(invitation_ids: list[int]) -> int:
    """Return how many invitations lost their address, tokens and provider id."""
    InvitationToken.objects.filter(invitation__in=invitation_ids).delete()
    # A pending invitation without an address can never leave: it expires now.
    Invitation.objects.filter(pk__in=invitation_ids, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.EXPIRED, error="erased"
    )
    return Invitation.objects.filter(pk__in=invitation_ids).update(
        email=None, phone=None, provider_message_id="", companion_hash=""
    )


def _interactions_forget(interactions: Any) -> int:
    """Return how many interactions lost their external id (the till's or CRM's reference)."""
    return interactions.exclude(external_id__startswith=ERASED_PREFIX).update(
        external_id=Concat(Value(ERASED_PREFIX), Cast("pk", CharField())),
        invitation=None,
    )


def member_erase(*, member: Member, actor: User | None) -> Member:
    """Return the member with their profile erased, their login closed, their roles gone.

    The row stays (units' head counts and past audit entries point to it) under a neutral
    name. Anonymous responses are not touched: they were never linked to the member. Their
    attributed estimates (a manager's judgement, given under their name) are deleted: they
    were never in an anonymous figure, so no figure changes.
    """
    with transaction.atomic():
        Response.objects.filter(author=member).delete()
        Role.objects.filter(member=member).delete()
        Invitation.objects.filter(member=member).update(member=None)
        member.first_name = ERASED_NAME
        member.last_name = f"#{member.pk}"
        member.email = None
        member.phone = ""
        member.job_title = ""
        member.external_id = None
        member.is_active = False
        member.save(
            update_fields=[
                "first_name",
                "last_name",
                "email",
                "phone",
                "job_title",
                "external_id",
                "is_active",
                "updated_at",
            ]
        )
        user = member.user
        if user is not None:
            # Inactive with an unusable password: every session of the login ends with it.
            user.email = f"erased-{user.pk}@erased.invalid"
            user.phone = None
            user.is_active = False
            user.preferred_language = ""
            user.set_unusable_password()
            user.save(
                update_fields=["email", "phone", "is_active", "preferred_language", "password"]
            )
        audit_record(actor=actor, action="privacy.member_erase", target=f"member:{member.pk}")
    return member


def contact_erase_plan(*, query: ContactQuery, opt_out: bool = False) -> ErasureReport:
    """Return what ``contact_erase`` would remove, changing nothing (the dry run)."""
    records = contact_records(query)
    return ErasureReport(
        invitations=len(records.invitations),
        responses_unlinked=len(records.responses),
        interactions=len(records.interactions),
        invited_digests=int(records.invited_recently),
        members=len(records.members),
        opted_out=records.opted_out or opt_out,
    )


@transaction.atomic
def contact_erase(
    *, query: ContactQuery, actor: User | None, opt_out: bool = False
) -> ErasureReport:
    """Return what was erased of one person's data, answers kept (see the module docstring).

    Customer invitations lose the address, their responses lose the invitation, the
    interactions lose their external id; matching members are erased with ``member_erase``.
    ``opt_out`` also adds the address to the opt-outs; an opt-out already there stays, since
    removing it would let the person be invited again.
    """
    members = contact_members(query)
    if any(
        member.user_id is not None and member.user_id == getattr(actor, "pk", None)
        for member in members
    ):
        # Erasing oneself would end the session half-way and leave no one accountable.
        raise ValidationError(
            _("You cannot erase your own data: ask another administrator."), code="self"
        )
    invitation_ids = list(customer_invitations(query).values_list("pk", flat=True))
    report = ErasureReport()
    report.responses_unlinked = Response.objects.filter(invitation__in=invitation_ids).update(
        invitation=None
    )
    report.interactions = _interactions_forget(
        Interaction.objects.filter(invitation__in=invitation_ids)
    )
    report.invitations = _invitations_forget(invitation_ids)
    report.invited_digests, _by_model = ContactInvited.objects.filter(
        contact_hash=query.digest
    ).delete()
    for member in members:
        member_erase(member=member, actor=actor)
    report.members = len(members)
    if opt_out:
        contact_opt_out(contact=query.digest)
    report.opted_out = ContactOptOut.objects.filter(contact_hash=query.digest).exists()
    audit_record(
        actor=actor,
        action="privacy.erase",
        target=audit_target(query),
        details=report.as_dict(),
    )
    return report


@transaction.atomic
def contact_export(*, query: ContactQuery, actor: User | None) -> dict[str, Any]:
    """Return everything held about the contact as JSON-ready data; the export is audited."""
    records = contact_records(query)
    data = contact_export_data(records)
    audit_record(
        actor=actor,
        action="privacy.export",
        target=audit_target(query),
        details={
            "invitations": len(records.invitations),
            "responses": len(records.responses),
            "members": len(records.members),
        },
    )
    return data


@transaction.atomic
def contact_view(*, query: ContactQuery, actor: User | None) -> None:
    """Write down that an administrator looked a contact up (the page shows personal data)."""
    audit_record(actor=actor, action="privacy.view", target=audit_target(query))


@dataclass
class RetentionReport:
    invitations: int = 0
    interactions: int = 0
    invited_digests: int = 0

    @property
    def total(self) -> int:
        return self.invitations + self.interactions + self.invited_digests


@transaction.atomic
def contacts_retention_erase(*, now: datetime | None = None) -> RetentionReport:
    """Return what was erased of the customer contacts older than the retention period.

    An invitation keeps its address until ``MIROIR_CONTACT_RETENTION_DAYS`` after it ended
    (its expiry, else its wave's closing); an interaction keeps its external id as long as
    its invitation keeps the address (or, without one, as long after it was received);
    "invited recently" digests go as long after the invitation. Opt-outs
    stay for ever. Responses and their answers stay.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=contact_retention_days())
    ended = Q(expires_at__lte=cutoff) | Q(expires_at__isnull=True, wave__closed_at__lte=cutoff)
    invitation_ids = list(
        Invitation.objects.filter(ended, member__isnull=True)
        .filter(Q(email__isnull=False) | Q(phone__isnull=False) | ~Q(companion_hash=""))
        .values_list("pk", flat=True)
    )
    # An interaction goes with its invitation, so that both are erased on the same day.
    interactions = Interaction.objects.filter(received_at__lte=cutoff).filter(
        Q(invitation__isnull=True)
        | Q(invitation__expires_at__lte=cutoff)
        | Q(invitation__expires_at__isnull=True, invitation__wave__closed_at__lte=cutoff)
    )
    report = RetentionReport(
        interactions=_interactions_forget(interactions),
        invitations=_invitations_forget(invitation_ids),
    )
    report.invited_digests, _by_model = ContactInvited.objects.filter(
        invited_at__lte=cutoff
    ).delete()
    if report.total:
        audit_record(
            actor=None,
            action="privacy.retention",
            details={
                "invitations": report.invitations,
                "interactions": report.interactions,
                "invited_digests": report.invited_digests,
            },
        )
    return report
