"""Policy evaluation cost: `opa bench` of the decision entry point on the bench request's input.

    .venv/bin/python bench/policy_eval.py [--count N]     # also the first step of `make bench`

Runs the pinned OPA's own benchmark (Go's harness: a sample runs as many evaluations as fit in
about a second, and the figure taken is the median of their evaluation times, OPA's
query_eval timer) of `data.tiergate.main.decision_with_provenance` (the entry point the service
queries: the decision plus the bundle manifests) on the policy input that bench/run.py's
request becomes, with what the service's managed OPA runs with: the policies without their
tests, the read-optimised store and the same GOGC. The figure is the median over the samples,
next to the load average, because the machine is shared and one sample can land in someone
else's burst.

Beside it, in the same run and alternating sample by sample with it, the same query on a copy
of the policies without any rule package (the registry generated for none): the facts, the
aggregation and the decision's shape with nothing to aggregate. What the rules cost is the
difference.

The last line is one JSON object: median_ms (the figure the target is about), samples_ms,
allocs_per_eval, bytes_per_eval and steps_per_eval (noise-free: they do not depend on the load;
steps are the expression evaluations and re-evaluations OPA's profiler counts in one
evaluation, the work a policy edit adds or removes), load_average, target_ms and met;
rule_free_median_ms and rule_free_allocs_per_eval for the copy without rules.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import build_rule_registry  # noqa: E402 - scripts/ is on the path just above

from service.opa.client import DECISION_RULE  # noqa: E402
from service.opa.process import (  # noqa: E402
    OPA_GOGC,
    READ_OPTIMISED_STORE,
    find_opa_binary,
)
from service.opa.revision import TEST_FILE_PATTERN  # noqa: E402

# What the service queries, not `decision` alone (+84 allocations: the bundle manifests).
QUERY = f"data.tiergate.main.{DECISION_RULE}"
TARGET_MS = 0.7  # issue 11 item 7, on this machine
JSON_ARGS = ["--format", "json"]
PROFILE_ARGS = ["--profile", "--profile-limit", "0", *JSON_ARGS]


def _opa_args(policies: Path, input_path: str) -> list[str]:
    """What every command here loads: the policies without their tests, the service's store."""
    return [
        READ_OPTIMISED_STORE,
        "--data",
        str(policies),
        "--ignore",
        TEST_FILE_PATTERN,
        "--input",
        input_path,
    ]


def steps(input_path: str, policies: Path) -> int:
    """Expression evaluations plus re-evaluations in one evaluation of QUERY (`opa eval
    --profile`): deterministic, unlike the time, so a change's effect shows on a loaded machine."""
    result = subprocess.run(
        [find_opa_binary(), "eval", *_opa_args(policies, input_path), *PROFILE_ARGS, QUERY],
        capture_output=True,
        text=True,
        check=True,
    )
    profile = json.loads(result.stdout)["profile"]
    return sum(int(row["num_eval"]) + int(row["num_redo"]) for row in profile)


def rule_free_copy(policies: Path, into: Path) -> Path:
    """A copy of `policies` (without tests) in `into` with no rule package, and the registry
    generated for none."""
    copy = into / "policies"
    shutil.copytree(policies, copy, ignore=shutil.ignore_patterns(TEST_FILE_PATTERN))
    rules = copy / "tiergate" / "rules"
    shutil.rmtree(rules)
    rules.mkdir()
    (copy / "tiergate" / "lib" / "registry.rego").write_text(build_rule_registry.build(rules))
    return copy


def _sample(policies: Path, input_path: str) -> tuple[float, int, int]:
    """One `opa bench` sample: median evaluation ms, allocations and bytes per evaluation."""
    result = subprocess.run(
        [find_opa_binary(), "bench", *_opa_args(policies, input_path), *JSON_ARGS, QUERY],
        env={**os.environ, "GOGC": os.environ.get("GOGC", OPA_GOGC)},
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stdout)
    runs = int(report["N"])
    return (
        report["Extra"]["histogram_timer_rego_query_eval_ns_median"] / 1e6,
        int(report["MemAllocs"]) // runs,
        int(report["MemBytes"]) // runs,
    )


def measure(
    policy_input: dict[str, Any], *, count: int, policies: Path = ROOT / "policies"
) -> dict[str, Any]:
    """`count` samples of `opa bench` of QUERY on `policy_input`, each followed by one of the
    same query without rule packages."""
    full: list[tuple[float, int, int]] = []
    rule_free: list[tuple[float, int, int]] = []
    with tempfile.TemporaryDirectory(prefix="tiergate-policy-eval-") as tmp:
        input_path = str(Path(tmp) / "input.json")
        Path(input_path).write_text(json.dumps(policy_input))
        without_rules = rule_free_copy(policies, Path(tmp))
        for _ in range(count):
            full.append(_sample(policies, input_path))
            rule_free.append(_sample(without_rules, input_path))
        step_count = steps(input_path, policies)
    samples = [ms for ms, _, _ in full]
    median = statistics.median(samples)
    return {
        "query": QUERY,
        "median_ms": round(median, 3),
        "samples_ms": [round(s, 3) for s in samples],
        "allocs_per_eval": int(statistics.median(a for _, a, _ in full)),
        "bytes_per_eval": int(statistics.median(b for _, _, b in full)),
        "steps_per_eval": step_count,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "target_ms": TARGET_MS,
        "met": median <= TARGET_MS,
        "rule_free_median_ms": round(statistics.median(ms for ms, _, _ in rule_free), 3),
        "rule_free_allocs_per_eval": int(statistics.median(a for _, a, _ in rule_free)),
    }


def line(summary: dict[str, Any]) -> str:
    """One human-readable line of a `measure` summary."""
    return (
        f"policy evaluation ({summary['query']}, opa bench): median {summary['median_ms']:.3f} ms "
        f"of {len(summary['samples_ms'])} samples {summary['samples_ms']}, "
        f"{summary['allocs_per_eval']} allocs, {summary['bytes_per_eval'] / 1024:.0f} KiB, "
        f"{summary['steps_per_eval']} steps per evaluation; "
        f"load {summary['load_average'][0]:.2f}; target <= {summary['target_ms']} ms "
        + ("met" if summary["met"] else "NOT met")
        + f"; without any rule package (same run): median {summary['rule_free_median_ms']:.3f} ms, "
        f"{summary['rule_free_allocs_per_eval']} allocs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5, help="opa bench samples (about 1 s each)")
    args = parser.parse_args()
    from run import opa_input  # bench/ is on the path when this file runs as a script

    summary = measure(opa_input()["input"], count=args.count)
    print(line(summary))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
