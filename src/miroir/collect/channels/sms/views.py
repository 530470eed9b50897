"""The SMS provider's webhook: delivery reports and replies (STOP), signed by the provider.

Twilio signs every call (``X-Twilio-Signature``); an unsigned or wrongly signed call is
refused with 403 before anything is read. Each event is handled once: Twilio retries a
call it did not see answered, and a replayed call finds its event already claimed, so it
changes nothing. Neither the number nor the text of a reply is stored or logged.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from miroir.collect import services
from miroir.collect.channels.sms.backends import twilio_signature_valid
from miroir.core.ratelimit import rate_limit

PROVIDER = "twilio"


def _twiml(message: str = "") -> HttpResponse:
    """Return Twilio's XML answer: empty (no reply sent), or one message back."""
    body = f"<Message>{escape(message)}</Message>" if message else ""
    return HttpResponse(
        f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>',
        content_type="text/xml; charset=utf-8",
    )


def _signed_by_twilio(request: HttpRequest) -> bool:
    # Twilio signs the URL it called: our public address, not the one the proxy forwarded.
    url = settings.SITE_URL + request.get_full_path()
    params = [(name, value) for name in request.POST for value in request.POST.getlist(name)]
    return twilio_signature_valid(
        url=url,
        params=params,
        auth_token=settings.TWILIO_AUTH_TOKEN,
        signature=request.headers.get("X-Twilio-Signature", ""),
    )


@csrf_exempt  # The provider cannot hold a CSRF token; its signature stands in for it.
@rate_limit("sms_webhook", as_json=True)
@require_POST
def sms_webhook_twilio(request: HttpRequest) -> HttpResponse:
    if not _signed_by_twilio(request):
        return HttpResponseForbidden("Invalid signature.", content_type="text/plain")
    post = request.POST
    account = post.get("AccountSid", "")
    if settings.TWILIO_ACCOUNT_SID and account != settings.TWILIO_ACCOUNT_SID:
        return HttpResponseForbidden("Unknown account.", content_type="text/plain")
    message_id = post.get("MessageSid") or post.get("SmsSid") or ""
    status = (post.get("MessageStatus") or post.get("SmsStatus") or "").lower()
    inbound = status in ("", "received") and "Body" in post
    event_key = f"{message_id}:{'inbound' if inbound else status}"
    if not message_id or not services.provider_event_claim(provider=PROVIDER, event_key=event_key):
        return _twiml()
    if inbound:
        if services.sms_reply_received(phone=post.get("From", ""), body=post.get("Body", "")):
            with translation.override(settings.LANGUAGE_CODE):
                return _twiml(_("You will receive no more survey messages from us."))
        return _twiml()
    services.sms_delivery_report(
        message_id=message_id, status=status, error_code=post.get("ErrorCode", "")
    )
    return _twiml()
