"""Every feature has data in the demo, and the data tells one consistent story."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone

from miroir.collect.models import Answer, Interaction, Invitation, Pulse, Response, Wave
from miroir.collect.selectors import pulse_upcoming
from miroir.collect.services import pulses_launch_due
from miroir.demo.selectors import demo_truth
from miroir.org.models import Unit
from miroir.results.models import CommentAnalysis, Publication
from miroir.results.periods import period_of
from miroir.results.selectors import listening_symmetry
from miroir.voices.models import (
    Voice,
    VoiceComment,
    VoiceEvent,
    VoiceKind,
    VoiceStatus,
    VoiceSupport,
)

CATALOGS = Path(__file__).resolve().parents[2] / "src" / "miroir" / "instruments" / "catalogs"


def test_every_feature_has_data(small_demo):
    # Every bundled catalog is run by a wave that got answers.
    bundled = {path.stem for path in CATALOGS.glob("*.json")}
    answered = set(Response.objects.values_list("wave__instrument__family", flat=True).distinct())
    assert bundled <= answered, bundled - answered
    # A hot wave, open, fed by interactions, with invitations sent by e-mail and SMS,
    # answered, and a few still waiting for their delay (the task worker sends them).
    hot = Wave.objects.get(kind="hot")
    assert hot.status == "open" and hot.lens == "customer" and hot.hot_moments
    invitations = Invitation.objects.filter(wave=hot)
    assert set(invitations.values_list("channel", flat=True)) == {"email", "sms"}
    assert invitations.filter(status="sent", used=True).exists()
    assert Interaction.objects.filter(wave=hot, invitation__isnull=False).exists()
    assert Interaction.objects.filter(outcome="no_consent").exists()
    assert Response.objects.filter(wave=hot, invitation__isnull=False).exists()
    # Every lens answered; waves without a channel send no reminder.
    assert set(Response.objects.values_list("lens", flat=True).distinct()) == {
        "customer",
        "employee",
        "partner",
        "management",
    }
    assert not [w.name for w in Wave.objects.filter(channels=[]) if w.reminder_days]
    # Listening per person and response rates read for both sides at the company.
    company = Unit.objects.get(parent__isnull=True)
    hot_day = Response.objects.filter(wave=hot).latest("submitted_on").submitted_on
    listening = listening_symmetry(unit=company, period=period_of(hot_day))
    employee, customer = listening.lenses["employee"], listening.lenses["customer"]
    assert employee.per_person and employee.response_rate
    assert customer.invited > 0 and customer.response_rate
    assert listening.ratios["response_rate"] is not None
    # Voices of each kind in each state, each outcome, supports, comments, anonymity.
    states = set(Voice.objects.values_list("kind", "status").distinct())
    for kind in VoiceKind.values:
        for status in VoiceStatus.values:
            assert (kind, status) in states, (kind, status)
    outcomes = set(Voice.objects.values_list("outcome", flat=True))
    assert {"adopted", "implemented", "declined"} <= outcomes
    assert Voice.objects.filter(outcome="implemented").exclude(effect="").exists()
    assert VoiceSupport.objects.exists() and VoiceComment.objects.exists()
    assert Voice.objects.filter(is_anonymous=True, claim_digest__isnull=False).exists()
    assert Publication.objects.exists()
    # Survey comments analysed in the background: names removed, themes and sentiment.
    analysed = CommentAnalysis.objects.all()
    assert analysed.count() == Answer.objects.filter(text__isnull=False).exclude(text="").count()
    assert {"positive", "neutral", "negative"} <= set(analysed.values_list("sentiment", flat=True))
    assert analysed.exclude(themes=[]).exists()
    assert demo_truth("collect", "extra_waves")
    # A running pulse with its past waves; the tick has nothing to create until next quarter.
    pulse = Pulse.objects.get()
    assert list(pulse.waves.order_by("pulse_rank").values_list("pulse_rank", flat=True)) == [
        1,
        2,
        3,
        4,
    ]
    assert pulses_launch_due(now=timezone.now()) == []
    (rank, opens, _closes), *_rest = pulse_upcoming(pulse, now=timezone.now())
    latest = pulse.waves.get(pulse_rank=4)
    # 13 weeks later on the calendar, at the same local time (whatever the clocks did).
    assert rank == 5
    assert (timezone.localdate(opens) - timezone.localdate(latest.opens_at)).days == 91
    assert timezone.localtime(opens).time() == timezone.localtime(latest.opens_at).time()


def test_the_demo_does_not_contradict_itself(small_demo):
    now = timezone.now()
    open_voices = Voice.objects.exclude(status="answered")
    overdue = open_voices.filter(due_at__lte=now)
    # Most open voices are within their deadline; the few overdue ones are escalated.
    assert overdue.count() < 0.25 * open_voices.count()
    assert not overdue.filter(escalated_at__isnull=True).exists()
    # Thanks are quick and complaints are never turned down.
    assert not overdue.filter(kind__in=["testimonial", "complaint"]).exists()
    assert not Voice.objects.filter(kind="complaint", outcome="declined").exists()
    # Anonymous voices keep only their day, as on intake: no "received" event, no language.
    anonymous = Voice.objects.filter(is_anonymous=True)
    assert anonymous.exists() and not anonymous.exclude(language="").exists()
    assert not VoiceEvent.objects.filter(voice__is_anonymous=True, kind="received").exists()
    # The listening asymmetry is written once, by the voices part.
    assert demo_truth("org", "listening_asymmetry", default=None) is None
    # Free texts answer as their lens would: customers do not speak of team briefings.
    customer_texts = set(
        Response.objects.filter(lens="customer")
        .exclude(answers__text="")
        .values_list("answers__text", flat=True)
    ) - {None}
    assert customer_texts and not any("équipe" in text for text in customer_texts)


def test_no_anonymous_voice_is_filed_under_a_team_small_enough_to_name_its_author(small_demo):
    from miroir.org.models import ContractType, Member
    from miroir.results import gate

    anonymous = Voice.objects.filter(is_anonymous=True).exclude(lens="customer")
    assert anonymous.exists()
    for unit_id, lens in set(anonymous.values_list("unit_id", "lens")):
        unit = Unit.objects.get(pk=unit_id)
        people = Member.objects.filter(is_active=True, unit__path__startswith=unit.path)
        partners = people.filter(contract_type=ContractType.PARTNER)
        count = (partners if lens == "partner" else people.exclude(pk__in=partners)).count()
        assert unit.parent_id is None or count >= gate.verbatim_threshold(lens), (unit, lens)
