"""The sidecar deployment with a signed bundle: `tiergate bundle` builds it, a real OPA verifies
and serves it, and the service decides against it under the files' own revision. A bundle that
was altered after signing, or checked with another key, is refused by OPA."""

from __future__ import annotations

import io
import subprocess
import tarfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.cli import app as cli
from service.main import create_app
from service.opa.bundle import sidecar_command
from service.opa.process import find_opa_binary, free_port
from service.opa.revision import DiskRevision
from tests.conftest import POLICIES_DIR, decision_request


def _keypair(folder: Path, name: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    private, public = folder / f"{name}.pem", folder / f"{name}.pub.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


@contextmanager
def _sidecar(
    bundle: Path, public_key: Path, log: Path, port: int | None = None
) -> Iterator[tuple[str | None, str]]:
    """Run the documented sidecar command; yield (url once healthy or None, its output)."""
    port = port or free_port()
    command = [
        find_opa_binary(),
        *sidecar_command(bundle, str(public_key), "ES256")[1:],  # as `tiergate bundle` prints
        "--addr",
        f"127.0.0.1:{port}",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url: str | None = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                url = None
                break
            try:
                if httpx.get(f"{url}/health?bundles", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                url = None
                break
            time.sleep(0.1)
        yield url, log.read_text(errors="replace")
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def signed_bundle(tmp_path: Path) -> tuple[Path, Path, str]:
    private, public = _keypair(tmp_path, "bundle-signer")
    out = tmp_path / "policies.tar.gz"
    result = CliRunner().invoke(cli, ["bundle", "--signing-key", str(private), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, public, result.output.strip().splitlines()[-1]


def test_service_decides_against_a_sidecar_serving_the_signed_bundle(  # type: ignore[no-untyped-def]
    signed_bundle, make_settings, tmp_path: Path
) -> None:
    bundle, public, revision = signed_bundle
    assert revision == DiskRevision(POLICIES_DIR).current().revision
    with tarfile.open(bundle) as archive:
        names = archive.getnames()
    assert ".signatures.json" in {Path(n).name for n in names}
    assert not [n for n in names if n.endswith("_test.rego")]

    with _sidecar(bundle, public, tmp_path / "opa.log") as (url, output):
        assert url, output
        with TestClient(create_app(make_settings(opa_url=url))) as client:
            assert client.get("/readyz").status_code == 200
            response = client.post("/v1/decisions", json=decision_request())
    assert response.status_code == 201, response.text
    assert response.json()["policy"]["revision"] == revision


def _tampered(bundle: Path, out: Path) -> Path:
    """The same bundle with one rule changed after signing (signature file kept)."""
    with tarfile.open(bundle) as source, tarfile.open(out, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else b""  # type: ignore[union-attr]
            if member.name.endswith("tier/below_minimum.rego"):
                data = data.replace(b"deny contains", b"warn contains", 1)
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return out


def test_an_altered_bundle_is_refused(signed_bundle, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bundle, public, _revision = signed_bundle
    tampered = _tampered(bundle, tmp_path / "tampered.tar.gz")
    with _sidecar(tampered, public, tmp_path / "opa.log") as (url, output):
        assert url is None
    assert "digest mismatch" in output or "signature" in output, output


def test_a_bundle_checked_with_another_key_is_refused(signed_bundle, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bundle, _public, _revision = signed_bundle
    _other_private, other_public = _keypair(tmp_path, "someone-else")
    with _sidecar(bundle, other_public, tmp_path / "opa.log") as (url, output):
        assert url is None
    assert "verif" in output.lower(), output


def test_a_bundle_swapped_under_the_service_is_refused_on_the_next_decision(  # type: ignore[no-untyped-def]
    signed_bundle, make_settings, tmp_path: Path
) -> None:
    """The sidecar is restarted with a bundle of other policies: the very next decision is
    refused (the bundle's revision comes with the decision), not only after the background
    re-read of the loaded modules 30 s later."""
    import shutil

    bundle, public, _revision = signed_bundle
    private = tmp_path / "bundle-signer.pem"
    other_policies = tmp_path / "other-policies"
    shutil.copytree(POLICIES_DIR, other_policies)
    rule = other_policies / "tiergate" / "rules" / "tier" / "below_minimum.rego"
    rule.write_text(rule.read_text().replace("is below the minimum", "is under the minimum"))
    other_bundle = tmp_path / "other.tar.gz"
    result = CliRunner().invoke(
        cli,
        [
            "bundle",
            "--signing-key",
            str(private),
            "--out",
            str(other_bundle),
            "--policies-dir",
            str(other_policies),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == DiskRevision(other_policies).current().revision

    port = free_port()
    with _sidecar(bundle, public, tmp_path / "a.log", port) as (url, output):
        assert url, output
        client = TestClient(create_app(make_settings(opa_url=url)))
        client.__enter__()
        assert client.post("/v1/decisions", json=decision_request()).status_code == 201
    try:
        with _sidecar(other_bundle, public, tmp_path / "b.log", port) as (url, output):
            assert url, output
            response = client.post("/v1/decisions", json=decision_request())
            if "unreachable" in response.text or "connect" in response.text:
                response = client.post("/v1/decisions", json=decision_request())  # new socket
    finally:
        client.__exit__(None, None, None)
    assert response.status_code == 503, response.text
    assert "serves bundle" in response.json()["detail"]


def test_bundle_explains_a_missing_opa_or_a_refused_build(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import service.opa.process as process

    private, _public = _keypair(tmp_path, "signer")
    out = tmp_path / "b.tar.gz"

    def no_opa(_configured: str = "") -> str:
        raise process.OpaBinaryNotFound("no opa binary; run scripts/install-tools.sh")

    with monkeypatch.context() as patch:
        patch.setattr(process, "find_opa_binary", no_opa)
        missing = CliRunner().invoke(
            cli, ["bundle", "--signing-key", str(private), "--out", str(out)]
        )
    assert missing.exit_code == 1
    assert "install-tools.sh" in missing.output

    not_a_key = tmp_path / "not-a-key.pem"
    not_a_key.write_text("hello")
    refused = CliRunner().invoke(
        cli, ["bundle", "--signing-key", str(not_a_key), "--out", str(out)]
    )
    assert refused.exit_code == 1
    assert "opa build failed" in refused.output
    assert not out.exists()
