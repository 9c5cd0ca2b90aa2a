"""Tamper evidence: canonical JSON (RFC 8785), the hash chain and Ed25519 signatures.

A record's `hash` is sha256 over the canonical JSON of the whole record except its own `hash`
and `signature`; that content includes `seq` and `prev_hash` (the previous record's hash), so
editing, deleting or reordering any record breaks the chain at the first record touched. The
signature is Ed25519 over the hash (hex, ASCII) with the key named by `key_id`.

Every JSON number is an IEEE 754 double in RFC 8785, and the canonical text of a whole-number
double in [2^53, 1e21) is plain digits (6.096e19 → 60960000000000000000). A plain JSON parser
reads those digits back as an integer, which the `rfc8785` library refuses above 2^53. So
`canonical` reads such an integer as the double it spells and `loads`
parses it as one in the first place: seal → store → load → verify round-trips, and records
sealed before this existed keep their bytes and verify unchanged.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

GENESIS_HASH = "0" * 64
UNSEALED_FIELDS = ("hash", "signature")


_SAFE_INTEGER = 2**53 - 1


class NotCanonicalisable(ValueError):
    """A value with no RFC 8785 form (an integer no double equals, NaN, a lone surrogate…)."""


def canonical(value: Any) -> bytes:
    """RFC 8785 (JCS) canonical JSON bytes."""
    try:
        return rfc8785.dumps(value)
    except rfc8785.IntegerDomainError:
        pass  # a big whole number read back from canonical text: retry with it as a double
    except rfc8785.CanonicalizationError as exc:
        raise NotCanonicalisable(str(exc)) from exc
    try:
        return rfc8785.dumps(_as_doubles(value))
    except rfc8785.CanonicalizationError as exc:
        raise NotCanonicalisable(str(exc)) from exc


def loads(text: str | bytes) -> Any:
    """Parse JSON the way RFC 8785 means it: a big integer literal is the double it spells."""
    return json.loads(text, parse_int=_json_integer)


def _json_integer(literal: str) -> int | float:
    number = int(literal)
    if -_SAFE_INTEGER <= number <= _SAFE_INTEGER:
        return number
    try:
        return _double(number)
    except NotCanonicalisable:
        return number  # not a value tiergate seals; canonical() will say so when verifying


def _double(number: int) -> float:
    """The double an integer literal stands for. Canonical text is the *shortest* decimal that
    reads back as the double (1.2345678901234567e20 → 123456789012345670000), not its exact
    value, so this rounds to nearest as every JSON parser does; only overflow is refused."""
    try:
        return float(number)
    except OverflowError:
        raise NotCanonicalisable("an integer beyond the range of a JSON number") from None


def _as_doubles(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _as_doubles(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_as_doubles(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return value if -_SAFE_INTEGER <= value <= _SAFE_INTEGER else _double(value)
    return value


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
