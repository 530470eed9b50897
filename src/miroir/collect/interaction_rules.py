"""The rules of hot waves that read other rows, applied set-wise in SQL.

``collect/interactions.py`` checks each interaction and works out what only the row itself
decides: the wave reaching its unit and moment, the channel its addresses allow, the send
time inside the sending window and the expiry. It then loads the rows into a temporary
table (``COPY`` on PostgreSQL, ``executemany`` on SQLite) and ``InteractionStage.judge``
settles the rest in a few statements over the whole file:

* an interaction already recorded under the same source and id is a "duplicate";
* then, in the order of docs/collection.md: no wave, no consent, no contact, opted out
  (either address on the STOP list), recently invited (either address invited within the
  period by an earlier import or batch);
* within the file, the first interaction of a contact that can be invited takes the period:
  later ones naming either of its addresses are "recently invited". One that could only
  leave after its expiry ("too late") takes nothing. Rows are settled in rounds, each
  deciding every row that no undecided earlier row can block; a long chain of shared
  addresses is finished row by row after ``ROUNDS`` rounds.

Invitations and interactions are then written with ``INSERT … SELECT``, and the contacts
invited get the time of this intake. Concurrent intakes naming the same contact wait for
each other: a batch claims a row per address and locks them in a fixed order; a bulk load
locks the table of contacts invited (other intakes wait, readers do not).
"""

# The statements name tables only from this module's constants and the models; every value
# goes as a parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection

from miroir.collect.models import (
    ContactInvited,
    ContactOptOut,
    Interaction,
    InteractionOutcome,
    Invitation,
    InvitationStatus,
)

# Above this many rows an intake locks the contacts table instead of claiming each address.
CLAIM_LIMIT = 1000
# Rounds of set-wise settling before the remaining chain is settled row by row.
ROUNDS = 8
DUPLICATE = "duplicate"
# A claim nobody has used yet: older than any period.
CLAIM_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)

COLUMNS = (
    "idx",
    "external_id",
    "unit_id",
    "moment",
    "occurred_at",
    "consent",
    "email",
    "phone",
    "language",
    "eh",
    "ph",
    "wave_id",
    "channel",
    "send_at",
    "expires_at",
    "late",
)
_TYPES = (
    "integer NOT NULL",
    "text NOT NULL",
    "bigint NOT NULL",
    "text NOT NULL",
    "timestamptz NOT NULL",
    "boolean NOT NULL",
    "text",
    "text",
    "text",
    "text",
    "text",
    "bigint",
    "text",
    "timestamptz",
    "timestamptz",
    "boolean",
)
_DATETIMES = frozenset(index for index, name in enumerate(COLUMNS) if name.endswith("_at"))

STAGE = "miroir_hot_stage"
JUDGED = "miroir_hot_judged"
NUMBERED = "miroir_hot_numbered"


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


