"""Reads of the privacy requests: who a contact is, what Miroir holds about them, who may ask.

A request names one person by an e-mail address or a phone number. What it finds:

* the customer invitations sent to that address (with the interactions and the responses
  they led to), the opt-out and the "invited recently" digests of the address;
* the members (people of the organisation) with that address or number, with their login,
  roles and current invitations; never whether they answered, and never their answers, which
  Miroir cannot link to them (docs/anonymity.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from miroir.audit.models import AuditEntry
from miroir.collect.models import (
    Answer,
    ContactInvited,
    ContactOptOut,
    Interaction,
    Invitation,
    Response,
)
from miroir.collect.phones import PhoneInvalid, phone_canonical, phone_e164
from miroir.collect.tokens import contact_hash
from miroir.org.models import Member
from miroir.org.selectors import Scope

# The one sentence every export and every page repeats about employee answers.
ANONYMOUS_RESPONSES_NOTE = gettext_lazy(
    "Responses of employees, partners and management are anonymous: Miroir keeps no link "
    "between a person and their answers, so none can be found, exported or erased for one "
    "person. A manager's attributed estimates, given under their name, are listed apart."
)


def privacy_can_manage(scope: Scope) -> bool:
    """Return whether the scope may look up, export and erase one person's data."""
    return scope.is_administrator


def access_privacy(scope: Scope) -> None:
    """Return quietly for administrators; raise 403 for everyone else."""
    if not privacy_can_manage(scope):
        raise PermissionDenied("Only administrators answer access and erasure requests")


@dataclass(frozen=True)
class ContactQuery:
    """One person named by an e-mail address or a phone number, in canonical form."""

    email: str | None = None
    phone: str | None = None

    @property
    def digest(self) -> str:
        """Return the keyed digest of the address: what audit entries name instead of it."""
        return contact_hash(email=self.email, phone=self.phone)

    @property
    def label(self) -> str:
        return self.email or self.phone or ""


def contact_query(*, email: str | None = None, phone: str | None = None) -> ContactQuery:
    """Return the canonical query, or raise a ValidationError naming what is wrong."""
    email = (email or "").strip().lower() or None
    phone = (phone or "").strip() or None
    if bool(email) == bool(phone):
        raise ValidationError(_("Give an e-mail address or a phone number (one of them)."))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": _("Not a valid e-mail address.")}) from None
        return ContactQuery(email=email)
    try:
        return ContactQuery(phone=phone_e164(phone))
    except PhoneInvalid:
        raise ValidationError({"phone": _("Not a valid phone number.")}) from None


def customer_invitations(query: ContactQuery) -> QuerySet[Invitation]:
    """Return the customer invitations that still hold the address, oldest first.

    They include the invitations sent to the person's other address, when the interaction
    that made them gave both (``Invitation.companion_hash``).
    """
    match = Q(email__iexact=query.email) if query.email else Q(phone=query.phone)
    return (
        Invitation.objects.filter(match | Q(companion_hash=query.digest), member__isnull=True)
        .select_related("wave__instrument", "unit")
        .order_by("pk")
    )


def contact_members(query: ContactQuery) -> list[Member]:
    """Return the members whose e-mail address or phone number is the query's."""
    members = Member.objects.select_related("unit", "partner_organisation", "user")
    if query.email:
        return list(members.filter(email__iexact=query.email))
    # Members' numbers are kept as typed by the HR export: compare them in canonical form.
    matching = [
        pk
        for pk, phone in Member.objects.exclude(phone="").values_list("pk", "phone").iterator()
        if phone_canonical(phone) == query.phone
    ]
    return list(members.filter(pk__in=matching))


@dataclass
class ContactRecords:
    """What Miroir holds about one contact: see the module's docstring."""

    query: ContactQuery
    invitations: list[Invitation] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)
    opted_out: bool = False
    invited_recently: bool = False
    members: list[Member] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.invitations
            or self.responses
            or self.interactions
            or self.opted_out
            or self.invited_recently
            or self.members
        )


def contact_records(query: ContactQuery) -> ContactRecords:
    """Return everything held about the contact (a read: nothing is changed or audited)."""
    invitations = list(customer_invitations(query))
    ids = [invitation.pk for invitation in invitations]
    digest = query.digest
    return ContactRecords(
        query=query,
        invitations=invitations,
        responses=list(
            Response.objects.filter(invitation__in=ids)
            .select_related("wave", "unit")
            .prefetch_related("answers__item")
            .order_by("submitted_on", "pk")
        ),
        interactions=list(
            Interaction.objects.filter(invitation__in=ids).select_related("unit").order_by("pk")
        ),
        opted_out=ContactOptOut.objects.filter(contact_hash=digest).exists(),
        invited_recently=ContactInvited.objects.filter(contact_hash=digest).exists(),
        members=contact_members(query),
    )


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _answer_value(answer: Answer) -> Any:
    if answer.dont_know:
        return None
    if answer.number is not None:
        return answer.number
    return answer.choice if answer.choice is not None else answer.text


