# METADATA
# title: Tier ladder
# description: >-
#   Aggregates the tier floors set by every rule (`tier_floor` in any `tiergate.rules` package) into the
#   minimum tier, the allowed tiers (minimum and above, highest first) and the selected tier.
package tiergate.lib.tier

import data.tiergate.lib.facts
import data.tiergate.lib.registry

# METADATA
# description: Every tier floor any rule sets for this input.
floors := registry.tier_floor

_lowest_rank := min({rank | some rank in facts.tier_rank})

_minimum_rank := max({facts.tier_rank[entry.tier] | some entry in floors} | {_lowest_rank})

# METADATA
# description: The strictest tier any rule demands (the lowest tier when no rule demands one).
minimum := tier if {
	some tier, rank in facts.tier_rank
	rank == _minimum_rank
}

# METADATA
# description: The minimum tier and every tier above it, highest first.
allowed := [tier.id |
	some tier in data.tiergate.reference.tiers.ladder
	tier.rank >= _minimum_rank
]

# METADATA
# description: The requested tier, or null.
requested := facts.ctx.requested_tier

# METADATA
# description: The requested tier when it is allowed, else the minimum.
selected := requested if {
	requested in allowed
} else := minimum

# METADATA
# description: >-
#   The floors that set the minimum (those at the minimum tier), sorted by rule ID, then message:
#   each sort key carries its floor, rather than a pass over the floors per key.
basis := [key[2] | some key in sort({[f.rule_id, f.message, f] | some f in floors; f.tier == minimum})]
