"""Check an evidence pack offline: sums, manifest, chain links, signatures, checkpoint.

Per-record checks are service.decisions.verify.check_record and the checkpoint check is its
checkpoint_problem: one verifier for the API, `tiergate verify` and `tiergate verify-evidence`.
The pack starts mid-chain, so the first record (the anchor) is checked for hash and signature
and the links are followed from it.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from service.decisions import chain
from service.decisions.audit import cited_exception_problem
from service.decisions.verify import check_record, checkpoint_problem, verify_chain
from service.evidence.pack import manifest_digest

SUMS = "SHA256SUMS"


@dataclass(frozen=True)
class PackResult:
    ok: bool
    checked: int
    problem: str | None = None
    keys_from: str = "pack"


class _Bad(Exception):
    pass


def verify_pack(path: Path, *, keys: Mapping[str, Ed25519PublicKey] | None = None) -> PackResult:
    """Every check in order; the first that fails is named. `keys` (the auditor's own copy of
    GET /v1/keys) replaces the pack's keys.json when given."""
    keys_from = "pack" if keys is None else "given"
    checked = 0
    try:
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise _Bad(f"{path.name} is not a ZIP file") from exc
        with archive:
            files = {name: archive.read(name) for name in archive.namelist()}
        _check_sums(files)
        used = keys if keys is not None else _keys(files)
        manifest = _json(files, "manifest.json")
        problem = _signed_by(manifest, manifest_digest(manifest), used, what="manifest.json")
        if problem:
            raise _Bad(problem)
        records = _records(files)
        checked = _check_chain(records, used)
        _check_exceptions(files, records, used)
        _check_range(manifest, records)
        _check_checkpoint(_json(files, "checkpoint.json"), records, used)
        for name, digest in manifest.get("files", {}).items():
            if name not in files:
                raise _Bad(f"{name} is listed in manifest.json but missing from the pack")
            if chain.sha256_hex(files[name]) != digest:
                raise _Bad(f"{name} differs from the digest in the signed manifest.json")
    except _Bad as bad:
        return PackResult(False, checked, str(bad), keys_from)
    return PackResult(True, checked, None, keys_from)


def _check_sums(files: Mapping[str, bytes]) -> None:
    if SUMS not in files:
        raise _Bad("SHA256SUMS is missing")
    listed: dict[str, str] = {}
    for line in files[SUMS].decode("utf-8", "replace").splitlines():
        digest, _, name = line.partition("  ")
        if not name:
            raise _Bad(f"SHA256SUMS line is not '<sha256>  <name>': {line[:80]!r}")
        listed[name] = digest
    for name in sorted(listed):
        if name not in files:
            raise _Bad(f"{name} is listed in SHA256SUMS but missing from the pack")
        if hashlib.sha256(files[name]).hexdigest() != listed[name]:
            raise _Bad(f"{name} does not match its sum in SHA256SUMS")
    unlisted = sorted(set(files) - set(listed) - {SUMS})
    if unlisted:
        raise _Bad(f"{unlisted[0]} is in the pack but not in SHA256SUMS")


def _json(files: Mapping[str, bytes], name: str) -> dict[str, Any]:
    if name not in files:
        raise _Bad(f"{name} is missing")
    try:
        value = json.loads(files[name])
    except ValueError as exc:
        raise _Bad(f"{name} is not JSON") from exc
    if not isinstance(value, dict):
        raise _Bad(f"{name} is not a JSON object")
    return value


def _keys(files: Mapping[str, bytes]) -> dict[str, Ed25519PublicKey]:
    keyset = _json(files, "keys.json")
    try:
        return {k["key_id"]: chain.public_key_from_b64(k["key"]) for k in keyset["keys"]}
    except (KeyError, TypeError, ValueError) as exc:
        raise _Bad("keys.json does not hold {keys: [{key_id, key}]}") from exc


