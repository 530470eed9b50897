"""Why a respondent's link or submission is refused: one class per case, each with its code.

``code`` is stable (the API returns it); ``status`` is the HTTP status of the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


class CollectError(Exception):
    code: ClassVar[str] = "collect.error"
    status: ClassVar[int] = 400


class UnknownLink(CollectError):
    """No such token, wave or open link (also: a forged token)."""

    code = "collect.unknown_link"
    status = 404


class WrongUnit(CollectError):
    """An open link naming a unit outside the wave's audience."""

    code = "collect.wrong_unit"
    status = 404


class WaveNotOpen(CollectError):
    code = "collect.not_open"
    status = 403


class WaveClosed(CollectError):
    code = "collect.closed"
    status = 410


class InvitationExpired(CollectError):
    code = "collect.expired"
    status = 410


class AlreadyAnswered(CollectError):
    code = "collect.already_answered"
    status = 409


@dataclass(frozen=True)
class AnswerProblem:
    """What is wrong with the answer to one item.

    ``reason`` is ``unknown_item``, ``not_asked`` (an answer to an item that the answers
    before it skip), ``blank``, ``choice`` or ``too_long``; ``message`` is
    for the respondent, in their language; ``detail`` is the scale's English wording.
    """

    item_code: str
    reason: str
    message: str
    detail: str = ""


class ResponseRejected(CollectError):
    """Answers that cannot be stored as they are; nothing of them was stored."""

    code = "collect.rejected"
    status = 400

    def __init__(self, problems: list[AnswerProblem]) -> None:
        self.problems = problems
        super().__init__(
            "; ".join(f"{problem.item_code}: {problem.reason}" for problem in problems)
        )
