"""Assemble an evidence pack for a period (the rule catalogue comes from the policy engine)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from service.decisions.signing import SigningKey
from service.evidence import pack
from service.opa.client import PolicyEngine

CHUNK = 64 * 1024


async def build_pack(
    db: Engine,
    *,
    policy_engine: PolicyEngine,
    signing_key: SigningKey,
    policies_dir: Path,
    period: pack.Period,
) -> IO[bytes]:
    """The pack in a temporary file (spooled in memory up to 16 MB), positioned at its start."""
    rules = await policy_engine.catalogue()
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - streamed, closed by chunks()
    await run_in_threadpool(
        pack.build,
        out,
        db,
        period=period,
        signing_key=signing_key,
        rules=rules,
        policies_dir=policies_dir,
        now=datetime.now(UTC),
    )
    out.seek(0)
    return out


def chunks(handle: IO[bytes]) -> Iterator[bytes]:
    try:
        while data := handle.read(CHUNK):
            yield data
    finally:
        handle.close()


def filename(period: pack.Period) -> str:
    def day(value: datetime | None, default: str) -> str:
        return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") if value else default

    return f"tiergate-evidence-{day(period.since, 'start')}-{day(period.until, 'now')}.zip"
