# METADATA
# title: Domestic substitution helpers
# description: >-
#   What every rule that makes domestic accelerators (信创) required shares: the deny when the
#   requested accelerator is non-domestic and the warning naming non-domestic ones (each such rule
#   excludes `hardware.non_domestic`).
package tiergate.lib.domestic

import data.tiergate.lib.facts
import data.tiergate.lib.hardware
import data.tiergate.lib.result

# METADATA
# description: >-
#   The deny for a requested non-domestic accelerator; `reason` and `reason_zh` say why this
#   input needs domestic accelerators. Undefined when the requested accelerator is domestic or absent.
requested_violation(chain, reason, reason_zh) := result.deny(
	chain,
	sprintf("%s, so domestic accelerators are required; requested %s is not domestic", [reason, id]),
	sprintf("%s，须使用国产加速卡（信创）；所申请的%s不是国产加速卡", [reason_zh, facts.accelerator_zh(id)]),
) if {
	id := facts.ctx.requested_accelerator
	id in hardware.non_domestic
}

# METADATA
# description: >-
#   The warning for a sector where domestic accelerators are preferred, naming the non-domestic
#   accelerators this input asks for (the requested one, else those of the candidate plans).
#   Undefined when none is non-domestic.
preference_warning(chain, reason, reason_zh) := result.warn(
	chain,
	sprintf("%s, so domestic accelerators are preferred; %s non-domestic: %s", [reason, hardware.subject_kind, concat(", ", ids)]),
	sprintf("%s，宜优先使用国产加速卡（信创）；%s非国产加速卡：%s", [reason_zh, hardware.subject_kind_zh, facts.accelerators_zh(ids)]),
) if {
	ids := sort({id | some id in hardware.subjects; id in hardware.non_domestic})
	count(ids) > 0
}
