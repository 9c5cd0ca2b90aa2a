"""Build the accelerator catalogue policy data from the sourced reference catalogue.

Usage: python scripts/build_catalog.py [REFERENCE_JSON] [OUT_JSON]

The reference (`reference/hardware-catalog.json` in this repository) is the researched, sourced
list; this script only reshapes it for OPA and the sizing engine and turns prose into
machine-readable fields. Every judgement it makes is marked `"basis": "judgement"` with the reason
beside it. Numbers the reference leaves empty stay empty (null): such a part is listed, never
recommended.

Dated facts (the US export history, China's import stance, the GP10 presumption) are checked here
(RFC 3339 dates, at most one entry in force at any instant, sources present) and copied as they
are: the policies read them against the decision's evaluation time, never against the build date.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REFERENCE = ROOT / "reference" / "hardware-catalog.json"
DEFAULT_OUT = ROOT / "policies" / "tiergate" / "reference" / "accelerators" / "data.json"

# Rack/superchip parts are sold as whole systems; everything else is 8 per node (HGX / Atlas 800).
_DEVICES_PER_NODE = {"nvidia-gb200": 4, "huawei-atlas-800t-a2": 8}

# CNY→USD for comparing indicative prices only; judgement, stated in the data.
CNY_PER_USD = 7.1


def _midpoint(text: str) -> float | None:
    """First 'a-b' range (or single number) in a price note, as its midpoint."""
    match = re.search(r"(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)", text)
    if match:
        return round((float(match.group(1)) + float(match.group(2))) / 2, 3)
    match = re.search(r"(\d+(?:\.\d+)?)", text)
    return float(match.group(1)) if match else None


def _sources_for(entry: dict[str, Any], field: str) -> list[dict[str, Any]]:
    return [s for s in entry.get("sources", []) if field in s.get("fields", [])]


REVIEW_POLICIES = {"presumption_of_denial", "case_by_case", "not_published"}
IMPORT_STANCES = {"restrictive", "conditional"}


class CatalogError(ValueError):
    """The reference breaks a rule the policies rely on (named part, field and reason)."""


def _instant(part: str, field: str, value: object) -> datetime:
    if not isinstance(value, str):
        raise CatalogError(f"{part}: {field} must be an RFC 3339 string, got {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CatalogError(f"{part}: {field} {value!r} is not RFC 3339") from None
    if moment.tzinfo is None:
        raise CatalogError(f"{part}: {field} {value!r} has no UTC offset")
    return moment


def _history(entry: dict[str, Any], field: str) -> list[dict[str, Any]]:
    """A dated history as the policies need it: every entry starts, is sourced, ends after it
    starts, and entries follow each other without overlap (so at most one is ever in force)."""
    part = entry["id"]
    history = list(entry.get(field) or [])
    previous_end: datetime | None = None
    for index, item in enumerate(history):
        where = f"{field}[{index}]"
        start = _instant(part, f"{where}.effective_from", item.get("effective_from"))
        end = item.get("effective_until")
        if end is not None and _instant(part, f"{where}.effective_until", end) <= start:
            raise CatalogError(f"{part}: {where} ends before it starts")
        if index and (previous_end is None or start < previous_end):
            raise CatalogError(f"{part}: {where} overlaps the entry before it")
        previous_end = None if end is None else _instant(part, f"{where}.effective_until", end)
        if not item.get("sources"):
            raise CatalogError(f"{part}: {where} has no source")
        if field == "export_history_cn" and item.get("review_policy") not in REVIEW_POLICIES:
            raise CatalogError(
                f"{part}: {where}.review_policy must be one of {sorted(REVIEW_POLICIES)}"
            )
        if field == "import_stance_cn" and item.get("stance") not in IMPORT_STANCES:
            raise CatalogError(f"{part}: {where}.stance must be one of {sorted(IMPORT_STANCES)}")
    # Sources become their URL (or title without one): the titles stay in the reference, and the
    # policy data OPA serves and the service reads back on every sync check stays small.
    return [
        {**item, "sources": [s.get("url") or s.get("title") for s in item["sources"]]}
        for item in history
    ]


def _export_status(entry: dict[str, Any]) -> dict[str, Any]:
    """The dated US export history (`history`, what the policies read) with a summary of its
    latest entry for the catalogue API and the sizing engine (which do not know the date)."""
    history = _history(entry, "export_history_cn")
    raw = entry.get("export_restricted_cn") or {}
    latest = history[-1] if history else None
    return {
        "status": latest["status"] if latest else "unrestricted",
        "review_policy": latest["review_policy"] if latest else None,
        "since": latest["effective_from"][:10] if latest else None,
        "basis": "rule" if latest is None or latest["confidence"] == "rule" else "judgement",
        "detail": raw.get("status", ""),
        "history": history,
        "sources": sorted({source for item in history for source in item["sources"]}),
    }


# The reference flags doubtful supply in prose; this phrase is how it does so (biren-br100).
_DOUBTFUL_SUPPLY = re.compile(r"[^.;]*availability is doubtful[^.;]*", re.IGNORECASE)


def _supply(entry: dict[str, Any]) -> dict[str, Any]:
    """`doubtful` when the reference says the part may not be obtainable; such a part ranks
    after every other unpriced option in plan search (it cannot be shown to be buyable)."""
    raw = entry.get("export_restricted_cn") or {}
    match = _DOUBTFUL_SUPPLY.search(raw.get("status", ""))
    if not match:
        return {"status": "not_flagged", "detail": "", "sources": []}
    return {
        "status": "doubtful",
        "detail": match.group(0).strip(),
        "sources": [
            s.get("url") or s.get("title") for s in _sources_for(entry, "export_restricted_cn")
        ],
    }


def _rental(entry: dict[str, Any]) -> dict[str, Any] | None:
    raw = entry.get("rental_indicative")
    if not raw:
        return None
    usd_text = raw.get("usd_per_gpu_hour_on_demand_2026") or raw.get("usd_per_gpu_hour")
    cny_text = raw.get("cny_per_gpu_hour_2023_china")
    usd = _midpoint(usd_text) if usd_text else None
    cny = _midpoint(cny_text) if cny_text else None
    if usd is None and cny is not None:
        usd = round(cny / CNY_PER_USD, 3)
    return {
        "usd_per_gpu_hour": usd,
        "cny_per_gpu_hour": cny,
        "basis": "judgement",
        "method": (
            "midpoint of the first quoted range; CNY converted at the stated rate when no USD quote"
        ),
        "quoted": raw,
        "sources": [
            s.get("url") or s.get("title") for s in _sources_for(entry, "rental_indicative")
        ],
    }


def _name_zh(entry: dict[str, Any]) -> str:
    name = entry.get("name_zh")
    if not isinstance(name, str) or not name.strip():
        raise CatalogError(f"{entry['id']}: name_zh (the part's name in Chinese) is missing")
    return name


def _export_windows_by_review_policy(by_id: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The parts' dated US export entries grouped by review policy, then by window (the same
    effective_from and effective_until): each window lists the IDs of the parts under that
    policy then, sorted. export.excluded_part tests the few windows of the review policies that
    exclude a part for the procurement at hand against the evaluation time, instead of every
    entry of every part's history on every decision. The entries themselves, with their
    sources, stay in each part's history."""
    windows: dict[tuple[str, str, str | None], list[str]] = {}
    for part_id, part in by_id.items():
        for item in part["export_status_cn"]["history"]:
            key = (item["review_policy"], item["effective_from"], item.get("effective_until"))
            windows.setdefault(key, []).append(part_id)
    index: dict[str, list[dict[str, Any]]] = {policy: [] for policy in sorted(REVIEW_POLICIES)}
    for (policy, start, end), parts in sorted(windows.items(), key=lambda item: str(item[0])):
        window: dict[str, Any] = {"review_policy": policy, "effective_from": start}
        if end is not None:
            window["effective_until"] = end
        index[policy].append({**window, "accelerators": sorted(parts)})
    return index


