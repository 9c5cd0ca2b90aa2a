"""Workload validation: required fields, bounds, enums, cross-field rules, known models."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from service.workloads.models import Task, Workload


def _errors(body: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as info:
        Workload.model_validate(body)
    return [(".".join(str(p) for p in e["loc"]), e["msg"]) for e in info.value.errors()]


def test_minimal_workload_gets_documented_defaults() -> None:
    w = Workload.model_validate({"model": {"params_b": 7}, "task": "lora"})
    assert w.precision.value == "bf16"
    assert w.optimizer.value == "adamw"
    assert w.master_weights is True
    assert w.micro_batch_size == 1
    assert w.lora_rank == 8
    assert w.serving.concurrent_sequences == 1
    assert w.activation_checkpointing is None  # resolved per task by the sizing engine


def test_design_example_validates() -> None:
    body = {
        "name": "legal-qa",
        "model": {
            "name": "qwen2.5-7b",
            "params_b": 7.6,
            "architecture": {
                "layers": 28,
                "hidden_size": 3584,
                "attention_heads": 28,
                "kv_heads": 4,
                "head_dim": 128,
                "vocab_size": 152064,
                "ffn_hidden_size": 18944,
                "moe": {"experts": 0, "active_params_b": None},
            },
        },
        "task": "lora",
        "precision": "bf16",
        "quantization_bits": 4,
        "optimizer": "adamw",
        "master_weights": True,
        "activation_checkpointing": "full",
        "seq_len": 4096,
        "micro_batch_size": 1,
        "global_batch_size": 64,
        "train_tokens": 2.0e9,
        "lora_rank": 8,
        "serving": {"concurrent_sequences": 32, "context_len": 8192},
        "deadline_hours": 72,
    }
    assert Workload.model_validate(body).task is Task.lora


def test_params_or_known_name_required() -> None:
    errors = _errors({"model": {"name": "my-secret-model"}, "task": "lora"})
    assert errors[0][0] == "model"
    assert "params_b is required" in errors[0][1]
    assert Workload.model_validate({"model": {"name": "Qwen/Qwen2.5-7B-Instruct"}, "task": "lora"})


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"model": {"params_b": -1}, "task": "lora"}, "model.params_b"),
        ({"model": {"params_b": 0}, "task": "lora"}, "model.params_b"),
        ({"model": {"params_b": 7}, "task": "dance"}, "task"),
        ({"model": {"params_b": 7}, "task": "lora", "seq_len": 0}, "seq_len"),
        ({"model": {"params_b": 7}, "task": "lora", "micro_batch_size": -2}, "micro_batch_size"),
        ({"model": {"params_b": 7}, "task": "lora", "quantization_bits": 16}, "quantization_bits"),
        ({"model": {"params_b": 7}, "task": "lora", "precision": "fp64"}, "precision"),
        ({"model": {"params_b": 7}, "task": "lora", "surprise": 1}, "surprise"),
        (
            {"model": {"params_b": 7, "architecture": {"layers": 0}}, "task": "lora"},
            "model.architecture.layers",
        ),
        (
            {"model": {"params_b": 7}, "task": "inference", "serving": {"context_len": 0}},
            "serving.context_len",
        ),
        ({"model": {"params_b": 7}, "task": "lora", "deadline_hours": 0}, "deadline_hours"),
        ({"model": {"params_b": 7}, "task": "lora", "name": "x" * 201}, "name"),
    ],
)
def test_bad_input_names_the_field(body: dict[str, Any], field: str) -> None:
    assert field in [loc for loc, _ in _errors(body)]


def test_cross_field_rules() -> None:
    assert (
        "kv_heads"
        in _errors(
            {
                "model": {"params_b": 7, "architecture": {"attention_heads": 8, "kv_heads": 16}},
                "task": "lora",
            }
        )[0][1]
    )
    assert (
        "multiple of kv_heads"
        in _errors(
            {
                "model": {"params_b": 7, "architecture": {"attention_heads": 12, "kv_heads": 5}},
                "task": "lora",
            }
        )[0][1]
    )
    assert (
        "active_params_b"
        in _errors(
            {
                "model": {
                    "params_b": 7,
                    "architecture": {"moe": {"experts": 8, "active_params_b": 9}},
                },
                "task": "lora",
            }
        )[0][1]
    )
    assert (
        "inference"
        in _errors({"model": {"params_b": 7}, "task": "lora", "precision": "int4"})[0][1]
    )
    assert (
        "contradicts"
        in _errors(
            {
                "model": {"params_b": 7},
                "task": "inference",
                "precision": "int8",
                "quantization_bits": 4,
            }
        )[0][1]
    )
