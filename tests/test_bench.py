"""The benchmarks still run (a refactor of the app must not silently break `bench/`).

Smoke runs with tiny sizes: they check each script completes and prints its JSON summary,
not the figures (those belong to `make bench` and the closing notes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from service.settings import PROJECT_ROOT


def _last_json_line(*args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_sizing_benchmark_runs() -> None:
    summary = _last_json_line("bench/sizing_bench.py", "--iterations", "3")
    assert summary["iterations_per_scenario"] == 3
    scenarios = summary["scenarios"]
    assert isinstance(scenarios, dict) and scenarios["7b-lora"]["options"] > 0


def test_decision_log_benchmark_runs() -> None:
    summary = _last_json_line(
        "bench/decision_log.py", env={"BENCH_APPENDS": "20", "BENCH_EXPORT_RECORDS": "50"}
    )
    sqlite, export = summary["sqlite"], summary["export_sqlite"]
    assert isinstance(sqlite, dict) and sqlite["append_rps"] > 0
    assert isinstance(export, dict) and export["records"] == 50


def test_impact_benchmark_runs() -> None:
    summary = _last_json_line(
        "bench/impact_bench.py",
        env={"BENCH_RECORDS": "40", "BENCH_DISTINCT": "8", "BENCH_BASELINE_RECORDS": "5"},
    )
    assert summary["records"] == 40
    assert isinstance(summary["impact_seconds"], float) and summary["impact_seconds"] > 0
    assert isinstance(summary["ratio"], float) and summary["ratio"] > 0


def test_policy_evaluation_benchmark_runs() -> None:
    """`make bench` starts with it: opa bench of the entry point the service queries against its
    target."""
    from service.opa.client import DECISION_RULE

    summary = _last_json_line("bench/policy_eval.py", "--count", "1")
    assert summary["query"] == f"data.tiergate.main.{DECISION_RULE}"
    assert isinstance(summary["median_ms"], float) and summary["median_ms"] > 0
    assert isinstance(summary["allocs_per_eval"], int) and summary["allocs_per_eval"] > 0
    assert isinstance(summary["steps_per_eval"], int) and summary["steps_per_eval"] > 0
    assert summary["met"] == (summary["median_ms"] <= summary["target_ms"])
    # the same-run baseline without rule packages evaluates, and costs less
    assert 0 < summary["rule_free_allocs_per_eval"] < summary["allocs_per_eval"]  # type: ignore[operator]


def test_the_rule_free_baseline_is_a_decision_with_nothing_fired(tmp_path: Path) -> None:
    """policy_eval's baseline is the decision itself with no rule to aggregate (defined, allow,
    nothing fired, every catalogue part allowed), not an error or an undefined result."""
    sys.path.insert(0, str(PROJECT_ROOT / "bench"))
    import policy_eval
    from run import opa_input

    from service.opa.process import find_opa_binary

    copy = policy_eval.rule_free_copy(PROJECT_ROOT / "policies", tmp_path)
    assert not list((copy / "tiergate" / "rules").iterdir())
    input_path = tmp_path / "input.json"
    input_path.write_text(json.dumps(opa_input()["input"]))
    query = "data.tiergate.main.decision"
    result = subprocess.run(
        [find_opa_binary(), "eval", "-d", str(copy), "-i", str(input_path), "-f", "json", query],
        capture_output=True,
        text=True,
        check=True,
    )
    decision = json.loads(result.stdout)["result"][0]["expressions"][0]["value"]
    assert decision["verdict"] == "allow"
    assert decision["violations"] == [] and decision["obligations"] == []
    assert decision["accelerators"]["excluded"] == [] and decision["tier"]["basis"] == []
    assert len(decision["accelerators"]["allowed"]) > 20


def test_instruction_count_covers_the_decisions_alone() -> None:
    """callgrind counts only the requests between the shim's calls: per decision, one request
    and three give the same figure (were start-up counted, the one-request run would be
    hundreds of times larger)."""
    one = _last_json_line("bench/instructions.py", "--decisions", "1", "--warmup", "2")
    three = _last_json_line("bench/instructions.py", "--decisions", "3", "--warmup", "2")
    assert one["decisions"] == 1 and three["decisions"] == 3
    per_one, per_three = one["instructions_per_decision"], three["instructions_per_decision"]
    assert isinstance(per_one, int) and isinstance(per_three, int)
    assert 1_000_000 < per_three < 100_000_000
    assert abs(per_one - per_three) / per_three < 0.1
