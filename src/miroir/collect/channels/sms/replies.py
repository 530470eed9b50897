"""What an SMS reply means: the usual French and English ways of saying "stop"."""

from __future__ import annotations

import re
import unicodedata

# Whole replies that ask for no more messages, once accents, case and punctuation are gone:
# the French operators' usage (STOP, ARRET, STOP SMS) and the usual English keywords.
STOP_WORDS = frozenset(
    {
        "STOP",
        "STOP SMS",
        "STOPSMS",
        "STOP ALL",
        "STOPALL",
        "ARRET",
        "ARRETER",
        "ARRET SMS",
        "DESABONNER",
        "DESABONNEMENT",
        "DESINSCRIRE",
        "DESINSCRIPTION",
        "UNSUBSCRIBE",
        "END",
        "QUIT",
        "CANCEL",
        "OPTOUT",
        "OPT OUT",
    }
)
# A reply whose first word is one of these also stops ("Stop merci", "ARRÊT svp").
STOP_FIRST_WORDS = frozenset({"STOP", "ARRET", "STOPALL", "UNSUBSCRIBE"})


def reply_normalise(text: str) -> str:
    """Return the reply upper-cased, without accents, punctuation or repeated spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = re.sub(r"[^A-Za-z0-9]+", " ", plain).upper().split()
    return " ".join(words)


def reply_is_stop(text: str) -> bool:
    """Return whether an SMS reply asks for no more messages."""
    normalised = reply_normalise(text)
    if not normalised:
        return False
    return normalised in STOP_WORDS or normalised.split()[0] in STOP_FIRST_WORDS
