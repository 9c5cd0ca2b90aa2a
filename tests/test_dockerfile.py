"""The image's entrypoint starts the service; checked outside Docker (no engine here)."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

from service.opa.process import find_opa_binary
from service.settings import PROJECT_ROOT
from tests import serving
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
    # The image's ENV, here: its own copy of the policies and the pinned OPA binary, which
    # tiergate runs itself (no OPA URL); API keys and rate limits left at the service's defaults,
    # as the image leaves them, not switched off as other tests do.
    env = serving.serve_env(
        tmp_path,
        "",
        policies_dir=str(shutil.copytree(PROJECT_ROOT / "policies", tmp_path / "p")),
        opa_binary=find_opa_binary(),
    )
    del env["TIERGATE_AUTH_ENABLED"], env["TIERGATE_RATE_LIMIT_PER_SECOND"]
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = serving.spawn(env, command=[str(executable), *command[1:]], output=output)
        serving.stop(process)
    # SIGTERM ends it cleanly (a kill after the stop timeout would be -9)
    assert process.returncode == 0, log.read_text(encoding="utf-8", errors="replace")
