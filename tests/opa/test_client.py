"""PolicyEngine against a real OPA: a decision is labelled with the revision that made it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.errors import PolicyEngineUnavailable, PolicyOutOfSync
from service.opa.client import PolicyAnswer, PolicyEngine

INPUT = {
    "workload": {"name": "w", "task": "lora", "model": {"params_b": 7}},
    "context": {"sector": "finance", "evaluation_time": "2026-11-28T00:00:00Z"},
    "candidates": [],
}


@pytest.fixture
async def engine_on_a_copy(opa_on_a_copy):  # type: ignore[no-untyped-def]
    process, policies = opa_on_a_copy
    engine = PolicyEngine(url=process.url, timeout=2, policies_dir=policies)
    yield engine, policies
    await engine.close()


async def test_an_edit_landing_during_evaluation_is_asked_again(engine_on_a_copy) -> None:  # type: ignore[no-untyped-def]
    engine, policies = engine_on_a_copy
    before = engine.disk_revision
    main = policies / "tiergate" / "main" / "main.rego"
    calls: list[str] = []
    original = engine._query

    async def query_while_an_author_saves(
        policy_input: dict[str, Any], revision: str, *, explain: bool = False
    ) -> PolicyAnswer:
        calls.append(revision)
        if len(calls) == 1:
            main.write_text(main.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        return await original(policy_input, revision, explain=explain)

    engine._query = query_while_an_author_saves
    answer = await engine.decide(INPUT)
    assert calls[0] == before
    assert len(calls) == 2
    assert answer.revision == engine.disk_revision != before


async def test_files_that_keep_changing_are_refused(engine_on_a_copy) -> None:  # type: ignore[no-untyped-def]
    engine, policies = engine_on_a_copy
    main = policies / "tiergate" / "main" / "main.rego"
    original = engine._query

    async def query_while_edits_keep_coming(
        policy_input: dict[str, Any], revision: str, *, explain: bool = False
    ) -> PolicyAnswer:
        main.write_text(main.read_text(encoding="utf-8") + "\n# again\n", encoding="utf-8")
        return await original(policy_input, revision, explain=explain)

    engine._query = query_while_edits_keep_coming
    with pytest.raises(PolicyOutOfSync, match="kept changing"):
        await engine.decide(INPUT)


async def test_a_policy_swapped_inside_opa_is_noticed_in_the_background(
    engine_on_a_copy, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import httpx

    import service.opa.client as client_module

    engine, _policies = engine_on_a_copy
    monkeypatch.setattr(client_module, "_LOADED_REVISION_TTL_SECONDS", 0.0)
    assert (await engine.decide(INPUT)).revision == engine.disk_revision
    # Someone changes what OPA serves without touching the files (a swapped sidecar bundle).
    async with httpx.AsyncClient() as http:
        url = engine.url + "/v1/policies/intruder"
        put = await http.put(url, content="package intruder\n\nx := 1\n")
        assert put.status_code == 200
    await engine.decide(INPUT)  # answered from the still-valid cache; starts a re-read
    assert engine._refresh is not None
    await engine._refresh
    with pytest.raises(PolicyOutOfSync):
        await engine.decide(INPUT)


async def test_the_engine_asks_opa_for_uncompressed_answers(tmp_path: Path) -> None:
    """OPA gzips answers for clients that accept it, which costs CPU on both sides of a local
    link; the engine must ask for identity encoding."""
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    seen: list[str | None] = []

    async def health(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Accept-Encoding"))
        return web.json_response({})

    app = web.Application()
    app.router.add_get("/health", health)
    async with TestServer(app, host="127.0.0.1") as server:
        engine = PolicyEngine(
            url=f"http://127.0.0.1:{server.port}", timeout=2, policies_dir=tmp_path
        )
        try:
            assert await engine.healthy()
        finally:
            await engine.close()
    assert seen == ["identity"]


def test_bundle_revisions_reported_with_the_decision_must_be_the_files_revision() -> None:
    from service.errors import PolicyEngineUnavailable
    from service.opa.client import _check_bundle_revisions

    _check_bundle_revisions({}, "abc")  # plain files: nothing to compare here
    _check_bundle_revisions({"b.tar.gz": {"manifest": {"revision": "abc"}}}, "abc")
    with pytest.raises(PolicyOutOfSync, match="no revision"):
        _check_bundle_revisions({"b.tar.gz": {"manifest": {}}}, "abc")
    with pytest.raises(PolicyOutOfSync, match=r"b\.tar\.gz at other"):
        _check_bundle_revisions({"b.tar.gz": {"manifest": {"revision": "other"}}}, "abc")
    with pytest.raises(PolicyEngineUnavailable, match="unknown shape"):
        _check_bundle_revisions(["b.tar.gz"], "abc")


async def test_explanations_come_only_when_asked_for(opa_url: str) -> None:
    from tests.support.builders import POLICIES_DIR

    engine = PolicyEngine(url=opa_url, timeout=5, policies_dir=POLICIES_DIR)
    try:
        plain = await engine.decide(INPUT)
        explained = await engine.decide(INPUT, explain=True)
    finally:
        await engine.close()
    assert plain.explanations is None
    assert explained.explanations is not None
    assert len(explained.explanations) == 32
    assert explained.result == plain.result  # the same decision either way
    assert explained.revision == plain.revision


async def test_an_input_that_is_not_json_is_refused_not_sent_as_null(opa_url: str) -> None:
    """A NaN in the input is written as NaN, which OPA refuses (fail closed), never as null."""
    from tests.support.builders import POLICIES_DIR

    engine = PolicyEngine(url=opa_url, timeout=5, policies_dir=POLICIES_DIR)
    nan_input = {**INPUT, "workload": {**INPUT["workload"], "seq_len": float("nan")}}
    try:
        with pytest.raises(PolicyEngineUnavailable, match="HTTP 400"):
            await engine.decide(nan_input)
    finally:
        await engine.close()


async def test_readiness_reads_what_opa_loaded_once_per_revision(engine_on_a_copy) -> None:  # type: ignore[no-untyped-def]
    """A probe every few seconds must not fetch OPA's whole policy listing (~1.15 MB) each
    time: it is read once per revision; an edit is read again; OPA gone is not ready."""
    engine, policies = engine_on_a_copy
    reads: list[str] = []
    original = engine.read_loaded_revision

    async def counted() -> str:
        revision = await original()
        reads.append(revision)
        return revision

    engine.read_loaded_revision = counted
    first = await engine.ready()
    for _ in range(5):
        assert await engine.ready() == first
    assert len(reads) == 1
    main = policies / "tiergate" / "main" / "main.rego"
    main.write_text(main.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    edited = await engine.ready()  # OPA reloads the edit within the sync grace
    assert edited != first
    assert edited == reads[-1]


async def test_readiness_fails_when_opa_is_gone(opa_on_a_copy) -> None:  # type: ignore[no-untyped-def]
    from service.errors import PolicyEngineUnavailable

    process, policies = opa_on_a_copy
    engine = PolicyEngine(url=process.url, timeout=2, policies_dir=policies)
    try:
        await engine.ready()
        process.stop()
        with pytest.raises(PolicyEngineUnavailable, match="unreachable or unhealthy"):
            await engine.ready()
    finally:
        await engine.close()


async def test_data_with_an_integer_beyond_two_to_the_53_stays_in_sync(engine_on_a_copy) -> None:  # type: ignore[no-untyped-def]
    """A data document stating an exact 10^26 (beyond RFC 8785's numbers) must not stop the
    service: what OPA loaded and the files on disk still digest alike, and it decides."""
    engine, policies = engine_on_a_copy
    before = await engine.ensure_in_sync()
    # An edit of a data document OPA already watches (a new folder takes OPA longer to see).
    tiers = policies / "tiergate" / "reference" / "tiers" / "data.json"
    document = json.loads(tiers.read_text(encoding="utf-8"))
    document["test_only_training_operations"] = 10**26 + 1
    tiers.write_text(json.dumps(document), encoding="utf-8")
    revision = await engine.ensure_in_sync()
    assert revision != before
    assert revision == engine.disk_revision
    answer = await engine.decide(INPUT)
    assert answer.revision == revision


async def test_reading_back_the_files_opa_serves_computes_no_digest(
    opa_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The background re-read runs on the event loop: when OPA serves exactly the files, their
    revision is the answer without canonicalising the data documents again (RFC 8785 in Python)."""
    import service.opa.client as client_module
    from tests.support.builders import POLICIES_DIR

    def no_digest(*_args: object) -> str:
        raise AssertionError("digest computed although OPA serves exactly the files")

    monkeypatch.setattr(client_module, "digest", no_digest)
    engine = PolicyEngine(url=opa_url, timeout=10, policies_dir=POLICIES_DIR)
    try:
        assert await engine.read_loaded_revision() == engine.disk_revision
    finally:
        await engine.close()
