"""Helpers of the collection tests."""

from __future__ import annotations

from typing import Any

from miroir.collect.models import (
    Answer,
    Invitation,
    InvitationToken,
    Response,
    SubmissionReceipt,
    Wave,
)
from miroir.collect.sending import invitation_token_issue
from miroir.collect.tokens import submission_id_new
from miroir.org.models import ContractType, Member, Unit

# A complete, valid set of answers for the employee lens of the test questionnaire.
EMPLOYEE_ANSWERS = {
    "ecoute-employee": "4",
    "enps": "8",
    "humeur": "reassured",
    "idee": "Plus de café",
}


def token_for(wave: Wave, member: Member) -> str:
    """Return a fresh token of the member's invitation to the wave."""
    invitation = Invitation.objects.get(wave=wave, member=member)
    return invitation_token_issue(invitation=invitation)


def row_counts() -> dict[str, int]:
    """Return how many rows each table of answers holds."""
    return {
        "responses": Response.objects.count(),
        "answers": Answer.objects.count(),
        "receipts": SubmissionReceipt.objects.count(),
        "used": Invitation.objects.filter(used=True).count(),
        "tokens": InvitationToken.objects.count(),
    }


def add_employees(unit: Unit, count: int, *, prefix: str, email: bool = True) -> list[Member]:
    """Return ``count`` new permanent employees of ``unit``."""
    return [
        Member.objects.create(
            first_name=f"{prefix}{index}",
            last_name="Test",
            email=f"{prefix.lower()}{index}@example.com" if email else None,
            unit=unit,
            contract_type=ContractType.PERMANENT,
        )
        for index in range(count)
    ]


def submit(token: str, answers: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """Return the outcome of submitting ``answers`` (the valid employee set by default)."""
    from miroir.collect.services import response_submit

    return response_submit(
        invitation_token=token,
        answers=EMPLOYEE_ANSWERS if answers is None else answers,
        submission_id=kwargs.pop("submission_id", None) or submission_id_new(),
        **kwargs,
    )
