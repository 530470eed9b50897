"""Helpers of the security tests: walking the URL patterns, acting as a role, database prints."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.http import urlencode

from tests.security.matrix import Page
from tests.security.world import World

# The ninja API's own patterns: its operations are checked through the OpenAPI document.
API_NAMESPACE = "api"

# Settings of every security test: tasks run at once, mail stays in memory, passwords hash fast.
QUIET: dict[str, Any] = {
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
}

# Columns a request may change without changing anything of substance: the session a login
# opens (and its record, which logging out deletes), a user's last login, a token's "last
# used" time.
VOLATILE = {
    "sessions.session": None,
    "accounts.loginsession": None,  # the record of a login's session, ended with it
    "accounts.user": {"last_login"},
    "api.apitoken": {"last_used_at"},
}


def url_patterns() -> Iterator[tuple[str, str, Any]]:
    """Yield ``(route, namespace:name, view)`` for every URL pattern of the project."""

    def walk(patterns: list[Any], prefix: str, namespace: str | None) -> Iterator[Any]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or ""
                full = f"{namespace}:{name}" if namespace and name else name
                yield prefix + str(pattern.pattern), full, pattern.callback

    yield from walk(get_resolver().url_patterns, "", None)


def role_user(world: World, role: str) -> Any:
    """Return the user acting as ``role`` (None: anonymous or a token)."""
    people = world.personas
    return {
        "employee": people.employee,
        "partner": people.partner,
        "sibling": people.sibling_manager,
        "other_region": people.other_region_manager,
        "manager": people.shop_manager,
        "direction": people.direction,
        "admin": people.admin,
    }.get(role)


def client_as(world: World, role: str, **options: Any) -> Client:
    """Return a test client logged in as ``role`` (or carrying its integration token)."""
    client = Client(**options)
    user = role_user(world, role)
    if user is not None:
        client.force_login(user)
    if role == "token_other":
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.token_other}"
    elif role == "token_unit":
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.token_unit}"
    return client


def page_url(world: World, declared: Page) -> str:
    """Return the address of a declared page, its arguments taken from the world."""
    route = next(route for route, name, _view in url_patterns() if name == declared.name)
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    kwargs = {name: world[declared.kwargs.get(name, name)] for name in names}
    return reverse(declared.name, kwargs=kwargs)


def operation_url(world: World, path: str) -> str:
    """Return the /api/v1 address of an OpenAPI path, its parameters taken from the world."""
    return "/api/v1" + re.sub(r"{(\w+)}", lambda match: str(world[match.group(1)]), path)


def send(
    client: Client,
    method: str,
    url: str,
    declared: Page,
    world: World,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """Return the answer to the declared page's request (its query, its data plus ``extra``)."""
    query = declared.query(world) if declared.query else {}
    if method == "GET":
        return client.get(url, query)
    data = {**(declared.data(world) if declared.data else {}), **(extra or {})}
    if query:
        url = f"{url}?{urlencode(query)}"
    if declared.content_type == "application/json":
        return client.post(url, json.dumps(data), content_type="application/json")
    return client.post(url, data)


def answer_of(response: HttpResponse) -> str:
    """Return the word of the matrix that describes ``response``."""
    if response.status_code == 302:
        login = resolve_url(settings.LOGIN_URL)
        if response["Location"].split("?")[0] == login:
            return "login"
    return str(response.status_code)


def is_refusal(answer: str) -> bool:
    return answer == "login" or answer.startswith("4")


def database_print() -> dict[str, str]:
    """Return a digest of every table's rows (volatile columns left out), by model label."""
    prints = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        skipped = VOLATILE.get(label, set())
        if skipped is None:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in skipped]
        rows = model._default_manager.order_by("pk").values_list(*fields)
        digest = hashlib.sha256(json.dumps(list(rows), default=str).encode()).hexdigest()
        prints[label] = digest
    return prints


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in a savepoint that is always rolled back, so each role starts afresh."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(label for label in before if before[label] != after.get(label))
