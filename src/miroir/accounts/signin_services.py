"""Writes about signing in without an e-mail address (docs/security.md, "Signing in by
phone"): one-time codes sent by SMS, personal sign-in links handed out by a manager, and the
phones their owners keep signed in."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from miroir.accounts import sessions
from miroir.accounts.models import LoginSession, SignInCode, SignInLink, User
from miroir.accounts.services import _session_store
from miroir.accounts.signin_selectors import (
    phone_login,
    phone_method_refusal,
    sign_in_link_refusal,
    sign_in_token_digest,
)
from miroir.audit.services import audit_record

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_MINUTES = 10
CODE_TRIES = 5
_CODE_SALT = "miroir.accounts.sign_in_code"


def _code_hash(user: User, code: str) -> str:
    # Keyed: a million codes are quickly tried against a plain digest from a stolen backup.
    return salted_hmac(_CODE_SALT, f"{user.pk}:{code}", algorithm="sha256").hexdigest()


def _sms_send(to: str, text: str) -> None:
    from miroir.collect.channels.sms.backends import SmsError, sms_backend

    try:
        sms_backend().send(to=to, text=text)
    except SmsError as error:
        # The code (or the refusal) is lost; the person asks again. No number in the log.
        logger.warning("Sign-in SMS not sent: %s", error.code)


def _language(user: User, language: str) -> str:
    return user.preferred_language or language or settings.LANGUAGE_CODE


def sign_in_code_text(*, code: str, language: str) -> str:
    """Return the SMS carrying ``code``, ending with the line phones read to fill it in."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    with translation.override(language):
        lead = ngettext(
            "Miroir: your sign-in code is %(code)s. It is valid for %(minutes)d minute. "
            "Never give it to anyone.",
            "Miroir: your sign-in code is %(code)s. It is valid for %(minutes)d minutes. "
            "Never give it to anyone.",
            CODE_MINUTES,
        ) % {"code": code, "minutes": CODE_MINUTES}
    # The origin-bound one-time code format (WebOTP): the browser offers the code on that site only.
    return f"{lead}\n\n@{host} #{code}"


def sign_in_refusal_text(*, language: str) -> str:
    """Return the SMS telling a holder of a two-factor role why no code is sent to them."""
    with translation.override(language):
        return _(
            "Miroir: someone asked for a sign-in code for this number. Your role requires "
            "two-factor authentication, so no code is sent: log in with your e-mail address, "
            "your password and your authenticator app."
        )


@transaction.atomic
def sign_in_code_send(*, phone: str, language: str = "") -> None:
    """Send a sign-in code to the login of ``phone`` when there is one; nothing otherwise.

    The caller answers the same way whatever happened, so that the page says nothing of which
    numbers have a login. A new code replaces the one sent before. A login whose role requires
    two-factor authentication gets an SMS saying so instead of a code.
    """
    user = phone_login(phone)
    if user is None:
        audit_record(actor=None, action="login.code_request", details={"unknown_account": True})
        return
    target = f"user:{user.pk}"
    language = _language(user, language)
    if phone_method_refusal(user):
        audit_record(actor=None, action="login.code_refused", target=target)
        text = sign_in_refusal_text(language=language)
        transaction.on_commit(lambda: _sms_send(phone, text))
        return
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    now = timezone.now()
    SignInCode.objects.update_or_create(
        user=user,
        defaults={
            "code_hash": _code_hash(user, code),
            "created_at": now,
            "expires_at": now + timedelta(minutes=CODE_MINUTES),
            "tries": 0,
        },
    )
    audit_record(actor=None, action="login.code_sent", target=target)
    text = sign_in_code_text(code=code, language=language)
    transaction.on_commit(lambda: _sms_send(phone, text))


@transaction.atomic
def sign_in_code_check(*, phone: str, code: str) -> User | None:
    """Return the login ``code`` signs in (the code is then spent), or None.

    A wrong code uses up one of its ``CODE_TRIES`` tries; after the last one, or after
    ``CODE_MINUTES``, the code is void and a new one must be asked for.
    """
    user = phone_login(phone)
    if user is None:
        return None
    row = SignInCode.objects.select_for_update().filter(user=user).first()
    if row is None:
        return None
    if row.expires_at <= timezone.now():
        row.delete()
        return None
    code = "".join(code.split())
    if (
        len(code) == CODE_DIGITS
        and code.isascii()
        and code.isdigit()
        and constant_time_compare(row.code_hash, _code_hash(user, code))
    ):
        row.delete()
        return user
    row.tries += 1
    if row.tries >= CODE_TRIES:
        row.delete()
    else:
        row.save(update_fields=["tries"])
    return None


