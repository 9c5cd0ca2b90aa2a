"""Tamper evidence: canonical JSON (RFC 8785), the hash chain and Ed25519 signatures.

A record's `hash` is sha256 over the canonical JSON of the whole record except its own `hash`
and `signature`; that content includes `seq` and `prev_hash` (the previous record's hash), so
editing, deleting or reordering any record breaks the chain at the first record touched. The
signature is Ed25519 over the hash (hex, ASCII) with the key named by `key_id`.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

GENESIS_HASH = "0" * 64
UNSEALED_FIELDS = ("hash", "signature")


def canonical(value: Any) -> bytes:
    """RFC 8785 (JCS) canonical JSON bytes."""
    return rfc8785.dumps(value)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_of(record: dict[str, Any]) -> dict[str, Any]:
    """The part of a record its hash covers: everything but integrity.hash / .signature."""
    integrity = {k: v for k, v in record["integrity"].items() if k not in UNSEALED_FIELDS}
    return {**record, "integrity": integrity}


def record_hash(content: dict[str, Any]) -> str:
    return sha256_hex(canonical(content))


def key_id_of(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes_raw()
    return "ed25519:" + sha256_hex(raw)[:16]


def public_key_b64(public_key: Ed25519PublicKey) -> str:
    return base64.b64encode(public_key.public_bytes_raw()).decode("ascii")


def public_key_from_b64(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text))


def sign(private_key: Ed25519PrivateKey, digest_hex: str) -> str:
    return base64.b64encode(private_key.sign(digest_hex.encode("ascii"))).decode("ascii")


def signature_valid(public_key: Ed25519PublicKey, digest_hex: str, signature_b64: str) -> bool:
    try:
        public_key.verify(base64.b64decode(signature_b64), digest_hex.encode("ascii"))
    except (InvalidSignature, ValueError):
        return False
    return True
