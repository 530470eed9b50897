"""Publishing a unit's results to its people: who may, what they see, and what is recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone, translation

from miroir.audit.models import AuditEntry
from miroir.org.models import Lens
from miroir.org.selectors import scope_for_user
from miroir.results import selectors
from miroir.results.models import PUBLICATION_MESSAGE_MAX, Publication
from miroir.results.periods import period_of
from miroir.results.services import publication_publish, publication_withdraw
from tests.reports.support import last_quarter_days

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The assertions read the English messages, whatever the default language.
    with translation.override("en"):
        yield


def _period():
    """Return the quarter the fixture's latest answers are in."""
    recent, _older = last_quarter_days()
    return period_of(recent)


def _publish(user, unit, message=""):
    return publication_publish(unit=unit, period=_period().label, actor=user, message=message)


def _seen_by(user):
    return {
        publication.unit.name for publication in selectors.publications_for(scope_for_user(user))
    }


# Publishing and withdrawing ----------------------------------------------------------------


def test_a_manager_publishes_a_unit_of_their_subtree_and_it_is_audited(results_data):
    personas = results_data
    published = _publish(personas.shop_manager, personas.lille_vente, "Merci à tous !")

    assert published.created
    publication = published.publication
    assert (publication.unit, publication.period) == (personas.lille_vente, _period().label)
    assert publication.published_by == personas.shop_manager
    assert publication.message == "Merci à tous !"
    assert publication.publisher_name == "Sophie Lille"
    entry = AuditEntry.objects.get(action="results.publish")
    assert entry.actor == personas.shop_manager
    assert entry.target == f"publication:{publication.pk}"
    assert entry.details == {"unit": personas.lille_vente.pk, "period": _period().label}


def test_direction_and_administrators_publish_anywhere(results_data):
    personas = results_data
    assert _publish(personas.direction, personas.marseille).created
    assert _publish(personas.admin, personas.company).created


def test_publishing_again_with_the_same_message_changes_nothing(results_data):
    personas = results_data
    first = _publish(personas.shop_manager, personas.lille, "Bravo")
    again = _publish(personas.shop_manager, personas.lille, "  Bravo ")

    assert not again.created
    assert again.publication == first.publication
    assert Publication.objects.count() == 1
    assert AuditEntry.objects.filter(action="results.publish").count() == 1


def test_publishing_again_with_another_message_is_refused_until_withdrawn(results_data):
    personas = results_data
    first = _publish(personas.shop_manager, personas.lille, "Bravo")
    with pytest.raises(ValidationError, match="already published") as refused:
        _publish(personas.shop_manager, personas.lille, "Autre chose")
    assert refused.value.code == "published"

    publication_withdraw(publication=first.publication, actor=personas.shop_manager)
    second = _publish(personas.shop_manager, personas.lille, "Autre chose")
    assert second.created
    assert Publication.objects.filter(unit=personas.lille).count() == 2


def test_a_manager_cannot_publish_outside_their_subtree_and_nothing_is_written(results_data):
    personas = results_data
    with pytest.raises(PermissionDenied):
        _publish(personas.sibling_manager, personas.lille)
    with pytest.raises(PermissionDenied):
        _publish(personas.shop_manager, personas.nord)
    assert not Publication.objects.exists()
    assert not AuditEntry.objects.filter(action="results.publish").exists()


@pytest.mark.parametrize("user", ["employee", "partner", "outsider"])
def test_people_without_results_rights_cannot_publish(results_data, user):
    personas = results_data
    with pytest.raises(PermissionDenied):
        _publish(getattr(personas, user), personas.lille)
    assert not Publication.objects.exists()


@pytest.mark.parametrize("label", ["bogus", "2026-13", "2026-03", "2026", ""])
def test_an_unknown_period_is_refused_with_a_clear_error(results_data, label):
    personas = results_data
    with pytest.raises(ValidationError) as refused:
        publication_publish(unit=personas.lille, period=label, actor=personas.shop_manager)
    assert "period" in refused.value.message_dict
    assert refused.value.message_dict["period"] != [""]
    assert not Publication.objects.exists()


def test_a_period_without_results_is_refused(results_data):
    personas = results_data
    empty = _period().next().next()
    with pytest.raises(ValidationError, match="No results exist") as refused:
        publication_publish(unit=personas.lille, period=empty, actor=personas.shop_manager)
    assert [error.code for error in refused.value.error_dict["period"]] == ["empty"]
    assert not Publication.objects.exists()


