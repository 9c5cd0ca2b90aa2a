"""End-to-end benchmark: `POST /v1/decisions` against OPA's own data API, in the same run.

    make bench                      # BENCH_SECONDS=10 per step (default)
    BENCH_SECONDS=3 .venv/bin/python bench/run.py
    BENCH_PROFILE=1 .venv/bin/python bench/run.py   # + pyinstrument profile of the server
    BENCH_PROFILE=py-spy .venv/bin/python bench/run.py   # + py-spy samples of the open loop

One OPA (the pinned release, over policies/) serves both: the service (`tiergate serve`, one
uvicorn worker, API keys on, durable SQLite with synchronous=FULL, hash chain and signature) and
the baseline, which sends OPA the very policy input the service builds for the same request
(`POST /v1/data/tiergate/main/decision_with_provenance`, the entry point the service queries).
Both are driven by the same asyncio + aiohttp client with keep-alive connections, closed loop at
each concurrency in BENCH_CONCURRENCY, then the service alone open loop at BENCH_RATE
requests/s (latency measured from each request's scheduled send time, so a stall is not hidden
by the client waiting), after a pause and BENCH_WARMUP_SECONDS (default 3) at that rate that
are not recorded. It also prints the CPU each
request cost the service, OPA and the load generator (from /proc) at that rate, and, as the
floor under the service's figure, its CPU per `GET /healthz` at the same rate (no key, no
body, no database: the server, middleware and routing alone).

Before any of that, bench/policy_eval.py measures the policy evaluation alone (`opa bench` of
the decision entry point on the same input, BENCH_EVAL_COUNT samples, default 5). Each step
prints the 1-minute load average at its end: the machine is shared, so a figure is only
comparable with others of the same run. The run ends with the figures against the targets
(TARGETS, issue 11 item 7).

The last line is one JSON object: throughput_rps and baseline_opa_rps are the best closed-loop
throughputs, ratio = throughput_rps / baseline_opa_rps, p50_ms and p99_ms are at BENCH_RATE,
policy_eval_ms the opa bench median, service_cpu_ms and opa_cpu_ms per request at BENCH_RATE,
floor_cpu_ms the service's per GET /healthz at BENCH_RATE,
targets_met per target. The per-key rate limit is switched off for the run (it is not what is
measured).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import policy_eval  # noqa: E402 - bench/ is on the path when this file runs as a script

from service.decisions.models import DecisionRequest  # noqa: E402
from service.decisions.policy_query import policy_input  # noqa: E402
from service.opa.client import DECISION_RULE  # noqa: E402
from service.opa.process import OpaProcess, find_opa_binary  # noqa: E402
from service.sizing.catalog import load_catalog  # noqa: E402
from service.sizing.service import size  # noqa: E402
from tests import serving  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CONCURRENCY = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "1,4,16").split(",")]
RATE = float(os.environ.get("BENCH_RATE", "100"))
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
# py-spy samples the service from outside (no profiler in its process) while the open loop runs:
# the busy share of each function of the project, where the per-request CPU goes.
SPY = os.environ.get("BENCH_PROFILE") == "py-spy"
SETTLE_SECONDS = 2.0
WARMUP_SECONDS = float(os.environ.get("BENCH_WARMUP_SECONDS", "3"))
# Uvicorn worker processes of the service (each appends to the same chain in one SQLite file).
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))
EVAL_COUNT = int(os.environ.get("BENCH_EVAL_COUNT", "5"))
POLICIES = ROOT / "policies"
# Issue 11 item 7, on this machine: (what, limit, at most or at least).
TARGETS: dict[str, tuple[str, float, str]] = {
    "policy_eval_ms": ("policy evaluation (opa bench median), ms", 0.7, "max"),
    "service_cpu_ms": (f"service CPU per decision at {RATE:g}/s, ms", 4.0, "max"),
    "ratio": ("closed-loop throughput / raw OPA", 0.35, "min"),
    "p99_ms": (f"p99 at {RATE:g}/s, ms", 30.0, "max"),
}
TIERGATE = serving.TIERGATE

REQUEST: dict[str, Any] = {
    "workload": {
        "name": "legal-qa",
        "model": {"name": "qwen2.5-7b", "params_b": 7.6},
        "task": "lora",
        "precision": "bf16",
        "seq_len": 4096,
    },
    "context": {
        "organization": "example-bank",
        "sector": "finance",
        "data_class": "important",
        "core_business": True,
        "requested_tier": "vpc",
        "evaluation_time": "2026-11-28T00:00:00Z",
    },
}


@dataclass
class Result:
    name: str
    concurrency: str
    requests: int
    errors: Counter[str]
    seconds: float
    latencies_ms: list[float]
    load: float = field(default_factory=lambda: os.getloadavg()[0])  # at the step's end

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


_JSON = {"content-type": "application/json"}
_CLIENT_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError)


def _session(headers: dict[str, str], connections: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        headers=headers,
        connector=aiohttp.TCPConnector(limit=connections),
        timeout=aiohttp.ClientTimeout(total=30),
    )


async def _post(http: aiohttp.ClientSession, url: str, payload: bytes) -> int:
    async with http.post(url, data=payload, headers=_JSON) as response:
        await response.read()
        return response.status


async def _send(http: aiohttp.ClientSession, url: str, payload: bytes | None) -> int:
    if payload is not None:
        return await _post(http, url, payload)
    async with http.get(url) as response:
        await response.read()
        return response.status


async def closed_loop(
    name: str,
    url: str,
    body: dict[str, Any],
    headers: dict[str, str],
    concurrency: int,
    expect: int,
) -> Result:
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    payload = json.dumps(body).encode()
    async with _session(headers, concurrency) as http:
        await _post(http, url, payload)  # warm the connection and caches
        stop = time.perf_counter() + SECONDS

        async def worker() -> None:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                try:
                    status = await _post(http, url, payload)
                except _CLIENT_ERRORS as exc:
                    errors[type(exc).__name__] += 1
                    continue
                if status != expect:
                    errors[str(status)] += 1
                    continue
                latencies.append((time.perf_counter() - started) * 1000)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return Result(name, str(concurrency), len(latencies), errors, elapsed, latencies)


async def open_loop(
    url: str,
    body: dict[str, Any] | None,
    headers: dict[str, str],
    seconds: float,
    *,
    expect: int = 201,
    name: str = "tiergate open loop",
) -> Result:
    """RATE requests/s for `seconds`: POST `body`, or GET when there is none."""
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    payload = json.dumps(body).encode() if body is not None else None
    async with _session(headers, 100) as http:
        await _send(http, url, payload)
        total = int(RATE * seconds)
        began = time.perf_counter()

        async def one(scheduled: float) -> None:
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            try:
                status = await _send(http, url, payload)
            except _CLIENT_ERRORS as exc:
                errors[type(exc).__name__] += 1
                return
            if status != expect:
                errors[str(status)] += 1
                return
            latencies.append((time.perf_counter() - scheduled) * 1000)

        await asyncio.gather(*(one(began + i / RATE) for i in range(total)))
        elapsed = time.perf_counter() - began
    return Result(name, f"{RATE:g}/s", len(latencies), errors, elapsed, latencies)


def start_service(data_dir: Path, opa_url: str) -> tuple[subprocess.Popen[bytes], str, str]:
    env = serving.serve_env(data_dir, opa_url, auth_enabled="true")
    env.pop("TIERGATE_DATABASE_URL", None)
    created = subprocess.run(
        # backdate: REQUEST pins its evaluation_time so every run decides the same law
        [
            TIERGATE,
            "keys",
            "create",
            "--role",
            "submitter",
            "--role",
            "backdate",
            "--name",
            "bench",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    key = created.stdout.strip().splitlines()[-1]
    args: tuple[str, ...] = ("--workers", str(WORKERS))
    command: tuple[str, ...] = (TIERGATE, "serve")
    if PROFILE:
        profile_out = str(data_dir.parent / "profile.txt")
        pyinstrument = str(Path(sys.executable).parent / "pyinstrument")
        command, args = (pyinstrument, "-o", profile_out, "-r", "text", TIERGATE, "serve"), ()
    log = open(data_dir.parent / "service.log", "wb")  # noqa: SIM115 - closed with the process
    try:
        proc = serving.spawn(env, *args, command=command, output=log)
    except AssertionError:
        raise SystemExit("service did not become ready; see service.log") from None
    return proc, serving.base_url(env), key


def opa_input() -> dict[str, Any]:
    request = DecisionRequest.model_validate(REQUEST)
    sizing = size(request.workload, catalog=load_catalog(POLICIES))
    evaluation_time = request.context.evaluation_time or datetime.now(UTC)
    return {"input": policy_input(request.model_dump(mode="json"), sizing, evaluation_time)}


def process_tree_cpu_seconds(root: int) -> float:
    """User + system CPU of `root` and its live descendants (uvicorn workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    tree, total, grew = {root}, 0.0, True
    while grew:
        grew = False
        for pid, (parent, _cpu) in stats.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    for pid in tree:
        total += stats.get(pid, (0, 0.0))[1]
    return total


def start_spy(pid: int, out: Path) -> subprocess.Popen[bytes]:
    py_spy = str(Path(sys.executable).parent / "py-spy")
    command = [py_spy, "record", "--pid", str(pid), "--format", "raw", "--nonblocking"]
    command += ["--rate", "200", "--duration", str(max(1, int(SECONDS))), "-o", str(out)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def spy_summary(raw: Path, top: int = 40) -> str:
    """The project's functions by share of the busy samples (stacks that include them)."""
    busy, seen_in = 0, Counter[str]()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if any(idle in frames[-1] for idle in ("wait (", "get (", "select (", "_run_once (")):
            continue  # a thread waiting for work, not using the CPU
        busy += int(count)
        for name in {f for f in frames if " (service/" in f}:  # py-spy: paths from sys.path
            seen_in[name.split(":")[0] + ")"] += int(count)
    lines = [f"py-spy: {busy} busy samples; share of them in each service function"]
    lines += [f"{100 * n / max(1, busy):5.1f}%  {name}" for name, n in seen_in.most_common(top)]
    return "\n".join(lines)


def table(results: list[Result]) -> str:
    lines = [
        f"{'target':<22} {'load':>8} {'ok':>6} {'req/s':>8} {'p50 ms':>9} {'p99 ms':>9} "
        f"{'loadavg':>7}  errors",
        "-" * 88,
    ]
    for r in results:
        lines.append(
            f"{r.name:<22} {r.concurrency:>8} {r.requests:>6} {r.rps:>8.1f} "
            f"{r.pct(0.50):>9.2f} {r.pct(0.99):>9.2f} {r.load:>7.2f}  "
            + (" ".join(f"{k}×{v}" for k, v in sorted(r.errors.items())) or "-")
        )
    return "\n".join(lines)


def against_targets(figures: dict[str, float]) -> tuple[str, dict[str, bool]]:
    lines, met = ["targets (issue 11 item 7):"], {}
    for key, (what, limit, kind) in TARGETS.items():
        value = figures[key]
        met[key] = value <= limit if kind == "max" else value >= limit
        bound = "<=" if kind == "max" else ">="
        verdict = "met" if met[key] else "NOT met"
        lines.append(f"  {what:<44} {value:>9.3f}  (target {bound} {limit:g})  {verdict}")
    return "\n".join(lines), met


async def main() -> None:
    # First and alone, so the HTTP steps do not compete with it for the CPU.
    evaluation = policy_eval.measure(opa_input()["input"], count=EVAL_COUNT, policies=POLICIES)
    with tempfile.TemporaryDirectory(prefix="tiergate-bench-") as tmp:
        work = Path(tmp)
        opa = OpaProcess(binary=find_opa_binary(), policies_dir=POLICIES, log_path=work / "opa.log")
        opa.start()
        opa.wait_healthy(30)
        data_dir = work / "data"
        proc, base, key = start_service(data_dir, opa.url)
        results: list[Result] = []
        try:
            auth = {"Authorization": f"Bearer {key}"}
            baseline_body = opa_input()
            opa_decision = f"{opa.url}/v1/data/tiergate/main/{DECISION_RULE}"
            async with httpx.AsyncClient(timeout=10) as http:
                check = (await http.post(opa_decision, json=baseline_body)).json()
            assert "result" in check, "OPA baseline query returned no decision"
            for concurrency in CONCURRENCY:
                results.append(
                    await closed_loop(
                        "opa data API", opa_decision, baseline_body, {}, concurrency, 200
                    )
                )
                results.append(
                    await closed_loop(
                        "tiergate POST", f"{base}/v1/decisions", REQUEST, auth, concurrency, 201
                    )
                )
            # Steady state at the target rate, not the recovery from the saturating step before:
            # let the backlog drain, then run the rate unrecorded for a while first.
            await asyncio.sleep(SETTLE_SECONDS)
            await open_loop(f"{base}/v1/decisions", REQUEST, auth, WARMUP_SECONDS)
            cpu_before = (
                process_tree_cpu_seconds(proc.pid),
                process_tree_cpu_seconds(opa.pid or 0),
                time.process_time(),
            )
            spy = start_spy(proc.pid, work / "spy.txt") if SPY else None
            fixed = await open_loop(f"{base}/v1/decisions", REQUEST, auth, SECONDS)
            if spy is not None:
                spy.wait(60)
            cpu_after = (
                process_tree_cpu_seconds(proc.pid),
                process_tree_cpu_seconds(opa.pid or 0),
                time.process_time(),
            )
            results.append(fixed)
            # The floor under that figure, same rate, same process: a request that does
            # nothing (no key, no body, no database) through the same server and middleware.
            floor_before = process_tree_cpu_seconds(proc.pid)
            floor = await open_loop(
                f"{base}/healthz", None, {}, SECONDS, expect=200, name="GET /healthz"
            )
            floor_cpu_ms = (
                1000 * (process_tree_cpu_seconds(proc.pid) - floor_before) / max(1, floor.requests)
            )
            results.append(floor)
        finally:
            proc.terminate()
            proc.wait(60)
            opa.stop()
        print(f"BENCH_SECONDS={SECONDS:g}  workers={WORKERS}  SQLite synchronous=FULL, auth on")
        print(table(results))
        per_request = [
            1000 * (after - before) / max(1, fixed.requests)
            for before, after in zip(cpu_before, cpu_after, strict=True)
        ]
        print(
            f"CPU per request at {RATE:g}/s (ms, user+sys): service {per_request[0]:.2f}, "
            f"OPA {per_request[1]:.2f}, load generator {per_request[2]:.2f}; "
            f"{sum(per_request) * RATE / 1000:.2f} of {os.cpu_count()} cores busy"
        )
        print(
            f"service CPU per GET /healthz at {RATE:g}/s (the HTTP stack's floor): "
            f"{floor_cpu_ms:.2f} ms; a decision costs {per_request[0] - floor_cpu_ms:.2f} ms "
            "above it"
        )
        print(policy_eval.line(evaluation))
        if PROFILE:
            print((work / "profile.txt").read_text(), file=sys.stderr)
        if SPY:
            print(spy_summary(work / "spy.txt"), file=sys.stderr)
        service_rps = max(r.rps for r in results if r.name == "tiergate POST")
        baseline_rps = max(r.rps for r in results if r.name == "opa data API")
        summary: dict[str, Any] = {
            "throughput_rps": round(service_rps, 1),
            "p50_ms": round(fixed.pct(0.50), 2),
            "p99_ms": round(fixed.pct(0.99), 2),
            "baseline_opa_rps": round(baseline_rps, 1),
            "ratio": round(service_rps / baseline_rps, 3),
            "policy_eval_ms": evaluation["median_ms"],
            "policy_eval_allocs": evaluation["allocs_per_eval"],
            "service_cpu_ms": round(per_request[0], 2),
            "opa_cpu_ms": round(per_request[1], 2),
            "floor_cpu_ms": round(floor_cpu_ms, 2),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }
        report, summary["targets_met"] = against_targets(summary)
        print(report)
        print(json.dumps(summary))


if __name__ == "__main__":
    asyncio.run(main())
