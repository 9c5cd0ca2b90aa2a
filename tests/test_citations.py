"""Citations name documents this repository holds.

The research notes the policy data and code cite were copied into reference/ (the repository's
copy is the one kept), so a citation of the project's shared folder, DESIGN.md or CONVENTIONS.md
points at a document a reader of the repository does not have. And a repository document cited
by its path from the root (`reference/<file>`, `docs/<file>`) must exist.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import Any

from service.settings import PROJECT_ROOT

# Documents outside the repository, as they were cited: the shared folder's notes (not a path
# inside a longer one, e.g. a URL) and the two project documents that never were in the repository.
OUTSIDE = re.compile(r"(?<![\w./-])shared/|\b(?:DESIGN|CONVENTIONS)\.md\b")
# A file of reference/ or docs/ by its path from the root. Not a path inside a longer one
# (policies/tiergate/reference/tiers/data.json, a URL), not a folder inside them.
REPO_DOCUMENT = re.compile(r"(?<![\w./-])(?:reference|docs)/[\w-]+(?:\.[\w-]+)+(?![\w/-])")
# ... unless another project's name comes right before: "didier-durand/llms-in-clouds
# docs/sglang.md" is that project's file (tests/sizing/data cites such sources).
OTHER_PROJECT = re.compile(r"[\w.-]+/[\w.-]+ $")

# This file spells out what it looks for.
THIS_FILE = Path(__file__).resolve().relative_to(PROJECT_ROOT).as_posix()


def outside_citations(text: str) -> list[str]:
    return [match.group(0) for match in OUTSIDE.finditer(text)]


def missing_documents(text: str, root: Path = PROJECT_ROOT) -> list[str]:
    return [
        match.group(0)
        for match in REPO_DOCUMENT.finditer(text)
        if not OTHER_PROJECT.search(text, 0, match.start())
        and not (root / match.group(0)).is_file()
    ]


def _strings_under_source(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "source" and isinstance(item, str):
                yield f"{where}/source", item
            else:
                yield from _strings_under_source(item, f"{where}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings_under_source(item, f"{where}[{index}]")


def policy_sources() -> Iterator[tuple[str, str]]:
    """(file and JSON path, text) of every `source` string in the policy data."""
    for path in sorted((PROJECT_ROOT / "policies").rglob("data.json")):
        where = path.relative_to(PROJECT_ROOT).as_posix()
        yield from _strings_under_source(json.loads(path.read_text(encoding="utf-8")), where)


def tracked_lines() -> Iterator[tuple[str, str]]:
    """(file:line, text) of every line of every tracked text file but this one."""
    listed = subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), "ls-files", "-z"],
        check=True,
        capture_output=True,
    ).stdout.decode("utf-8")
    for name in sorted(filter(None, listed.split("\0"))):
        path = PROJECT_ROOT / name
        if name == THIS_FILE or not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data:
            continue  # binary (screenshots)
        for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
            yield f"{name}:{number}", line


def test_no_citation_points_outside_the_repository() -> None:
    found = [
        (where, cited)
        for where, text in chain(policy_sources(), tracked_lines())
        for cited in outside_citations(text)
    ]
    assert found == [], "cite the copy in reference/ (or what the sentence rests on) instead"


def test_every_cited_repository_document_exists() -> None:
    found = [
        (where, cited)
        for where, text in chain(policy_sources(), tracked_lines())
        for cited in missing_documents(text)
    ]
    assert found == []


def test_the_checks_catch_a_planted_citation_and_nothing_near_it() -> None:
    assert outside_citations("issue 3 tier matrix; shared/reference/domain-regs.md §2") == [
        "shared/"
    ]
    assert outside_citations("no clock and no I/O (CONVENTIONS.md); see DESIGN.md") == [
        "CONVENTIONS.md",
        "DESIGN.md",
    ]
    assert outside_citations("vpc/shared_cloud, https://example.org/shared/notes.md") == []
    assert missing_documents("reference/domain-regs.md §2; reference/domain-regs-old.md §2") == [
        "reference/domain-regs-old.md"
    ]
    assert missing_documents("(docs/architecture.md, layers); docs/design.md.") == [
        "docs/design.md"
    ]
    nearby = (
        "policies/tiergate/reference/tiers/data.json; reference/tiers/data.json; `reference/tiers`;"
        " https://rocm.docs.amd.com/en/latest/reference/gpu-specs.html;"
        " didier-durand/llms-in-clouds docs/sglang.md"
    )
    assert missing_documents(nearby) == []