def test_a_unit_with_too_few_respondents_may_be_published_its_figures_hidden(results_data):
    # Refusing it would tell its manager that fewer people than the threshold answered.
    personas = results_data
    assert _publish(personas.other_region_manager, personas.marseille).created


def test_a_message_too_long_is_refused(results_data):
    personas = results_data
    with pytest.raises(ValidationError) as refused:
        _publish(personas.shop_manager, personas.lille, "x" * (PUBLICATION_MESSAGE_MAX + 1))
    assert "message" in refused.value.message_dict
    assert not Publication.objects.exists()


def test_the_database_keeps_one_live_publication_per_unit_and_period(results_data):
    personas = results_data
    publication = _publish(personas.shop_manager, personas.lille).publication
    with pytest.raises(IntegrityError), transaction.atomic():
        Publication.objects.create(
            unit=personas.lille, period=publication.period, published_at=timezone.now()
        )


def test_withdrawing_is_audited_once_and_keeps_the_history(results_data):
    personas = results_data
    publication = _publish(personas.shop_manager, personas.lille).publication

    withdrawn = publication_withdraw(publication=publication, actor=personas.region_manager)
    again = publication_withdraw(publication=publication, actor=personas.region_manager)

    assert withdrawn.withdrawn_at is not None
    assert again.withdrawn_at == withdrawn.withdrawn_at
    assert withdrawn.withdrawn_by == personas.region_manager
    assert withdrawn.withdrawer_name == "Régis Nord"
    entries = AuditEntry.objects.filter(action="results.withdraw")
    assert [(entry.target, entry.actor) for entry in entries] == [
        (f"publication:{publication.pk}", personas.region_manager)
    ]


def test_a_manager_cannot_withdraw_outside_their_subtree(results_data):
    personas = results_data
    publication = _publish(personas.shop_manager, personas.lille).publication
    for user in (personas.sibling_manager, personas.employee):
        with pytest.raises(PermissionDenied):
            publication_withdraw(publication=publication, actor=user)
    publication.refresh_from_db()
    assert publication.is_live
    assert not AuditEntry.objects.filter(action="results.withdraw").exists()


# Who sees what -----------------------------------------------------------------------------


@pytest.fixture
def published(results_data):
    """Return the personas after a publication on every unit of the tree."""
    personas = results_data
    for unit in (
        personas.company,
        personas.nord,
        personas.lille,
        personas.lille_vente,
        personas.lille_caisse,
        personas.arras,
        personas.sud,
        personas.marseille,
    ):
        _publish(personas.admin, unit)
    return personas


def test_an_employee_sees_only_the_publications_of_their_unit_and_its_ancestors(published):
    personas = published
    # Émile is in Lille Vente: not its sibling team, nor the sibling shop, nor the other region.
    assert _seen_by(personas.employee) == {"Miroir Retail", "Nord", "Lille", "Lille Vente"}


def test_a_partner_sees_the_publications_on_their_own_path(published):
    personas = published
    # Paul is attached to Lille itself: the teams below are not his.
    assert _seen_by(personas.partner) == {"Miroir Retail", "Nord", "Lille"}


def test_publications_off_the_path_are_404_for_an_employee(published):
    personas = published
    scope = scope_for_user(personas.employee)
    for unit in (personas.lille_caisse, personas.arras, personas.marseille):
        publication = Publication.objects.get(unit=unit)
        with pytest.raises(Http404):
            selectors.access_publication(scope, publication.pk)
    mine = Publication.objects.get(unit=personas.lille_vente)
    assert selectors.access_publication(scope, mine.pk) == mine
    with pytest.raises(Http404):
        selectors.access_publication(scope, "not a number")


def test_a_withdrawn_publication_vanishes_at_once(published):
    personas = published
    publication = Publication.objects.get(unit=personas.lille)
    publication_withdraw(publication=publication, actor=personas.shop_manager)

    assert "Lille" not in _seen_by(personas.employee)
    for user in (personas.employee, personas.shop_manager, personas.direction):
        with pytest.raises(Http404):
            selectors.access_publication(scope_for_user(user), publication.pk)
    # Its managers still find it in the unit's history.
    managed = selectors.unit_publications(scope_for_user(personas.shop_manager), personas.lille)
    assert publication in list(managed)


