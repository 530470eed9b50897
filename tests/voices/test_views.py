"""The voice pages: who reaches what, and what each action changes."""

from __future__ import annotations

from miroir.voices.models import Voice, VoiceReport, VoiceSupport
from miroir.voices.services import voice_answer, voice_comment_add, voice_report


def test_an_employee_submits_a_signed_suggestion_and_finds_it_in_my_voices(client, personas):
    client.force_login(personas.employee)
    assert 'href="/voices/new/"' in client.get("/").content.decode()
    response = client.post(
        "/voices/new/", {"kind": "suggestion", "text": "Des tabourets en caisse", "notify": "app"}
    )
    voice = Voice.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/voices/mine/{voice.pk}/"
    assert voice.author == personas.employee_member
    page = client.get("/voices/mine/")
    assert "Des tabourets en caisse" in page.content.decode()


def test_an_anonymous_submission_shows_the_code_once_and_stores_no_author(client, personas):
    client.force_login(personas.employee)
    response = client.post(
        "/voices/new/",
        {"kind": "suggestion", "text": "Un casier de plus", "anonymous": "on", "notify": "app"},
    )
    code = response.context["code"]
    assert code in response.content.decode()
    assert Voice.objects.get().author is None
    assert code not in str(client.session.items())
    assert client.get("/voices/mine/").context["page"].paginator.count == 0


def test_a_login_that_is_nobodys_cannot_submit(client, personas):
    client.force_login(personas.outsider)
    assert client.get("/voices/new/").status_code == 403
    assert client.get("/voices/ideas/").status_code == 403


def test_an_employee_cannot_open_the_inbox_nor_someone_elses_voice(client, personas, suggestion):
    voice = suggestion()
    client.force_login(personas.partner)
    assert client.get("/voices/").status_code == 403
    assert client.get(f"/voices/{voice.pk}/").status_code == 404
    assert client.get(f"/voices/mine/{voice.pk}/").status_code == 404


def test_the_shop_manager_sees_the_voice_and_a_sibling_manager_does_not(
    client, personas, suggestion
):
    voice = suggestion()
    client.force_login(personas.sibling_manager)
    assert client.get(f"/voices/{voice.pk}/").status_code == 404
    assert client.post(f"/voices/{voice.pk}/acknowledge/").status_code == 404
    client.force_login(personas.shop_manager)
    page = client.get("/voices/")
    assert voice in page.context["page"]
    assert personas.lille_vente in page.context["form_units"]
    assert personas.arras not in page.context["form_units"]
    assert client.get(f"/voices/{voice.pk}/").status_code == 200


def test_the_manager_acknowledges_studies_and_answers(client, personas, suggestion):
    voice = suggestion()
    client.force_login(personas.shop_manager)
    client.post(f"/voices/{voice.pk}/acknowledge/")
    client.post(f"/voices/{voice.pk}/study/")
    client.post(f"/voices/{voice.pk}/answer/", {"outcome": "declined", "text": ""})
    voice.refresh_from_db()
    assert voice.status == "studying"
    client.post(f"/voices/{voice.pk}/answer/", {"outcome": "declined", "text": "Pas de budget"})
    voice.refresh_from_db()
    assert (voice.status, voice.outcome) == ("answered", "declined")


def test_the_inbox_filters_overdue_voices(client, personas, suggestion, complaint):
    old = suggestion()
    complaint(now=None)
    client.force_login(personas.region_manager)
    assert list(client.get("/voices/", {"overdue": "on"}).context["page"]) == [old]
    assert client.get("/voices/", {"kind": "complaint"}).context["page"].paginator.count == 1


def test_colleagues_support_once_and_the_most_supported_rise(client, personas, suggestion):
    first = suggestion("Première idée")
    second = suggestion("Deuxième idée")
    client.force_login(personas.partner)
    client.post(f"/voices/ideas/{second.pk}/support/")
    client.post(f"/voices/ideas/{second.pk}/support/")
    assert VoiceSupport.objects.filter(voice=second).count() == 1
    voices = list(client.get("/voices/ideas/").context["page"])
    assert voices == [second, first]
    assert Voice.objects.get(pk=second.pk).support_count == 1


