"""The workload request model (DESIGN.md §3) and the registry of known models' published configs.

`Workload` is the public request shape shared by `POST /v1/sizing` and `POST /v1/decisions`.
Only `model.params_b` (or a known `model.name`) and `task` are required; every other field has a
documented default. Bad input fails validation with a 422 that names the field.

`KNOWN_MODELS` is a *model registry* (published architecture configs, each with its source), used
to fill what the caller leaves out. It is not a table of sizing results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator


class Task(StrEnum):
    inference = "inference"
    lora = "lora"
    qlora = "qlora"
    freeze = "freeze"
    full_finetune = "full_finetune"
    pretrain = "pretrain"


class Precision(StrEnum):
    fp32 = "fp32"
    bf16 = "bf16"
    fp16 = "fp16"
    fp8 = "fp8"
    int8 = "int8"
    int4 = "int4"


class Optimizer(StrEnum):
    adamw = "adamw"
    adamw_8bit = "adamw_8bit"
    sgd = "sgd"
    adafactor = "adafactor"


class Recomputation(StrEnum):
    none = "none"
    selective = "selective"
    full = "full"


TRAINING_TASKS = frozenset({Task.lora, Task.qlora, Task.freeze, Task.full_finetune, Task.pretrain})

_STRICT = ConfigDict(extra="forbid", frozen=True)


class MoE(BaseModel):
    model_config = _STRICT

    experts: int = Field(
        default=0, ge=0, le=4096, description="Routed experts per MoE layer; 0 means a dense model."
    )
    active_params_b: float | None = Field(
        default=None,
        gt=0,
        le=100_000,
        description="Parameters active per token, in billions (compute uses these; memory uses "
        "the total). Default: the total parameter count (conservative).",
    )


class Architecture(BaseModel):
    """Transformer shape. Any field left out is taken from the known model or derived from
    `params_b` (reported in `assumptions.architecture`)."""

    model_config = _STRICT

    layers: int | None = Field(default=None, ge=1, le=1000, description="Transformer layers.")
    hidden_size: int | None = Field(default=None, ge=1, le=1_000_000, description="Model width.")
    attention_heads: int | None = Field(default=None, ge=1, le=10_000, description="Query heads.")
    kv_heads: int | None = Field(
        default=None,
        ge=1,
        le=10_000,
        description="Key/value heads (GQA/MQA); drives the KV cache. Default: attention_heads.",
    )
    head_dim: int | None = Field(default=None, ge=1, le=10_000, description="Per-head dimension.")
    vocab_size: int | None = Field(default=None, ge=1, le=10_000_000, description="Vocabulary.")
    ffn_hidden_size: int | None = Field(
        default=None, ge=1, le=10_000_000, description="FFN inner width (per expert for MoE)."
    )
    moe: MoE = Field(default_factory=MoE, description="Mixture-of-experts shape.")

    @model_validator(mode="after")
    def _heads_consistent(self) -> Self:
        if self.kv_heads is not None and self.attention_heads is not None:
            if self.kv_heads > self.attention_heads:
                raise ValueError("kv_heads must not exceed attention_heads")
            if self.attention_heads % self.kv_heads:
                raise ValueError("attention_heads must be a multiple of kv_heads")
        return self


class ModelSpec(BaseModel):
    model_config = _STRICT

    name: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Model name; a known name (see KNOWN_MODELS) fills params_b and architecture.",
    )
    params_b: float | None = Field(
        default=None,
        gt=0,
        le=100_000,
        description="Total parameters in billions (MoE: all experts). Required unless the name "
        "is known.",
    )
    architecture: Architecture | None = Field(
        default=None, description="Transformer shape; derived from params_b when absent."
    )

    @model_validator(mode="after")
    def _params_or_known_name(self) -> Self:
        if self.params_b is None and (self.name is None or known_model(self.name) is None):
            raise ValueError(
                "model.params_b is required unless model.name is a known model "
                f"({', '.join(sorted(KNOWN_MODELS))})"
            )
        moe = self.architecture.moe if self.architecture else None
        total = self.params_b
        if total is None and self.name is not None:
            found = known_model(self.name)
            total = found.params_b if found else None
        active = moe.active_params_b if moe else None
        if active is not None and total is not None and active > total:
            raise ValueError("architecture.moe.active_params_b must not exceed params_b")
        return self


class Serving(BaseModel):
    model_config = _STRICT

    concurrent_sequences: int = Field(
        default=1, ge=1, le=1_000_000, description="Sequences decoded at once (KV cache)."
    )
    context_len: int = Field(
        default=4096, ge=1, le=10_000_000, description="Tokens per sequence (prompt + output)."
    )


Name = Annotated[str, Field(min_length=1, max_length=200)]


class Workload(BaseModel):
    """What will be trained or served (DESIGN.md §3)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name | None = Field(default=None, description="Free-text workload name.")
    model: ModelSpec = Field(description="The model: params_b or a known name is required.")
    task: Task = Field(description="inference, lora, qlora, freeze, full_finetune or pretrain.")
    precision: Precision = Field(
        default=Precision.bf16,
        description="Compute/storage dtype of the weights. int8/int4 only for inference.",
    )
    quantization_bits: int | None = Field(
        default=None,
        ge=2,
        le=8,
        description="Bits of the quantised frozen base (qlora default 4; inference: implied by "
        "int8/int4 precision, or weight-only quantisation of a bf16/fp16 model).",
    )
    optimizer: Optimizer = Field(default=Optimizer.adamw, description="Optimizer (training).")
    master_weights: StrictBool = Field(
        default=True,
        description="Keep an fp32 master copy (mixed precision). False = pure bf16/fp16 training.",
    )
    activation_checkpointing: Recomputation | None = Field(
        default=None,
        description="Activation recomputation (Korthikanti et al. 2022). Default: full for "
        "fine-tuning (LLaMA-Factory/PEFT default), selective for pretraining (Megatron-LM).",
    )
    seq_len: int | None = Field(
        default=None, ge=1, le=10_000_000, description="Training sequence length. Default 2048."
    )
    micro_batch_size: int = Field(
        default=1, ge=1, le=65_536, description="Sequences per device per step."
    )
    global_batch_size: int | None = Field(
        default=None, ge=1, le=100_000_000, description="Sequences per optimizer step."
    )
    train_tokens: float | None = Field(
        default=None,
        gt=0,
        le=1e16,
        description="Tokens processed in training (all epochs). Without it no time is estimated.",
    )
    lora_rank: int = Field(default=8, ge=1, le=65_536, description="LoRA rank (lora/qlora).")
    serving: Serving = Field(default_factory=Serving, description="Serving shape (inference).")
    deadline_hours: float | None = Field(
        default=None,
        gt=0,
        le=100_000,
        description="Wall-clock target; plans scale out to meet it when they can.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        quantised = self.precision in (Precision.int8, Precision.int4)
        if quantised and self.task is not Task.inference:
            raise ValueError(
                "precision int8/int4 is for inference; use task qlora with quantization_bits "
                "to fine-tune a quantised base"
            )
        implied = {Precision.int8: 8, Precision.int4: 4}.get(self.precision)
        if implied is not None and self.quantization_bits not in (None, implied):
            raise ValueError(
                f"quantization_bits={self.quantization_bits} contradicts precision "
                f"{self.precision.value}"
            )
        return self


# --------------------------------------------------------------------------------------------
# Registry of known models: published configs (Hugging Face config.json / papers), with sources.


@dataclass(frozen=True, slots=True)
class KnownModel:
    name: str
    params_b: float
    layers: int
    hidden_size: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    vocab_size: int
    ffn_hidden_size: int
    source: str
    experts: int = 0
    active_params_b: float | None = None
    # MLA (DeepSeek-V2/V3) caches one compressed latent of this width per token and layer.
    kv_latent_dim: int | None = None
    # Sliding-window attention caps the KV cache at this many tokens.
    sliding_window: int | None = None


_HF = "Hugging Face config.json of "
KNOWN_MODELS: dict[str, KnownModel] = {
    m.name: m
    for m in (
        KnownModel(
            "qwen2.5-7b", 7.62, 28, 3584, 28, 4, 128, 152064, 18944, _HF + "Qwen/Qwen2.5-7B"
        ),
        KnownModel(
            "qwen2.5-72b", 72.7, 80, 8192, 64, 8, 128, 152064, 29568, _HF + "Qwen/Qwen2.5-72B"
        ),
        KnownModel(
            "llama-2-7b",
            6.74,
            32,
            4096,
            32,
            32,
            128,
            32000,
            11008,
            _HF + "meta-llama/Llama-2-7b-hf",
        ),
        KnownModel(
            "llama-2-13b",
            13.0,
            40,
            5120,
            40,
            40,
            128,
            32000,
            13824,
            _HF + "meta-llama/Llama-2-13b-hf",
        ),
        KnownModel(
            "llama-2-70b",
            69.0,
            80,
            8192,
            64,
            8,
            128,
            32000,
            28672,
            _HF + "meta-llama/Llama-2-70b-hf",
        ),
        KnownModel(
            "llama-3-8b",
            8.03,
            32,
            4096,
            32,
            8,
            128,
            128256,
            14336,
            _HF + "meta-llama/Meta-Llama-3-8B",
        ),
        KnownModel(
            "llama-3-70b",
            70.6,
            80,
            8192,
            64,
            8,
            128,
            128256,
            28672,
            _HF + "meta-llama/Meta-Llama-3-70B",
        ),
        KnownModel(
            "mistral-7b",
            7.24,
            32,
            4096,
            32,
            8,
            128,
            32000,
            14336,
            _HF + "mistralai/Mistral-7B-v0.1 (sliding_window 4096)",
            sliding_window=4096,
        ),
        KnownModel(
            "mixtral-8x7b",
            46.7,
            32,
            4096,
            32,
            8,
            128,
            32000,
            14336,
            _HF + "mistralai/Mixtral-8x7B-v0.1; 46.7B total / 12.9B active (Mistral AI blog)",
            experts=8,
            active_params_b=12.9,
        ),
        KnownModel(
            "mixtral-8x22b",
            141.0,
            56,
            6144,
            48,
            8,
            128,
            32768,
            16384,
            _HF + "mistralai/Mixtral-8x22B-v0.1; 141B total / 39B active (Mistral AI blog)",
            experts=8,
            active_params_b=39.0,
        ),
        KnownModel(
            "deepseek-v3",
            671.0,
            61,
            7168,
            128,
            128,
            128,
            129280,
            2048,
            _HF + "deepseek-ai/DeepSeek-V3; 671B total / 37B active; MLA kv_lora_rank 512 + "
            "qk_rope_head_dim 64 (DeepSeek-V3 technical report, arXiv 2412.19437)",
            experts=256,
            active_params_b=37.0,
            kv_latent_dim=576,
        ),
        KnownModel(
            "gpt-3-175b",
            175.0,
            96,
            12288,
            96,
            96,
            128,
            50257,
            49152,
            "Brown et al. 2020 (GPT-3), Table 2.1",
        ),
        # Encoder-decoder T5 family: layers = encoder + decoder blocks.
        KnownModel("t5-large", 0.738, 48, 1024, 16, 16, 64, 32128, 4096, _HF + "t5-large"),
        KnownModel("t5-3b", 2.85, 48, 1024, 32, 32, 128, 32128, 16384, _HF + "t5-3b"),
        KnownModel("t0-3b", 2.78, 48, 2048, 32, 32, 64, 32128, 5120, _HF + "bigscience/T0_3B"),
    )
}

_SUFFIXES = re.compile(r"-(instruct|chat|hf|base|it)$")


def normalize_model_name(name: str) -> str:
    """`Qwen/Qwen2.5-7B-Instruct` → `qwen2.5-7b`; `bigscience/T0_3B` → `t0-3b`."""
    short = name.strip().lower().rsplit("/", 1)[-1].replace("_", "-").replace("meta-", "")
    while True:
        trimmed = _SUFFIXES.sub("", short)
        if trimmed == short:
            return short
        short = trimmed


def known_model(name: str) -> KnownModel | None:
    return KNOWN_MODELS.get(normalize_model_name(name))
