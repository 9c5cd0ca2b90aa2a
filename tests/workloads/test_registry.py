"""The known-model registry (known_models.json): every entry sourced, and its stated parameter
count agrees with the count its own architecture implies (two sources that must agree)."""

from __future__ import annotations

import pytest

from service.sizing.architecture import resolve_architecture
from service.workloads.models import Workload
from service.workloads.registry import KnownModel, known_model, known_models

MODELS = list(known_models().values())


def config_params(model: KnownModel) -> float:
    """Parameters implied by the config: attention + FFN per block, embeddings (norms and
    biases ignored, < 0.1 %)."""
    arch = resolve_architecture(
        Workload.model_validate({"model": {"name": model.name}, "task": "inference"})
    )
    h, f = arch.hidden_size, arch.ffn_hidden_size
    matrices = 3 if arch.gated_ffn else 2
    experts = max(arch.experts, 1)
    per_layer = arch.attention_params_per_layer + matrices * h * f * experts
    return arch.layers * per_layer + arch.embedding_params


@pytest.mark.parametrize("model", MODELS, ids=[m.name for m in MODELS])
def test_entry_is_sourced_and_consistent(model: KnownModel) -> None:
    arch = model.architecture
    assert model.source.strip()
    assert arch.attention_heads and arch.kv_heads and arch.attention_heads % arch.kv_heads == 0
    if model.family == "decoder" and not arch.moe.experts:
        assert config_params(model) == pytest.approx(model.params_b * 1e9, rel=0.05)


def test_names_normalise() -> None:
    assert known_model("meta-llama/Meta-Llama-3-8B-Instruct") is known_models()["llama-3-8b"]
    assert known_model("bigscience/T0_3B") is known_models()["t0-3b"]
    assert known_model("Qwen/Qwen2.5-7B-Instruct") is known_models()["qwen2.5-7b"]
    assert known_model("unknown") is None
