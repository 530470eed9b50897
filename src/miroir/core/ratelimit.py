"""Request rate limits, counted in Django's shared cache.

A limit is ``(count, seconds)``: at most ``count`` hits per fixed window of ``seconds``, for
one key (an address, an account). Limits are named and configured in
``settings.CORE_RATE_LIMITS`` so that every worker applies the same numbers; the counters
live in the ``default`` cache, which is the database in every setup (see settings), so they are
shared by all the workers and machines of an install.

The cache's increment is a read then a write: under a burst of simultaneous requests a few
hits may be counted once instead of twice. A limit is therefore a bound within a few hits, which
is what throttling needs; the login lockout (``miroir.accounts.lockout``) builds on it.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class Verdict:
    """Whether a hit is allowed, and when to come back when it is not."""

    allowed: bool
    retry_after: int = 0


def now() -> float:
    """Return the current time in seconds (tests move it forward)."""
    return time.time()


def limit_for(name: str) -> tuple[int, int]:
    """Return the configured ``(count, seconds)`` of the limit called ``name``."""
    try:
        count, seconds = settings.CORE_RATE_LIMITS[name]
    except KeyError as exc:
        raise KeyError(f"No rate limit named {name!r} in CORE_RATE_LIMITS") from exc
    return int(count), int(seconds)


def _cache_key(name: str, key: str, window: int) -> str:
    # Keys may hold e-mail addresses: hash them, and keep them short for every backend.
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"rl:{name}:{digest}:{window}"


def _window(seconds: int) -> tuple[int, int]:
    """Return the current window's index and the seconds left in it (at least 1)."""
    moment = now()
    index = int(moment // seconds)
    left = math.ceil((index + 1) * seconds - moment)
    return index, max(left, 1)


def hit(name: str, key: str, *, limit: tuple[int, int] | None = None) -> Verdict:
    """Return the verdict on one more hit of ``key`` under the limit ``name``, counting it."""
    count, seconds = limit or limit_for(name)
    if count <= 0:
        return Verdict(allowed=True)
    index, left = _window(seconds)
    cache_key = _cache_key(name, key, index)
    # add() is a no-op when the counter exists; it gives the counter its expiry.
    cache.add(cache_key, 0, timeout=seconds + 1)
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.set(cache_key, 1, timeout=seconds + 1)
        hits = 1
    return Verdict(allowed=hits <= count, retry_after=0 if hits <= count else left)


def peek(name: str, key: str, *, limit: tuple[int, int] | None = None) -> int:
    """Return how many hits ``key`` has made in the current window of the limit ``name``."""
    _count, seconds = limit or limit_for(name)
    index, _left = _window(seconds)
    return int(cache.get(_cache_key(name, key, index), 0))


def reset(name: str, key: str, *, limit: tuple[int, int] | None = None) -> None:
    """Forget the hits of ``key`` in the current window (after a successful login, say)."""
    _count, seconds = limit or limit_for(name)
    index, _left = _window(seconds)
    cache.delete(_cache_key(name, key, index))


def client_address(request: HttpRequest) -> str:
    """Return the address of the client that sent the request.

    Behind a reverse proxy (``MIROIR_BEHIND_PROXY``) the proxy's address is the same for
    everyone: the last address of ``X-Forwarded-For``, the one the proxy appended, is the
    client. Earlier ones were written by the client and are not trusted.
    """
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def wait_text(seconds: int) -> str:
    """Return "N minutes" or "N seconds", translated, for a person waiting ``seconds``."""
    if seconds >= 120:
        minutes = math.ceil(seconds / 60)
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}


def too_many_requests(
    request: HttpRequest, retry_after: int, *, as_json: bool = False, message: str = ""
) -> HttpResponse:
    """Return the 429 answer, as a page or as JSON, carrying ``Retry-After``."""
    message = message or _("Too many requests. Please try again in %(wait)s.") % {
        "wait": wait_text(retry_after)
    }
    if as_json:
        response: HttpResponse = JsonResponse(
            {"error": "rate_limited", "message": message, "retry_after": retry_after},
            status=429,
        )
    else:
        response = render(
            request,
            "core/too_many_requests.html",
            {"message": message, "retry_after": retry_after},
            status=429,
        )
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(
    name: str,
    *,
    key: Callable[[HttpRequest, dict[str, Any]], str] | None = None,
    methods: tuple[str, ...] = (),
    as_json: bool = False,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Return a view decorator answering 429 once the limit ``name`` is exceeded.

    The key is the client's address, or what ``key(request, view_kwargs)`` returns; with
    ``methods`` only those methods count.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not methods or request.method in methods:
                who = key(request, kwargs) if key else client_address(request)
                verdict = hit(name, who)
                if not verdict.allowed:
                    return too_many_requests(request, verdict.retry_after, as_json=as_json)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
