"""The audit log is hash-chained: a changed, removed or truncated entry is detected."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command

from miroir.audit.chain import GENESIS, entry_digest
from miroir.audit.models import AuditEntry, AuditHead
from miroir.audit.selectors import audit_chain_breaks
from miroir.audit.services import audit_record


@pytest.fixture
def chain(db):
    return [
        audit_record(
            actor=None,
            action=f"test.action{index}",
            target=f"wave:{index}",
            details={"round": index},
        )
        for index in range(1, 6)
    ]


def test_each_entry_covers_the_one_before(chain):
    assert [entry.sequence for entry in chain] == [1, 2, 3, 4, 5]
    assert chain[0].previous_hash == GENESIS
    for before, after in pairwise(chain):
        assert after.previous_hash == before.entry_hash
    head = AuditHead.objects.get()
    assert (head.sequence, head.entry_hash) == (5, chain[-1].entry_hash)


def test_the_digest_is_sha256_of_a_canonical_form():
    at = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    digest = entry_digest(
        previous_hash=GENESIS,
        sequence=1,
        at=at,
        actor_label="system",
        action="a",
        target="t",
        details={"b": 2, "a": 1},
    )
    import hashlib

    canonical = (
        f'["{GENESIS}",1,"2026-11-23T10:00:00.000000+00:00","system","a","t",{{"a":1,"b":2}}]'
    )
    assert digest == hashlib.sha256(canonical.encode()).hexdigest()


def test_an_intact_chain_verifies(chain, capsys):
    assert audit_chain_breaks() == []
    call_command("audit_verify")
    assert "5" in capsys.readouterr().out


def test_a_changed_entry_is_detected(chain):
    # As someone with database access would do it: bypassing the model's refusal.
    AuditEntry.objects.filter(sequence=3).update(details={"round": 99})
    assert [(b.sequence, b.reason) for b in audit_chain_breaks()] == [(3, "changed")]
    with pytest.raises(CommandError, match="3"):
        call_command("audit_verify")


def test_a_removed_entry_is_detected(chain):
    AuditEntry.objects.filter(sequence=2).delete()
    assert [(b.sequence, b.reason) for b in audit_chain_breaks()] == [(2, "missing")]


def test_entries_cut_off_the_end_are_detected(chain):
    AuditEntry.objects.filter(sequence__gte=4).delete()
    assert [(b.sequence, b.reason) for b in audit_chain_breaks()] == [(4, "truncated")]


def test_a_rewritten_chain_without_the_head_is_detected(chain):
    # Recomputing every later hash after a change still leaves the head pointing elsewhere.
    entry = AuditEntry.objects.get(sequence=5)
    forged = entry_digest(
        previous_hash=entry.previous_hash,
        sequence=5,
        at=entry.at,
        actor_label=entry.actor_label,
        action="test.other",
        target=entry.target,
        details=entry.details,
    )
    AuditEntry.objects.filter(sequence=5).update(action="test.other", entry_hash=forged)
    assert [b.reason for b in audit_chain_breaks()] == ["truncated"]


def test_entries_refuse_to_change_or_go_through_the_model(chain):
    entry = AuditEntry.objects.get(sequence=1)
    entry.action = "test.changed"
    with pytest.raises(ValueError, match="never changed"):
        entry.save()
    with pytest.raises(ValueError, match="never deleted"):
        entry.delete()
    assert audit_chain_breaks() == []


def test_deleting_a_user_does_not_break_the_chain(personas):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(email="temp@example.com", password="x")
    audit_record(actor=user, action="test.login")
    user.delete()
    assert audit_chain_breaks() == []


def test_entries_hold_no_answer_content(chain):
    names = {field.name for field in AuditEntry._meta.get_fields()}
    assert not names & {"answer", "answers", "text", "response", "email", "phone"}


def _login(client, user):
    from tests.personas import PASSWORD

    assert client.login(username=user.email, password=PASSWORD)


def test_administrators_read_the_log_and_check_the_chain(client, personas):
    audit_record(actor=personas.admin, action="wave.thresholds", target="wave:7")
    _login(client, personas.admin)
    page = client.get("/settings/audit/", {"verify": "1"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "wave.thresholds" in html and ("Vague nº 7" in html or "Wave no. 7" in html)
    assert 'data-testid="chain-intact"' in html


def test_the_page_says_when_the_chain_is_broken(client, personas):
    audit_record(actor=None, action="test.one")
    audit_record(actor=None, action="test.two")
    AuditEntry.objects.filter(sequence=1).update(target="forged")
    _login(client, personas.admin)
    html = client.get(
        "/settings/audit/", {"verify": "1"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert 'data-testid="chain-intact"' not in html
    assert "entry 1 (changed)" in html


@pytest.mark.parametrize("who", ["direction", "shop_manager", "employee", "partner"])
def test_only_administrators_reach_the_log(client, personas, who):
    _login(client, getattr(personas, who))
    assert client.get("/settings/audit/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get("/settings/audit/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