class InteractionStage:
    """Interactions of one intake waiting in a temporary table for the set-wise rules.

    Use it inside the intake's transaction: ``add`` rows (tuples in ``COLUMNS`` order) as
    they are checked, ``judge`` once, read ``outcomes`` or ``counts``, then ``close``.
    """

    def __init__(self, *, source: str, now: datetime, since: datetime) -> None:
        self.source = source
        self.now = now
        self.since = since
        self.rows = 0
        self.claimed = False
        self.postgres = connection.vendor == "postgresql"
        if not connection.in_atomic_block:
            raise RuntimeError("An interaction stage lives inside the intake's transaction")
        self._cursor = connection.cursor()
        self._drop()
        columns = ", ".join(f"{name} {kind}" for name, kind in zip(COLUMNS, _TYPES, strict=True))
        self._run(f"CREATE TEMPORARY TABLE {STAGE} ({columns})")

    def __enter__(self) -> InteractionStage:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        # After an error the transaction rolls back, and the temporary tables with it.
        if kind is None:
            self._drop()
        self._cursor.close()

    def _drop(self) -> None:
        for table in (NUMBERED, JUDGED, STAGE):
            self._run(f"DROP TABLE IF EXISTS {table}")

    def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._cursor.execute(sql, params)
        return self._cursor.rowcount

    def _value(self, value: Any) -> Any:
        return connection.ops.adapt_datetimefield_value(value)

    def add(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Load ``rows`` into the stage (``COPY`` on PostgreSQL)."""
        if self.postgres:
            with self._cursor.cursor.copy(
                f"COPY {STAGE} ({', '.join(COLUMNS)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
                    self.rows += 1
            return
        adapted = [
            tuple(self._value(v) if i in _DATETIMES else v for i, v in enumerate(row))
            for row in rows
        ]
        self.rows += len(adapted)
        placeholders = ", ".join(["%s"] * len(COLUMNS))
        self._cursor.executemany(
            f"INSERT INTO {STAGE} ({', '.join(COLUMNS)}) VALUES ({placeholders})", adapted
        )

    def _digests(self, where: str = "") -> str:
        return (
            f"SELECT s.eh AS d FROM {STAGE} s {where} WHERE s.eh IS NOT NULL "
            f"UNION SELECT s.ph FROM {STAGE} s {where} WHERE s.ph IS NOT NULL"
        )

    def _lock_contacts(self) -> None:
        contacts = _table(ContactInvited)
        self.claimed = not (self.postgres and self.rows > CLAIM_LIMIT)
        if not self.claimed:
            self._run(f"LOCK TABLE {contacts} IN SHARE ROW EXCLUSIVE MODE")
            return
        self._run(
            f"INSERT INTO {contacts} (contact_hash, invited_at) "
            f"SELECT d, %s FROM ({self._digests()}) u WHERE true "
            "ON CONFLICT (contact_hash) DO NOTHING",
            [self._value(CLAIM_EPOCH)],
        )
        if self.postgres:
            self._run(
                f"SELECT 1 FROM {contacts} WHERE contact_hash IN ({self._digests()}) "
                "ORDER BY contact_hash FOR UPDATE"
            )

    def judge(self) -> None:
        """Apply the rules to every staged row and write interactions and invitations."""
        if self.postgres:
            self._run(f"ANALYZE {STAGE}")
        self._lock_contacts()
        self._judge_alone()
        self._settle_within()
        self._write()

    def _judge_alone(self) -> None:
        # What each row's own values and the tables already hold decide; NULL: a candidate.
        optouts, contacts = _table(ContactOptOut), _table(ContactInvited)
        interactions = _table(Interaction)
        params: list[Any] = []
        duplicate_join, duplicate_case = "", ""
        self._cursor.execute(
            f"SELECT 1 FROM {interactions} WHERE source = %s LIMIT 1", [self.source]
        )
        if self._cursor.fetchone() is not None:
            duplicate_join = (
                f"LEFT JOIN {interactions} d ON d.source = %s AND d.external_id = s.external_id"
            )
            duplicate_case = f"WHEN d.id IS NOT NULL THEN '{DUPLICATE}'"
            params.append(self.source)
        since = self._value(self.since)
        params += [since, since]
        outcome = InteractionOutcome
        self._run(
            f"""
            CREATE TEMPORARY TABLE {JUDGED} AS
            SELECT s.idx, s.eh, s.ph, s.late, CASE
                {duplicate_case}
                WHEN s.wave_id IS NULL THEN '{outcome.NO_WAVE}'
                WHEN NOT s.consent THEN '{outcome.NO_CONSENT}'
                WHEN s.channel IS NULL THEN '{outcome.NO_CONTACT}'
                WHEN o1.id IS NOT NULL OR o2.id IS NOT NULL THEN '{outcome.OPTED_OUT}'
                WHEN c1.id IS NOT NULL OR c2.id IS NOT NULL THEN '{outcome.RECENTLY_INVITED}'
            END AS outcome
            FROM {STAGE} s
            {duplicate_join}
            LEFT JOIN {optouts} o1 ON o1.contact_hash = s.eh
            LEFT JOIN {optouts} o2 ON o2.contact_hash = s.ph
            LEFT JOIN {contacts} c1 ON c1.contact_hash = s.eh AND c1.invited_at > %s
            LEFT JOIN {contacts} c2 ON c2.contact_hash = s.ph AND c2.invited_at > %s
            """,
            params,
        )
        if self.postgres:
            self._run(f"ANALYZE {JUDGED}")

    def _settle_within(self) -> None:
        for _round in range(ROUNDS):
            self._block_after_scheduled()
            if not self._undecided():
                return
            self._decide_firsts()
        self._block_after_scheduled()
        self._settle_row_by_row()

    def _undecided(self) -> bool:
        self._cursor.execute(f"SELECT 1 FROM {JUDGED} WHERE outcome IS NULL LIMIT 1")
        return self._cursor.fetchone() is not None

    def _decide_firsts(self) -> None:
        # A row no undecided earlier row can block is decided: it takes its contacts'
        # period, or is too late (and takes nothing).
        self._run(
            f"""
            UPDATE {JUDGED} SET outcome = CASE WHEN late THEN %s ELSE %s END
            WHERE idx IN (
                SELECT idx FROM (
                    SELECT idx, eh, ph,
                        MIN(idx) FILTER (WHERE NOT late) OVER (PARTITION BY eh) AS m1,
                        MIN(idx) FILTER (WHERE NOT late) OVER (PARTITION BY ph) AS m2
                    FROM {JUDGED} WHERE outcome IS NULL
                ) w
                WHERE (eh IS NULL OR m1 IS NULL OR m1 >= idx)
                  AND (ph IS NULL OR m2 IS NULL OR m2 >= idx)
            )
            """,
            [InteractionOutcome.TOO_LATE, InteractionOutcome.SCHEDULED],
        )

    def _block_after_scheduled(self) -> None:
        # A row naming an address an earlier row of the file was invited with waits its turn.
        for column in ("eh", "ph"):
            self._run(
                f"""
                UPDATE {JUDGED} SET outcome = %s
                WHERE outcome IS NULL AND idx IN (
                    SELECT r.idx FROM {JUDGED} r JOIN {JUDGED} s ON s.{column} = r.{column}
                    WHERE r.outcome IS NULL AND s.outcome = %s AND s.idx < r.idx
                )
                """,
                [InteractionOutcome.RECENTLY_INVITED, InteractionOutcome.SCHEDULED],
            )

    def _settle_row_by_row(self) -> None:
        self._cursor.execute(
            f"SELECT idx, eh, ph, late FROM {JUDGED} WHERE outcome IS NULL ORDER BY idx"
        )
        waiting = self._cursor.fetchall()
        if not waiting:
            return
        self._cursor.execute(
            f"SELECT idx, eh, ph FROM {JUDGED} WHERE outcome = %s", [InteractionOutcome.SCHEDULED]
        )
        first: dict[str, int] = {}
        for idx, *digests in self._cursor.fetchall():
            for digest in digests:
                if digest is not None:
                    first[digest] = min(idx, first.get(digest, idx))
        decided = []
        for idx, eh, ph, late in waiting:
            digests = [d for d in (eh, ph) if d is not None]
            if any(first.get(d, idx) < idx for d in digests):
                decided.append((InteractionOutcome.RECENTLY_INVITED, idx))
            elif late:
                decided.append((InteractionOutcome.TOO_LATE, idx))
            else:
                decided.append((InteractionOutcome.SCHEDULED, idx))
                for digest in digests:
                    first[digest] = min(idx, first.get(digest, idx))
        self._cursor.executemany(f"UPDATE {JUDGED} SET outcome = %s WHERE idx = %s", decided)

    def _numbering(self) -> str:
        # Invitation ids taken before the insert, so that each interaction names its own.
        if self.postgres:
            return f"nextval(pg_get_serial_sequence('{Invitation._meta.db_table}', 'id'))"
        table = Invitation._meta.db_table
        return (
            "(SELECT MAX(COALESCE(MAX(id), 0), COALESCE((SELECT seq FROM sqlite_sequence "
            f"WHERE name = '{table}'), 0)) FROM {_table(Invitation)}) "
            "+ ROW_NUMBER() OVER (ORDER BY idx)"
        )

    def _write(self) -> None:
        scheduled = InteractionOutcome.SCHEDULED
        now = self._value(self.now)
        contacts = _table(ContactInvited)
        # The contacts first: on SQLite this write takes the database's lock before the ids.
        join = f"JOIN {JUDGED} j ON j.idx = s.idx AND j.outcome = '{scheduled}'"
        self._run(
            f"INSERT INTO {contacts} (contact_hash, invited_at) "
            f"SELECT d, %s FROM ({self._digests(join)}) u WHERE true "
            "ON CONFLICT (contact_hash) DO UPDATE SET invited_at = excluded.invited_at",
            [now],
        )
        self._run(
            f"CREATE TEMPORARY TABLE {NUMBERED} AS SELECT idx, {self._numbering()} AS id "
            f"FROM {JUDGED} WHERE outcome = '{scheduled}'"
        )
        self._run(
            f"""
            INSERT INTO {_table(Invitation)} (
                id, wave_id, unit_id, channel, member_id, email, phone, language, used, status,
                error, sent_at, last_sent_at, reminders_sent, not_before, expires_at, moment,
                provider_message_id, companion_hash
            )
            SELECT n.id, s.wave_id, s.unit_id, s.channel, NULL,
                CASE WHEN s.channel <> 'sms' THEN s.email END,
                CASE WHEN s.channel = 'sms' THEN s.phone END,
                s.language, false, %s, '', NULL, NULL, 0, s.send_at, s.expires_at,
                NULLIF(s.moment, ''), '',
                COALESCE(CASE WHEN s.channel = 'sms' THEN s.eh ELSE s.ph END, '')
            FROM {NUMBERED} n JOIN {STAGE} s ON s.idx = n.idx
            """,
            [InvitationStatus.PENDING],
        )
        self._run(
            f"""
            INSERT INTO {_table(Interaction)} (
                source, external_id, unit_id, moment, occurred_at, consent, outcome, wave_id,
                invitation_id, received_at
            )
            SELECT %s, s.external_id, s.unit_id, s.moment, s.occurred_at, s.consent, j.outcome,
                s.wave_id, n.id, %s
            FROM {STAGE} s JOIN {JUDGED} j ON j.idx = s.idx
            LEFT JOIN {NUMBERED} n ON n.idx = s.idx
            WHERE j.outcome <> '{DUPLICATE}'
            """,
            [self.source, now],
        )
        if not self.claimed:
            return
        # Claims that invited nobody leave no trace of the contact.
        self._run(
            f"DELETE FROM {contacts} WHERE invited_at = %s AND contact_hash IN ({self._digests()})",
            [self._value(CLAIM_EPOCH)],
        )

    def outcomes(self) -> dict[int, str]:
        """Return the outcome of each judged row, by its index."""
        self._cursor.execute(f"SELECT idx, outcome FROM {JUDGED}")
        return dict(self._cursor.fetchall())

    def counts(self) -> dict[str, int]:
        """Return how many judged rows had each outcome."""
        self._cursor.execute(f"SELECT outcome, COUNT(*) FROM {JUDGED} GROUP BY outcome")
        return dict(self._cursor.fetchall())
