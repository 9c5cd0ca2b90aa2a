"""The transformer shape: the one definition of the architecture fields.

`Architecture` is what a caller (or a registry entry) states; every field is optional. The sizing
engine completes it into `service.sizing.architecture.ResolvedArchitecture`, which has exactly
these fields, required (tests/sizing/test_architecture.py pins the two together).
"""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

STRICT = ConfigDict(extra="forbid", frozen=True)


class MoE(BaseModel):
    model_config = STRICT

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
    `params_b` (reported in `assumptions.architecture`); a field given is never changed."""

    model_config = STRICT

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
    tied_embeddings: StrictBool | None = Field(
        default=None,
        description="Input embedding and output head share one matrix (tie_word_embeddings). "
        "Default: untied.",
    )
    gated_ffn: StrictBool | None = Field(
        default=None,
        description="Gated FFN (SwiGLU/GeGLU: gate, up, down) rather than a two-matrix MLP "
        "(GPT-3, OPT, BLOOM). Default: gated (Llama-style).",
    )
    kv_latent_dim: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        description="MLA (DeepSeek-V2/V3): width of the one compressed latent cached per token "
        "and layer instead of per-head keys and values.",
    )
    sliding_window: int | None = Field(
        default=None, ge=1, le=10_000_000, description="Sliding-window attention caps the KV cache."
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


# The shape fields shared by the request and the resolved architecture.
SHAPE_FIELDS = (
    "layers",
    "hidden_size",
    "attention_heads",
    "kv_heads",
    "head_dim",
    "vocab_size",
    "ffn_hidden_size",
)
