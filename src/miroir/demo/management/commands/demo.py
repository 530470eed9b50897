from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from miroir.demo.context import DEMO_PASSWORD, DemoContext, DemoOptions
from miroir.demo.selectors import organisation_exists
from miroir.demo.services import DemoError, demo_generate, truth_write
from miroir.org.models import ContractType, Member, PartnerOrganisation, Unit, UnitKind

DEFAULTS = DemoOptions()


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


class Command(BaseCommand):
    help = (
        "Fill the database with a synthetic French retail network (company, regions, shops, "
        "teams, members of every contract, partners, demo logins) and its ground truth. "
        "The same seed and sizes always give the same network."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed",
            type=_whole_number,
            default=DEFAULTS.seed,
            help="Random seed; the same seed and sizes give the same network "
            "(default: %(default)s).",
        )
        parser.add_argument(
            "--regions",
            type=_whole_number,
            default=DEFAULTS.regions,
            help="Number of regions; beyond the named ones they are called 'Région N' "
            "(default: %(default)s).",
        )
        parser.add_argument(
            "--shops",
            type=_whole_number,
            default=DEFAULTS.shops,
            help="Number of shops in all, spread evenly over the regions (default: %(default)s).",
        )
        parser.add_argument(
            "--members-per-shop",
            type=_whole_number,
            default=DEFAULTS.members_per_shop,
            help="Average number of people per shop, manager and partners included; shops "
            "vary around it (default: %(default)s).",
        )
        existing = parser.add_mutually_exclusive_group()
        existing.add_argument(
            "--reset",
            action="store_true",
            help="First delete the existing organisation (every unit, member, role, partner "
            "organisation and member login; superusers are kept) and the data of every demo part.",
        )
        existing.add_argument(
            "--skip-if-present",
            action="store_true",
            help="When an organisation already exists, say so and succeed without changing it.",
        )
        parser.add_argument(
            "--truth-file",
            type=Path,
            default=None,
            help="Where to write the ground truth as JSON (default: DATA_DIR/demo-truth.json).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        demo_options = DemoOptions(
            seed=options["seed"],
            regions=options["regions"],
            shops=options["shops"],
            members_per_shop=options["members_per_shop"],
        )
        problems = demo_options.errors()
        if problems:
            raise CommandError(" ".join(problems))
        if options["skip_if_present"] and organisation_exists():
            self.stdout.write(_("An organisation is already there: the demo was not generated."))
            return

        started = time.perf_counter()
        try:
            ctx = demo_generate(
                options=demo_options,
                reset=options["reset"],
                show_progress=options["verbosity"] > 0,
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started

        truth_file = options["truth_file"] or Path(settings.DATA_DIR) / "demo-truth.json"
        try:
            written = truth_write(ctx.truth, truth_file)
        except OSError as exc:
            raise CommandError(
                _(
                    "The demo was generated but its ground truth could not be written to "
                    "%(path)s: %(error)s"
                )
                % {"path": truth_file, "error": exc.strerror or exc}
            ) from exc
        if options["verbosity"] > 0:
            self._report(ctx, written, seconds)

    def _report(self, ctx: DemoContext, truth_file: Path, seconds: float) -> None:
        write = self.stdout.write
        write(
            self.style.SUCCESS(
                _("Demo network generated in %(seconds).1f s (seed %(seed)d).")
                % {"seconds": seconds, "seed": ctx.options.seed}
            )
        )
        units = dict(Unit.objects.values_list("kind").annotate(n=Count("id")))
        write(
            _("Units: %(total)d (%(detail)s).")
            % {
                "total": sum(units.values()),
                "detail": ", ".join(
                    f"{kind.label} {units[kind]}" for kind in UnitKind if kind in units
                ),
            }
        )
        contracts = dict(Member.objects.values_list("contract_type").annotate(n=Count("id")))
        write(
            _("Members: %(total)d (%(detail)s).")
            % {
                "total": sum(contracts.values()),
                "detail": ", ".join(
                    f"{kind.label} {contracts[kind]}" for kind in ContractType if kind in contracts
                ),
            }
        )
        write(
            _("Partner organisations: %(count)d.") % {"count": PartnerOrganisation.objects.count()}
        )
        write(_("Ground truth: %(path)s") % {"path": truth_file})
        if ctx.personas:
            write(
                _('Demo logins, all with the password "%(password)s":')
                % {"password": DEMO_PASSWORD}
            )
            width = max(len(member.email or "") for member in ctx.personas.values())
            for key, member in ctx.personas.items():
                write(f"  {member.email:<{width}}  {self._describe(key, member)}")
            self._report_phone(ctx)
            self._report_comments(ctx)

    def _report_phone(self, ctx: DemoContext) -> None:
        """Say how a member without an e-mail address signs in by phone, with an example."""
        from miroir.accounts.signin_services import sign_in_link_issue, sign_in_link_url

        shop = ctx.personas["shop_manager"].unit if "shop_manager" in ctx.personas else None
        field = (
            Member.objects.filter(
                email__isnull=True, user__phone__isnull=False, unit__path__startswith=shop.path
            )
            if shop is not None
            else Member.objects.none()
        )
        member = field.select_related("user", "unit").order_by("pk").first()
        if member is None:
            return
        write = self.stdout.write
        count = Member.objects.filter(email__isnull=True, user__phone__isnull=False).count()
        write(
            _(
                "Members without an e-mail address sign in with their mobile number "
                "(in the demo: %(count)d). Try it as %(name)s (%(unit)s), number %(phone)s:"
            )
            % {
                "count": count,
                "name": member.full_name,
                "unit": member.unit.name,
                "phone": member.user.phone,
            }
        )
        sms_file = Path(settings.COLLECT_SMS_FILE_DIR) / "sms.jsonl"
        backend = settings.COLLECT_SMS_BACKEND
        where = {
            "file": _("the code is written to %(path)s") % {"path": sms_file},
            "console": _("the code is printed by the server (console SMS backend)"),
        }.get(backend, _("the code is sent by SMS"))
        write(
            "  "
            + _("by SMS code: %(url)s (%(where)s);")
            % {"url": settings.SITE_URL + reverse("accounts:login_phone"), "where": where}
        )
        _link, token = sign_in_link_issue(member=member, actor=None)
        write(
            "  "
            + _("or with the sign-in link their manager would hand out: %(url)s")
            % {"url": sign_in_link_url(token)}
        )

    def _report_comments(self, ctx: DemoContext) -> None:
        """Say where the demo manager reads their shop's survey comments by theme and tone."""
        from miroir.results.models import CommentAnalysis

        manager = ctx.personas.get("shop_manager")
        count = CommentAnalysis.objects.count()
        if manager is None or not count:
            return
        url = settings.SITE_URL + reverse("reports:comments", args=[manager.unit.pk])
        self.stdout.write(
            ngettext(
                "Survey comments by theme and tone (%(count)d analysed), for the manager: %(url)s",
                "Survey comments by theme and tone (%(count)d analysed), for the manager: %(url)s",
                count,
            )
            % {"count": count, "url": url}
        )

    def _describe(self, key: str, member: Member) -> str:
        unit = member.unit.name
        descriptions = {
            "admin": _("administrator"),
            "direction": _("direction"),
            "region_manager": _("manager of the region %(unit)s") % {"unit": unit},
            "shop_manager": _("manager of the shop %(unit)s") % {"unit": unit},
            "employee": _("employee, %(unit)s") % {"unit": unit},
            "partner": _("partner from %(organisation)s at %(unit)s")
            % {
                "organisation": member.partner_organisation.name
                if member.partner_organisation
                else "",
                "unit": unit,
            },
        }
        return descriptions.get(key, key)
