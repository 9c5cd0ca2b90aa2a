"""The impact summary as a table people read (the CLI prints it; the README shows one)."""

from __future__ import annotations

from datetime import datetime

from service.impact.models import ImpactResult, Transition

_LABELS = {
    Transition.allow_to_deny: "allow → deny",
    Transition.deny_to_allow: "deny → allow",
    Transition.minimum_tier_raised: "minimum tier raised",
    Transition.minimum_tier_lowered: "minimum tier lowered",
    Transition.domestic_substitution_required: "domestic substitution required",
    Transition.domestic_substitution_released: "domestic substitution released",
    Transition.recommendation_changed: "recommendation changed",
    Transition.obligation_added: "obligation added",
    Transition.obligation_removed: "obligation removed",
}


def summary_table(
    result: ImpactResult,
    *,
    candidate_revision: str,
    evaluate_at: datetime | None,
    seconds: float,
) -> str:
    when = evaluate_at.isoformat() if evaluate_at else "each record's own evaluation time"
    lines = [
        f"candidate revision  {candidate_revision[:12]}",
        f"evaluated at        {when}",
        f"records analysed    {result.analysed} in {seconds:.1f} s",
        f"changed             {result.changed}   unchanged {result.unchanged}",
        "",
        f"{'transition':<32} {'records':>7}  first sample",
    ]
    for transition, bucket in result.transitions.items():
        sample = bucket.sample_ids[0] if bucket.sample_ids else "-"
        lines.append(f"{_LABELS[transition]:<32} {bucket.count:>7}  {sample}")
    if result.rules:
        lines += ["", f"{'rule':<40} {'added':>6} {'removed':>8} {'changed':>8}"]
        lines += [
            f"{r.rule_id:<40} {r.added:>6} {r.removed:>8} {r.changed:>8}" for r in result.rules
        ]
    return "\n".join(lines)
