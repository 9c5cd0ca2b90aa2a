"""Start and stop a local `opa run --server` over the policies folder.

Used by the service's managed mode (see supervisor.py) and by the test suite, so both run OPA
the same way: loopback only, watching the policy files, decision logging on (OPA issues a
`decision_id` only when decision logging is enabled), no version check.

What OPA's server spends per decision beside evaluating it (Go pprof of the server at 100
decisions/s, December 2026): the console decision log 13 % of its CPU (the event is built,
masked by policies/system/log/mask.rego, converted and written: ~1.3 ms of 8.6 ms per
decision, measured against an OPA without it), reading the input 4 %, writing the answer 4 %,
the collector 3.5 %; evaluation is the rest. The decision log stays: every record carries
OPA's decision_id.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx

from service.opa.revision import TEST_FILE_PATTERN

# GOGC A/B, OPA CPU per decision at 100/s (medians of 8 interleaved rounds of 500, load 4-8)
# and peak RSS: 100 -> 9.09 ms, 60 MB; 400 -> 7.85 ms, 92 MB; 800 -> 8.11 ms, 137 MB;
# 1600 -> 7.99 ms, 222 MB; off with GOMEMLIMIT=400MiB -> 7.49 ms, 407 MB. Past 400 the gain is
# within the noise while the memory keeps growing.
OPA_GOGC = "400"
# The store keeps the reference data as Rego values instead of converting the parts a decision
# reads on every query (the 54-part catalogue above all): 22 % fewer allocations per decision
# (`opa bench`, 11.0k -> 8.5k). The data changes only when a policy author saves a file, so the
# slower writes cost nothing here. bench/policy_eval.py measures with the same flag.
READ_OPTIMISED_STORE = "--optimize-store-for-read-speed"
SKIP_VERSION_CHECK = "--skip-version-check"
DEFAULT_TOOLS_DIR = Path(
    os.environ.get("TIERGATE_TOOLS_DIR")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tiergate" / "bin"
)


class OpaBinaryNotFound(RuntimeError):
    """No usable `opa` binary: run scripts/install-tools.sh (make does it for you)."""


def find_opa_binary(configured: str = "") -> str:
    """The configured binary, else the project's tool cache, else `opa` on PATH."""
    for candidate in (configured, str(DEFAULT_TOOLS_DIR / "opa")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    on_path = shutil.which("opa")
    if on_path:
        return on_path
    raise OpaBinaryNotFound(
        f"no opa binary (looked at {configured or '-'}, {DEFAULT_TOOLS_DIR / 'opa'}, PATH); "
        "run scripts/install-tools.sh"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OpaProcess:
    """One `opa run --server` child process on a loopback port."""

    def __init__(
        self,
        *,
        binary: str,
        policies_dir: Path,
        log_path: Path | None = None,
        port: int | None = None,
        decision_logs: bool = True,
    ) -> None:
        self.binary = binary
        self.decision_logs = decision_logs
        self.policies_dir = policies_dir
        self.log_path = log_path
        self.port = port or free_port()
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        # Decision logging makes OPA issue a decision_id per query; the console sink
        # keeps OPA's own record of each decision in its log file beside ours. A throw-away
        # OPA (replay, impact) records nothing, so it logs nothing (~11 KB per decision).
        logging = ["--set", "decision_logs.console=true"] if self.decision_logs else []
        return [
            self.binary,
            "run",
            "--server",
            "--addr",
            f"127.0.0.1:{self.port}",
            # Else OPA asks GitHub for its latest release at start and every few hours: an
            # outbound call a compliance deployment does not want (and often cannot make).
            SKIP_VERSION_CHECK,
            "--watch",
            "--log-format",
            "json",
            "--log-level",
            "error",
            *logging,
            READ_OPTIMISED_STORE,
            "--ignore",
            TEST_FILE_PATTERN,
            str(self.policies_dir),
        ]

    def environment(self) -> dict[str, str]:
        """OPA allocates about 0.75 MB per decision (`opa bench`); with Go's default GOGC=100
        the collector ran often enough to cost 15-20 % of OPA's CPU per decision (5.0/4.4 ms
        vs 3.6/4.0 ms with 400, measured at 4 concurrent clients). Memory is the cheaper side
        here. A GOGC the operator set wins."""
        return {**os.environ, "GOGC": os.environ.get("GOGC", OPA_GOGC)}

    def start(self) -> None:
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self._proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                self.command(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=self.environment(),
            )
        finally:
            if self.log_path:
                out.close()  # type: ignore[union-attr]

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def wait_healthy(self, timeout: float) -> None:
        """Block until OPA reports healthy with its bundles/plugins loaded, or raise."""
        deadline = time.monotonic() + timeout
        last_error = "not started"
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise RuntimeError(f"opa exited with code {self._proc.returncode}; see its log")
            try:
                response = httpx.get(f"{self.url}/health", timeout=0.5)
                if response.status_code == 200:
                    return
                last_error = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                last_error = str(exc)
            time.sleep(0.05)
        raise TimeoutError(f"opa not healthy after {timeout:.0f}s: {last_error}")

    def stop(self, timeout: float = 5.0) -> None:
        if self._proc is None:
            return
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=timeout)
        self._proc = None
