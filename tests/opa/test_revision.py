"""DiskRevision notices every kind of edit an author makes, and ignores the tests: with the
inotify watch (Linux) and with the stat comparison it falls back to elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from service.opa import revision as revision_module
from service.opa.revision import DiskRevision, digest, is_exactly
from service.opa.watch import FolderWatch


@pytest.fixture(params=["inotify", "stat"])
def watch_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    mode = str(request.param)
    if mode == "stat":
        monkeypatch.setattr(revision_module.FolderWatch, "open", classmethod(lambda cls: None))
    elif FolderWatch.open() is None:
        pytest.skip("inotify unavailable (not Linux, or the per-user instance limit reached)")
    return mode


def tree(tmp_path: Path) -> Path:
    (tmp_path / "a" / "ref").mkdir(parents=True)
    (tmp_path / "a" / "rule.rego").write_text("package a.rule\n\nx := 1\n", encoding="utf-8")
    (tmp_path / "a" / "ref" / "data.json").write_text('{"k": 1}', encoding="utf-8")
    return tmp_path


def test_revision_is_the_digest_of_modules_and_data(tmp_path: Path) -> None:
    revision = DiskRevision(tree(tmp_path)).current()
    assert revision.revision == digest(["package a.rule\n\nx := 1\n"], {"a/ref": {"k": 1}})


def test_edits_additions_removals_and_renames_change_the_revision(
    tmp_path: Path, watch_mode: str
) -> None:
    root = tree(tmp_path)
    disk = DiskRevision(root)
    assert (disk._watch is not None) == (watch_mode == "inotify")
    seen = {disk.current().revision}

    (root / "a" / "rule.rego").write_text("package a.rule\n\nx := 2\n", encoding="utf-8")
    seen.add(disk.current().revision)
    (root / "b" / "deep").mkdir(parents=True)
    (root / "b" / "deep" / "new.rego").write_text("package b.deep.new\n", encoding="utf-8")
    seen.add(disk.current().revision)
    (root / "a" / "ref" / "data.json").write_text('{"k": 2}', encoding="utf-8")
    seen.add(disk.current().revision)
    os.rename(root / "b" / "deep" / "new.rego", root / "b" / "deep" / "new.rego.bak")
    seen.add(disk.current().revision)
    (root / "a" / "ref" / "data.json").unlink()
    seen.add(disk.current().revision)
    assert len(seen) == 6


def test_policy_tests_do_not_count(tmp_path: Path, watch_mode: str) -> None:
    root = tree(tmp_path)
    disk = DiskRevision(root)
    before = disk.current().revision
    (root / "a" / "rule_test.rego").write_text("package a.rule_test\n", encoding="utf-8")
    assert disk.current().revision == before
    assert "a/rule_test.rego" not in disk.current().modules


def test_an_edit_is_seen_at_the_very_next_look_and_not_otherwise(tmp_path: Path) -> None:
    """The watch reads the kernel's queue when asked: an edit that returned is seen by the
    next call (no delay to wait out), and without an edit nothing is read again."""
    root = tree(tmp_path)
    disk = DiskRevision(root)
    if disk._watch is None:
        pytest.skip("no inotify here")
    first = disk.current()
    assert disk.current() is first  # nothing changed: the same object, no walk
    (root / "a" / "rule.rego").write_text("package a.rule\n\nx := 3\n", encoding="utf-8")
    assert disk.current().revision != first.revision


def test_a_closed_revision_falls_back_to_stat(tmp_path: Path) -> None:
    root = tree(tmp_path)
    disk = DiskRevision(root)
    before = disk.current().revision
    disk.close()
    assert disk._watch is None
    (root / "a" / "rule.rego").write_text("package a.rule\n\nx := 4\n", encoding="utf-8")
    assert disk.current().revision != before


def test_data_may_hold_integers_beyond_two_to_the_53() -> None:
    """An exact threshold such as 10^26 operations is outside RFC 8785's number domain: the
    digest still exists, tells 10^26 from 10^26 + 1, and is unchanged for every other policy."""
    big = digest(["package a\n"], {"ref": {"operations": 10**26}})
    assert big != digest(["package a\n"], {"ref": {"operations": 10**26 + 1}})
    assert big != digest(["package a\n"], {"ref": {"operations": 1e26}})
    small = {"ref": {"operations": 2**53 - 1, "share": 0.5}}
    assert digest(["package a\n"], small) == digest(["package a\n"], dict(small))
    # The RFC 8785 form, as every stored revision was computed before.
    import hashlib

    import rfc8785

    module = hashlib.sha256(b"package a\n").hexdigest()
    expected = rfc8785.dumps({"modules": [module], "data": small})
    assert digest(["package a\n"], small) == hashlib.sha256(expected).hexdigest()


def test_exactly_the_files_is_their_revision_and_any_difference_is_left_to_the_digest(
    tmp_path: Path,
) -> None:
    policy = DiskRevision(tree(tmp_path)).current()
    modules = list(policy.modules.values())
    assert is_exactly(policy, modules, {"a/ref": {"k": 1}})
    assert digest(modules, {"a/ref": {"k": 1}}) == policy.revision
    for other_modules, other_data in [
        ([*modules, "package intruder\n"], {"a/ref": {"k": 1}}),  # a module PUT into OPA
        (["package a.rule\n\nx := 2\n"], {"a/ref": {"k": 1}}),
        (modules, {"a/ref": {"k": True}}),  # equal in Python (True == 1), not in JSON
        (modules, {"a/ref": {"k": 1}, "b": {}}),
        (modules, {}),
    ]:
        assert not is_exactly(policy, other_modules, other_data)
        assert digest(other_modules, other_data) != policy.revision
    # Another spelling of the same number: not "exactly", but the digest agrees.
    assert not is_exactly(policy, modules, {"a/ref": {"k": 1.0}})
    assert digest(modules, {"a/ref": {"k": 1.0}}) == policy.revision
