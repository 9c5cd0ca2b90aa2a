"""A throw-away OPA on a loopback port over a given set of policy files (an archived revision
or a candidate): replays under the recorded policy and impact analyses run on one of these,
never on the OPA that makes decisions.

The files are written to a private temporary folder; the engine checks the OPA it started
serves exactly their revision (the same check as the decision path), and the process and folder
are removed on exit.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from service.errors import PolicyEngineUnavailable
from service.opa.client import PolicyEngine
from service.opa.process import OpaBinaryNotFound, OpaProcess, find_opa_binary
from service.opa.revision import TEST_FILE_PATTERN

# A batch of impact inputs takes longer than one decision; the decision path keeps its 2 s.
LOOPBACK_TIMEOUT_SECONDS = 60.0
START_TIMEOUT_SECONDS = 30.0


def write_files(folder: Path, files: Mapping[str, str]) -> None:
    for path, text in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def check_files(binary: str, files: Mapping[str, str]) -> str | None:
    """OPA's own verdict on a set of policy files (`opa check`): None when it would load them,
    else its first errors as `file:row: code: message` lines (paths as in `files`)."""
    with tempfile.TemporaryDirectory(prefix="tiergate-check-") as tmp:
        folder = Path(tmp)
        write_files(folder, files)
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [binary, "check", "--format", "json", "--ignore", TEST_FILE_PATTERN, "."],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode == 0:
        return None
    try:
        errors = json.loads(result.stdout or result.stderr)["errors"]
        lines = [
            f"{_relative(e.get('location', {}).get('file', '?'))}:"
            f"{e.get('location', {}).get('row', '?')}: {e.get('code')}: {e.get('message')}"
            for e in errors[:5]
        ]
    except (ValueError, KeyError, TypeError):
        lines = [(result.stderr or result.stdout).strip()[:500]]
    return "; ".join(dict.fromkeys(lines))  # OPA repeats an error per pass: once each


def _relative(path: str) -> str:
    return path.removeprefix("./")


@asynccontextmanager
async def loopback_engine(
    files: Mapping[str, str], *, binary: str, query_timeout: float = LOOPBACK_TIMEOUT_SECONDS
) -> AsyncIterator[PolicyEngine]:
    """Start an OPA over `files`, yield an engine on it, stop it and remove its folder."""
    folder = Path(tempfile.mkdtemp(prefix="tiergate-opa-"))
    policies = folder / "policies"
    process = OpaProcess(
        binary=binary, policies_dir=policies, log_path=folder / "opa.log", decision_logs=False
    )
    engine: PolicyEngine | None = None
    try:
        await run_in_threadpool(write_files, policies, files)
        await run_in_threadpool(process.start)
        try:
            await run_in_threadpool(process.wait_healthy, START_TIMEOUT_SECONDS)
        except (RuntimeError, TimeoutError) as exc:
            log = (folder / "opa.log").read_text(encoding="utf-8", errors="replace")
            raise RuntimeError(f"{exc}: {log.strip()[-500:]}") from exc
        engine = PolicyEngine(url=process.url, timeout=query_timeout, policies_dir=policies)
        yield engine
    finally:
        if engine is not None:
            await engine.close()
        await run_in_threadpool(process.stop)
        shutil.rmtree(folder, ignore_errors=True)


def loopback_binary(configured: str = "") -> str:
    """The opa binary a throw-away OPA runs; 503 naming what is missing when there is none."""
    try:
        return find_opa_binary(configured)
    except OpaBinaryNotFound as exc:
        raise PolicyEngineUnavailable(
            f"a throw-away OPA is needed and there is no opa binary here ({exc})"
        ) from exc
