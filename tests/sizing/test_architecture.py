"""Architecture resolution: one definition of the shape, given fields never changed, derived
shapes from a fit over the registry's real configs."""

from __future__ import annotations

import statistics
from typing import Any

import pytest

from service.sizing.architecture import ResolvedArchitecture, derive_shape, resolve_architecture
from service.workloads.architecture import SHAPE_FIELDS, Architecture
from service.workloads.models import Workload
from service.workloads.registry import known_models


def resolve(model: dict[str, Any]) -> ResolvedArchitecture:
    return resolve_architecture(Workload.model_validate({"model": model, "task": "inference"}))


def test_request_and_resolved_shapes_are_one_definition() -> None:
    """Every field a caller (or the registry) can state is a field of the resolved shape."""
    stated = set(Architecture.model_fields) - {"moe"}
    assert set(SHAPE_FIELDS) <= stated
    assert stated <= set(ResolvedArchitecture.model_fields)


def test_given_fields_are_never_changed() -> None:
    """Issue 12 item 5: a given kv_heads used to be clamped by derived heads."""
    arch = resolve({"params_b": 7, "architecture": {"kv_heads": 8, "hidden_size": 1024}})
    assert arch.kv_heads == 8 and arch.hidden_size == 1024
    assert arch.attention_heads % 8 == 0
    assert "kv_heads" not in arch.derived_fields and "hidden_size" not in arch.derived_fields
    odd = resolve({"params_b": 7, "architecture": {"kv_heads": 48}})
    assert odd.kv_heads == 48 and odd.attention_heads % 48 == 0


def test_caller_fields_override_the_registry() -> None:
    arch = resolve({"name": "llama-3-8b", "architecture": {"vocab_size": 32000}})
    assert arch.vocab_size == 32000 and arch.layers == 32 and arch.kv_heads == 8
    assert arch.source.startswith("caller over")


def test_derived_shapes_track_real_configs() -> None:
    """The fit over the registry puts derived depth and width near the published configs:
    median error under 20 % on the registry's dense decoders."""
    errors = []
    for model in known_models().values():
        a = model.architecture
        if model.family != "decoder" or a.moe.experts or a.layers is None:
            continue
        layers, hidden = derive_shape(model.params_b * 1e9, vocab=a.vocab_size or 32000)
        errors.append(abs(layers / a.layers - 1))
        errors.append(abs(hidden / (a.hidden_size or 1) - 1))
    assert statistics.median(errors) < 0.2


def test_derived_shape_is_flagged_and_sourced() -> None:
    arch = resolve({"params_b": 13})
    assert {"layers", "hidden_size", "vocab_size"} <= set(arch.derived_fields)
    assert "fit over" in arch.source
    assert arch.params_b == 13 and arch.kv_heads == arch.attention_heads


@pytest.mark.parametrize("name", ["qwen2.5-0.5b", "llama-3.2-1b", "gemma-2b"])
def test_tied_embeddings_count_once(name: str) -> None:
    arch = resolve({"name": name})
    assert arch.tied_embeddings
    assert arch.embedding_params == arch.vocab_size * arch.hidden_size
