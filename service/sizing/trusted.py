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

_set = object.__setattr__  # what pydantic's model_construct uses: the models may be frozen


def trusted(cls: type[M], values: dict[str, Any]) -> M:
    """An instance of `cls` whose fields are `values` (kept, not copied)."""
    model = cls.__new__(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", set(values))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model