def _signed_by(
    statement: Mapping[str, Any],
    digest: str,
    keys: Mapping[str, Ed25519PublicKey],
    *,
    what: str,
) -> str | None:
    key = keys.get(str(statement.get("key_id")))
    if key is None:
        return f"{what} is signed by unknown key {statement.get('key_id')}"
    if not chain.signature_valid(key, digest, str(statement.get("signature"))):
        return f"{what} signature invalid"
    return None


def _records(files: Mapping[str, bytes], name: str = "records.jsonl") -> list[dict[str, Any]]:
    if name not in files:
        raise _Bad(f"{name} is missing")
    records = []
    for number, line in enumerate(files[name].decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise _Bad(f"{name} line {number} is not JSON") from exc
        if not isinstance(record, dict) or not isinstance(record.get("integrity"), dict):
            raise _Bad(f"{name} line {number} is not a sealed record")
        records.append(record)
    return records


def _check_exceptions(
    files: Mapping[str, bytes],
    records: list[dict[str, Any]],
    keys: Mapping[str, Ed25519PublicKey],
) -> None:
    """The exception log (whole, from entry 1) checks, and holds every exception a record
    cites. Packs built before exceptions existed have no exceptions.jsonl and cite none."""
    entries = _records(files, "exceptions.jsonl") if "exceptions.jsonl" in files else []
    logged = verify_chain(entries, keys=keys)
    if not logged.ok:
        raise _Bad(f"exceptions.jsonl entry {logged.first_bad_id}: {logged.reason}")
    cited = {
        str(e["integrity"]["hash"]): str(e.get("id"))
        for e in entries
        if e.get("kind") == "exception"
    }
    for record in records:
        problem = cited_exception_problem(record, cited)
        if problem:
            missing = "" if "exceptions.jsonl" in files else " (exceptions.jsonl is missing)"
            raise _Bad(f"record {record.get('id')}: {problem}{missing}")


def _check_chain(records: list[dict[str, Any]], keys: Mapping[str, Ed25519PublicKey]) -> int:
    if not records:
        return 0
    anchor = records[0]["integrity"]
    seq = anchor.get("seq")
    if not isinstance(seq, int) or seq < 1:
        raise _Bad(f"record {records[0].get('id')}: seq {seq!r} is not a chain position")
    prev = chain.GENESIS_HASH if seq == 1 else str(anchor.get("prev_hash"))
    for checked, record in enumerate(records):
        problem = check_record(record, expected_seq=seq + checked, expected_prev=prev, keys=keys)
        if problem:
            raise _Bad(
                f"record {record.get('id')} (seq {record['integrity'].get('seq')}): {problem}"
            )
        prev = str(record["integrity"]["hash"])
    return len(records)


def _check_range(manifest: Mapping[str, Any], records: list[dict[str, Any]]) -> None:
    stated = manifest.get("records", {})
    found = (
        (records[0]["integrity"]["seq"], records[-1]["integrity"]["seq"])
        if records
        else (None, None)
    )
    if (stated.get("first_seq"), stated.get("last_seq")) != found:
        raise _Bad(
            f"records.jsonl holds seq {found[0]}–{found[1]} but the signed manifest says "
            f"{stated.get('first_seq')}–{stated.get('last_seq')} (records removed or added)"
        )


def _check_checkpoint(
    statement: Mapping[str, Any],
    records: list[dict[str, Any]],
    keys: Mapping[str, Ed25519PublicKey],
) -> None:
    problem = checkpoint_problem(statement, keys)
    if problem:
        raise _Bad(f"checkpoint.json: {problem}")
    last = records[-1]["integrity"] if records else {"seq": 0, "hash": chain.GENESIS_HASH}
    if (statement["seq"], statement["hash"]) != (last["seq"], last["hash"]):
        raise _Bad(
            f"checkpoint.json names record {statement['seq']} but the pack ends at {last['seq']}"
        )