def _member_export(member: Member) -> dict[str, Any]:
    user = member.user
    return {
        "profile": {
            "first_name": member.first_name,
            "last_name": member.last_name,
            "email": member.email,
            "phone": member.phone,
            "job_title": member.job_title,
            "external_id": member.external_id,
            "unit": member.unit.name,
            "contract_type": member.contract_type,
            "partner_organisation": (
                member.partner_organisation.name if member.partner_organisation else None
            ),
            "proximity": member.proximity,
            "active": member.is_active,
            "created_at": _when(member.created_at),
        },
        "roles": [
            {"role": role.kind, "unit": role.unit.name if role.unit else None}
            for role in member.roles.select_related("unit").order_by("kind", "pk")
        ],
        "login": (
            {
                "email": user.email,
                "active": user.is_active,
                "date_joined": _when(user.date_joined),
                "last_login": _when(user.last_login),
                "language": user.preferred_language,
                "audit_entries_as_actor": AuditEntry.objects.filter(actor=user).count(),
            }
            if user is not None
            else None
        ),
        # Whether the member answered is left out on purpose: that alone would tell an
        # administrator who took part in an open wave.
        "current_invitations": [
            {"wave": invitation.wave.name, "unit": invitation.unit.name}
            for invitation in Invitation.objects.filter(member=member)
            .select_related("wave", "unit")
            .order_by("pk")
        ],
        "responses": str(ANONYMOUS_RESPONSES_NOTE),
        # A manager's attributed estimates are theirs, given under their name and shown
        # as such (docs/anonymity.md): they are part of what is held about them.
        "attributed_estimates": [
            {
                "wave": response.wave.name,
                "unit": response.unit.name,
                "submitted_on": response.submitted_on.isoformat(),
                "answers": {
                    answer.item.code: _answer_value(answer)
                    for answer in response.answers.select_related("item").order_by("item__code")
                },
            }
            for response in Response.objects.filter(author=member)
            .select_related("wave", "unit")
            .order_by("submitted_on", "pk")
        ],
    }


def contact_export_data(records: ContactRecords) -> dict[str, Any]:
    """Return what is held about the contact as plain JSON-ready data (the export file)."""
    responses_by_invitation = {response.invitation_id: response for response in records.responses}
    interactions_by_invitation = {item.invitation_id: item for item in records.interactions}
    invitations = []
    for invitation in records.invitations:
        response = responses_by_invitation.get(invitation.pk)
        interaction = interactions_by_invitation.get(invitation.pk)
        invitations.append(
            {
                "wave": invitation.wave.name,
                "questionnaire": invitation.wave.instrument.title(invitation.respondent_language()),
                "unit": invitation.unit.name,
                "channel": invitation.channel,
                "email": invitation.email,
                "phone": invitation.phone,
                "language": invitation.language,
                "status": invitation.status,
                "sent_at": _when(invitation.sent_at),
                "expires_at": _when(invitation.expires_at),
                "moment": invitation.moment,
                "interaction": (
                    {
                        "source": interaction.source,
                        "external_id": interaction.external_id,
                        "moment": interaction.moment,
                        "occurred_at": _when(interaction.occurred_at),
                        "received_at": _when(interaction.received_at),
                        "consent": interaction.consent,
                    }
                    if interaction is not None
                    else None
                ),
                "response": (
                    {
                        "submitted_on": _when(response.submitted_on),
                        "answers": [
                            {"question": answer.item.code, "answer": _answer_value(answer)}
                            for answer in sorted(response.answers.all(), key=lambda a: a.item.code)
                        ],
                    }
                    if response is not None
                    else None
                ),
            }
        )
    return {
        "generated_at": timezone.now().isoformat(),
        "contact": {"email": records.query.email, "phone": records.query.phone},
        "customer": {
            "opted_out": records.opted_out,
            "invited_recently": records.invited_recently,
            "invitations": invitations,
        },
        "members": [_member_export(member) for member in records.members],
        "notes": [
            str(ANONYMOUS_RESPONSES_NOTE),
            _(
                "Opt-outs and recent invitations are kept as keyed digests of the address, "
                "never the address itself."
            ),
        ],
    }
