"""policies/README.md lists the rules on disk: none missing, none stale, the count right."""

from __future__ import annotations

import re

from tests.support.builders import POLICIES_DIR

RULES_DIR = POLICIES_DIR / "tiergate" / "rules"


def listed_rules(readme: str) -> tuple[int, set[str]]:
    """The count and the rule IDs of the "Rules today (N): …" paragraph (`area.{a,b}` expanded)."""
    match = re.search(r"Rules today \((\d+)[;)](.*?)\n\n", readme, re.DOTALL)
    assert match, "policies/README.md has no 'Rules today (N):' paragraph"
    text = re.sub(r"\s+", "", match.group(2))
    ids: set[str] = set()
    for area, names, single in re.findall(r"`(\w+)\.(?:\{([\w,]+)\}|(\w+))`", text):
        ids |= {f"{area}.{name}" for name in (names.split(",") if names else [single])}
    return int(match.group(1)), ids


def test_the_rule_list_matches_the_rules_on_disk() -> None:
    on_disk = {
        f"{path.parent.name}.{path.stem}"
        for path in RULES_DIR.glob("*/*.rego")
        if not path.name.endswith("_test.rego")
    }
    count, listed = listed_rules((POLICIES_DIR / "README.md").read_text(encoding="utf-8"))
    assert sorted(listed - on_disk) == [], "listed but not on disk"
    assert sorted(on_disk - listed) == [], "on disk but not listed"
    assert count == len(on_disk)


def test_the_parser_expands_braces_and_singles() -> None:
    readme = "Rules today (3): `tier.{a,\nb}`, `export.c`.\n\nnext"
    assert listed_rules(readme) == (3, {"tier.a", "tier.b", "export.c"})
