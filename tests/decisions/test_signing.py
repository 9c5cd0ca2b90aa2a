"""The signing key: generated once, reused across restarts, its signatures verify."""

from __future__ import annotations

from pathlib import Path

from service.decisions import chain
from service.decisions.signing import load_or_create


def test_key_is_generated_once_and_reloaded(tmp_path: Path) -> None:
    first = load_or_create(tmp_path / "key.pem")
    again = load_or_create(tmp_path / "key.pem")
    assert first.key_id == again.key_id
    assert first.key_id.startswith("ed25519:")
    digest = chain.sha256_hex(b"record")
    signature = chain.sign(first.private_key, digest)
    assert chain.signature_valid(again.public_key, digest, signature)
    assert not chain.signature_valid(again.public_key, chain.sha256_hex(b"other"), signature)


def test_published_key_round_trips(tmp_path: Path) -> None:
    key = load_or_create(tmp_path / "key.pem")
    published = key.published()
    assert published["algorithm"] == "ed25519"
    restored = chain.public_key_from_b64(published["key"])
    assert chain.key_id_of(restored) == key.key_id
