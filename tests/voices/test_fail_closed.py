"""Redaction fails closed: no reader but the author ever meets a text with its names in it,
whatever the state of the task queue, and a text whose redaction has not run shows nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import strategies as st

from miroir.api.services import api_token_create
from miroir.voices.models import Voice, VoiceComment, VoiceReport, pending_notice
from miroir.voices.periodic import analyse_pending_voices
from miroir.voices.services import (
    voice_answer,
    voice_comment_add,
    voice_report,
    voice_submit,
    voices_remind_due,
)
from tests.voices.conftest import T0

# A member of another shop and a name in no list of the organisation.
NAMED = "Demandez à Marius Sud ou à Kevin Durand : ils savent ranger la réserve."
SECRET_WORDS = ("Marius", "Kevin", "Durand")
ANSWER = "Merci à Kevin Durand, nous testons son rangement."
EFFECT = "Réserve rangée en 10 minutes grâce à Marius Sud."
COMMENT = "Jennifer Martinez l'a déjà fait à Arras."
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Émile's team is large enough for his anonymous voices to be filed under it.
pytestmark = pytest.mark.usefixtures("staffed")


@pytest.fixture
def no_worker(settings) -> None:
    """The default database queue, and no worker to run what it holds."""
    settings.TASKS = DATABASE_TASKS


def _stored(personas, *, anonymous: bool = True) -> Voice:
    voice = voice_submit(
        author=personas.employee_member,
        kind="suggestion",
        title="Idée de Kevin Durand",
        text=NAMED,
        anonymous=anonymous,
        now=T0,
    ).voice
    voice_answer(voice=voice, actor=personas.shop_manager, outcome="adopted", text=ANSWER, now=T0)
    voice_answer(
        voice=voice,
        actor=personas.shop_manager,
        outcome="implemented",
        text=ANSWER,
        effect=EFFECT,
        now=T0,
    )
    voice_comment_add(voice=voice, member=personas.partner_member, text=COMMENT, now=T0)
    voice_report(voice=voice, reporter=personas.partner_member, reason="Nomme Kevin Durand", now=T0)
    return voice


def _everything_others_read(client, personas, voice: Voice) -> list[tuple[str, str]]:
    """Return (where, body) of every page and API answer showing the voice to others."""
    pages = {
        personas.shop_manager: [
            "/voices/",
            f"/voices/{voice.pk}/",
            "/voices/moderation/",
            "/voices/you-said-we-did/",
        ],
        personas.region_manager: ["/voices/", f"/voices/{voice.pk}/"],
        personas.partner: [
            "/voices/ideas/",
            f"/voices/ideas/{voice.pk}/",
            "/voices/you-said-we-did/",
        ],
        personas.direction: ["/voices/", f"/voices/{voice.pk}/", "/voices/you-said-we-did/"],
    }
    seen = []
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            seen.append((f"{user} {url}", response.content.decode()))
    client.logout()
    secret = api_token_create(name="crm", scope_unit=personas.nord, actor=personas.admin)[1]
    for url in ("/api/v1/voices", f"/api/v1/voices/{voice.pk}"):
        response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 200, url
        seen.append((url, response.content.decode()))
    return seen


@pytest.mark.parametrize("anonymous", [True, False])
def test_with_no_task_worker_managers_colleagues_and_the_api_read_redacted_texts(
    client, personas, no_worker, django_capture_on_commit_callbacks, anonymous
):
    with django_capture_on_commit_callbacks(execute=True):
        voice = _stored(personas, anonymous=anonymous)
    # Nothing waits in the queue: the texts were redacted in the writes themselves.
    assert DBTaskResult.objects.count() == 0
    voice.refresh_from_db()
    assert not voice.text_pending
    comment = VoiceComment.objects.get(voice=voice)
    for shown in (
        voice.shown_title(),
        voice.shown_text(),
        voice.shown_answer(),
        voice.shown_effect(),
        comment.shown_text(),
    ):
        assert "[nom]" in shown
    for where, body in _everything_others_read(client, personas, voice):
        for word in (*SECRET_WORDS, "Jennifer", "Martinez"):
            assert word not in body, (where, word)
    assert "[nom]" in body
    # The author still reads their own words.
    if not anonymous:
        client.force_login(personas.employee)
        assert NAMED in client.get(f"/voices/mine/{voice.pk}/").content.decode()


def test_a_voice_whose_redaction_has_not_run_shows_no_text_anywhere(
    client, personas, no_worker, django_capture_on_commit_callbacks
):
    voice = _stored(personas)
    # As for a row written before redaction moved into the write, or after a failure.
    Voice.objects.filter(pk=voice.pk).update(
        redacted_title="", redacted_text="", redacted_answer="", redacted_effect=""
    )
    VoiceComment.objects.filter(voice=voice).update(redacted_text="")
    VoiceReport.objects.filter(voice=voice).update(redacted_reason="")
    raw = (voice.title, NAMED, ANSWER, EFFECT, COMMENT, *SECRET_WORDS, "Jennifer")
    for where, body in _everything_others_read(client, personas, voice):
        for text in raw:
            assert text not in body, (where, text)
        if not where.startswith("/api/"):
            assert pending_notice() in body.replace("&#x27;", "'"), where
    client.force_login(personas.shop_manager)
    api = client.get(f"/api/v1/voices/{voice.pk}").json()
    assert api["text_pending"] is True
    assert (api["title"], api["text"], api["answer"], api["effect"]) == ("", "", "", "")
    # The e-mails to managers name the voice by its shown title only.
    Voice.objects.filter(pk=voice.pk).update(status="received", outcome="", reminded_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert voices_remind_due(now=voice.due_at - timedelta(hours=1)) == 1
    assert mail.outbox
    for message in mail.outbox:
        body = message.subject + message.body
        assert "Kevin" not in body and "Marius" not in body


def test_when_the_engine_fails_the_voice_is_kept_hidden_then_shown_once_redacted(
    client, personas, monkeypatch, no_worker
):
    import miroir.text

    def broken(*args, **kwargs):
        raise miroir.text.ModelUnavailableError("no model here")

    monkeypatch.setattr(miroir.text, "redact_many", broken)
    voice = _stored(personas)
    voice.refresh_from_db()
    assert voice.text_pending
    assert (voice.redacted_title, voice.redacted_text) == ("", "")
    for where, body in _everything_others_read(client, personas, voice):
        for word in SECRET_WORDS:
            assert word not in body, (where, word)
    monkeypatch.undo()
    assert analyse_pending_voices.call() is None
    voice.refresh_from_db()
    assert not voice.text_pending and "[nom]" in voice.shown_text()
    assert "[nom]" in VoiceComment.objects.get(voice=voice).shown_text()
    assert "[nom]" in VoiceReport.objects.get(voice=voice).shown_reason()


_texts = st.text(min_size=0, max_size=30)


@given(
    raw=st.tuples(_texts, _texts, _texts, _texts),
    redacted=st.tuples(_texts, _texts, _texts, _texts),
)
def test_shown_texts_are_never_the_raw_text_unless_redaction_gave_it(raw, redacted):
    voice = Voice(
        title=raw[0],
        text=raw[1],
        answer=raw[2],
        effect=raw[3],
        redacted_title=redacted[0],
        redacted_text=redacted[1],
        redacted_answer=redacted[2],
        redacted_effect=redacted[3],
    )
    shown = (voice.shown_title(), voice.shown_text(), voice.shown_answer(), voice.shown_effect())
    for original, done, seen in zip(raw, redacted, shown, strict=True):
        # What others read is the redaction's output, the notice, or nothing: never the
        # original, unless the redaction itself returned it unchanged.
        assert seen in (done, pending_notice(), "")
        if not done:
            assert seen in (pending_notice(), "")
        if seen == "":
            assert original == "" or seen == done