def _non_domestic(by_id: dict[str, Any]) -> dict[str, bool]:
    """The non-domestic parts, keyed by ID: the rules requiring domestic accelerators exclude them
    all, and lib/hardware.rego takes the set with one object.keys call instead of testing every
    part's `domestic` on every decision."""
    return {part_id: True for part_id, part in sorted(by_id.items()) if part["domestic"] is False}


def _with_dated_facts(by_id: dict[str, Any]) -> dict[str, dict[str, bool]]:
    """For each dated fact an export warning reads, the parts with any entry of it, keyed by ID:
    the warnings intersect the accelerators they are about with these (one object.keys call)
    instead of reading every subject's history on every decision (most parts have none)."""
    index: dict[str, dict[str, bool]] = {
        "export_status_cn": {},
        "import_stance_cn": {},
        "us_gp10_presumption": {},
    }
    for part_id, part in sorted(by_id.items()):
        histories = {
            "export_status_cn": part["export_status_cn"]["history"],
            "import_stance_cn": part["import_stance_cn"],
            "us_gp10_presumption": part["us_gp10_presumption"],
        }
        for fact, history in histories.items():
            if history:
                index[fact][part_id] = True
    return index


def build(reference: list[dict[str, Any]]) -> dict[str, Any]:
    by_id: dict[str, Any] = {}
    for entry in reference:
        by_id[entry["id"]] = {
            "id": entry["id"],
            "vendor": entry["vendor"],
            "name": entry["name"],
            # what Chinese messages call the part (a compliance officer writes 华为昇腾910B2,
            # not huawei-ascend-910b2)
            "name_zh": _name_zh(entry),
            "domestic": entry["domestic"],
            "memory_gb": entry.get("memory_gb"),
            "memory_bw_gbps": entry.get("memory_bw_gbps"),
            "peak_tflops_dense": {
                "bf16": entry.get("bf16_tflops_dense"),
                "fp16": entry.get("fp16_tflops_dense"),
                "int8": entry.get("int8_tops_dense"),
            },
            "interconnect": entry.get("interconnect"),
            "interconnect_bw_gbps": entry.get("interconnect_bw_gbps"),
            "devices_per_node": _DEVICES_PER_NODE.get(entry["id"], 8),
            "form_factor": entry.get("form_factor"),
            "release_year": entry.get("release_year"),
            "tdp_w": entry.get("tdp_w"),
            "export_status_cn": _export_status(entry),
            "import_stance_cn": _history(entry, "import_stance_cn"),
            "us_gp10_presumption": _history(entry, "us_gp10_presumption"),
            "supply": _supply(entry),
            "rental_indicative": _rental(entry),
            "notes": entry.get("notes", ""),
            "sources": entry.get("sources", []),
        }
    return {
        "source": "reference/hardware-catalog.json (reshaped by scripts/build_catalog.py)",
        "cny_per_usd": {"value": CNY_PER_USD, "basis": "judgement", "use": "price ranking only"},
        "by_id": by_id,
        "export_windows_by_review_policy": _export_windows_by_review_policy(by_id),
        "non_domestic": _non_domestic(by_id),
        "with_dated_facts": _with_dated_facts(by_id),
    }


def main() -> None:
    reference_path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_REFERENCE
    out_path = Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_OUT
    data = build(json.loads(reference_path.read_text(encoding="utf-8")))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(data['by_id'])} accelerators to {out_path}")


if __name__ == "__main__":
    main()
