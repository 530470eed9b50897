"""Monthly PDF reports by e-mail: recipients in scope, the schedule, the sending, the page."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from miroir.audit.models import AuditEntry
from miroir.operations.periodic import jobs_load
from miroir.org.models import Role
from miroir.org.selectors import scope_for_user
from miroir.org.services import role_revoke
from miroir.reports.models import ReportDelivery, ReportSubscription
from miroir.reports.periodic import reports_send_due
from miroir.reports.selectors import report_recipient_candidates
from miroir.reports.services import report_subscription_create
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def _at(year: int, month: int, day: int, hour: int = 8) -> datetime:
    return datetime(year, month, day, hour, tzinfo=PARIS)


def _subscribe(personas, *recipients, language="", day=1, created=None, page="unit"):
    return report_subscription_create(
        unit=personas.lille,
        page=page,
        language=language,
        day=day,
        recipients=[user.member for user in recipients],
        actor=personas.shop_manager,
        scope=scope_for_user(personas.shop_manager),
        now=created or _at(2026, 11, 20),
    )


def _tick(now, capture):
    """Run what the hourly job runs, at ``now``; return how many sendings it opened."""
    with capture(execute=True):
        return reports_send_due(now=now)


def test_the_monthly_reports_are_a_job_of_the_tick():
    assert "reports.start_due_reports" in jobs_load()


def _pdf_text(attachment) -> str:
    _name, content, mimetype = attachment
    assert mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\u00a0", " ")


def test_recipients_offered_are_those_who_may_read_the_unit(personas):
    names = {member.first_name for member in report_recipient_candidates(personas.lille)}
    assert {"Sophie", "Régis", "Diane", "Ada"} <= names
    # The sibling shop's manager, another region's, an employee, a partner: never.
    assert not names & {"Simon", "Rose", "Émile", "Paul"}


def test_a_recipient_outside_the_unit_is_refused_and_nothing_is_written(personas):
    with pytest.raises(ValidationError) as refused:
        _subscribe(personas, personas.shop_manager, personas.other_region_manager)
    assert "recipients" in refused.value.message_dict
    assert "Rose" in refused.value.message_dict["recipients"][0]
    assert not ReportSubscription.objects.exists()
    with pytest.raises(ValidationError) as refused:
        _subscribe(personas, personas.shop_manager, day=31)
    assert "day" in refused.value.message_dict


def test_the_report_is_sent_once_a_month_from_its_day_with_the_pdf(
    results_data, django_capture_on_commit_callbacks
):
    personas = results_data
    personas.direction.preferred_language = "en"
    personas.direction.save(update_fields=["preferred_language"])
    subscription = _subscribe(personas, personas.shop_manager, personas.direction)
    assert AuditEntry.objects.filter(action="report.subscribe").count() == 1
    # Created on 20 November after its day (the 1st): nothing before 1 December.
    assert _tick(_at(2026, 11, 25), django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    assert _tick(_at(2026, 12, 1), django_capture_on_commit_callbacks) == 1
    assert sorted(message.to[0] for message in mail.outbox) == [
        "diane@example.com",
        "sophie@example.com",
    ]
    by_address = {message.to[0]: message for message in mail.outbox}
    french = by_address["sophie@example.com"]
    assert "Lille" in french.subject and "Rapport de résultats" in french.subject
    (attachment,) = french.attachments
    assert attachment[0].endswith("-fr.pdf")
    text = _pdf_text(attachment)
    assert "Rapport de résultats : Lille" in text and "Indice de symétrie" in text
    # Each recipient's language when the subscription names none.
    english = by_address["diane@example.com"]
    assert "Results report: Lille" in _pdf_text(english.attachments[0])
    # The same month again, later the same day or the next week: nothing more.
    assert _tick(_at(2026, 12, 1, 20), django_capture_on_commit_callbacks) == 0
    assert _tick(_at(2026, 12, 8), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2
    # The next month, again.
    assert _tick(_at(2027, 1, 2), django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 4
    deliveries = ReportDelivery.objects.filter(subscription=subscription).order_by("month")
    assert [d.month for d in deliveries] == ["2026-12", "2027-01"]
    assert all(d.finished_at is not None and len(d.sent_to) == 2 for d in deliveries)
    sent = AuditEntry.objects.filter(action="report.send")
    assert sent.count() == 2 and sent.first().details["sent"] == 2


def test_scope_is_checked_again_when_the_report_is_sent(
    results_data, django_capture_on_commit_callbacks
):
    personas = results_data
    _subscribe(personas, personas.shop_manager, personas.region_manager)
    # Régis no longer manages Nord when the month comes: he receives nothing.
    for role in Role.objects.filter(member=personas.region_manager.member):
        role_revoke(role=role)
    _tick(_at(2026, 12, 1), django_capture_on_commit_callbacks)
    assert [message.to[0] for message in mail.outbox] == ["sophie@example.com"]
    entry = AuditEntry.objects.get(action="report.send")
    assert entry.details["sent"] == 1 and entry.details["recipients_skipped"] == 1


def test_a_hidden_figure_stays_hidden_in_the_mailed_report(
    results_data, django_capture_on_commit_callbacks
):
    personas = results_data
    subscription = ReportSubscription.objects.create(
        unit=personas.marseille, day=1, language="fr", created_at=_at(2026, 11, 1)
    )
    subscription.recipients.set([personas.direction.member])
    _tick(_at(2026, 12, 1), django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    text = _pdf_text(message.attachments[0])
    assert "Marseille" in text and "•" in text


def _login(client, user):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.login(username=user.email, password=PASSWORD)


def test_the_page_sets_up_lists_and_stops_a_monthly_report(client, personas):
    _login(client, personas.shop_manager)
    url = reverse("reports:subscriptions") + f"?unit={personas.lille.pk}"
    html = client.get(url).content.decode()
    assert "Régis Nord" in html and "Simon" not in html
    response = client.post(
        reverse("reports:subscription_create", args=[personas.lille.pk]),
        {
            "page": "network",
            "language": "en",
            "day": "5",
            "recipients": [str(personas.region_manager.member.pk)],
        },
    )
    assert response.status_code == 302
    subscription = ReportSubscription.objects.get()
    assert (subscription.page, subscription.language, subscription.day) == ("network", "en", 5)
    html = client.get(url).content.decode()
    assert "On day 5 of each month" in html
    # Another region's manager neither sees it nor stops it.
    client.logout()
    _login(client, personas.other_region_manager)
    assert "Lille" not in client.get(reverse("reports:subscriptions")).content.decode()
    delete = reverse("reports:subscription_delete", args=[subscription.pk])
    assert client.post(delete).status_code == 404
    client.logout()
    _login(client, personas.shop_manager)
    assert client.post(delete).status_code == 302
    assert not ReportSubscription.objects.exists()
    assert AuditEntry.objects.filter(action="report.unsubscribe").count() == 1


def test_a_bad_day_is_refused_naming_the_field(client, personas):
    _login(client, personas.shop_manager)
    response = client.post(
        reverse("reports:subscription_create", args=[personas.lille.pk]),
        {"page": "unit", "language": "", "day": "40", "recipients": []},
        follow=True,
    )
    html = response.content.decode()
    assert "Day of the month" in html and "Recipients" in html
    assert not ReportSubscription.objects.exists()
