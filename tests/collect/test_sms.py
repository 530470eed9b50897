"""SMS: the Twilio backend against a local server, the signed webhook, STOP and its variants."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as settings_hypothesis
from hypothesis import strategies as st

from miroir.collect.channels.sms.backends import (
    SmsError,
    TwilioBackend,
    sms_backend,
    twilio_signature_valid,
)
from miroir.collect.channels.sms.replies import reply_is_stop
from miroir.collect.interactions import interactions_check, interactions_record
from miroir.collect.models import (
    ContactOptOut,
    Invitation,
    InvitationStatus,
    ProviderEvent,
)
from miroir.collect.selectors import contact_opted_out
from miroir.collect.sending import invitations_send_pending

HOOK = "/hooks/sms/twilio/"
AUTH_TOKEN = "twilio-test-auth-token"
ACCOUNT = "AC" + "0" * 32


@pytest.fixture(autouse=True)
def _twilio(settings):
    settings.TWILIO_ACCOUNT_SID = ACCOUNT
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM = "+33700000000"


def _sign(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    # Written from Twilio's documentation, apart from the code under test.
    data = url + "".join(key + params[key] for key in sorted(params))
    mac = hmac.new(token.encode(), data.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def _hook(client, params, *, signature=None, sign_with=AUTH_TOKEN):
    params = {"AccountSid": ACCOUNT, **params}
    headers = {}
    if signature is None:
        signature = _sign("https://miroir.example" + HOOK, params, sign_with)
    if signature:
        headers["HTTP_X_TWILIO_SIGNATURE"] = signature
    return client.post(HOOK, params, **headers)


def _stop(text="STOP", sid="SM" + "1" * 32, phone="+33612345678"):
    return {"MessageSid": sid, "SmsStatus": "received", "From": phone, "Body": text}


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop",
        " Stop. ",
        "ARRÊT",
        "arret",
        "Stop SMS",
        "STOPALL",
        "Unsubscribe",
        "Stop merci",
        "DÉSABONNER",
        "quit",
        "Cancel",
        "END",
    ],
)
def test_the_usual_ways_of_saying_stop_are_understood(text):
    assert reply_is_stop(text)


@pytest.mark.parametrize("text", ["", "Bonjour", "Merci !", "Non stop", "Stopper la pub ?", "9"])
def test_other_replies_are_not_a_stop(text):
    assert not reply_is_stop(text)


def test_a_signed_stop_opts_the_number_out_in_every_format(client, db):
    response = _hook(client, _stop("Arrêt"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Message>" in response.content
    assert contact_opted_out(phone="06 12 34 56 78")
    assert contact_opted_out(phone="+33 6 12 34 56 78")


def test_a_reply_that_is_not_a_stop_is_not_kept(client, db):
    response = _hook(client, _stop("Très bon accueil, merci"))
    assert response.status_code == 200
    assert b"<Message>" not in response.content
    assert not ContactOptOut.objects.exists()


@pytest.mark.parametrize(
    "signature",
    ["", "bm90LXRoZS1zaWduYXR1cmU="],
    ids=["unsigned", "forged"],
)
def test_an_unsigned_or_forged_call_is_refused(client, db, signature):
    response = _hook(client, _stop(), signature=signature)
    assert response.status_code == 403
    assert not ContactOptOut.objects.exists()
    assert not ProviderEvent.objects.exists()


def test_a_call_signed_with_another_token_is_refused(client, db):
    assert _hook(client, _stop(), sign_with="someone-else").status_code == 403
    assert not ContactOptOut.objects.exists()


def test_a_tampered_body_breaks_the_signature(client, db):
    params = {"AccountSid": ACCOUNT, **_stop("Bonjour")}
    signature = _sign("https://miroir.example" + HOOK, params)
    params["Body"] = "STOP"
    response = client.post(HOOK, params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403
    assert not ContactOptOut.objects.exists()


def test_another_account_is_refused_even_when_signed(client, db):
    params = {**_stop(), "AccountSid": "AC" + "9" * 32}
    signature = _sign("https://miroir.example" + HOOK, params)
    response = client.post(HOOK, params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("site_url", "signed_url"),
    [
        ("https://miroir.example", "https://miroir.example:443"),
        ("https://miroir.example:443", "https://miroir.example"),
        ("https://miroir.example:443", "https://miroir.example:443"),
        ("http://miroir.example", "http://miroir.example:80"),
        ("http://miroir.example:80", "http://miroir.example"),
    ],
    ids=["port-added", "port-removed", "port-kept", "http-port-added", "http-port-removed"],
)
def test_a_signature_over_the_url_with_or_without_its_default_port_is_accepted(
    client, db, settings, site_url, signed_url
):
    # Twilio's RequestValidator accepts both forms; so must we, or a STOP is lost.
    settings.SITE_URL = site_url
    params = {"AccountSid": ACCOUNT, **_stop()}
    signature = _sign(signed_url + HOOK, params)
    response = client.post(HOOK, params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 200
    assert contact_opted_out(phone="+33612345678")


@pytest.mark.parametrize(
    "signed_url",
    [
        "https://miroir.example:8443" + HOOK,
        "http://miroir.example:443" + HOOK,
        "https://miroir.example.evil:443" + HOOK,
        "https://miroir.example:443/hooks/sms/other/",
        "https://miroir.example:443" + HOOK + "?x=1",
    ],
    ids=["other-port", "other-scheme", "other-host", "other-path", "other-query"],
)
def test_a_signature_over_another_url_is_refused_whatever_its_port(client, db, signed_url):
    params = {"AccountSid": ACCOUNT, **_stop()}
    response = client.post(HOOK, params, HTTP_X_TWILIO_SIGNATURE=_sign(signed_url, params))
    assert response.status_code == 403
    assert not ContactOptOut.objects.exists()


def test_a_tampered_body_is_refused_under_the_other_port_form_too(client, db):
    params = {"AccountSid": ACCOUNT, **_stop("Bonjour")}
    signature = _sign("https://miroir.example:443" + HOOK, params)
    params["Body"] = "STOP"
    assert client.post(HOOK, params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 403
    assert not ContactOptOut.objects.exists()


@settings_hypothesis(max_examples=200, deadline=None)
@given(
    params=st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=12), max_size=4),
    port_spelled=st.booleans(),
    tamper=st.sampled_from(["none", "value", "name", "path", "token"]),
)
def test_signature_rule_accepts_both_port_forms_and_nothing_tampered(params, port_spelled, tamper):
    site = "https://miroir.example"
    signed = dict(params)
    signature = _sign((site + ":443" if port_spelled else site) + HOOK, signed)
    received, url, token = dict(params), site + HOOK, AUTH_TOKEN
    if tamper == "value":
        received = {**received, "Body": received.get("Body", "") + "x"}
    elif tamper == "name":
        received = {**received, "Tampered" + "_" * len(received): ""}
    elif tamper == "path":
        url = site + HOOK + "x"
    elif tamper == "token":
        token = AUTH_TOKEN + "x"
    valid = twilio_signature_valid(
        url=url, params=list(received.items()), auth_token=token, signature=signature
    )
    assert valid is (tamper == "none")


def test_the_webhook_takes_only_post(client, db):
    assert client.get(HOOK).status_code == 405


@pytest.fixture
def sent_sms(make_wave, launch, settings, tmp_path):
    settings.COLLECT_SMS_BACKEND = "file"
    settings.COLLECT_SMS_FILE_DIR = tmp_path
    wave = launch(
        make_wave(
            name="Clients",
            lens="customer",
            kind="hot",
            channels=["sms"],
            reminder_days=[],
            hot_delay_minutes=0,
        )
    )
    # Inside the window whatever day the suite runs: a Wednesday at eleven, Paris time.
    from datetime import datetime
    from zoneinfo import ZoneInfo

    now = datetime(2026, 12, 9, 11, 0, tzinfo=ZoneInfo("Europe/Paris"))
    wave.closes_at = now + timedelta(days=30)
    wave.save()
    checked, _problems = interactions_check(
        [
            {
                "external_id": "X",
                "unit": "U-LILLE",
                "occurred_at": now.isoformat(),
                "phone": "0612345678",
                "consent": "1",
            }
        ],
        now=now,
    )
    interactions_record(checked, source="t", now=now)
    assert invitations_send_pending(wave=wave, now=now).sent == 1
    return Invitation.objects.get()


def test_a_failed_delivery_marks_the_invitation_once(client, sent_sms):
    assert sent_sms.provider_message_id.startswith("file-")
    report = {
        "MessageSid": sent_sms.provider_message_id,
        "MessageStatus": "undelivered",
        "ErrorCode": "30003",
    }
    assert _hook(client, report).status_code == 200
    sent_sms.refresh_from_db()
    assert sent_sms.status == InvitationStatus.FAILED
    assert sent_sms.error == "sms:undelivered:30003"

    # Twilio retries the same report, or someone replays it: nothing more happens.
    Invitation.objects.filter(pk=sent_sms.pk).update(error="")
    assert _hook(client, report).status_code == 200
    sent_sms.refresh_from_db()
    assert sent_sms.error == ""
    assert ProviderEvent.objects.count() == 1


def test_a_delivered_report_changes_nothing(client, sent_sms):
    report = {"MessageSid": sent_sms.provider_message_id, "MessageStatus": "delivered"}
    assert _hook(client, report).status_code == 200
    sent_sms.refresh_from_db()
    assert sent_sms.status == InvitationStatus.SENT


def test_a_number_blocked_at_the_operator_is_opted_out(client, sent_sms):
    report = {
        "MessageSid": sent_sms.provider_message_id,
        "MessageStatus": "failed",
        "ErrorCode": "21610",
    }
    _hook(client, report)
    assert contact_opted_out(phone="+33612345678")


def test_a_stop_is_honoured_before_the_next_send(client, make_wave, launch, settings, tmp_path):
    settings.COLLECT_SMS_BACKEND = "file"
    settings.COLLECT_SMS_FILE_DIR = tmp_path
    wave = launch(
        make_wave(
            name="C",
            lens="customer",
            kind="hot",
            channels=["sms"],
            reminder_days=[],
            hot_delay_minutes=0,
        )
    )
    from miroir.collect.services import invitation_create_customer

    invitation = invitation_create_customer(
        wave=wave, unit=wave.units.get(), channel="sms", phone="+33612345678"
    )
    _hook(client, _stop("stop"))
    now = timezone.now()
    from miroir.collect.quiet_hours import next_send_time

    report = invitations_send_pending(
        wave=wave, now=next_send_time(now, time_zone="Europe/Paris") + timedelta(seconds=1)
    )
    assert report.sent == 0
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.OPTED_OUT
    assert (tmp_path / "sms.jsonl").exists() is False


class _FakeTwilio(BaseHTTPRequestHandler):
    """A stand-in for Twilio's Messages resource on loopback: records what it receives."""

    received: list[dict] = []
    status = 201

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        fields = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        type(self).received.append(
            {"path": self.path, "auth": self.headers["Authorization"], "fields": fields}
        )
        body = {"sid": "SM" + "a" * 32, "status": "queued"}
        if type(self).status >= 400:
            body = {"code": 21211, "message": "Invalid 'To' Phone Number"}
        payload = json.dumps(body).encode()
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_twilio():
    _FakeTwilio.received = []
    _FakeTwilio.status = 201
    server = HTTPServer(("127.0.0.1", 0), _FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_the_twilio_backend_posts_what_twilio_documents(fake_twilio, settings):
    settings.TWILIO_API_BASE = fake_twilio
    settings.COLLECT_SMS_BACKEND = "twilio"
    message_id = sms_backend().send(to="+33612345678", text="Bonjour STOP")
    assert message_id == "SM" + "a" * 32
    [call] = _FakeTwilio.received
    assert call["path"] == f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    expected = base64.b64encode(f"{ACCOUNT}:{AUTH_TOKEN}".encode()).decode()
    assert call["auth"] == f"Basic {expected}"
    assert call["fields"]["To"] == "+33612345678"
    assert call["fields"]["From"] == "+33700000000"
    assert call["fields"]["Body"] == "Bonjour STOP"
    assert call["fields"]["StatusCallback"] == "https://miroir.example" + HOOK


def test_the_twilio_backend_reports_a_refusal_without_the_number(fake_twilio):
    _FakeTwilio.status = 400
    backend = TwilioBackend(
        account_sid=ACCOUNT, auth_token=AUTH_TOKEN, sender="MG" + "b" * 32, api_base=fake_twilio
    )
    with pytest.raises(SmsError) as failure:
        backend.send(to="+33612345678", text="x")
    assert failure.value.code == "twilio_http_400"
    assert "MessagingServiceSid" in _FakeTwilio.received[0]["fields"]


def test_the_twilio_backend_reports_an_unreachable_api():
    backend = TwilioBackend(
        account_sid=ACCOUNT,
        auth_token=AUTH_TOKEN,
        sender="+33700000000",
        api_base="http://127.0.0.1:9",
    )
    with pytest.raises(SmsError, match="twilio_unreachable"):
        backend.send(to="+33612345678", text="x")
