"""Names are removed from voices for everyone but their author; suggestions meet complaints."""

from __future__ import annotations

from miroir.voices import text as voice_text
from miroir.voices.selectors import complaints_addressed, voice_duplicates
from miroir.voices.services import voice_comment_add, voice_submit


def test_member_names_are_removed_for_colleagues_and_managers_but_not_the_author(
    client, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        voice = voice_submit(
            author=personas.employee_member,
            kind="suggestion",
            title="Idée de Sophie",
            text="Sophie Lille propose de ranger la réserve le lundi.",
        ).voice
    voice.refresh_from_db()
    assert "Sophie" not in voice.shown_text() and "Sophie" not in voice.shown_title()
    client.force_login(personas.partner)
    assert "Sophie" not in client.get(f"/voices/ideas/{voice.pk}/").content.decode()
    client.force_login(personas.shop_manager)
    # (The manager's own name shows as the voice's owner: only the text is checked.)
    assert "Sophie Lille propose" not in client.get(f"/voices/{voice.pk}/").content.decode()
    client.force_login(personas.employee)
    assert "Sophie Lille propose" in client.get(f"/voices/mine/{voice.pk}/").content.decode()
    # A login that is nobody's reads neither version.
    client.force_login(personas.outsider)
    assert client.get(f"/voices/ideas/{voice.pk}/").status_code == 403


def test_comments_are_redacted_too(personas, suggestion, django_capture_on_commit_callbacks):
    voice = suggestion()
    with django_capture_on_commit_callbacks(execute=True):
        comment = voice_comment_add(
            voice=voice, member=personas.partner_member, text="Demandez à Régis Nord."
        )
    comment.refresh_from_db()
    assert "Régis" not in comment.shown_text()


def test_a_suggestion_addresses_the_complaints_about_the_same_thing(
    personas, suggestion, complaint
):
    for n in range(3):
        complaint(f"Attente interminable en caisse le samedi, une seule caisse ouverte ({n})")
    complaint("Le parking est sale et mal éclairé")
    voice = suggestion("Ouvrir une deuxième caisse le samedi pour réduire l'attente en caisse")
    addressed = complaints_addressed(voice)
    assert addressed is not None and addressed.count == 3
    assert addressed.about


def test_near_duplicates_are_proposed_for_merging(personas, suggestion):
    first = suggestion("Ouvrir une deuxième caisse le samedi matin")
    suggestion("Installer des bancs près des cabines d'essayage")
    again = suggestion("Ouvrir une deuxième caisse le samedi matin, svp")
    assert [voice for voice, _score in voice_duplicates(again)] == [first]


def test_the_plain_similarity_ignores_case_accents_and_small_words():
    a = voice_text.tokens("L'ATTENTE à la Caisse")
    assert a == frozenset({"attente", "caisse"})
    assert voice_text.jaccard(a, voice_text.tokens("attente caisse")) == 1.0