def test_managers_preview_the_publications_of_their_subtree_only(published):
    personas = published
    caisse = Publication.objects.get(unit=personas.lille_caisse)
    assert selectors.access_publication(scope_for_user(personas.shop_manager), caisse.pk)
    assert selectors.access_publication(scope_for_user(personas.direction), caisse.pk)
    with pytest.raises(Http404):
        selectors.access_publication(scope_for_user(personas.sibling_manager), caisse.pk)
    assert not selectors.unit_publications(
        scope_for_user(personas.sibling_manager), personas.lille
    ).exists()
    assert not selectors.unit_publications(
        scope_for_user(personas.employee), personas.lille
    ).exists()


def test_managing_a_publication_is_403_without_results_rights_and_404_outside(published):
    personas = published
    lille = Publication.objects.get(unit=personas.lille)
    with pytest.raises(PermissionDenied):
        selectors.access_managed_publication(scope_for_user(personas.employee), lille.pk)
    with pytest.raises(Http404):
        selectors.access_managed_publication(scope_for_user(personas.sibling_manager), lille.pk)
    found = selectors.access_managed_publication(scope_for_user(personas.shop_manager), lille.pk)
    assert found == lille


def test_a_publication_at_another_grain_is_shown_to_nobody(published, settings):
    personas = published
    assert selectors.publications_exist_for(scope_for_user(personas.employee))
    settings.MIROIR_RESULTS_PERIOD = "month"
    assert _seen_by(personas.employee) == set()
    assert not selectors.publications_exist_for(scope_for_user(personas.employee))


def test_nothing_is_published_to_a_login_that_is_nobody(published):
    personas = published
    assert _seen_by(personas.outsider) == set()
    assert not selectors.publications_exist_for(scope_for_user(personas.outsider))


def test_the_reader_s_lens_follows_their_contract(results_data):
    personas = results_data
    assert selectors.publication_lens(scope_for_user(personas.employee)) == Lens.EMPLOYEE
    assert selectors.publication_lens(scope_for_user(personas.partner)) == Lens.PARTNER
    assert selectors.publication_lens(scope_for_user(personas.shop_manager)) == Lens.EMPLOYEE


# What they see -----------------------------------------------------------------------------


def test_published_figures_are_the_gated_selectors_for_the_unit_alone(results_data):
    personas = results_data
    publication = _publish(personas.shop_manager, personas.lille).publication
    period = _period()

    shown = selectors.publication_results(publication, lens=Lens.EMPLOYEE)

    for lens, results in ((Lens.EMPLOYEE, shown.own), (Lens.CUSTOMER, shown.customer)):
        expected = selectors.unit_results(
            unit=personas.lille, lens=lens, period=period, levels=0, with_change=False
        )
        assert results == expected
        assert {ref.id for ref in results.units} == {personas.lille.pk}
        assert any(not figure.suppressed for figure in results.figures)
    experience = selectors.experience_symmetry(unit=personas.lille, period=period)
    assert len(shown.experience) == len(experience)
    for mine, theirs in zip(shown.experience, experience, strict=True):
        assert mine.gaps == theirs.gaps
        for lens, figure in theirs.figures.items():
            assert mine.figures[lens].suppressed == figure.suppressed
            assert [(s.code, s.value, s.low, s.high) for s in mine.figures[lens].statistics] == [
                (s.code, s.value, s.low, s.high) for s in figure.statistics
            ]
            # The previous period was not published: no change since it.
            assert all(s.change is None for s in mine.figures[lens].statistics)


def test_a_unit_under_the_threshold_shows_only_the_marker(results_data):
    personas = results_data
    # Three employees answered in Marseille: below the threshold of five.
    publication = _publish(personas.other_region_manager, personas.marseille).publication

    shown = selectors.publication_results(publication, lens=Lens.EMPLOYEE)

    assert shown.own.figures
    for figure in shown.own.figures:
        assert figure.suppressed
        assert (figure.n, figure.dont_know, figure.statistics, figure.distribution) == (
            None,
            None,
            (),
            None,
        )
    # The customers of Marseille are ten, and their figures show.
    assert any(not figure.suppressed for figure in shown.customer.figures)


def test_a_publication_is_read_through_the_employee_or_partner_lens_only(results_data):
    personas = results_data
    publication = _publish(personas.shop_manager, personas.lille).publication
    with pytest.raises(ValueError, match="employee or the partner"):
        selectors.publication_results(publication, lens=Lens.MANAGEMENT)
