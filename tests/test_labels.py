"""Every enum value people read has a Chinese and an English label; dates read as written."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from service import labels
from service.policies.vocabulary import DataClass, Procurement, Sector, StateSecret, Tier, Verdict
from service.settings import PROJECT_ROOT

POLICIES_DIR = PROJECT_ROOT / "policies"


def test_every_enum_member_has_a_label() -> None:
    names = labels.policy_names(PROJECT_ROOT / "policies")
    for enum, table in (
        (Sector, names.sectors),
        (Verdict, labels.VERDICTS),
        (StateSecret, labels.STATE_SECRETS),
        (Procurement, labels.PROCUREMENTS),
        (Tier, names.tiers),
        (DataClass, names.data_classes),
    ):
        assert {m.value for m in enum} <= set(table), enum.__name__
    assert names.tier_order == tuple(t.value for t in Tier)  # highest first, like the enum


def test_resource_forms_cover_the_sizing_forms() -> None:
    from service.sizing.service import SHORT_EXPERIMENT_HOURS, tier_forms

    assert SHORT_EXPERIMENT_HOURS
    forms = tier_forms(POLICIES_DIR)
    assert set(forms.values()) | {"cloud_container"} <= set(labels.RESOURCE_FORMS)


def test_dates_and_lists() -> None:
    moment = datetime(2027, 1, 1, 9, 5, tzinfo=UTC)
    assert labels.date_text(moment, "zh", with_time=False) == "2027年1月1日"
    assert labels.date_text("2027-01-01T09:05:00Z", "zh") == "2027年1月1日 09:05 UTC"
    assert labels.date_text(moment, "en") == "1 Jan 2027 09:05 UTC"
    assert labels.joined(["机密", "绝密"], "zh") == "机密、绝密"
    assert labels.label(labels.STATE_SECRETS, "confidential", "zh") == "机密"
    assert labels.label(labels.policy_names(POLICIES_DIR).regions, "hk", "zh") == "中国香港"


def test_every_context_field_has_a_ui_label() -> None:
    """A context field added to the request shows under a Chinese heading, not its field name."""
    from service.policies.vocabulary import Context, CrossBorder
    from service.ui import text

    assert set(Context.model_fields) <= set(text.CONTEXT_FIELDS)
    assert set(CrossBorder.model_fields) <= set(text.CROSS_BORDER_FIELDS)


def test_figures_read_as_three_significant_digits() -> None:
    from service.ui.text import figure

    assert figure(15.240370171) == "15.2"
    assert figure(0.060740352) == "0.0607"
    assert figure(123456.7) == "123,457"
    assert figure(8) == 8 and figure(True) is True  # counts and flags untouched


def test_names_and_forms_follow_an_edit_of_the_reference_data(tmp_path: Path) -> None:
    """A policy author edits the tier data while the service runs: the labels and the resource
    forms read the new value (no cache that outlives the file)."""
    from service.sizing.service import tier_forms

    reference = tmp_path / "policies" / "tiergate" / "reference"
    for name in ("tiers", "tier_matrix", "sectors", "regions"):
        shutil.copytree(POLICIES_DIR / "tiergate" / "reference" / name, reference / name)
    copy = tmp_path / "policies"
    assert labels.policy_names(copy).tiers["vpc"][0] == "专有网络VPC"
    assert tier_forms(copy)["vpc"] == "cloud_host"

    path = reference / "tiers" / "data.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for tier in data["ladder"]:
        if tier["id"] == "vpc":
            tier["name_zh"], tier["resource_form"] = "专有云", "bare_metal"
    mtime = path.stat().st_mtime_ns
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.utime(path, ns=(mtime + 1_000_000, mtime + 1_000_000))  # a later write, whatever the tick

    assert labels.policy_names(copy).tiers["vpc"][0] == "专有云"
    assert tier_forms(copy)["vpc"] == "bare_metal"
