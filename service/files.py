"""Create-once secret files (signing key, masking salt) shared by workers and replicas."""

from __future__ import annotations

import os
from pathlib import Path


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
