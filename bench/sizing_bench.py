"""Latency of `POST /v1/sizing` without a plan (plan search over the whole catalogue), and the
CPU one `size()` call costs on the decision path.

Usage: python bench/sizing_bench.py [--iterations N]

Runs in-process through FastAPI's TestClient on a small app with the sizing router, next to a
trivial endpoint on the same app as the same-run baseline (HTTP + JSON plumbing without sizing).
Then `time.process_time()` around each of 10·N direct `size()` calls on the workload of the
decision benchmark (bench/run.py REQUEST), which every `POST /v1/decisions` sizes before the
policy query: the median is the sizing step's CPU per decision. Prints the 1-minute load
average (the machine is shared: compare figures of the same run only), a table and, last, one
JSON line with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table

from service.settings import PROJECT_ROOT, Settings
from service.sizing.catalog import Catalog, load_catalog
from service.sizing.routes import router
from service.sizing.service import size
from service.workloads.models import Workload

SCENARIOS: dict[str, dict[str, Any]] = {
    "7b-lora": {"model": {"name": "qwen2.5-7b"}, "task": "lora", "train_tokens": 2e9},
    "7b-qlora-derived": {"model": {"params_b": 7}, "task": "qlora", "train_tokens": 1e8},
    "70b-full-finetune": {
        "model": {"name": "llama-3-70b"},
        "task": "full_finetune",
        "train_tokens": 1e9,
        "deadline_hours": 72,
    },
    "8b-inference-32x8k": {
        "model": {"name": "llama-3-8b"},
        "task": "inference",
        "serving": {"concurrent_sequences": 32, "context_len": 8192},
    },
    "671b-moe-inference": {"model": {"name": "deepseek-v3"}, "task": "inference"},
    "175b-pretrain": {"model": {"params_b": 175}, "task": "pretrain", "train_tokens": 3e11},
}
# The workload of bench/run.py REQUEST (the decision benchmark): a 7.6B LoRA, bf16, seq 4096.
DECISION_WORKLOAD: dict[str, Any] = {
    "name": "legal-qa",
    "model": {"name": "qwen2.5-7b", "params_b": 7.6},
    "task": "lora",
    "precision": "bf16",
    "seq_len": 4096,
}


def build_app() -> FastAPI:
    app = FastAPI()
    app.state.settings = Settings(policies_dir=PROJECT_ROOT / "policies")  # read by CatalogDep
    app.include_router(router)

    @app.post("/baseline")
    def baseline(body: dict[str, Any]) -> dict[str, Any]:
        """Trivial endpoint: same transport and JSON parsing, no sizing."""
        return {"ok": True, "keys": len(body)}

    return app


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def measure(client: TestClient, path: str, body: dict[str, Any], n: int) -> list[float]:
    for _ in range(max(3, n // 20)):  # warm-up (imports, caches)
        assert client.post(path, json=body).status_code == 200
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.post(path, json=body)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.text
    return samples


def size_cpu_ms(catalog: Catalog, calls: int) -> list[float]:
    """CPU milliseconds of each direct `size()` call on the decision benchmark's workload."""
    workload = Workload.model_validate(DECISION_WORKLOAD)
    for _ in range(max(3, calls // 20)):
        size(workload, catalog=catalog)
    samples = []
    for _ in range(calls):
        start = time.process_time()
        size(workload, catalog=catalog)
        samples.append((time.process_time() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=200)
    args = parser.parse_args()
    n = args.iterations
    catalog = load_catalog(PROJECT_ROOT / "policies")
    results: dict[str, dict[str, float]] = {}
    all_sizing: list[float] = []
    with TestClient(build_app()) as client:
        base = measure(client, "/baseline", {"workload": SCENARIOS["7b-lora"]}, n)
        results["baseline"] = {"p50_ms": percentile(base, 50), "p99_ms": percentile(base, 99)}
        for name, workload in SCENARIOS.items():
            samples = measure(client, "/v1/sizing", {"workload": workload}, n)
            all_sizing.extend(samples)
            options = len(client.post("/v1/sizing", json={"workload": workload}).json()["options"])
            results[name] = {
                "p50_ms": percentile(samples, 50),
                "p99_ms": percentile(samples, 99),
                "mean_ms": statistics.fmean(samples),
                "options": options,
            }
    overall = {"p50_ms": percentile(all_sizing, 50), "p99_ms": percentile(all_sizing, 99)}
    cpu = size_cpu_ms(catalog, 10 * n)
    size_cpu = {"p50_ms": percentile(cpu, 50), "p99_ms": percentile(cpu, 99), "calls": len(cpu)}
    load_1min = os.getloadavg()[0]

    table = Table(title=f"POST /v1/sizing, no plan, {len(catalog)} accelerators, n={n} each")
    for col in ("scenario", "p50 ms", "p99 ms", "p50 − baseline", "options"):
        table.add_column(col, justify="left" if col == "scenario" else "right")
    b50 = results["baseline"]["p50_ms"]
    for name, r in results.items():
        table.add_row(
            name,
            f"{r['p50_ms']:.2f}",
            f"{r['p99_ms']:.2f}",
            "—" if name == "baseline" else f"{r['p50_ms'] - b50:.2f}",
            str(int(r.get("options", 0))) if name != "baseline" else "—",
        )
    table.add_row(
        "[bold]all sizing[/bold]", f"{overall['p50_ms']:.2f}", f"{overall['p99_ms']:.2f}", "", ""
    )
    Console().print(table)
    Console().print(
        f"size() CPU on the decision benchmark's workload: p50 {size_cpu['p50_ms']:.3f} ms, "
        f"p99 {size_cpu['p99_ms']:.3f} ms over {len(cpu)} calls; load average {load_1min:.2f}"
    )
    summary = {
        "benchmark": "sizing",
        "iterations_per_scenario": n,
        "accelerators": len(catalog),
        "python": platform.python_version(),
        "overall": overall,
        "size_cpu_decision_workload": size_cpu,
        "load_average_1min": load_1min,
        "target_p50_ms": 20,
        "meets_target": overall["p50_ms"] < 20,
        "scenarios": results,
    }
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
