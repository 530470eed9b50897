"""What the parts of a demo share: the options, the random streams, the objects made so far."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

if TYPE_CHECKING:
    from miroir.org.models import Member, PartnerOrganisation, Unit

T = TypeVar("T")

DEMO_DOMAIN = "demo.miroir.example"
# Published on purpose: every demo login shares it, and the command prints it.
DEMO_PASSWORD = "miroir-demo"  # noqa: S105

# Beyond these sizes the generator would only measure the machine's patience.
MAX_REGIONS = 500
MAX_SHOPS = 100_000
MAX_MEMBERS_PER_SHOP = 500


@dataclass(frozen=True)
class DemoOptions:
    """The knobs of a demo network; the same options and seed give the same network."""

    seed: int = 42
    regions: int = 4
    shops: int = 60
    members_per_shop: int = 15

    def errors(self) -> list[str]:
        """Return what is wrong with these options, in words for the person who gave them."""
        problems = []
        if not 1 <= self.regions <= MAX_REGIONS:
            problems.append(
                _("The number of regions must be between 1 and %(max)d.") % {"max": MAX_REGIONS}
            )
        if not 1 <= self.shops <= MAX_SHOPS:
            problems.append(
                _("The number of shops must be between 1 and %(max)d.") % {"max": MAX_SHOPS}
            )
        elif self.shops < self.regions:
            problems.append(_("Each region needs a shop: give at least as many shops as regions."))
        if not 3 <= self.members_per_shop <= MAX_MEMBERS_PER_SHOP:
            problems.append(
                _("The number of members per shop must be between 3 and %(max)d.")
                % {"max": MAX_MEMBERS_PER_SHOP}
            )
        return problems

    def as_dict(self) -> dict[str, int]:
        return {
            "seed": self.seed,
            "regions": self.regions,
            "shops": self.shops,
            "members_per_shop": self.members_per_shop,
        }


@dataclass
class DemoContext:
    """Handed to every part in turn; earlier parts leave here what later parts build on."""

    options: DemoOptions
    show_progress: bool = False
    # One clock for the whole demo, so that every part dates its rows from the same "now".
    now: datetime = field(default_factory=timezone.now)
    company: Unit | None = None
    # Unit kind ("region", "shop", …) → the units of that kind, in creation order.
    units: dict[str, list[Unit]] = field(default_factory=dict)
    # Unit id → the members attached directly to it.
    members_by_unit: dict[int, list[Member]] = field(default_factory=dict)
    # "admin", "direction", "region_manager", "shop_manager", "employee", "partner".
    personas: dict[str, Member] = field(default_factory=dict)
    partner_organisations: list[PartnerOrganisation] = field(default_factory=list)
    truth: dict[str, dict[str, Any]] = field(default_factory=dict)
    _streams: dict[str, random.Random] = field(default_factory=dict, repr=False)

    def rng(self, stream: str) -> random.Random:
        """Return the random generator of ``stream``, seeded from the demo seed and its name.

        Each part draws from its own stream, so adding a part or drawing more in one
        part leaves every other part's network unchanged for the same seed.
        """
        if stream not in self._streams:
            # Seeding with a str hashes it with SHA-512: stable across runs and platforms.
            self._streams[stream] = random.Random(f"miroir-demo/{self.options.seed}/{stream}")
        return self._streams[stream]

    @cached_property
    def password_hash(self) -> str:
        """Return the hash of the demo password, computed once for every demo login."""
        return make_password(DEMO_PASSWORD)

    def record(self, part: str, key: str, value: Any) -> None:
        """Write down a planted fact; it is saved as ground truth at the end of the demo."""
        self.truth.setdefault(part, {})[key] = value

    def truth_of(self, part: str, key: str) -> Any:
        """Return a fact recorded earlier in this demo (KeyError when there is none)."""
        return self.truth[part][key]

    def members(self, unit: Unit) -> list[Member]:
        """Return the members attached directly to ``unit``."""
        return self.members_by_unit.get(unit.pk, [])

    def progress(self, items: Iterable[T], *, desc: str, total: int | None = None) -> Iterator[T]:
        """Return the items, with a progress bar on stderr when the demo runs in a terminal."""
        # disable=None lets tqdm hide itself when stderr is not a terminal.
        yield from tqdm(
            items, desc=desc, total=total, unit="", disable=None if self.show_progress else True
        )
