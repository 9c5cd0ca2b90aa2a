"""The pinned OPA version is defined once (OPA_VERSION) and every other mention agrees."""

from __future__ import annotations

import re

from service.settings import PROJECT_ROOT
from tests.support.builders import OPA_VERSION


def _text(name: str) -> str:
    return (PROJECT_ROOT / name).read_text(encoding="utf-8")


def test_the_version_file_holds_one_release_number() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", OPA_VERSION)


def test_install_script_reads_the_file_instead_of_repeating_the_number() -> None:
    script = _text("scripts/install-tools.sh")
    assert '"$ROOT/OPA_VERSION"' in script
    assert OPA_VERSION not in script


def test_dockerfile_build_arg_matches_the_file() -> None:
    args = re.findall(r"^ARG OPA_VERSION=(\S+)$", _text("Dockerfile"), re.MULTILINE)
    assert args == [OPA_VERSION]


def test_readme_and_architecture_name_only_the_pinned_version() -> None:
    for name in ("README.md", "docs/architecture.md"):
        named = re.findall(r"(?:OPA|pinned) v(\d+\.\d+\.\d+)", _text(name))
        named += re.findall(r'"engine_version": "([^"]+)"', _text(name))
        assert named, f"{name} no longer names the OPA version"
        assert set(named) == {OPA_VERSION}, name
