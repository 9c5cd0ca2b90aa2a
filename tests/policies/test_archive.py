"""The revision archive: every revision served is stored once, and its files, manifest and
bundle give back exactly that revision."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.main import create_app
from service.opa.revision import DiskRevision, policy_of_files
from service.policies import bundles
from tests.conftest import POLICIES_DIR, decision_request
from tests.support.postgres import assert_append_only


def test_the_served_revision_is_archived_at_start(client: TestClient) -> None:
    served = client.get("/v1/policies").json()
    listed = client.get("/v1/policies/revisions").json()["items"]
    assert [r["revision"] for r in listed] == [served["revision"]]
    assert listed[0]["rule_count"] == len(served["rules"])  # every rule in the catalogue


def test_the_manifest_lists_every_served_file_with_its_sha256(client: TestClient) -> None:
    disk = DiskRevision(POLICIES_DIR).current()
    manifest = client.get(f"/v1/policies/revisions/{disk.revision}").json()
    assert manifest["revision"] == disk.revision
    files = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert set(files) == set(disk.files)
    assert not any(path.endswith("_test.rego") for path in files)
    for path, sha in files.items():
        assert sha == hashlib.sha256((POLICIES_DIR / path).read_bytes()).hexdigest(), path


def test_the_bundle_re_digests_to_its_revision(client: TestClient) -> None:
    revision = client.get("/v1/policies").json()["revision"]
    response = client.get(f"/v1/policies/revisions/{revision}/bundle")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/gzip"
    with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:gz") as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile(".manifest").read())  # type: ignore[union-attr]
    assert manifest == {"revision": revision}
    assert "tiergate/main/main.rego" in names
    # recomputed from the bundle's bytes alone, by the function that digests disk and OPA
    assert policy_of_files(bundles.unpack(response.content)).revision == revision


def test_unknown_and_malformed_revisions(client: TestClient) -> None:
    unknown = "0" * 64
    for path in (f"/v1/policies/revisions/{unknown}", f"/v1/policies/revisions/{unknown}/bundle"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["field"] == "revision"
        assert unknown in response.json()["detail"]
    assert client.get("/v1/policies/revisions/not-a-digest").status_code == 422


def test_each_reload_is_archived_once(make_settings, opa_on_a_copy) -> None:  # type: ignore[no-untyped-def]
    process, policies = opa_on_a_copy
    settings = make_settings(opa_url=process.url, policies_dir=policies)
    main = policies / "tiergate" / "main" / "main.rego"
    with TestClient(create_app(settings)) as client:
        first = client.get("/v1/policies/revisions").json()["items"]
        assert len(first) == 1
        assert client.post("/v1/decisions", json=decision_request()).status_code == 201
        # an edit that changes the revision, not a verdict
        main.write_text(main.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
        record = client.post("/v1/decisions", json=decision_request()).json()
        items = client.get("/v1/policies/revisions").json()["items"]
        revisions = [i["revision"] for i in items]
        assert revisions == [first[0]["revision"], record["policy"]["revision"]]
        assert client.post("/v1/decisions", json=decision_request()).status_code == 201
        assert len(client.get("/v1/policies/revisions").json()["items"]) == 2  # stored once
        manifest = client.get(f"/v1/policies/revisions/{items[1]['revision']}").json()
        sha = {f["path"]: f["sha256"] for f in manifest["files"]}
        assert sha["tiergate/main/main.rego"] == hashlib.sha256(main.read_bytes()).hexdigest()


def test_unpack_refuses_what_is_not_a_policy_bundle() -> None:
    from service.errors import InvalidBundle

    with pytest.raises(InvalidBundle, match="not a gzip file"):
        bundles.unpack(b"plain text", name="x.tar.gz")
    with pytest.raises(InvalidBundle, match=r"no \.rego policy module"):
        bundles.unpack(bundles.pack({"a/data.json": "{}"}, "r"), name="x.tar.gz")
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        info = tarfile.TarInfo("../evil.rego")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(InvalidBundle, match="outside the bundle"):
        bundles.unpack(raw.getvalue(), name="x.tar.gz")


@pytest.mark.postgres
def test_postgres_archive_refuses_update_and_delete(make_settings, postgres_url: str) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(database_url=postgres_url))) as client:
        assert len(client.get("/v1/policies/revisions").json()["items"]) == 1
    assert_append_only(postgres_url, "policy_revisions", update="files = '{}'", rows=1)


def test_bundle_of_the_archive_is_what_opa_serves(tmp_path: Path, client: TestClient) -> None:
    """OPA itself loads the archived bundle and reports the same revision in its manifest."""
    import httpx

    from service.opa.process import OpaProcess, find_opa_binary, free_port

    revision = client.get("/v1/policies").json()["revision"]
    path = tmp_path / "bundle.tar.gz"
    path.write_bytes(client.get(f"/v1/policies/revisions/{revision}/bundle").content)
    port = free_port()
    opa = OpaProcess(binary=find_opa_binary(), policies_dir=tmp_path, port=port)
    command = [find_opa_binary(), "run", "--server", "--addr", f"127.0.0.1:{port}", "--bundle"]
    opa.command = lambda: [*command, str(path)]  # type: ignore[method-assign]
    opa.start()
    try:
        opa.wait_healthy(30)
        bundles_served = httpx.get(f"{opa.url}/v1/data/system/bundles").json()["result"]
        assert [b["manifest"]["revision"] for b in bundles_served.values()] == [revision]
    finally:
        opa.stop()