# --- sign-in links handed out by a manager ------------------------------------------------


def sign_in_link_url(token: str) -> str:
    """Return the full address of a sign-in link."""
    return settings.SITE_URL + reverse("accounts:login_link", args=[token])


@transaction.atomic
def sign_in_link_issue(*, member: Any, actor: Any) -> tuple[SignInLink, str]:
    """Return a new sign-in link for ``member`` and its token, shown once.

    Refused (``ValidationError``) for a member with an e-mail address, without a login, or
    whose role requires two-factor authentication.
    """
    refusal = sign_in_link_refusal(member)
    if refusal:
        raise ValidationError(refusal)
    token = secrets.token_urlsafe(32)
    link = SignInLink.objects.create(
        user=member.user,
        token_hash=sign_in_token_digest(token),
        created_by=actor if getattr(actor, "pk", None) else None,
        expires_at=timezone.now() + timedelta(days=settings.MIROIR_SIGNIN_LINK_DAYS),
    )
    audit_record(
        actor=actor,
        action="login.link_issue",
        target=f"user:{member.user.pk}",
        details={"link": link.pk},
    )
    return link, token


@transaction.atomic
def sign_in_link_revoke(*, link: SignInLink, actor: Any) -> None:
    """Revoke an unused link: it no longer signs anyone in. A used one stays as it is."""
    revoked = SignInLink.objects.filter(
        pk=link.pk, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now(), revoked_by=actor if getattr(actor, "pk", None) else None)
    if revoked:
        audit_record(
            actor=actor,
            action="login.link_revoke",
            target=f"user:{link.user_id}",
            details={"link": link.pk},
        )


@transaction.atomic
def sign_in_link_use(*, link: SignInLink) -> User:
    """Return the login the link signs in, spending the link; ``ValidationError`` when it
    was used, revoked or expired in the meantime (two taps at once: one wins)."""
    spent = SignInLink.objects.filter(
        pk=link.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).update(used_at=timezone.now())
    if not spent:
        raise ValidationError(_("This sign-in link was already used, revoked or has expired."))
    return link.user


# --- phones kept signed in ----------------------------------------------------------------


def _device_name(user_agent: str) -> str:
    """Return a short name of the browser and system, enough to tell one's phones apart."""
    systems = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS", "Mac"),
    ]
    browsers = [
        ("Firefox", "Firefox"),
        ("EdgA", "Edge"),
        ("Edg/", "Edge"),
        ("SamsungBrowser", "Samsung Internet"),
        ("Chrome", "Chrome"),
        ("Safari", "Safari"),
    ]
    system = next((name for mark, name in systems if mark in user_agent), "")
    browser = next((name for mark, name in browsers if mark in user_agent), "")
    return " · ".join(part for part in (browser, system) if part)[:80]


def session_signed_in(
    *, session: SessionBase, method: str, remember: bool, user_agent: str
) -> None:
    """Note how a session signed in; keep it for ``MIROIR_REMEMBER_PHONE_DAYS`` if asked.

    A remembered session has no idle timeout and lives until its day, its cookie too; it is
    listed on the owner's Security page, from which it can be ended.
    """
    fields: dict[str, Any] = {"method": method}
    if remember:
        days = settings.MIROIR_REMEMBER_PHONE_DAYS
        until = timezone.now() + timedelta(days=days)
        session[sessions.REMEMBERED_UNTIL] = int(until.timestamp())
        session.set_expiry(days * 24 * 3600)
        session.save()
        fields |= {"remembered_until": until, "device": _device_name(user_agent)}
    LoginSession.objects.filter(session_key=session.session_key).update(**fields)


@transaction.atomic
def remembered_session_end(*, login_session: LoginSession, actor: Any) -> None:
    """End a phone kept signed in: its session is deleted, its next request logs in again."""
    _session_store()(session_key=login_session.session_key).delete()
    login_session.delete()
    audit_record(actor=actor, action="session.revoke", target=f"user:{login_session.user_id}")
