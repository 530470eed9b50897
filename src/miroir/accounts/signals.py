"""Every login, however it happens, stamps its session and is remembered with its key."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from miroir.accounts.models import LoginSession
from miroir.accounts.services import login_session_record
from miroir.accounts.sessions import session_start


@receiver(user_logged_in, dispatch_uid="miroir_login_session")
def _login_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    session_start(session)
    if session.session_key is None:
        session.save()
    login_session_record(user=user, session_key=session.session_key)


@receiver(user_logged_out, dispatch_uid="miroir_logout_session")
def _logout_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        LoginSession.objects.filter(session_key=session.session_key).delete()
