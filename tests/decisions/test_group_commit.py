"""Group commit (service/decisions/group_commit.py): concurrent appends share one transaction,
keep one verifiable chain in arrival order, answer a taken idempotency key as a duplicate, and
a commit that fails fails every append in it, storing none. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from service.decisions import audit, repository, sealing
from service.decisions.group_commit import GroupCommit
from service.decisions.repository import DuplicateIdempotencyKey
from service.decisions.signing import SigningKey
from service.decisions.tables import DecisionRow
from service.errors import StorageUnavailable
from tests.support.builders import decision_request
from tests.support.records import record_skeleton


def _append(group: GroupCommit, key: SigningKey, number: int, idempotency_key: str | None = None):  # type: ignore[no-untyped-def]
    record = record_skeleton({"n": number}, number=number)
    return group.append(sealing.seal(record, key, idempotency_key), idempotency_key)


def _verifies(engine: Engine, key: SigningKey) -> bool:
    return audit.verify(engine, {key.key_id: key.private_key.public_key()}).ok


@pytest.fixture
def group(migrated_log: Engine) -> GroupCommit:
    return GroupCommit(migrated_log)


async def test_concurrent_appends_share_a_commit_and_keep_one_chain(
    group: GroupCommit, key: SigningKey
) -> None:
    migrated_log = group.engine
    first = await asyncio.gather(*(_append(group, key, n) for n in range(1, 21)))
    assert [row.seq for row in first] == list(range(1, 21))  # the order they arrived in
    assert [row.id for row in first] == [f"00000000-0000-4000-8000-{n:012d}" for n in range(1, 21)]
    # they all queued behind the first commit, which had not started: one transaction
    assert group.batches == 1
    second = await asyncio.gather(*(_append(group, key, n) for n in range(21, 31)))
    assert [row.seq for row in second] == list(range(21, 31))
    assert second[0].prev_hash == first[-1].hash
    head = repository.chain_head(migrated_log)
    assert head is not None and (head.seq, head.hash) == (30, second[-1].hash)
    assert repository.count(migrated_log) == 30
    assert _verifies(migrated_log, key)


async def test_a_taken_idempotency_key_is_a_duplicate_and_takes_no_place(
    group: GroupCommit, key: SigningKey
) -> None:
    committed = await _append(group, key, 1, "k1")
    results: list[Any] = await asyncio.gather(
        _append(group, key, 2, "k1"),  # taken by a committed record
        _append(group, key, 3, "k2"),
        _append(group, key, 4, "k2"),  # taken earlier in the same batch
        _append(group, key, 5),
        return_exceptions=True,
    )
    assert isinstance(results[0], DuplicateIdempotencyKey)
    assert isinstance(results[1], DecisionRow) and results[1].seq == committed.seq + 1
    assert isinstance(results[2], DuplicateIdempotencyKey)
    assert isinstance(results[3], DecisionRow) and results[3].seq == committed.seq + 2
    assert repository.count(group.engine) == 3
    assert _verifies(group.engine, key)


async def test_a_failed_commit_fails_every_append_in_it_and_stores_none(
    group: GroupCommit, key: SigningKey
) -> None:
    await _append(group, key, 1)
    # The middle one reuses the first record's id: the unique index refuses it, and with it
    # the whole transaction.
    results = await asyncio.gather(
        _append(group, key, 2),
        _append(group, key, 1),
        _append(group, key, 3),
        return_exceptions=True,
    )
    assert all(isinstance(result, StorageUnavailable) for result in results), results
    assert repository.count(group.engine) == 1
    head = repository.chain_head(group.engine)
    assert head is not None and head.seq == 1
    # the log goes on from the last record committed
    after = await _append(group, key, 4)
    assert after.seq == 2
    assert _verifies(group.engine, key)


def _stored(client: TestClient) -> int:
    return repository.count(client.app.state.runtime.db)  # type: ignore[attr-defined]


def test_concurrent_posts_each_get_their_own_verifiable_record(client: TestClient) -> None:
    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(
            pool.map(lambda _: client.post("/v1/decisions", json=decision_request()), range(12))
        )
    assert [r.status_code for r in responses] == [201] * 12
    seqs = sorted(r.json()["integrity"]["seq"] for r in responses)
    assert seqs == list(range(1, 13))
    assert _stored(client) == 12
    assert client.get("/v1/decisions/verify").json()["ok"] is True


def test_a_failed_batch_answers_503_to_every_request_in_it(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three requests committed together, one of which the database refuses: all three are
    503 and none is stored; the request committed before them keeps its 201."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    group: GroupCommit = runtime.group_commit
    with runtime.db.begin() as connection:
        connection.execute(
            text(
                "CREATE TRIGGER refuse_energy BEFORE INSERT ON decisions "
                "WHEN NEW.sector = 'energy' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )
        )
    original = repository.append_batch
    held = threading.Event()

    def first_commit_waits_for_three_behind_it(engine: Engine, appends: Any) -> Any:
        if not held.is_set():
            held.set()
            deadline = time.monotonic() + 60
            while len(group._waiting) < 3 and time.monotonic() < deadline:
                time.sleep(0.01)
        return original(engine, appends)

    monkeypatch.setattr(repository, "append_batch", first_commit_waits_for_three_behind_it)
    with ThreadPoolExecutor(max_workers=4) as pool:
        first = pool.submit(client.post, "/v1/decisions", json=decision_request())
        assert held.wait(60)
        batch = [
            pool.submit(client.post, "/v1/decisions", json=decision_request(sector=sector))
            for sector in ("finance", "energy", "internet")
        ]
        assert first.result().status_code == 201
        answers = [future.result() for future in batch]
    assert [a.status_code for a in answers] == [503, 503, 503], [a.text for a in answers]
    assert {a.json()["error"] for a in answers} == {"storage_unavailable"}
    assert _stored(client) == 1
    assert client.get("/v1/decisions/verify").json()["ok"] is True
