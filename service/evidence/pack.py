"""Build an evidence pack: one ZIP an external auditor can check offline.

Layout (README.txt inside the pack says the same for its reader):
  records.jsonl       the period's records as sealed, in chain order, plus the record before
                      the period (the anchor) so the first link can be followed
  keys.json           every public key of the log (GET /v1/keys)
  checkpoint.json     a fresh signed checkpoint of the pack's last record
  manifest.json       period, record range, generator, the sha256 of every other file but
                      SHA256SUMS — signed, so no file can be swapped without the signing key
  policies/revisions.json      each policy revision the records name, with its record count
  policies/<revision>/...      that revision's Rego and data when it is the one served now
                               (there is no archive of older revisions: their digest only)
  rules.json          the rule catalogue (METADATA of every rule)
  audit-events.jsonl  the period's audit events
  exceptions.jsonl    the whole exception log as sealed (approved exceptions and revocations,
                      its own chain from entry 1): what the records' exceptions_considered cite
  summary.html        counts by verdict, tier, sector and rule, in Chinese and English
  README.txt          how to verify
  SHA256SUMS          sha256sum -c compatible
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Engine

from service import __version__
from service.audit.service import events_in_period
from service.decisions import chain
from service.decisions import repository as decisions_repository
from service.decisions.sealing import record_dict
from service.decisions.signing import SigningKey
from service.decisions.verify import checkpoint_digest
from service.evidence import repository
from service.evidence.summary import summarize
from service.exceptions import service as exceptions
from service.labels import VERDICTS, date_text, label, policy_names
from service.opa.revision import DiskRevision

FORMAT = "tiergate-evidence/1"
MANIFEST_UNSIGNED = ("signature",)

_templates = Environment(
    loader=PackageLoader("service.evidence", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def manifest_digest(manifest: dict[str, Any]) -> str:
    """What the manifest's signature covers: sha256 of its RFC 8785 JSON without `signature`."""
    return chain.record_hash({k: v for k, v in manifest.items() if k not in MANIFEST_UNSIGNED})


def _jsonl(items: Iterable[dict[str, Any]]) -> bytes:
    return b"".join(
        json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
        for item in items
    )


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def _instant(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


@dataclass(frozen=True)
class Period:
    since: datetime | None
    until: datetime | None


def build(
    out: IO[bytes],
    db: Engine,
    *,
    period: Period,
    signing_key: SigningKey,
    rules: list[dict[str, Any]],
    policies_dir: Path,
    now: datetime,
) -> dict[str, Any]:
    """Write the pack of `period` to `out`; return its manifest."""
    files: dict[str, bytes] = {}
    in_period = repository.seq_range(db, since=period.since, until=period.until)
    rows = []
    if in_period:
        first = max(1, in_period[0] - 1)  # the anchor record links the period to the chain
        rows = list(repository.rows_between(db, first, in_period[1]))
    records = [record_dict(row) for row in rows]
    files["records.jsonl"] = _jsonl(records)
    files["keys.json"] = _json(
        {
            "keys": [
                {
                    "key_id": k.key_id,
                    "algorithm": k.algorithm,
                    "key": k.public_key,
                    "added_at": _instant(
                        k.added_at if k.added_at.tzinfo else k.added_at.replace(tzinfo=UTC)
                    ),
                    "current": k.key_id == signing_key.key_id,
                }
                for k in decisions_repository.signing_keys(db)
            ]
        }
    )
    last = records[-1]["integrity"] if records else None
    files["checkpoint.json"] = _json(_checkpoint(signing_key, last, now))
    files.update(_policies(records, policies_dir))
    files["rules.json"] = _json({"rules": rules})
    files["exceptions.jsonl"] = _jsonl(exceptions.export_rows(db))
    files["audit-events.jsonl"] = _jsonl(
        events_in_period(db, since=period.since, until=period.until)
    )
    names = policy_names(policies_dir)
    entries = repository.index_entries(db, since=period.since, until=period.until)
    summary = summarize(entries, tier_order=names.tier_order)
    titles = {str(r.get("rule_id")): str(r.get("title", "")) for r in rules}
    files["summary.html"] = (
        _templates.get_template("summary.html")
        .render(
            summary=summary,
            period=period,
            now=now,
            version=__version__,
            names=names,
            titles=titles,
            sectors=names.sectors,
            verdicts=VERDICTS,
            label=label,
            date_text=date_text,
            first_seq=records[0]["integrity"]["seq"] if records else None,
            last_seq=last["seq"] if last else None,
        )
        .encode("utf-8")
    )
    files["README.txt"] = _templates.get_template("README.txt").render().encode("utf-8")
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "generator": f"tiergate {__version__}",
        "generated_at": _instant(now),
        "period": {"since": _instant(period.since), "until": _instant(period.until)},
        "records": {
            "first_seq": records[0]["integrity"]["seq"] if records else None,
            "last_seq": last["seq"] if last else None,
            "in_period": len(entries),
        },
        "files": {name: chain.sha256_hex(data) for name, data in sorted(files.items())},
        "key_id": signing_key.key_id,
        "algorithm": "ed25519",
    }
    manifest["signature"] = chain.sign(signing_key.private_key, manifest_digest(manifest))
    files["manifest.json"] = _json(manifest)
    sums = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())
    )
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
        archive.writestr("SHA256SUMS", sums)
    return manifest


def _checkpoint(key: SigningKey, last: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
    """The same statement as GET /v1/decisions/checkpoint, of the pack's last record."""
    content = {
        "seq": last["seq"] if last else 0,
        "hash": last["hash"] if last else chain.GENESIS_HASH,
        "issued_at": _instant(now),
        "key_id": key.key_id,
        "algorithm": "ed25519",
    }
    return {**content, "signature": chain.sign(key.private_key, checkpoint_digest(content))}


def _policies(records: list[dict[str, Any]], policies_dir: Path) -> dict[str, bytes]:
    counts = Counter(str(r["policy"]["revision"]) for r in records)
    current = DiskRevision(policies_dir).current()
    files: dict[str, bytes] = {}
    revisions = []
    for revision, count in sorted(counts.items()):
        archived = revision == current.revision
        revisions.append(
            {
                "revision": revision,
                "records": count,
                "archived": archived,
                "path": f"policies/{revision}/" if archived else None,
                "note": None
                if archived
                else "not served now and no revision archive exists: digest only",
            }
        )
        if archived:
            for name, text in current.modules.items():
                files[f"policies/{revision}/{name}"] = text.encode("utf-8")
            for path, document in current.data.items():
                files[f"policies/{revision}/{path}/data.json"] = _json(document)
    files["policies/revisions.json"] = _json({"revisions": revisions})
    return files
