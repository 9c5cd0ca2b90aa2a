"""Result models built from values the engine itself produced, without pydantic validation.

A search builds one `PlanOption` (with its `Parallelism` and `MemoryBreakdown`) per usable part:
validating the 29 options of the benchmark request cost 168 µs of a 1.1 ms `size()`, and
`model_construct` is slower still (645 µs: a Python loop over every field's aliases and
defaults). `trusted` sets what `model_construct` sets, nothing else.

The caller's promise: `values` names every field of the model, in declaration order, each
already of its field's type (a float field gets a float, not an int) — what validation would
have produced. tests/sizing/test_trusted.py holds every trusted construction to the validated
one (fields, types, fields set, JSON) over the Hypothesis requests.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

# BaseModel's slots, set through their descriptors: model_construct's object.__setattr__ looks
# each one up by name first (1.33 -> 0.68 µs a MemoryBreakdown; validation 1.83). A pydantic
# that renames them fails here, at import.
_SLOTS = BaseModel.__dict__
_set_dict = _SLOTS["__dict__"].__set__
_set_fields_set = _SLOTS["__pydantic_fields_set__"].__set__
_set_extra = _SLOTS["__pydantic_extra__"].__set__
_set_private = _SLOTS["__pydantic_private__"].__set__


def trusted(cls: type[M], values: dict[str, Any]) -> M:
    """An instance of `cls` whose fields are `values` (kept, not copied)."""
    model = cls.__new__(cls)
    _set_dict(model, values)
    _set_fields_set(model, set(values))
    _set_extra(model, None)
    _set_private(model, None)
    return model
