"""Files the service reads or writes outside the database: create-once secret files (signing
key, masking salt) shared by workers and replicas, and JSON data files (the policies' reference
data) read once per change."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


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


def _as_is(value: Any) -> Any:
    return value


def read_json(path: str | Path, build: Callable[[Any], T] = _as_is) -> T:
    """The parsed JSON of `path`, passed through `build`, read again only when the file changes
    (one stat per call).

    Keyed on the file's modification time and size, like the accelerator catalogue: policy
    authors edit the reference data while the service runs (OPA watches it), so a cache that
    never expires would show names or forms the policy no longer has. `build` (a module-level
    function) derives what the caller needs once per change rather than once per call. Callers
    must not mutate the value: it is shared by every caller until the file changes.
    """
    name = os.fspath(path)  # the cache key: hashing a Path costs more than the stat
    status = os.stat(name)
    value: T = _read(name, status.st_mtime_ns, status.st_size, build)
    return value


@lru_cache(maxsize=32)
def _read(name: str, _mtime_ns: int, _size: int, build: Callable[[Any], T]) -> T:
    with open(name, encoding="utf-8") as handle:
        value: T = build(json.load(handle))
    return value
