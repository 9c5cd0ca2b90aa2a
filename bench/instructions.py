"""Instructions per decision: `POST /v1/decisions` in process, counted by callgrind.

    .venv/bin/python bench/instructions.py                     # the working tree
    .venv/bin/python bench/instructions.py --baseline a149e14  # and a commit, in the same run

On this shared 2-core machine a timed figure moves by more than a change of a few per cent (the
same policy's `opa bench` median went from 1.7 to 3.5 ms within half an hour); an instruction
count does not move with the load (two runs of one commit: 14.329 and 14.311 M). The service
runs in this process under valgrind's callgrind (its managed OPA is a child, not traced), the
bench request of bench/run.py is sent through httpx's ASGI transport, and only the measured
requests are counted: a three-line C shim switches the instrumentation on and off with
callgrind's client requests (built with gcc against valgrind's headers, both on every machine
here). The figure includes the in-process client's share, the same in both columns.

Not a time: cache misses are not in it (the service's CPU is memory-bound, so a change that
saves 8 % of the instructions saved ~1.5 % of the CPU seconds in December 2026). Use it to tell
whether a change removed work, and `make bench` for what the work costs.

The last line is one JSON object: decisions, instructions_per_decision, and with --baseline the
baseline's figure and ratio (working tree / baseline).
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHIM = """#include <valgrind/callgrind.h>
void counting_on(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
void counting_off(void) { CALLGRIND_DUMP_STATS; CALLGRIND_STOP_INSTRUMENTATION; }
"""
HEADER = Path("/usr/include/valgrind/callgrind.h")


def build_shim(folder: Path) -> Path:
    """The client-request shim as a shared library in `folder`."""
    if not HEADER.is_file():
        raise SystemExit(f"no {HEADER}: install valgrind (Debian's `valgrind` package)")
    source, library = folder / "counting.c", folder / "libcounting.so"
    source.write_text(SHIM, encoding="utf-8")
    subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-o", library, source], check=True)
    return library


def measure(tree: Path, *, decisions: int, warmup: int, shim: Path, work: Path) -> float:
    """Instructions per decision of the service in `tree` (its code on PYTHONPATH first),
    sending the request in work/request.json."""
    out = work / f"callgrind.{tree.name}"
    request = work / "request.json"
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out}.%p",
        sys.executable,
        str(Path(__file__).resolve()),
        "--drive",
        f"--decisions={decisions}",
        f"--warmup={warmup}",
        f"--shim={shim}",
        f"--request={request}",
    ]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"the measured run failed:\n{result.stderr[-3000:]}")
    dumps = sorted(work.glob(f"callgrind.{tree.name}.*.1"))  # .1: the dump at counting_off
    if len(dumps) != 1:
        raise SystemExit(f"expected one callgrind dump, found {[d.name for d in dumps]}")
    totals = [line for line in dumps[0].read_text().splitlines() if line.startswith("totals:")]
    return int(totals[0].split()[1]) / decisions


def bench_request() -> dict[str, Any]:
    """The request make bench sends (bench/run.py), read here and handed to the measured run as
    a file: importing bench/run.py there would put this tree's code first on its path."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run import REQUEST

    return REQUEST


def drive(decisions: int, warmup: int, shim: Path, request_file: Path) -> None:
    """Inside valgrind: the app over a fresh SQLite log and a managed OPA; count `decisions`
    requests after `warmup` uncounted ones."""
    import httpx

    from service.main import create_app
    from service.settings import Settings

    request = json.loads(request_file.read_text(encoding="utf-8"))
    counting = ctypes.CDLL(str(shim))
    settings = Settings(
        data_dir=Path(tempfile.mkdtemp(prefix="tiergate-instructions-")),
        auth_enabled=False,
        rate_limit_per_second=0,
        # Python runs ~50x slower under valgrind; OPA, not traced, does not
        opa_timeout_seconds=30,
        opa_start_timeout_seconds=120,
    )
    app = create_app(settings)

    async def run() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                for index in range(warmup + decisions):
                    if index == warmup:
                        counting.counting_on()
                    response = await client.post("/v1/decisions", json=request)
                    if response.status_code != 201:
                        raise SystemExit(
                            f"decision {index}: {response.status_code} {response.text}"
                        )
                counting.counting_off()

    asyncio.run(run())


def summary(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tiergate-instructions-") as folder:
        work = Path(folder)
        shim = build_shim(work)
        (work / "request.json").write_text(json.dumps(bench_request()), encoding="utf-8")
        result: dict[str, Any] = {"decisions": args.decisions}
        result["instructions_per_decision"] = round(
            measure(ROOT, decisions=args.decisions, warmup=args.warmup, shim=shim, work=work)
        )
        if args.baseline:
            tree = work / "baseline"
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.baseline],
                check=True,
                capture_output=True,
            )
            try:
                baseline = measure(
                    tree, decisions=args.decisions, warmup=args.warmup, shim=shim, work=work
                )
            finally:
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                    check=False,
                    capture_output=True,
                )
            result["baseline"] = {
                "rev": args.baseline,
                "instructions_per_decision": round(baseline),
            }
            result["ratio"] = round(result["instructions_per_decision"] / baseline, 4)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decisions", type=int, default=30, help="counted requests")
    parser.add_argument("--warmup", type=int, default=10, help="uncounted requests first")
    parser.add_argument("--baseline", help="a git revision to measure in the same run")
    parser.add_argument("--drive", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--shim", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--request", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        drive(args.decisions, args.warmup, args.shim, args.request)
        return
    result = summary(args)
    line = f"instructions per decision: {result['instructions_per_decision'] / 1e6:.3f} M"
    if "ratio" in result:
        base = result["baseline"]
        line += f" (baseline {base['rev']}: {base['instructions_per_decision'] / 1e6:.3f} M, "
        line += f"ratio {result['ratio']:.3f})"
    print(line)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
