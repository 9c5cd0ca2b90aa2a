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
import math
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, TypeVar

import orjson
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

GENESIS_HASH = "0" * 64
UNSEALED_FIELDS = ("hash", "signature")


_SAFE_INTEGER = 2**53 - 1
_C = TypeVar("_C", dict[Any, Any], list[Any])


class NotCanonicalisable(ValueError):
    """A value with no RFC 8785 form (an integer no double equals, NaN, a lone surrogate…)."""


def canonical(value: Any) -> bytes:
    """RFC 8785 (JCS) canonical JSON bytes: the `rfc8785` library's, byte for byte (every
    record was sealed with it), through orjson where the two agree.

    orjson, not Python's json: on an 11 KB record, sorted and compact, 20 µs instead of 290 µs
    of CPU, under the chain lock. On what _plain lets through the two write the same text:
    the same string escapes (RFC 8785's: short forms, else \\u00xx; nothing else escaped),
    keys sorted by code point (UTF-16 order for keys within the BMP), and the shortest
    round-trip digits of a double with neither an exponent nor a fraction-less form (1.6 M
    doubles compared with repr: no difference). test_canonical.py holds them to the library."""
    try:
        plain = _plain(value)
    except _NotPlain:
        return library_canonical(value)
    try:
        return orjson.dumps(plain, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # a lone surrogate, an integer beyond 64 bits: the library decides
        return library_canonical(value)


class _NotPlain(Exception):
    """A value where orjson and RFC 8785 may write different text."""


def _plain(value: Any) -> Any:
    """`value` as orjson writes it the RFC 8785 way, or _NotPlain. The two agree on strings
    (the same escapes), integers, true/false/null and lists; they differ on whole-number
    doubles (16.0 is 16 in RFC 8785: given as an int), other doubles written with an exponent
    (below 1e-4), NaN and infinities, and key order where a key holds a character beyond
    U+FFFF (RFC 8785 sorts by UTF-16 code units): those, and any other type, go to the
    library, which sorts and escapes in pure Python (1.4 ms of CPU on a 13 KB record).

    Copy on write: a container comes back as itself when nothing in it changes, and scalars
    that pass as they are (strings, integers, true/false/null: nearly every value of a
    record) are checked inline instead of by a call each. canonical() of a 12 KB record:
    ~145 -> ~110 µs of CPU (medians, same run, December 2026)."""
    kind = type(value)
    if kind is dict:
        return _plain_dict(value)
    if kind is list:
        return _plain_list(value)
    return _plain_scalar(value, kind)


def _plain_dict(value: dict[Any, Any]) -> dict[Any, Any]:
    for key in value:
        if type(key) is not str or not (key.isascii() or max(key) <= "\uffff"):
            raise _NotPlain
    return _plain_items(value, value.items(), dict)


def _plain_list(value: list[Any]) -> list[Any]:
    return _plain_items(value, enumerate(value), list)


def _plain_items(container: _C, items: Iterable[tuple[Any, Any]], copy: Callable[[_C], _C]) -> _C:
    """`container` (a dict or a list, whose `items` are given), or a copy made by `copy` with the
    items that change replaced."""
    changed: _C | None = None
    for key, item in items:
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int and -_SAFE_INTEGER <= item <= _SAFE_INTEGER:
            continue
        new: Any
        if kind is dict:
            new = _plain_dict(item)
        elif kind is list:
            new = _plain_list(item)
        else:
            new = _plain_scalar(item, kind)
        if new is not item:
            if changed is None:
                changed = copy(container)
            changed[key] = new
    return container if changed is None else changed


def _plain_scalar(value: Any, kind: type) -> Any:
    if kind is str or kind is bool or value is None:
        return value
    if kind is int:
        if -_SAFE_INTEGER <= value <= _SAFE_INTEGER:
            return value
        raise _NotPlain
    if kind is float:
        if value.is_integer() and abs(value) < 1e21:
            # RFC 8785 writes these as plain digits: the shortest digits that read back as
            # the double, then zeros (6.096e19 → 60960000000000000000), which is the int of
            # its repr; below 2^53 that is the int it equals.
            return int(value) if abs(value) <= _SAFE_INTEGER else int(Decimal(repr(value)))
        if not math.isfinite(value) or "e" in repr(value):
            raise _NotPlain
        return value
    raise _NotPlain


def library_canonical(value: Any) -> bytes:
    """RFC 8785 by the `rfc8785` library (every value canonical() does not write itself)."""
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
