"""What the log tests seal: a record skeleton with the fields seal() reads, and a strategy for
everything JSON the service can put in a record."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st


def record_skeleton(extra: dict[str, Any], *, number: int = 1) -> dict[str, Any]:
    """A record with the fields seal() reads, plus arbitrary JSON in request.extra."""
    return {
        "id": f"00000000-0000-4000-8000-{number:012d}",
        "created_at": datetime(2026, 12, 1, tzinfo=UTC).isoformat(),
        "request": {"context": {"sector": "internet", "organization": "org"}, "extra": extra},
        "verdict": "allow",
        "tier": {"selected": "vpc"},
        "violations": [],
        "obligations": [{"rule_id": "obligations.filing"}],
        "integrity": {"input_sha256": "a" * 64},
    }


# Finite floats of every magnitude (whole numbers at and above 2^53 included), safe integers,
# unicode text (no lone surrogates: a request carrying one is refused before it is sealed), and
# nested lists and objects.
_SAFE_INT = 2**53 - 1
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-_SAFE_INT, max_value=_SAFE_INT)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(min_value=53, max_value=1023).map(lambda e: float(2**e))
    | st.integers(min_value=1, max_value=10**6).map(lambda m: m * 1e15)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
