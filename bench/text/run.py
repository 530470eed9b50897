"""Time the text tools on synthetic French verbatims: prints figures, asserts nothing.

    .venv/bin/python bench/text/run.py [--verbatims 100000] [--suggestions 500]
        [--members 400] [--processes 2] [--batch-size 512]

Verbatims are customer complaints and survey comments drawn from templates, a third of
them naming an employee (first name, full name, "Prénom N." or "Mme Nom"), some with an
e-mail or a phone number. Suggestions are employee proposals from other templates. The
stages are the ones a nightly job runs over a year of verbatims: redaction (the spaCy
model over ``--processes`` worker processes), themes, then linking every suggestion to the
verbatims; group discovery and near-duplicate suggestions are timed too but apart.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import time
from collections.abc import Callable

from miroir import text

FIRST = [
    "Marie", "Julie", "Sophie", "Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Emma",
    "Thomas", "Nicolas", "Julien", "Kévin", "Maxime", "Lucas", "Hugo", "Karim", "Mehdi",
    "Anne-Sophie", "Jean-Marc", "Marie-Claire", "Pierre-Yves", "Éloïse", "Noémie", "Yanis",
]  # fmt: skip
LAST = [
    "Martin", "Bernard", "Dubois", "Durand", "Lefèvre", "Moreau", "Laurent", "Simon",
    "Michel", "Garcia", "Roux", "Fournier", "Nguyen", "Benali", "Da Silva", "Le Goff",
    "de La Tour", "Haddad", "Perrin", "Morel", "Girard", "André", "Mercier", "Blanc",
]  # fmt: skip
PRODUCTS = ["lait", "yaourts", "pain", "fruits", "légumes", "café", "couches", "piles", "jambon"]
DAYS = ["lundi", "samedi", "dimanche", "mercredi", "vendredi soir", "samedi matin"]
TITLES = {"Mme", "M.", "Madame"}
AISLES = ["frais", "bricolage", "boucherie", "fruits et légumes", "surgelés", "textile"]

VERBATIMS = [
    "Vingt minutes d'attente en caisse {day}, une seule caisse ouverte.",
    "La file d'attente était interminable et personne n'a ouvert d'autre caisse.",
    "Trop de monde en caisse {day}, il faudrait plus de caissières.",
    "La caisse automatique bloque sans arrêt, personne pour aider.",
    "Rupture sur le {product} depuis une semaine.",
    "Rayon {aisle} à moitié vide {day}, aucun réassort.",
    "Encore une rupture de stock sur les {product}.",
    "Erreur de prix en caisse : le {product} était en promotion mais j'ai payé le prix normal.",
    "Les prix affichés au rayon {aisle} ne correspondent pas aux prix en caisse.",
    "Toilettes sales et sans papier {day}.",
    "Odeur désagréable près des toilettes, un vrai manque de propreté.",
    "Commande drive pas prête à l'heure, j'ai attendu sur le parking.",
    "On m'a refusé un remboursement parce que j'avais perdu le ticket de caisse.",
    "Personne au rayon {aisle} pour me conseiller.",
    "Impossible de trouver le rayon des {product}, aucune indication dans les allées.",
    "Le {product} était périmé, très déçu.",
    "La musique est beaucoup trop forte dans le magasin.",
    "Les sacs en papier se déchirent avant la voiture.",
    "Très bon accueil, merci à toute l'équipe.",
    "Magasin propre, personnel souriant, rien à dire.",
]
WITH_NAME = [
    "{name} au rayon {aisle} a été très aimable, merci à elle.",
    "Je remercie {name} pour son aide précieuse {day}.",
    "Accueil désagréable de {name} en caisse, je ne reviendrai pas.",
    "Demandez à {name}, c'est la seule qui connaît le rayon {aisle}.",
    "{name} m'a promis un rappel qui n'est jamais venu.",
]
CONTACT = [
    " Vous pouvez me joindre au 06 {a:02d} {b:02d} {c:02d} {d:02d}.",
    " Mon adresse : client{a}{b}@exemple.fr",
    "",
    "",
    "",
    "",
]
SUGGESTIONS = [
    "Ouvrir une caisse supplémentaire dès que la file dépasse {n} clients.",
    "Faire un tour du rayon {aisle} à 11 h pour réassortir les ruptures.",
    "Vérifier les étiquettes de prix du rayon {aisle} après chaque promotion.",
    "Nettoyer les toilettes clients toutes les deux heures le {day}.",
    "Prévenir les clients du drive par SMS quand la commande est prête.",
    "Accepter les retours sans ticket de caisse avec la carte de fidélité.",
    "Mettre un conseiller au rayon {aisle} le {day} après-midi.",
    "Installer des panneaux au-dessus des allées avec le nom des rayons.",
    "Affecter une personne aux caisses automatiques pour débloquer le scan.",
    "Donner les plannings trois semaines à l'avance.",
    "Acheter des sacs plus solides pour les courses lourdes.",
    "Baisser le volume de la musique en magasin le {day}.",
]


def person(rng: random.Random) -> str:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    form = rng.randrange(4)
    if form == 0:
        return first
    if form == 1:
        return f"{first} {last}"
    if form == 2:
        return f"{first} {next(c for c in last if c.isupper())}."
    return f"{rng.choice(['Mme', 'M.', 'Madame'])} {last}"


def fill(template: str, rng: random.Random, name: str = "") -> str:
    return template.format(
        name=name or person(rng),
        product=rng.choice(PRODUCTS),
        aisle=rng.choice(AISLES),
        day=rng.choice(DAYS),
        n=rng.randrange(3, 8),
    )


def verbatims(count: int, rng: random.Random) -> tuple[list[str], list[str]]:
    """Return the verbatims and, for each, the person it names ("" if none)."""
    out, names = [], []
    for _ in range(count):
        named = rng.random() < 1 / 3
        name = person(rng) if named else ""
        contact = rng.choice(CONTACT).format(
            a=rng.randrange(100), b=rng.randrange(100), c=rng.randrange(100), d=rng.randrange(100)
        )
        out.append(fill(rng.choice(WITH_NAME if named else VERBATIMS), rng, name) + contact)
        names.append(name)
    return out, names


def name_left(redacted: str, name: str) -> bool:
    """Whether a word of ``name`` (titles and initials aside) survived in ``redacted``."""
    words = [w for w in name.replace("-", " ").split() if len(w) > 2 and w not in TITLES]
    return any(re.search(rf"\b{re.escape(w)}\b", redacted) for w in words)


def cpu_seconds() -> float:
    # Worker processes of the model count once they have ended (spaCy joins them).
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(label: str, count: int, work: Callable[[], object]) -> tuple[object, float, float]:
    """Run ``work``; print and return its wall-clock and CPU seconds (all processes)."""
    start, cpu = time.perf_counter(), cpu_seconds()
    result = work()
    elapsed, used = time.perf_counter() - start, cpu_seconds() - cpu
    print(
        f"  {label:<40} {elapsed:8.2f} s {count / elapsed:9,.0f}/s   "
        f"cpu {used:8.2f} s {count / used if used else float('inf'):9,.0f}/cpu-s"
    )
    return result, elapsed, used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbatims", type=int, default=100_000)
    parser.add_argument("--suggestions", type=int, default=500)
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    texts, people = verbatims(args.verbatims, rng)
    suggestions = [fill(rng.choice(SUGGESTIONS), rng) for _ in range(args.suggestions)]
    # Members come from half of the name lists: the other half has to be found by the model,
    # the first-name list or a courtesy title.
    members = text.MemberNames(
        f"{rng.choice(FIRST[: len(FIRST) // 2])} {rng.choice(LAST[: len(LAST) // 2])}"
        for _ in range(args.members)
    )
    words = sum(len(t.split()) for t in texts)
    print(
        f"{len(texts):,} verbatims ({words:,} words), {len(suggestions):,} suggestions, "
        f"{args.members} member names; {args.processes} process(es), batch {args.batch_size}, "
        f"{os.cpu_count()} CPU(s)"
    )
    print(f"  load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    timed("model load (once per process)", 1, text.load_model)
    redacted, w_redact, c_redact = timed(
        "redaction",
        len(texts),
        lambda: text.redact_many(
            texts, names=members, batch_size=args.batch_size, n_process=args.processes
        ),
    )
    themes, w_themes, c_themes = timed("themes", len(texts), lambda: text.themes_for(redacted))
    links, w_link, c_link = timed(
        f"linking ({len(suggestions):,} suggestions)",
        len(texts),
        lambda: text.link(suggestions, redacted),
    )
    wall, cpu = w_redact + w_themes + w_link, c_redact + c_themes + c_link
    print(
        f"  {'total: redaction + themes + linking':<40} {wall:8.2f} s {len(texts) / wall:9,.0f}/s"
        f"   cpu {cpu:8.2f} s {len(texts) / cpu:9,.0f}/cpu-s"
    )
    groups, _, _ = timed(
        "group discovery (apart)", len(texts), lambda: text.discover_groups(redacted)
    )
    pairs, _, _ = timed(
        "near-duplicate suggestions (apart)",
        len(suggestions),
        lambda: text.similar_pairs(suggestions),
    )
    print(f"  load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    named = sum("[nom]" in t for t in redacted)
    with_name = [n for n, person_name in enumerate(people) if person_name]
    left = [n for n in with_name if name_left(redacted[n], people[n])]
    # A marker in a verbatim that names nobody is a word taken for a name.
    spurious = [n for n, name in enumerate(people) if not name and "[nom]" in redacted[n]]
    print(
        f"  names: {len(with_name) - len(left):,} of {len(with_name):,} planted names removed"
        + (f"; e.g. left: {redacted[left[0]]!r}" if left else "")
    )
    print(
        f"  spurious: {len(spurious):,} of {len(people) - len(with_name):,} verbatims naming "
        "nobody got a [nom] marker" + (f"; e.g. {redacted[spurious[0]]!r}" if spurious else "")
    )
    themed = sum(bool(t) for t in themes)
    reach = {}
    for one in links:
        reach[one.suggestion] = reach.get(one.suggestion, 0) + 1
    print(
        f"  checks: {named:,} verbatims with a [nom] marker, {themed:,} with a theme, "
        f"{len(links):,} links ({len(reach)} suggestions reach a verbatim), "
        f"{len(groups)} discovered groups, {len(pairs):,} near-duplicate pairs"
    )
    if groups:
        print("  groups: " + "; ".join(f"{g.label} ({len(g.members)})" for g in groups[:5]))


if __name__ == "__main__":
    main()
