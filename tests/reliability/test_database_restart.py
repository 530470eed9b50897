"""While PostgreSQL restarts, intake answers a clear 503 and recovers by itself afterwards.

The test runs its own PostgreSQL cluster (never the machine's shared server), Miroir under
gunicorn with persistent connections against it, then stops the cluster and starts it again.
"""

from __future__ import annotations

import json
import time

import psycopg

from tests.reliability.support import App, PrivateCluster, open_form, request


def _kiosk_post(app: App, wave, submission_id: str) -> object:
    body = json.dumps(
        {"submission_id": submission_id, "answers": {"accueil": "4", "mot": "borne"}, "lang": "en"}
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "Cookie": f"miroir_kiosk={wave.kiosk_cookie}",
        "X-Miroir-Kiosk": wave.kiosk_header,
    }
    path = f"/k/{wave.public_id}/{wave.unit_ids[0]}/submit"
    return request(app.port, "POST", path, body, headers)


def test_intake_answers_503_while_postgresql_restarts_then_recovers() -> None:
    cluster = PrivateCluster()
    app: App | None = None
    try:
        cluster.create()
        app = App(cluster.url, workers=2)
        wave = app.migrate_and_seed()
        path = f"/o/{wave.public_id}/{wave.unit_ids[0]}/"
        app.start(path)
        # Every worker holds a persistent connection by now.
        for _ in range(4):
            assert request(app.port, "GET", path).status == 200
        before = open_form(app.port, path, {"accueil": "4", "mot": "avant"})
        assert request(app.port, "POST", path, before.body, before.headers).status == 302
        cut = open_form(app.port, path, {"accueil": "2", "mot": "pendant"})

        cluster.stop()

        page = request(app.port, "GET", f"{path}?lang=en")
        assert page.status == 503
        assert page.headers["retry-after"].isdigit()
        assert b"Back in a moment" in page.body
        assert b"Traceback" not in page.body and b"OperationalError" not in page.body
        french = request(app.port, "GET", path, headers={"Accept-Language": "fr"})
        assert french.status == 503 and "De retour dans un instant" in french.body.decode()
        posted = request(app.port, "POST", path, cut.body, cut.headers)
        assert posted.status == 503
        kiosk = _kiosk_post(app, wave, "kiosk-submission-000001")
        assert kiosk.status == 503 and kiosk.headers["retry-after"].isdigit()
        assert json.loads(kiosk.body)["code"] == "service_unavailable"
        health = request(app.port, "GET", "/healthz")
        assert health.status == 503

        cluster.start()

        # No restart of the app: the next requests find the database again by themselves.
        deadline = time.monotonic() + 20
        status = 0
        while time.monotonic() < deadline and status != 200:
            status = request(app.port, "GET", path).status
            time.sleep(0.2)
        assert status == 200
        for _ in range(4):  # every worker, not only the first to reconnect
            assert request(app.port, "GET", path).status == 200
        assert request(app.port, "POST", path, cut.body, cut.headers).status == 302
        assert _kiosk_post(app, wave, "kiosk-submission-000001").status == 201
        assert request(app.port, "GET", "/healthz").status == 200

        with psycopg.connect(cluster.url) as connection:
            texts = connection.execute(
                "SELECT a.text FROM collect_answer a JOIN collect_response r "
                "ON r.id = a.response_id WHERE r.wave_id = %s AND a.text IS NOT NULL "
                "ORDER BY a.text",
                [wave.wave_id],
            ).fetchall()
            responses = connection.execute(
                "SELECT count(*) FROM collect_response WHERE wave_id = %s", [wave.wave_id]
            ).fetchone()[0]
        assert [text for (text,) in texts] == ["avant", "borne", "pendant"]
        assert responses == 3
    finally:
        if app is not None:
            app.stop()
        cluster.destroy()
