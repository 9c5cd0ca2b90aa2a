"""DiskRevision notices every kind of edit an author makes, and ignores the tests."""

from __future__ import annotations

import os
from pathlib import Path

from service.opa.revision import DiskRevision, digest


def tree(tmp_path: Path) -> Path:
    (tmp_path / "a" / "ref").mkdir(parents=True)
    (tmp_path / "a" / "rule.rego").write_text("package a.rule\n\nx := 1\n", encoding="utf-8")
    (tmp_path / "a" / "ref" / "data.json").write_text('{"k": 1}', encoding="utf-8")
    return tmp_path


def test_revision_is_the_digest_of_modules_and_data(tmp_path: Path) -> None:
    revision = DiskRevision(tree(tmp_path)).current()
    assert revision.revision == digest(["package a.rule\n\nx := 1\n"], {"a/ref": {"k": 1}})


def test_edits_additions_removals_and_renames_change_the_revision(tmp_path: Path) -> None:
    root = tree(tmp_path)
    disk = DiskRevision(root)
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


def test_policy_tests_do_not_count(tmp_path: Path) -> None:
    root = tree(tmp_path)
    disk = DiskRevision(root)
    before = disk.current().revision
    (root / "a" / "rule_test.rego").write_text("package a.rule_test\n", encoding="utf-8")
    assert disk.current().revision == before
    assert "a/rule_test.rego" not in disk.current().modules