def test_free_text_is_rendered_escaped(client, personas, suggestion):
    voice = suggestion("<script>alert(1)</script> et <b>gras</b>")
    voice_comment_add(voice=voice, member=personas.partner_member, text="<img src=x onerror=1>")
    client.force_login(personas.partner)
    html = client.get(f"/voices/ideas/{voice.pk}/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html


def test_a_report_reaches_the_queue_and_hiding_removes_the_voice_from_the_board(
    client, personas, suggestion
):
    voice = suggestion()
    client.force_login(personas.partner)
    client.post(f"/voices/ideas/{voice.pk}/report/", {"reason": "Propos blessants"})
    assert VoiceReport.objects.filter(resolved_at__isnull=True).count() == 1
    client.force_login(personas.sibling_manager)
    assert list(client.get("/voices/moderation/").context["page"]) == []
    assert client.post(f"/voices/{voice.pk}/hide/").status_code == 404
    client.force_login(personas.shop_manager)
    assert len(client.get("/voices/moderation/").context["page"]) == 1
    client.post(f"/voices/{voice.pk}/hide/", {"next": "queue"})
    assert VoiceReport.objects.filter(resolved_at__isnull=True).count() == 0
    client.force_login(personas.partner)
    assert client.get(f"/voices/ideas/{voice.pk}/").status_code == 404
    client.force_login(personas.shop_manager)
    client.post(f"/voices/{voice.pk}/restore/")
    assert not Voice.objects.get(pk=voice.pk).is_hidden


def test_an_employee_cannot_moderate(client, personas, suggestion):
    voice = suggestion()
    voice_report(voice=voice, reporter=personas.partner_member, reason="Hors sujet")
    client.force_login(personas.employee)
    assert client.get("/voices/moderation/").status_code == 403
    assert client.post(f"/voices/{voice.pk}/hide/").status_code == 404


def test_the_claim_code_page_shows_the_answer_and_refuses_a_wrong_code(client, personas):
    from miroir.voices.services import voice_submit

    received = voice_submit(
        author=personas.employee_member, kind="suggestion", text="Un micro-ondes", anonymous=True
    )
    voice_answer(voice=received.voice, actor=personas.shop_manager, outcome="adopted", text="OK!")
    wrong = client.post("/voices/follow/", {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"})
    assert wrong.context.get("voice") is None and wrong.context["form"].errors
    right = client.post("/voices/follow/", {"code": received.claim_code})
    assert "OK!" in right.content.decode()


def test_you_said_we_did_lists_implemented_voices_of_the_unit(client, personas, suggestion):
    done = suggestion("Caisse rapide")
    voice_answer(
        voice=done, actor=personas.shop_manager, outcome="implemented", effect="Attente -40 %"
    )
    suggestion("Pas encore fait")
    client.force_login(personas.shop_manager)
    page = client.get("/voices/you-said-we-did/", {"unit": personas.lille.pk})
    assert list(page.context["page"]) == [done]
    assert "Attente -40 %" in page.content.decode()
    assert client.get("/voices/you-said-we-did/", {"unit": personas.sud.pk}).status_code == 404


def test_the_listening_page_is_for_managers(client, personas, suggestion):
    suggestion()
    client.force_login(personas.employee)
    assert client.get("/voices/listening/").status_code == 403
    client.force_login(personas.region_manager)
    rows = dict(client.get("/voices/listening/").context["rows"])
    assert sum(row.received for row in rows.values()) == 1


def test_a_resent_form_stores_one_voice_and_shows_no_second_code(client, personas):
    client.force_login(personas.employee)
    form = client.get("/voices/new/").context["form"]
    data = {
        "kind": "suggestion",
        "text": "Un casier de plus",
        "anonymous": "on",
        "notify": "app",
        "submission_id": form.initial["submission_id"],
    }
    first = client.post("/voices/new/", data)
    assert first.context["code"]
    again = client.post("/voices/new/", data)
    assert again.status_code == 302 and again["Location"] == "/voices/follow/"
    assert Voice.objects.count() == 1


def test_the_manager_merges_a_near_duplicate_from_the_voice_page(client, personas, suggestion):
    first = suggestion("Ouvrir une deuxième caisse le samedi matin")
    again = suggestion("Ouvrir une deuxième caisse le samedi matin, svp")
    client.force_login(personas.shop_manager)
    page = client.get(f"/voices/{again.pk}/")
    assert [voice for voice, _score in page.context["duplicates"]] == [first]
    client.post(f"/voices/{again.pk}/merge/", {"into": str(first.pk)})
    again.refresh_from_db()
    assert again.outcome == "merged" and again.merged_into == first


def test_merging_into_a_voice_out_of_reach_is_404(client, personas, suggestion, complaint):
    mine = suggestion()
    elsewhere = complaint(unit=personas.marseille)
    client.force_login(personas.shop_manager)
    response = client.post(f"/voices/{mine.pk}/merge/", {"into": str(elsewhere.pk)})
    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.status == "received"
