"""How tiergate runs OPA: the pinned version, tests not served, decision ids issued."""

from __future__ import annotations

from pathlib import Path

import httpx

from service.opa.process import OpaProcess
from tests.support.builders import OPA_VERSION


def test_served_policy_excludes_the_rego_tests(opa_server: OpaProcess) -> None:
    ids = [p["id"] for p in httpx.get(f"{opa_server.url}/v1/policies").json()["result"]]
    assert any(i.endswith("main/main.rego") for i in ids)
    assert not [i for i in ids if i.endswith("_test.rego")]


def test_pinned_version_with_decision_ids(opa_server: OpaProcess) -> None:
    version = httpx.post(
        f"{opa_server.url}/v1/query", json={"query": "v := opa.runtime().version"}
    ).json()["result"][0]["v"]
    assert version == OPA_VERSION
    answer = httpx.post(
        f"{opa_server.url}/v1/data/tiergate/main/catalogue", json={"input": {}}
    ).json()
    assert answer["decision_id"]


def test_opa_does_not_call_out_for_its_latest_version(opa_server: OpaProcess) -> None:
    """`opa run` asks GitHub for its latest release at start and every few hours unless told
    not to; the managed OPA and the sidecar command both tell it."""
    from service.opa.bundle import sidecar_command

    with open(f"/proc/{opa_server.pid}/cmdline", "rb") as handle:
        running = handle.read().split(b"\0")
    assert b"--skip-version-check" in running
    assert "--skip-version-check" in sidecar_command(Path("b.tar.gz"), "key.pem", "ES256")


def test_opa_runs_with_a_relaxed_go_collector_unless_the_operator_chose(
    opa_server: OpaProcess, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    with open(f"/proc/{opa_server.pid}/environ", "rb") as handle:
        environment = dict(
            item.split(b"=", 1) for item in handle.read().split(b"\0") if b"=" in item
        )
    assert environment[b"GOGC"] == b"400"
    monkeypatch.setenv("GOGC", "150")
    assert opa_server.environment()["GOGC"] == "150"
