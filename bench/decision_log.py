"""Decision-log benchmark: append throughput (SQLite and PostgreSQL) and export memory.

    .venv/bin/python bench/decision_log.py            # SQLite only
    scripts/with-postgres.sh .venv/bin/python bench/decision_log.py   # + PostgreSQL

Appends go through the real path (repository.append: lock the chain head, seal with
RFC 8785 + SHA-256 + Ed25519, insert, commit) with a realistic record. The baseline measured in
the same run is a bare INSERT of the same row in its own transaction, so the ratio shows what
the chain costs over plain durable storage. Export streams EXPORT_RECORDS records and reports
the peak Python heap (tracemalloc) against the bytes written: bounded memory means the peak
does not grow with the export.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.db import make_engine, migrate
from service.decisions import chain, repository
from service.decisions.audit import export_jsonl
from service.decisions.sealing import seal
from service.decisions.signing import load_or_create

APPENDS = int(os.environ.get("BENCH_APPENDS", "1000"))
EXPORT_RECORDS = int(os.environ.get("BENCH_EXPORT_RECORDS", "100000"))
# the file is the version's one definition
OPA_VERSION = (Path(__file__).resolve().parent.parent / "OPA_VERSION").read_text("utf-8").strip()


def sample_record() -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "created_at": datetime.now(UTC).isoformat(),
        "evaluation_time": datetime.now(UTC).isoformat(),
        "request_id": None,
        "request": {
            "workload": {"name": None, "model": {"params_b": 7.6}, "task": "lora"},
            "context": {"sector": "finance", "organization": "", "data_class": "important"},
        },
        "masked_fields": [],
        "verdict": "deny",
        "tier": {
            "minimum": "bare_metal",
            "allowed": ["classified_facility", "bare_metal"],
            "requested": "vpc",
            "selected": "bare_metal",
            "basis": [],
        },
        "domestic_substitution": {"required": True, "preferred": False, "rule_ids": ["x"]},
        "recommendation": None,
        "alternatives": [],
        "sizing": {"memory_gb": {"total": 51.2}},
        "violations": [
            {
                "rule_id": "tier.below_minimum",
                "severity": "deny",
                "message": "m" * 120,
                "message_zh": "中" * 40,
            }
        ],
        "obligations": [],
        "policy": {
            "revision": "0" * 64,
            "engine": "opa",
            "engine_version": OPA_VERSION,
            "decision_id": str(uuid.uuid4()),
        },
        "integrity": {"input_sha256": "1" * 64},
    }


def fresh_engine(url: str) -> Engine:
    engine = make_engine(url)
    migrate(engine)
    repository.ensure_chain_head(engine)
    return engine


def bench_appends(url: str, key_dir: Path) -> dict[str, float]:
    engine = fresh_engine(url)
    key = load_or_create(key_dir / "key.pem")
    chained, plain = [], []
    for _ in range(APPENDS):
        started = time.perf_counter()
        repository.append(engine, seal=seal(sample_record(), key))
        chained.append(time.perf_counter() - started)
    # Baseline: the same kind of row, plain INSERT + COMMIT, no chain lock, no sealing.
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE plain_bench (id VARCHAR(36) PRIMARY KEY, body TEXT)"))
    body = json.dumps(sample_record())
    for _ in range(APPENDS):
        started = time.perf_counter()
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO plain_bench (id, body) VALUES (:id, :body)"),
                {"id": str(uuid.uuid4()), "body": body},
            )
        plain.append(time.perf_counter() - started)
    engine.dispose()
    chained_rps = APPENDS / sum(chained)
    plain_rps = APPENDS / sum(plain)
    return {
        "append_rps": round(chained_rps, 1),
        "append_p50_ms": round(statistics.median(chained) * 1000, 2),
        "baseline_insert_rps": round(plain_rps, 1),
        "ratio": round(chained_rps / plain_rps, 3),
    }


def seed(engine: Engine, count: int, key_dir: Path) -> None:
    """Write `count` correctly chained records in large transactions (setup, not measured)."""
    key = load_or_create(key_dir / "key.pem")
    prev, rows = chain.GENESIS_HASH, []
    for seq in range(1, count + 1):
        row = seal(sample_record(), key)(seq, prev)
        prev = row.hash
        rows.append(row.model_dump())
        if len(rows) == 5000 or seq == count:
            insert_chained(engine, rows)
            rows = []


def insert_chained(engine: Engine, rows: list[dict[str, Any]]) -> None:
    """Append already sealed rows (dicts of a DecisionRow, in chain order) in one transaction
    and move the chain head to the last: bulk setup for the benchmarks, not the service's path."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO decisions (seq, id, created_at, sector, verdict, tier, "
                "organization, rule_ids, input_sha256, prev_hash, hash, signature, key_id, "
                "body, idempotency_key) VALUES (:seq, :id, :created_at, :sector, :verdict, "
                ":tier, :organization, :rule_ids, :input_sha256, :prev_hash, :hash, "
                ":signature, :key_id, :body, :idempotency_key)"
            ),
            rows,
        )
        connection.execute(
            text("UPDATE chain_head SET seq = :seq, hash = :hash WHERE id = 1"),
            {"seq": rows[-1]["seq"], "hash": rows[-1]["hash"]},
        )


def bench_export(url: str, key_dir: Path) -> dict[str, float]:
    engine = fresh_engine(url)
    seed(engine, EXPORT_RECORDS, key_dir)
    tracemalloc.start()
    written = 0
    started = time.perf_counter()
    for line in export_jsonl(engine):
        written += len(line.encode("utf-8"))
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    engine.dispose()
    return {
        "records": EXPORT_RECORDS,
        "export_mb": round(written / 1e6, 1),
        "peak_heap_mb": round(peak / 1e6, 1),
        "export_records_per_s": round(EXPORT_RECORDS / seconds),
    }


def main() -> None:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        stores = {"sqlite": f"sqlite:///{tmp / 'bench.db'}"}
        if os.environ.get("TIERGATE_TEST_POSTGRES_URL"):
            stores["postgresql"] = os.environ["TIERGATE_TEST_POSTGRES_URL"]
        for name, url in stores.items():
            results[name] = bench_appends(url, tmp)
            print(f"{name:<11} append {results[name]}", flush=True)
        export_url = f"sqlite:///{tmp / 'export.db'}"
        results["export_sqlite"] = bench_export(export_url, tmp)
        print(f"export      {results['export_sqlite']}", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
