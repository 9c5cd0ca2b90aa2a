"""Rule dates are written once: in reference/effective_dates/data.json, never in METADATA.

The catalogue's `effective_on` is derived from that file (lib/result.rego), so a date left in a
rule's METADATA would be silently ignored — and two places would disagree.
"""

from __future__ import annotations

import json
import re

from tests.conftest import POLICIES_DIR

RULES_DIR = POLICIES_DIR / "tiergate" / "rules"
EFFECTIVE_DATES = POLICIES_DIR / "tiergate" / "reference" / "effective_dates" / "data.json"
METADATA_DATE = re.compile(r"^#\s+effective_(on|from|until):", re.MULTILINE)


def test_no_rule_metadata_carries_a_date() -> None:
    dated = [p.name for p in RULES_DIR.glob("*/*.rego") if METADATA_DATE.search(p.read_text())]
    assert dated == []


def test_every_dated_rule_exists_and_has_a_source() -> None:
    rules = json.loads(EFFECTIVE_DATES.read_text())["rules"]
    on_disk = {f"{p.parent.name}.{p.stem}" for p in RULES_DIR.glob("*/*.rego")}
    assert set(rules) <= on_disk
    for rule_id, window in rules.items():
        assert window.get("effective_from") or window.get("effective_until"), rule_id
        assert window["source"] and window["basis"] in {"rule", "judgement"}, rule_id
