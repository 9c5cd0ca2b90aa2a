"""Explanations cost nothing unless asked for (issue 13 item 3): the `decision` entry point, and
the catalogue, never evaluate any rule's `explain`; only `decision_explained` does.

Checked with the real OPA on a copy of the policies in which every rule's `explain` prints when
it is evaluated (`opa eval` writes print() output to stderr).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from service.opa.process import find_opa_binary
from tests.support.builders import POLICIES_DIR

from .test_decision import BASE_CONTEXT

EXPLAIN = "explain := result.explanation(rego.metadata.chain(), _why_not)"
PROBE = (
    'explain := x if {\n\tprint("explain evaluated")\n\t'
    + EXPLAIN.replace("explain", "x", 1)
    + "\n}"
)


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A policy copy whose every explain prints, and an input file."""
    root = tmp_path_factory.mktemp("probed")
    policies = root / "policies"
    shutil.copytree(POLICIES_DIR, policies)
    rules = [p for p in (policies / "tiergate" / "rules").rglob("*.rego") if "_test" not in p.name]
    for rule in rules:
        source = rule.read_text(encoding="utf-8")
        assert source.count(EXPLAIN) == 1, f"{rule.name} does not define explain the one way"
        rule.write_text(source.replace(EXPLAIN, PROBE), encoding="utf-8")
    document = {
        "workload": {"name": "legal-qa", "task": "inference", "params_b": 7.6},
        "context": {**BASE_CONTEXT, "sector": "finance", "requested_accelerator": "nvidia-h20"},
        "candidates": [{"accelerator": "nvidia-h20", "count": 8, "nodes": 1}],
    }
    input_file = root / "input.json"
    input_file.write_text(json.dumps(document), encoding="utf-8")
    return policies, input_file


def _printed(probed: tuple[Path, Path], query: str) -> int:
    policies, input_file = probed
    completed = subprocess.run(
        [find_opa_binary(), "eval", "-d", str(policies), "-i", str(input_file), query],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(completed.stdout)["result"], completed.stdout  # the query is defined
    return completed.stderr.count("explain evaluated")


@pytest.mark.parametrize(
    "rule", ["decision", "decision_with_provenance", "catalogue", "violations", "obligations"]
)
def test_the_plain_entry_points_never_evaluate_explanations(
    probed: tuple[Path, Path], rule: str
) -> None:
    assert _printed(probed, f"data.tiergate.main.{rule}") == 0


def test_decision_explained_evaluates_every_rule_s_explanation(probed: tuple[Path, Path]) -> None:
    """The probe works: asking for explanations evaluates all 32 (so the zero above means
    something)."""
    assert _printed(probed, "data.tiergate.main.decision_explained") >= 32
