"""Nothing acknowledged is lost: SIGKILL the server under load, restart it, let clients retry.

Respondents on several threads fill open-link forms, or send as kiosk tablets, each with a
comment that names the submission, so that the database can be searched for it although
responses carry no id.
Mid-load the whole gunicorn process group is killed; the server comes back a moment later;
every client sends again, with the same form (same submission id), what got no answer.
Afterwards each acknowledged submission is in the database exactly once.
"""

from __future__ import annotations

import http.client
import json
import threading
import time

import psycopg
import pytest

from tests.reliability.support import (
    App,
    Form,
    Wave,
    drop_shared_database,
    open_form,
    request,
)
from tests.reliability.support import shared_database as make_database

CLIENTS = 6  # of which KIOSKS send as kiosk tablets, the others through the pages
KIOSKS = 2
PER_CLIENT = 12
DEADLINE_SECONDS = 90


def kiosk_form(wave: Wave, submission_id: str, answers: dict[str, str]) -> Form:
    """Return what a kiosk tablet sends for one respondent (its own submission id)."""
    body = json.dumps({"submission_id": submission_id, "answers": answers, "lang": "fr"})
    headers = {
        "Content-Type": "application/json",
        "Cookie": f"miroir_kiosk={wave.kiosk_cookie}",
        "X-Miroir-Kiosk": wave.kiosk_header,
    }
    return Form(f"/k/{wave.public_id}/{wave.unit_ids[0]}/submit", body.encode(), headers)


class Client(threading.Thread):
    """A closed-loop respondent: fill a form, send it until it is acknowledged.

    A page client opens the open-link form (GET) and posts it; a kiosk client posts JSON
    with the submission id it made, as the tablets do.
    """

    def __init__(self, number: int, app: App, paths: list[str], kiosk: Wave | None) -> None:
        super().__init__(daemon=True)
        self.number = number
        self.app = app
        self.paths = paths
        self.kiosk = kiosk
        self.acknowledged: dict[str, int] = {}  # comment -> status of the acknowledging reply
        self.retried: set[str] = set()
        self.unanswered = 0
        self.holding = False  # a filled form not acknowledged yet
        self.deadline = time.monotonic() + DEADLINE_SECONDS

    def run(self) -> None:
        for index in range(PER_CLIENT):
            comment = f"client {self.number} réponse {index}"
            answers = {"accueil": str(1 + index % 5), "mot": comment}
            form: Form | None = None
            if self.kiosk is not None:
                form = kiosk_form(self.kiosk, f"kiosk-{self.number:04d}-{index:06d}", answers)
            success = {302} if self.kiosk is None else {200, 201}
            while time.monotonic() < self.deadline:
                try:
                    if form is None:
                        form = open_form(
                            self.app.port, self.paths[index % len(self.paths)], answers
                        )
                    self.holding = True
                    reply = request(self.app.port, "POST", form.path, form.body, form.headers)
                except (OSError, ConnectionError, http.client.HTTPException):
                    # No answer, or half of one (the server is down, or died mid-request,
                    # even mid-reply: IncompleteRead): send it again.
                    reply = None
                if reply is not None and reply.status in success:
                    self.acknowledged[comment] = reply.status
                    self.holding = False
                    break
                if form is not None:
                    self.unanswered += 1
                    self.retried.add(comment)
                time.sleep(0.2)


def test_sigkill_under_load_loses_no_acknowledged_response_and_duplicates_none() -> None:
    database = make_database("kill")
    app = App(database, workers=3)
    try:
        began = time.monotonic()
        wave = app.migrate_and_seed()
        paths = [f"/o/{wave.public_id}/{unit}/" for unit in wave.unit_ids]
        app.start(paths[0])
        ready = time.monotonic()
        clients = [
            Client(number, app, paths, kiosk=wave if number >= CLIENTS - KIOSKS else None)
            for number in range(CLIENTS)
        ]
        for client in clients:
            client.start()

        # Kill once a good share is acknowledged, while several clients hold a form being
        # sent: their answers are in flight, or about to be.
        deadline = time.monotonic() + 45
        while (
            sum(len(c.acknowledged) for c in clients) < CLIENTS * PER_CLIENT // 3
            or sum(c.holding for c in clients) < 2
        ):
            assert time.monotonic() < deadline, "the load never got going"
            time.sleep(0.01)
        acknowledged_before_kill = sum(len(c.acknowledged) for c in clients)
        killed = time.monotonic()
        app.kill()
        time.sleep(1.5)  # clients meet a dead port meanwhile
        app.start(paths[0])
        restarted = time.monotonic()
        for client in clients:
            client.join(timeout=DEADLINE_SECONDS)
        finished = time.monotonic()

        acknowledged = {text for c in clients for text in c.acknowledged}
        retried = {text for c in clients for text in c.retried}
        # Every submission got through in the end: a retry reached the restarted server.
        assert len(acknowledged) == CLIENTS * PER_CLIENT
        assert acknowledged_before_kill < len(acknowledged)
        assert retried, "no request was cut by the kill: the test proved nothing"

        # And a retry of an acknowledged form, long after, stores nothing new.
        sample = open_form(app.port, paths[0], {"accueil": "5", "mot": "rejouée"})
        assert request(app.port, "POST", sample.path, sample.body, sample.headers).status == 302
        assert request(app.port, "POST", sample.path, sample.body, sample.headers).status == 302

        with psycopg.connect(database) as connection:
            rows = connection.execute(
                "SELECT a.text, count(*) FROM collect_answer a "
                "JOIN collect_response r ON r.id = a.response_id "
                "WHERE r.wave_id = %s AND a.text IS NOT NULL GROUP BY a.text",
                [wave.wave_id],
            ).fetchall()
            responses = connection.execute(
                "SELECT count(*) FROM collect_response WHERE wave_id = %s", [wave.wave_id]
            ).fetchone()[0]
            receipts = connection.execute(
                "SELECT count(*) FROM collect_submissionreceipt WHERE wave_id = %s",
                [wave.wave_id],
            ).fetchone()[0]
        stored = dict(rows)
        missing = acknowledged - stored.keys()
        duplicated = {text: count for text, count in stored.items() if count != 1}
        assert not missing, f"acknowledged but lost: {sorted(missing)[:5]}"
        assert not duplicated, f"stored more than once: {duplicated}"
        assert stored.keys() == acknowledged | {"rejouée"}
        assert responses == receipts == len(acknowledged) + 1
        print(
            f"\n{len(acknowledged)} responses acknowledged ({acknowledged_before_kill} before "
            f"the SIGKILL); {len(retried)} submissions sent again "
            f"({sum(c.unanswered for c in clients)} unanswered attempts); "
            f"{responses} responses stored, none lost, none twice. Seconds: set-up "
            f"{ready - began:.1f}, load before the kill {killed - ready:.1f}, down "
            f"{restarted - killed:.1f}, load after {finished - restarted:.1f}"
        )
    finally:
        app.stop()
        try:
            drop_shared_database(database)
        except psycopg.Error:
            pytest.fail("could not drop the test's database")
