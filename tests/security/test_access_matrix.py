"""Every route, as every role, gets exactly the answer declared in tests/security/matrix.py."""

from __future__ import annotations

import json
import re

import pytest

from miroir.api.urls import api as ninja_api
from tests.security.matrix import API, API_ROLES, WEB, WEB_ROLES, Operation, Page
from tests.security.support import (
    API_NAMESPACE,
    answer_of,
    changed_tables,
    client_as,
    database_print,
    is_refusal,
    operation_url,
    page_url,
    rolled_back,
    send,
    url_patterns,
)

WEB_BY_NAME = {declared.name: declared for declared in WEB}
API_BY_KEY = {declared.key: declared for declared in API}


def _openapi_operations() -> set[str]:
    schema = ninja_api.get_openapi_schema()
    return {
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, operations in schema["paths"].items()
        for method in operations
    }


def _api_pattern(name: str) -> bool:
    """Return whether a pattern is an operation of the ninja API (checked through OpenAPI)."""
    return name.startswith(f"{API_NAMESPACE}:") and name not in WEB_BY_NAME


def test_every_url_pattern_is_declared_in_the_matrix():
    names = [name for _route, name, _view in url_patterns()]
    assert all(names), "every URL pattern needs a name, so that the matrix can declare it"
    missing = sorted(name for name in names if name not in WEB_BY_NAME and not _api_pattern(name))
    assert not missing, f"declare these routes in tests/security/matrix.py: {missing}"
    stale = sorted(set(WEB_BY_NAME) - set(names))
    assert not stale, f"tests/security/matrix.py declares routes that no longer exist: {stale}"


def test_every_api_operation_is_declared_in_the_matrix():
    operations = _openapi_operations()
    documented = {key.split(" ", 1)[1] for key in operations}
    for route, name, _view in url_patterns():
        if _api_pattern(name):
            # An API route left out of the OpenAPI document would escape the matrix.
            path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.removeprefix("api/v1/"))
            assert path in documented, f"{route} ({name}) is not in the OpenAPI document"
    missing = sorted(operations - set(API_BY_KEY))
    assert not missing, f"declare these API operations in tests/security/matrix.py: {missing}"
    stale = sorted(set(API_BY_KEY) - operations)
    assert not stale, f"tests/security/matrix.py declares operations that do not exist: {stale}"


def test_every_answer_line_has_one_word_per_role():
    for declared in WEB:
        for line in (declared.get, declared.post):
            assert line is None or len(line.split()) == len(WEB_ROLES), (declared.name, line)
    for operation in API:
        assert len(operation.answers.split()) == len(API_ROLES), operation.key


def test_a_route_declared_csrf_exempt_is_exactly_one_whose_view_is():
    views = {name: view for _route, name, view in url_patterns()}
    for declared in WEB:
        exempt = bool(getattr(views[declared.name], "csrf_exempt", False))
        assert exempt == bool(declared.csrf_exempt), (
            f"{declared.name}: the view is {'' if exempt else 'not '}CSRF-exempt but the "
            "matrix says otherwise (give the reason in csrf_exempt=...)"
        )


def _web_cases() -> list[tuple[Page, str]]:
    return [
        (declared, method)
        for declared in WEB
        for method, line in (("GET", declared.get), ("POST", declared.post))
        if line is not None
    ]


@pytest.mark.parametrize(
    ("declared", "method"),
    _web_cases(),
    ids=[f"{declared.name}-{method}" for declared, method in _web_cases()],
)
def test_each_role_gets_the_declared_answer_from_the_page(world, declared, method):
    expected = dict(
        zip(WEB_ROLES, (declared.get if method == "GET" else declared.post).split(), strict=False)
    )
    url = page_url(world, declared)
    wrong = []
    for role in WEB_ROLES:
        with rolled_back():
            client = client_as(world, role)
            refused = method == "POST" and is_refusal(expected[role])
            before = database_print() if refused else None
            answer = answer_of(send(client, method, url, declared, world))
            if answer != expected[role]:
                wrong.append(f"{role}: got {answer}, declared {expected[role]}")
            elif before is not None:
                changed = changed_tables(before, database_print())
                if changed:
                    wrong.append(f"{role}: refused ({answer}) but changed {changed}")
    assert not wrong, f"{method} {url}\n" + "\n".join(wrong)


@pytest.mark.parametrize("operation", API, ids=[operation.key for operation in API])
def test_each_role_gets_the_declared_answer_from_the_api(world, operation: Operation):
    expected = dict(zip(API_ROLES, operation.answers.split(), strict=False))
    url = operation_url(world, operation.path)
    wrong = []
    for role in API_ROLES:
        with rolled_back():
            client = client_as(world, role)
            refused = operation.method != "GET" and is_refusal(expected[role])
            before = database_print() if refused else None
            query = operation.query(world) if operation.query else {}
            if operation.method == "GET":
                response = client.get(url, query)
            else:
                body = json.dumps(operation.body(world) if operation.body else {})
                response = client.generic(
                    operation.method, url, body, content_type="application/json"
                )
            answer = answer_of(response)
            if answer != expected[role]:
                wrong.append(f"{role}: got {answer}, declared {expected[role]}")
            elif before is not None:
                changed = changed_tables(before, database_print())
                if changed:
                    wrong.append(f"{role}: refused ({answer}) but changed {changed}")
            if answer.startswith("4"):
                # Every refusal of the API has the one error shape, with a stable code.
                payload = response.json()
                if not isinstance(payload.get("code"), str) or "message" not in payload:
                    wrong.append(f"{role}: error body without code and message: {payload}")
    assert not wrong, f"{operation.key}\n" + "\n".join(wrong)


def test_the_database_print_sees_a_renamed_unit(world):
    # The control of the "nothing changed" checks above.
    before = database_print()
    lille = world.personas.lille
    type(lille).objects.filter(pk=lille.pk).update(name="Lille Centre")
    assert changed_tables(before, database_print()) == ["org.unit"]
