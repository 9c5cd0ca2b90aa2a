"""Files the service reads or writes outside the database: create-once secret files (signing
key, masking salt) shared by workers and replicas, and JSON data files (the policies' reference
data) read once per change."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any


def create_once(path: Path, content: bytes) -> None:
    """Write `content` to `path` (mode 0600) unless the file exists.

    Written aside, then hard-linked into place: link() is atomic and fails when the file
    exists, so workers starting together agree on one file and never read half of one.
    """
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def read_json(path: Path) -> Any:
    """The parsed JSON of `path`, read again only when the file changes (one stat per call).

    Keyed on the file's modification time and size, like the accelerator catalogue: policy
    authors edit the reference data while the service runs (OPA watches it), so a cache that
    never expires would show names or forms the policy no longer has. Callers must not mutate
    the value: it is shared by every caller until the file changes.
    """
    status = path.stat()
    return _parsed(path.resolve(), status.st_mtime_ns, status.st_size)


@lru_cache(maxsize=32)
def _parsed(path: Path, _mtime_ns: int, _size: int) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
