"""The dimensions items are filed under, on the employee side and the customer side.

The five employee-experience dimensions are those of the self-assessment diagnostic;
the customer ones are their usual twins in a shop. Labels are bilingual data.
"""

from __future__ import annotations

from dataclasses import dataclass

from miroir.instruments.scales import pick

EMPLOYEE = "employee"
CUSTOMER = "customer"
BOTH = "both"


@dataclass(frozen=True)
class Dimension:
    code: str
    side: str
    fr: str
    en: str

    def label(self, language: str | None) -> str:
        """Return the label in ``language``, falling back to French."""
        return pick({"fr": self.fr, "en": self.en}, language)


DIMENSIONS: dict[str, Dimension] = {
    dimension.code: dimension
    for dimension in (
        # Employee experience: the five dimensions of the diagnostic.
        Dimension("sens", EMPLOYEE, "Sens", "Purpose"),
        Dimension("epanouissement", EMPLOYEE, "Épanouissement", "Fulfilment"),
        Dimension("connexions", EMPLOYEE, "Connexions", "Connections"),
        Dimension("image", EMPLOYEE, "Image", "Image"),
        Dimension("ecosysteme", EMPLOYEE, "Écosystème", "Ecosystem"),
        # Customer experience.
        Dimension("welcome", CUSTOMER, "Accueil", "Welcome"),
        Dimension("listening", CUSTOMER, "Écoute", "Listening"),
        Dimension("advice", CUSTOMER, "Conseil", "Advice"),
        Dimension("problem_solving", CUSTOMER, "Résolution des problèmes", "Problem solving"),
        Dimension("waiting", CUSTOMER, "Attente", "Waiting"),
        Dimension("reliability", CUSTOMER, "Fiabilité des engagements", "Reliability"),
        Dimension("effort", CUSTOMER, "Facilité", "Ease"),
        Dimension("overall", CUSTOMER, "Expérience globale", "Overall experience"),
        # Read on both sides, or about the relation between managers.
        Dimension("engagement", BOTH, "Engagement et recommandation", "Engagement"),
        Dimension("service_attitude", BOTH, "Attitudes de service", "Service attitudes"),
        Dimension("proximity", EMPLOYEE, "Proximité managériale", "Managerial proximity"),
    )
}

EMPLOYEE_EXPERIENCE = ("sens", "epanouissement", "connexions", "image", "ecosysteme")


def dimension_codes() -> list[str]:
    """Return every dimension code, employee ones first."""
    return list(DIMENSIONS)


def dimension_get(code: str) -> Dimension:
    """Return the dimension ``code``; ValueError when it is unknown."""
    try:
        return DIMENSIONS[code]
    except KeyError:
        raise ValueError(f'unknown dimension "{code}"') from None


def dimensions_for_side(side: str) -> list[Dimension]:
    """Return the dimensions of one side, with those read on both sides."""
    return [d for d in DIMENSIONS.values() if d.side in (side, BOTH)]
