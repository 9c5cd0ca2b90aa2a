"""create_once: workers racing to create a secret file agree on one, never a half-written one;
read_json: a data file is reread when it changes, and only then."""

from __future__ import annotations

import os
import stat
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from service.files import create_once, read_json


def _create(args: tuple[str, bytes]) -> bytes:
    path, content = Path(args[0]), args[1]
    create_once(path, content)
    return path.read_bytes()


def test_racing_creators_all_read_the_same_complete_file(tmp_path: Path) -> None:
    target = tmp_path / "secret"
    contents = [bytes([i]) * 4096 for i in range(8)]
    with ProcessPoolExecutor(max_workers=4) as pool:
        seen = list(pool.map(_create, [(str(target), c) for c in contents]))
    assert len(set(seen)) == 1
    assert seen[0] in contents
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret"]  # no temporary files left


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "secret"
    target.write_bytes(b"first")
    create_once(target, b"second")
    assert target.read_bytes() == b"first"


def _rewrite(path: Path, text: str) -> None:
    """Write `text` and move the mtime on: two writes within one clock tick keep the mtime."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


def test_read_json_rereads_a_changed_file_and_only_then(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    _rewrite(path, '{"tier": "vpc"}')
    first = read_json(path)
    assert first == {"tier": "vpc"}
    assert read_json(path) is first  # unchanged: the parsed value is shared, not reread
    _rewrite(path, '{"tier": "bare_metal"}')
    assert read_json(path) == {"tier": "bare_metal"}
    _rewrite(path, '{"tier": "appliance"}')  # same size as before: the mtime tells
    assert read_json(path) == {"tier": "appliance"}
