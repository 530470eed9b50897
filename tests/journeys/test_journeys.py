from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from ninja.testing import TestClient

from miroir.audit.models import AuditEntry
from miroir.collect.models import Wave, WaveKind
from miroir.instruments.catalogs import catalog_load
from miroir.journeys.api import router
from miroir.journeys.models import Journey, JourneyKind, Moment, Stage
from miroir.journeys.selectors import journey_stages, moments_active
from miroir.journeys.services import journey_template_load, moment_save
from miroir.org.selectors import NO_SCOPE, scope_for_unit
from tests.personas import PASSWORD

api = TestClient(router)

EMPLOYEE_MOMENTS = {
    Stage.BEFORE: ["job_ad", "careers_site", "application", "interview", "offer", "first_day"],
    Stage.DURING: ["onboarding", "tools_workplace", "daily_management", "collaboration",
                   "training", "recognition", "schedules", "career_moves"],
    Stage.AFTER: ["departure", "alumni"],
}  # fmt: skip


def test_both_bundled_journeys_are_there_after_migrating(db):
    employee = Journey.objects.get(code="employee")
    stages = journey_stages(employee)
    assert {stage: [link.moment.code for link in links] for stage, links in stages.items()} == (
        EMPLOYEE_MOMENTS
    )
    shop = Journey.objects.get(code="shop", kind=JourneyKind.CUSTOMER)
    assert [m.code for m in shop.moments.order_by("order")] == [
        "discovery", "arrival", "advice", "waiting", "checkout", "delivery", "after_sales",
        "complaint",
    ]  # fmt: skip
    assert Moment.objects.get(code="checkout").teams == ["checkout"]
    assert all(m.name_en and m.name_fr != m.name_en for m in employee.moments.all())


def test_employee_moments_are_never_offered_for_customer_events(db):
    codes = {moment.code for moment in moments_active()}
    assert "first_day" not in codes
    # Customer moments outside any journey (created before journeys) still are.
    assert {"online_info", "try_on", "checkout", "discovery"} <= codes


def test_loading_a_template_twice_changes_nothing_and_keeps_renamed_moments(db):
    Moment.objects.filter(code="interview").update(name_fr="L'entretien d'embauche")
    journey_template_load(code="employee")
    journey_template_load(code="employee")
    assert Journey.objects.filter(code="employee").count() == 1
    assert Moment.objects.get(code="interview").name_fr == "L'entretien d'embauche"


def test_a_template_refuses_a_moment_of_another_journey_and_saves_nothing(db):
    other = Journey.objects.create(code="siege", kind=JourneyKind.EMPLOYEE, name_fr="Siège")
    Moment.objects.filter(code="alumni").update(journey=other)
    Moment.objects.filter(journey__code="employee").update(journey=None)
    Moment.objects.filter(code="job_ad").delete()
    Journey.objects.filter(code="employee").delete()
    with pytest.raises(ValidationError, match=r"alumni.*another journey"):
        journey_template_load(code="employee")
    assert not Journey.objects.filter(code="employee").exists()
    assert not Moment.objects.filter(code="job_ad").exists()


def test_an_unknown_template_is_refused(db):
    with pytest.raises(ValidationError, match="no bundled journey template named 'magasin'"):
        journey_template_load(code="magasin")


def test_a_moment_code_never_changes_and_teams_are_checked(db):
    moment = Moment.objects.get(code="checkout")
    moment.code = "caisse"
    with pytest.raises(ValidationError, match="code never changes"):
        moment_save(moment=moment, actor=None)
    moment = Moment.objects.get(code="checkout")
    moment.teams = ["checkout", "bakery"]
    with pytest.raises(ValidationError, match="teams must be a list of"):
        moment_save(moment=moment, actor=None)
    assert Moment.objects.get(code="checkout").teams == ["checkout"]


def test_a_moment_lists_the_items_and_hot_waves_that_speak_of_it(personas):
    instrument = catalog_load(name="pulse-miroir", actor=None)
    Wave.objects.create(
        instrument=instrument, name="Après la caisse", kind=WaveKind.HOT, lens="customer",
        closes_at=timezone.now(), threshold_scores=5, threshold_verbatims=10,
        hot_moments=["checkout"],
    )  # fmt: skip
    shop = Journey.objects.get(code="shop")
    links = {link.moment.code: link for links in journey_stages(shop).values() for link in links}
    assert links["checkout"].items
    assert {slug for slug, _ in links["checkout"].items} == {"pulse-miroir"}
    assert links["checkout"].hot_waves == ["Après la caisse"]
    assert links["arrival"].hot_waves == []


def _login(client, user):
    assert client.login(username=user.email, password=PASSWORD)


def test_direction_adds_a_moment_and_it_is_audited(client, personas):
    _login(client, personas.direction)
    journey = Journey.objects.get(code="employee")
    response = client.post(
        reverse("journeys:moment_create", args=[journey.pk]),
        {"code": "mutuelle", "name_fr": "La mutuelle", "name_en": "Health cover",
         "stage": "during", "order": "95", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    moment = Moment.objects.get(code="mutuelle")
    assert moment.journey == journey and moment.teams == []
    assert AuditEntry.objects.filter(action="moment.create", target="mutuelle").exists()
    page = client.get(reverse("journeys:detail", args=[journey.pk]))
    assert "La mutuelle" in page.content.decode()


def test_a_bad_stage_is_refused_next_to_its_field_and_nothing_is_saved(client, personas):
    _login(client, personas.admin)
    journey = Journey.objects.get(code="shop")
    response = client.post(
        reverse("journeys:moment_create", args=[journey.pk]),
        {"code": "atelier", "name_fr": "Atelier", "stage": "later", "order": "5"},
    )
    assert response.status_code == 200
    assert "stage" in response.context["form"].errors
    assert not Moment.objects.filter(code="atelier").exists()


def test_a_manager_reads_journeys_but_cannot_change_them(client, personas):
    _login(client, personas.shop_manager)
    journey = Journey.objects.get(code="employee")
    assert client.get(reverse("journeys:detail", args=[journey.pk])).status_code == 200
    response = client.post(reverse("journeys:edit", args=[journey.pk]), {"name_fr": "X"})
    assert response.status_code == 403
    assert Journey.objects.get(pk=journey.pk).name_fr == "Parcours collaborateur"


def test_an_employee_cannot_read_the_journey_editor(client, personas):
    _login(client, personas.employee)
    assert client.get(reverse("journeys:list")).status_code == 403


def test_the_api_lists_journeys_with_their_moments(personas):
    response = api.get("/", auth=scope_for_unit(personas.lille))
    assert response.status_code == 200
    journeys = {journey["code"]: journey for journey in response.json()}
    employee = [moment["code"] for moment in journeys["employee"]["moments"]]
    assert employee == [code for codes in EMPLOYEE_MOMENTS.values() for code in codes]
    checkout = next(m for m in journeys["shop"]["moments"] if m["code"] == "checkout")
    assert checkout["teams"] == ["checkout"] and checkout["stage"] == "during"


def test_the_api_refuses_a_caller_without_units(personas):
    response = api.get("/", auth=NO_SCOPE)
    assert response.status_code == 403
    assert response.json()["code"] == "journeys.forbidden"
