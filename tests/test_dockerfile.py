"""The image's entrypoint starts the service; checked outside Docker (no engine here)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from service.opa.process import find_opa_binary, free_port
from service.settings import PROJECT_ROOT
from tests.support.builders import OPA_VERSION

DOCKERFILE = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")


def _instruction(name: str) -> list[str]:
    match = re.search(rf"^{name}\s+(\[.*\])\s*$", DOCKERFILE, re.MULTILINE)
    assert match, f"no exec-form {name} in Dockerfile"
    return list(json.loads(match.group(1)))


def test_opa_comes_from_the_official_image_at_the_pinned_version() -> None:
    assert f"ARG OPA_VERSION={OPA_VERSION}" in DOCKERFILE
    assert "FROM openpolicyagent/opa:${OPA_VERSION}-static AS opa" in DOCKERFILE
    assert "COPY --from=opa /opa /usr/local/bin/opa" in DOCKERFILE


def test_runs_as_non_root_with_a_healthcheck() -> None:
    assert re.search(r"^USER tiergate$", DOCKERFILE, re.MULTILINE)
    assert "HEALTHCHECK" in DOCKERFILE


def test_entrypoint_command_starts_the_service(tmp_path: Path) -> None:
    command = _instruction("ENTRYPOINT") + _instruction("CMD")
    assert command == ["tiergate", "serve"]
    executable = Path(sys.executable).parent / command[0]
    port = free_port()
    env = {
        **os.environ,
        "TIERGATE_HOST": "127.0.0.1",
        "TIERGATE_PORT": str(port),
        "TIERGATE_DATA_DIR": str(tmp_path),
        "TIERGATE_POLICIES_DIR": str(shutil.copytree(PROJECT_ROOT / "policies", tmp_path / "p")),
        "TIERGATE_OPA_BINARY": find_opa_binary(),
    }
    env.pop("TIERGATE_OPA_URL", None)
    proc = subprocess.Popen(
        [str(executable), *command[1:]],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code
                if status == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        assert status == 200, f"{shlex.join(command)} did not become ready"
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0].decode(errors="replace")
    assert proc.returncode == 0, output
