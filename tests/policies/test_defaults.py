"""The documented defaults of optional context fields agree between Python and Rego.

The service fills every default before it asks OPA (service.policies.vocabulary.Context); the
policy data (policies/tiergate/reference/defaults) fills them for a caller that queries OPA
directly.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

from service.policies.vocabulary import Context
from tests.conftest import POLICIES_DIR

REGO_DEFAULTS = POLICIES_DIR / "tiergate" / "reference" / "defaults" / "data.json"

# Fields with no policy default: required, free text, or fixed by the service per request.
NOT_DEFAULTED_IN_REGO = {"sector", "organization", "evaluation_time"}


def _python_default(name: str) -> Any:
    default = Context.model_fields[name].default
    return default.value if isinstance(default, Enum) else default


def test_every_optional_field_has_the_same_default_in_rego() -> None:
    rego = json.loads(REGO_DEFAULTS.read_text())["context"]
    assert set(rego) == set(Context.model_fields) - NOT_DEFAULTED_IN_REGO
    assert {name: _python_default(name) for name in rego} == rego


def test_procurement_defaults_to_the_fail_safe_value() -> None:
    assert _python_default("procurement") == "new"
    assert "fail-safe" in (Context.model_fields["procurement"].description or "")
