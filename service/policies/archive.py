"""The policy revision archive: every revision the service serves, stored once by its digest.

The engine calls `store` the first time it finds OPA serving a revision (at start and after
every reload, managed OPA or sidecar), before any decision is recorded under it, so every
record's `policy.revision` can be fetched back as files, a manifest or a bundle.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import Engine

from service.db import as_utc
from service.errors import NotFound
from service.opa.revision import DiskPolicy, policy_of_files
from service.policies import bundles, repository
from service.policies.models import RevisionFile, RevisionManifest, RevisionSummary
from service.policies.tables import PolicyRevisionRow

RULES_FOLDER = "tiergate/rules/"


def rule_count(files: dict[str, str]) -> int:
    """Rule packages: one module per rule at tiergate/rules/<area>/<rule>.rego."""
    return sum(
        1
        for path in files
        if path.startswith(RULES_FOLDER) and path.endswith(".rego") and path.count("/") == 3
    )


def store(db: Engine, policy: DiskPolicy, *, now: datetime | None = None) -> bool:
    """Archive `policy` unless its revision is there; True when this call stored it."""
    row = PolicyRevisionRow(
        revision=policy.revision,
        first_served_at=now or datetime.now(UTC),
        rule_count=rule_count(policy.files),
        files=json.dumps(policy.files, sort_keys=True, ensure_ascii=False),
    )
    return repository.add_once(db, row)


def _row(db: Engine, revision: str) -> PolicyRevisionRow:
    row = repository.get(db, revision)
    if row is None:
        raise NotFound(f"no archived policy revision {revision}", field="revision")
    return row


def list_revisions(db: Engine) -> list[RevisionSummary]:
    return [
        RevisionSummary(revision=revision, first_served_at=as_utc(at), rule_count=count)  # type: ignore[arg-type]
        for revision, at, count in repository.list_all(db)
    ]


def files(db: Engine, revision: str) -> dict[str, str]:
    """The exact files of an archived revision (NotFound when it is not archived)."""
    stored: dict[str, str] = json.loads(_row(db, revision).files)
    return stored


def policy(db: Engine, revision: str) -> DiskPolicy:
    """The archived revision as a policy, re-digested: a row whose files no longer make its
    revision (edited outside tiergate) is refused rather than served as that revision."""
    again = policy_of_files(files(db, revision))
    if again.revision != revision:
        raise NotFound(
            f"archived files of revision {revision[:12]} digest to {again.revision[:12]}: "
            "the archive row was altered",
            field="revision",
        )
    return again


def manifest(db: Engine, revision: str) -> RevisionManifest:
    row = _row(db, revision)
    stored: dict[str, str] = json.loads(row.files)
    return RevisionManifest(
        revision=row.revision,
        first_served_at=as_utc(row.first_served_at),
        rule_count=row.rule_count,
        files=[
            RevisionFile(
                path=path,
                sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                bytes=len(text.encode("utf-8")),
            )
            for path, text in sorted(stored.items())
        ],
    )


def bundle(db: Engine, revision: str) -> bytes:
    """The archived revision as a tar.gz bundle (service/policies/bundles.py)."""
    return bundles.pack(files(db, revision), revision)
