"""The policy rewritten for speed (issue 11 item 7) decides exactly as the policy before it.

The Rego of the last commit before the rewrite (REFERENCE_COMMIT, read with `git archive`) runs
in a second real OPA over the current reference data, beside the policies of the working tree;
both answer `decision_explained` (the decision and every rule's explanation) for a few hundred
varied inputs, and the answers must be equal, byte for byte once parsed. The inputs are the
Chinese-message grid (every context field varied around several bases, plus seeded random
combinations, with approved exceptions in scope), every catalogue accelerator as a candidate
plan (the bench request's shape), no plan at all, and exceptions scoped to fields that do and
do not match.

Only the Rego is taken from the reference commit, so an edit of the policy data is compared
like for like. A later change that alters decisions on purpose (a new rule, a reworded message)
makes this test fail: it guards the rewrite, and then moves REFERENCE_COMMIT to the commit that
introduced the change on purpose.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.opa.process import OpaProcess, find_opa_binary
from service.settings import PROJECT_ROOT
from tests.support.builders import POLICIES_DIR

from .test_decision import BASE_CONTEXT, DOMESTIC, LICENCE_REQUIRED, UNRESTRICTED_FOREIGN
from .test_messages_zh import EXCEPTIONS, _contexts

# The last commit before the rewrite of issue 11 item 7 merged (main then, with Chinese names
# instead of IDs in the messages: a8c2760).
REFERENCE_COMMIT = "a8c276048bbc1c8a9895a6784dd7202007af7304"
REGO_FOLDERS = ["policies/tiergate/main", "policies/tiergate/lib", "policies/tiergate/rules"]
QUERY = "/v1/data/tiergate/main/decision_explained"


def _reference_rego(into: Path) -> None:
    """The reference commit's Rego (without its data) extracted under `into`."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "archive", REFERENCE_COMMIT, *REGO_FOLDERS],
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.fail(f"cannot read the reference policies from git ({REFERENCE_COMMIT}): {error}")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


@pytest.fixture(scope="module")
def reference_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real OPA over the reference commit's Rego and the working tree's policy data."""
    root = tmp_path_factory.mktemp("reference")
    _reference_rego(root)
    shutil.copytree(POLICIES_DIR / "tiergate" / "reference", root / "policies/tiergate/reference")
    process = OpaProcess(
        binary=find_opa_binary(),
        policies_dir=root / "policies",
        log_path=root / "opa.log",
        decision_logs=False,
    )
    process.start()
    try:
        process.wait_healthy(30)
        yield process.url
    finally:
        process.stop()


def _plans(accelerators: list[str]) -> list[dict[str, Any]]:
    return [{"accelerator": a, "count": 8, "nodes": 1} for a in accelerators]


_CATALOGUE = sorted(
    json.loads((POLICIES_DIR / "tiergate/reference/accelerators/data.json").read_text())["by_id"]
)
_GRID_PLANS = _plans([DOMESTIC, UNRESTRICTED_FOREIGN, LICENCE_REQUIRED])
_WORKLOAD = {"name": "legal-qa", "task": "inference", "params_b": 7.6}


def _scoped_exceptions(**scope: object) -> dict[str, Any]:
    return {
        "subject": {"organization": "acme", "workload_name": "legal-qa"},
        "active": [
            {
                "id": f"exc-{rule_id}",
                "rule_id": rule_id,
                "scope": {"sector": None, **scope},
                "valid_from": "2024-01-01T00:00:00+08:00",
                "expires_at": "2027-01-01T00:00:00+08:00",
            }
            for rule_id in [
                "tier.below_minimum",
                "domestic.state_secret",
                "export.excluded_part",
                "capacity.no_compliant_plan",
                "domestic.sector_preference",
            ]
        ],
    }


def _inputs() -> Iterator[dict[str, Any]]:
    for context in _contexts():
        full = {**BASE_CONTEXT, **context}
        yield {
            "workload": _WORKLOAD,
            "context": full,
            "candidates": _GRID_PLANS,
            "exceptions": EXCEPTIONS,
        }
    contexts: list[dict[str, Any]] = [
        {},
        {"sector": "finance", "data_class": "important", "core_business": True},
        {"sector": "finance", "core_business": True, "procurement": "new", "requested_tier": "vpc"},
        {"sector": "energy", "procurement": "new", "region": "hk"},
        {"sector": "defense", "state_secret": "secret", "requested_tier": "vpc"},
        {"sector": "internet", "procurement": "existing", "region": "sg", "headquarters": "cn"},
        {"state_funded_data_centre": True, "procurement": "new"},
        {"evaluation_time": "2023-11-17T00:00:00-05:00", "procurement": "new"},
        {"evaluation_time": "not a time"},
    ]  # fmt: skip
    for context in contexts:
        full = {**BASE_CONTEXT, **context}
        for candidates in [_plans(_CATALOGUE), _plans([LICENCE_REQUIRED]), []]:
            yield {"workload": _WORKLOAD, "context": full, "candidates": candidates}
        yield {"workload": _WORKLOAD, "context": full}
        for scope in [{}, {"accelerator": LICENCE_REQUIRED}, {"tier": "vpc"}, {"sector": "energy"}]:
            yield {
                "workload": _WORKLOAD,
                "context": {**full, "requested_accelerator": LICENCE_REQUIRED},
                "candidates": _plans(_CATALOGUE),
                "exceptions": _scoped_exceptions(**scope),
            }


def test_the_rewritten_policy_decides_as_the_reference(reference_url: str, opa_url: str) -> None:
    differences: list[str] = []
    compared = 0
    with (
        httpx.Client(base_url=reference_url, timeout=30) as reference,
        httpx.Client(base_url=opa_url, timeout=30) as current,
    ):
        for policy_input in _inputs():
            answers = []
            for opa in (reference, current):
                response = opa.post(QUERY, json={"input": policy_input})
                response.raise_for_status()
                result = response.json()["result"]
                answers.append({key: result[key] for key in ("decision", "explanations")})
            compared += 1
            if answers[0] != answers[1]:
                differences.append(
                    f"input {json.dumps(policy_input, ensure_ascii=False)}\n"
                    f" reference {json.dumps(answers[0], ensure_ascii=False, sort_keys=True)}\n"
                    f" rewritten {json.dumps(answers[1], ensure_ascii=False, sort_keys=True)}"
                )
    assert compared > 300
    summary = f"{len(differences)} of {compared} differ:\n"
    assert not differences, summary + "\n".join(differences[:3])
