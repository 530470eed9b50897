"""Lists that grow are paginated with their count, and their filters survive the page links."""

from __future__ import annotations

import re
from html import unescape

from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from miroir.core.pagination import paginate
from miroir.org.services import unit_create
from miroir.voices.services import complaint_receive
from tests.personas import PASSWORD

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _shown(first: int, last: int, total: int) -> str:
    return f"{first}\N{EN DASH}{last} of {total}"


PAGINATION = Template('{% include "core/_pagination.html" %}')


def _links(html: str) -> dict[str, str]:
    """Return the pagination links of a page, by their text."""
    nav = re.search(r'<nav class="pagination".*?</nav>', html, re.S)
    assert nav, "no pagination"
    return {
        text: unescape(href)
        for href, text in re.findall(r'<a href="([^"]*)"[^>]*>([^<]+)</a>', nav.group(0))
    }


def _render(url: str, items: list[int], per_page: int) -> tuple[list[int], dict[str, str]]:
    request = RequestFactory().get(url)
    page = paginate(request, items, per_page=per_page)
    with translation.override("en"):
        html = PAGINATION.render(Context({"page": page, "request": request}))
    return list(page), (_links(html) if items else {})


@settings(max_examples=40, deadline=None)
@given(total=st.integers(0, 130), per_page=st.integers(1, 60))
def test_following_next_shows_every_item_once_with_the_filters_kept(total, per_page):
    items = list(range(total))
    seen: list[int] = []
    url = "/voices/?kind=complaint&unit=7"
    while True:
        shown, links = _render(url, items, per_page)
        seen += shown
        if "Next" not in links:
            break
        url = "/voices/" + links["Next"]
        assert "kind=complaint" in url and "unit=7" in url
    assert seen == items


def test_a_page_past_the_end_shows_the_last_one():
    shown, _links = _render("/x/?page=99", list(range(120)), 50)
    assert shown == list(range(100, 120))


def _complaints(unit, count: int) -> None:
    for number in range(count):
        complaint_receive(text=f"Attente en caisse numéro {number}", source="api", unit=unit)


def test_the_inbox_pages_through_every_voice_and_says_how_many(client, personas, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    _complaints(personas.lille, 53)
    _complaints(personas.marseille, 2)
    assert client.login(username=personas.direction.email, password=PASSWORD)
    first = client.get("/voices/", {"kind": "complaint"}, **EN).content.decode()
    assert first.count('href="/voices/') - first.count('href="/voices/?') >= 50
    assert _shown(1, 50, 55) in first
    second_url = "/voices/" + _links(first)["Next"]
    assert "kind=complaint" in second_url
    second = client.get(second_url, **EN)
    assert _shown(51, 55, 55) in second.content.decode()
    assert len(second.context["page"]) == 5
    # The unit filter narrows to a subtree of the scope.
    only_sud = client.get("/voices/", {"unit": personas.sud.pk}, **EN)
    assert only_sud.context["page"].paginator.count == 2


def test_a_unit_outside_the_scope_filters_nothing_in(client, personas, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    _complaints(personas.marseille, 1)
    _complaints(personas.lille, 1)
    assert client.login(username=personas.shop_manager.email, password=PASSWORD)
    page = client.get("/voices/", {"unit": personas.marseille.pk}).context["page"]
    assert [voice.unit for voice in page] == [personas.lille]


def test_sub_units_and_members_page_separately(client, personas):
    for number in range(65):
        unit_create(name=f"Magasin {number:02d}", kind="shop", parent=personas.sud)
    assert client.login(username=personas.direction.email, password=PASSWORD)
    html = client.get(f"/org/units/{personas.sud.pk}/", **EN).content.decode()
    assert _shown(1, 60, 66) in html  # Marseille and the 65 new shops
    url = _links(html)["Next"]
    assert "units_page=2" in url
    second = client.get(f"/org/units/{personas.sud.pk}/{url}", **EN)
    assert len(second.context["children"]) == 6


def test_the_wave_list_pages_and_filters_by_status(client, personas, make_wave, launch):  # noqa: F811
    for number in range(51):
        make_wave(name=f"Pulse {number:02d}")
    launch(make_wave(name="Pulse ouverte"))
    assert client.login(username=personas.direction.email, password=PASSWORD)
    html = client.get("/waves/", **EN).content.decode()
    assert _shown(1, 50, 52) in html
    last = client.get("/waves/" + _links(html)["Last"], **EN)
    assert len(last.context["rows"]) == 2
    opened = client.get("/waves/", {"status": "open"}, **EN)
    assert [wave.name for wave, _counts in opened.context["rows"]] == ["Pulse ouverte"]
    assert _shown(1, 1, 1) in opened.content.decode()


# The collection's fixtures, for the wave list.
from tests.collect.conftest import instrument, launch, make_wave  # noqa: E402, F401


def test_the_audit_log_pages_with_its_count_and_keeps_its_filter(client, personas):
    from miroir.audit.models import AuditEntry
    from miroir.audit.services import audit_record

    for index in range(55):
        audit_record(actor=None, action="test.paged", target=f"wave:{index}")
    audit_record(actor=None, action="other.thing")
    assert client.login(username=personas.admin.email, password=PASSWORD)
    html = client.get("/settings/audit/", {"action": "test.paged"}, **EN).content.decode()
    assert _shown(1, 50, 55) in html
    url = _links(html)["Next"]
    assert "action=test.paged" in url and "page=2" in url
    second = client.get("/settings/audit/" + url, **EN)
    assert _shown(51, 55, 55) in second.content.decode()
    assert AuditEntry.objects.filter(action="test.paged").count() == 55
