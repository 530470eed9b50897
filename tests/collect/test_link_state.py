"""Nobody can learn by opening a personal link whether its member answered.

The review's attack: download the personal-links file, open each link, and read 200 (not
yet) or 409 (answered); poll the file to learn when. Here a used and an unused link answer
alike (status, page modulo the CSRF token and the form's fresh submission id), a used
link's submission is acknowledged alike and stores nothing, the file is available only
before answers arrive, and every download is audited.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from miroir.audit.models import AuditEntry
from miroir.collect.models import Response, WaveStatus
from miroir.collect.services import wave_links_export
from tests.collect.support import EMPLOYEE_ANSWERS, row_counts, submit, token_for
from tests.personas import PASSWORD

FORM = {f"q-{code}": value for code, value in EMPLOYEE_ANSWERS.items()}
# What differs between two renderings of the same page whatever the link's state.
FRESH = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'),
    re.compile(r'name="submission_id" value="[^"]+"'),
]
# What differs between the pages of two different links (a key derived from each link).
PER_LINK = re.compile(r'data-draft-key="[^"]+"')


def _page(response, *, per_link: bool = False) -> str:
    body = response.content.decode()
    for pattern in [*FRESH, *([PER_LINK] if per_link else [])]:
        body = pattern.sub("…", body)
    return body


def _outcome(response) -> tuple:
    return (response.status_code, response.get("Location"), sorted(response.cookies))


@pytest.fixture
def wave(make_wave, launch):
    return launch(make_wave(channels=["link"]))


def test_a_used_and_an_unused_link_answer_identically(client, wave, personas):
    token = token_for(wave, personas.employee_member)
    other = token_for(
        wave, wave.invitations.exclude(member=personas.employee_member).first().member
    )
    url, other_url = (
        reverse("collect:respond", args=[token]),
        reverse("collect:respond", args=[other]),
    )

    unused = client.get(url)
    first = client.post(url, {**FORM, "submission_id": "first-submission-01"})
    assert Response.objects.count() == 1
    used = client.get(url)
    never_used = client.get(other_url)

    # The same link before and after its use: same status, same page.
    assert unused.status_code == used.status_code == 200
    assert _page(unused) == _page(used)
    assert 'name="q-enps"' in used.content.decode()
    # A used link and a never used one: same status, same page but for the key of each link.
    assert never_used.status_code == 200
    assert _page(used, per_link=True) == _page(never_used, per_link=True)

    # Sending answers again through the used link is acknowledged like the first time...
    before = row_counts()
    again = client.post(url, {**FORM, "submission_id": "again-submission-02"})
    assert _outcome(again) == _outcome(first)
    assert client.get(again["Location"]).content == client.get(first["Location"]).content
    # ...and stores nothing: the link still counts once.
    assert row_counts() == before
    # Answers that are wrong are refused alike, used or not.
    bad = {**FORM, "q-enps": "11", "submission_id": "bad-submission-003"}
    refused_used, refused_unused = client.post(url, bad), client.post(other_url, bad)
    assert refused_used.status_code == refused_unused.status_code == 400
    assert _page(refused_used, per_link=True) == _page(refused_unused, per_link=True)
    assert row_counts() == before


def test_opening_a_link_leaves_no_trace(client, wave, personas):
    token = token_for(wave, personas.employee_member)
    before, audit = row_counts(), AuditEntry.objects.count()
    for _ in range(3):
        assert client.get(reverse("collect:respond", args=[token])).status_code == 200
    assert row_counts() == before and AuditEntry.objects.count() == audit


def test_the_links_file_is_only_for_handing_out_before_answers_arrive(make_wave, launch, personas):
    now = timezone.now()
    scheduled = launch(
        make_wave(
            channels=["link"], opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=9)
        )
    )
    assert scheduled.status == WaveStatus.SCHEDULED
    assert wave_links_export(wave=scheduled, actor=personas.admin)
    opened = launch(make_wave(name="Ouverte", channels=["link"]))
    rows = wave_links_export(wave=opened, actor=personas.admin)
    # The day it opens, answers may already be in: the rule reads dates, never answers,
    # so that a refusal cannot tell anyone that someone answered.
    token = rows[0].url.rstrip("/").split("/r/")[1].split("/")[0]

    submit(token)
    assert wave_links_export(wave=opened, actor=personas.admin)
    with pytest.raises(ValidationError) as refused:
        wave_links_export(wave=opened, actor=personas.admin, now=now + timedelta(days=1))
    assert "scheduled" in str(refused.value) or "programmée" in str(refused.value)
    # Every download is in the audit log, with its wave and how many links.
    entries = AuditEntry.objects.filter(action="wave.links_export")
    assert entries.count() == 3
    assert {entry.target for entry in entries} == {f"wave:{scheduled.pk}", f"wave:{opened.pk}"}


def test_the_page_offers_the_file_only_while_it_can_be_downloaded(
    client, make_wave, launch, personas, monkeypatch
):
    wave = launch(make_wave(channels=["link"]))
    assert client.login(username=personas.admin.email, password=PASSWORD)
    url = reverse("collect:wave_detail", args=[wave.pk])
    assert reverse("collect:wave_links_csv", args=[wave.pk]) in client.get(url).content.decode()
    tomorrow = timezone.now() + timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    assert reverse("collect:wave_links_csv", args=[wave.pk]) not in client.get(url).content.decode()
    refused = client.post(reverse("collect:wave_links_csv", args=[wave.pk]))
    assert refused.status_code == 302
    assert AuditEntry.objects.filter(action="wave.links_export").count() == 0
