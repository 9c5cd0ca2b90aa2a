"""`tiergate impact`: the same analysis from the command line, over the service's database."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from service.settings import PROJECT_ROOT
from tests.conftest import POLICIES_DIR, decision_request
from tests.impact.test_routes import _research, _tightened_bundle


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TIERGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'tiergate.db'}",
        "TIERGATE_POLICIES_DIR": str(POLICIES_DIR),
    }
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "impact", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_cli_impact_prints_the_summary_and_writes_the_changed_records(
    client: TestClient, tmp_path: Path
) -> None:
    bodies = [_research("vpc")] * 2 + [decision_request()]
    ids = [client.post("/v1/decisions", json=body).json()["id"] for body in bodies]
    bundle = tmp_path / "tight.tar.gz"
    bundle.write_bytes(_tightened_bundle())
    out = tmp_path / "changed.csv"
    result = _run(tmp_path, "--candidate", str(bundle), "--csv", str(out))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "records analysed    3 in" in lines[2]
    assert lines[3].split() == ["changed", "2", "unchanged", "1"]
    assert any(line.split()[:4] == ["allow", "→", "deny", "2"] for line in lines)
    assert any(line.split() == ["tier.below_minimum", "2", "0", "0"] for line in lines)
    assert "replaying" in result.stderr  # the progress bar
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["decision_id"] for r in rows] == ids[:2]

    dated = _run(tmp_path, "--evaluate-at", "2025-07-01", "--sector", "finance")
    assert dated.returncode == 2 and "RFC 3339" in dated.stderr
    broken = tmp_path / "broken"
    (broken / "a").mkdir(parents=True)
    (broken / "a" / "x.rego").write_text("package a.x\n\ny := \n", encoding="utf-8")
    refused = _run(tmp_path, "--candidate", str(broken))
    assert refused.returncode == 1
    assert "invalid_bundle: broken: OPA rejects it: a/x.rego:4: rego_parse_error" in refused.stderr
