from __future__ import annotations

from django.test import override_settings

from miroir.core.checks import check_csrf_middleware


def test_miroirs_csrf_middleware_satisfies_the_deploy_check(settings):
    assert "miroir.core.middleware.CsrfViewMiddleware" in settings.MIDDLEWARE
    assert check_csrf_middleware() == []


def test_djangos_own_csrf_middleware_satisfies_it_too(settings):
    middleware = [
        "django.middleware.csrf.CsrfViewMiddleware" if "Csrf" in path else path
        for path in settings.MIDDLEWARE
    ]
    with override_settings(MIDDLEWARE=middleware):
        assert check_csrf_middleware() == []


def test_a_middleware_list_without_csrf_protection_is_flagged(settings):
    middleware = [path for path in settings.MIDDLEWARE if "Csrf" not in path]
    with override_settings(MIDDLEWARE=middleware):
        warnings = check_csrf_middleware()
    assert [warning.id for warning in warnings] == ["miroir.W003"]
