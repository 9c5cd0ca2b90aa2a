"""How tiergate runs OPA: the pinned version, tests not served, decision ids issued."""

from __future__ import annotations

import httpx

from service.opa.process import OPA_VERSION, OpaProcess


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
