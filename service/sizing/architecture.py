"""Stage 1a, resolve the architecture: the caller's fields, else the known model's published
config, else a shape derived from the parameter count by a fit over the registry's real configs
(flagged in `derived_fields`). A field the caller gives is never changed."""

from __future__ import annotations

import math
import statistics
from functools import cache

from pydantic import BaseModel, ConfigDict

from service.workloads.architecture import Architecture
from service.workloads.models import Workload
from service.workloads.registry import KnownModel, known_model, known_models

DERIVED_HEAD_DIM = 128  # the registry's most common head width (Llama, Qwen, Mistral, OPT)


class ResolvedArchitecture(BaseModel):
    """The complete shape the formulas use: every `Architecture` shape field, resolved, plus
    where each came from. Reported as `assumptions.architecture`."""

    model_config = ConfigDict(frozen=True)

    params_b: float
    active_params_b: float
    layers: int
    hidden_size: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    vocab_size: int
    ffn_hidden_size: int
    tied_embeddings: bool
    gated_ffn: bool
    kv_latent_dim: int | None
    sliding_window: int | None
    experts: int
    derived_fields: list[str]
    source: str

    @property
    def derived(self) -> bool:
        return bool(self.derived_fields)

    @property
    def params(self) -> float:
        return self.params_b * 1e9

    @property
    def active_params(self) -> float:
        return self.active_params_b * 1e9

    @property
    def embedding_params(self) -> float:
        """Input embedding plus the output head (one matrix when tied)."""
        return (1.0 if self.tied_embeddings else 2.0) * self.vocab_size * self.hidden_size

    @property
    def attention_params_per_layer(self) -> float:
        h, hd = self.hidden_size, self.head_dim
        return float(h * self.attention_heads * hd * 2 + h * self.kv_heads * hd * 2)

    @property
    def expert_params(self) -> float:
        """Parameters in routed experts (sharded by expert parallelism); 0 for dense models."""
        if self.experts <= 1:
            return 0.0
        matrices = 3 if self.gated_ffn else 2
        routed = float(self.experts * matrices * self.hidden_size * self.ffn_hidden_size)
        rest = self.params - self.embedding_params - self.layers * self.attention_params_per_layer
        return max(0.0, min(routed * self.layers, rest))

    @property
    def largest_layer_params(self) -> float:
        """The largest single module, as DeepSpeed's ZeRO-3 estimator counts it: usually the
        embedding (vocab × hidden); else the widest FFN matrix."""
        return float(
            max(self.vocab_size * self.hidden_size, self.hidden_size * self.ffn_hidden_size)
        )

    @property
    def per_layer_params(self) -> float:
        """Parameters of one transformer block, from the total (so it matches params_b)."""
        return max(self.params - self.embedding_params, 0.0) / self.layers

    def linear_shapes(self) -> dict[str, tuple[int, int, int]]:
        """module → (d_in, d_out, copies) of each linear in one block (LoRA adapter counts)."""
        h, a, kv, hd, f = (
            self.hidden_size,
            self.attention_heads,
            self.kv_heads,
            self.head_dim,
            self.ffn_hidden_size,
        )
        experts = max(self.experts, 1)
        shapes = {
            "q_proj": (h, a * hd, 1),
            "k_proj": (h, kv * hd, 1),
            "v_proj": (h, kv * hd, 1),
            "o_proj": (a * hd, h, 1),
            "up_proj": (h, f, experts),
            "down_proj": (f, h, experts),
        }
        if self.gated_ffn:
            shapes["gate_proj"] = (h, f, experts)
        return shapes


class ShapeFit(BaseModel):
    """Power laws over the registry's dense decoders: layers ≈ a·N^b (N in billions), the FFN
    ratio, the vocabulary (medians). Reported with every derived shape."""

    layers_coefficient: float
    layers_exponent: float
    ffn_ratio: float
    vocab_size: int
    models: int


@cache
def shape_fit() -> ShapeFit:
    dense = [
        m
        for m in known_models().values()
        if m.family == "decoder" and not m.architecture.moe.experts
    ]
    xs = [math.log(m.params_b) for m in dense]
    ys = [math.log(m.architecture.layers or 1) for m in dense]
    slope, intercept = statistics.linear_regression(xs, ys)
    ratios = [
        (m.architecture.ffn_hidden_size or 0) / (m.architecture.hidden_size or 1)
        for m in dense
        if m.architecture.gated_ffn
    ]
    return ShapeFit(
        layers_coefficient=math.exp(intercept),
        layers_exponent=slope,
        ffn_ratio=statistics.median(ratios),
        vocab_size=int(statistics.median_low(m.architecture.vocab_size or 0 for m in dense)),
        models=len(dense),
    )


def derive_shape(params: float, *, vocab: int, layers: int | None = None) -> tuple[int, int]:
    """(layers, hidden) for `params`: layers from the registry fit (unless given), then the
    width solving L·(4h² + 3·r·h²) + 2·V·h = params (attention 4h², gated FFN 3·r·h² with the
    fitted ratio r), rounded to whole 128-wide heads."""
    fit = shape_fit()
    if layers is None:
        layers = max(2, round(fit.layers_coefficient * (params / 1e9) ** fit.layers_exponent))
    a, b = layers * (4.0 + 3.0 * fit.ffn_ratio), 2.0 * vocab
    h = (-b + math.sqrt(b * b + 4 * a * params)) / (2 * a)
    hidden = max(DERIVED_HEAD_DIM, round(h / DERIVED_HEAD_DIM) * DERIVED_HEAD_DIM)
    return layers, hidden


def _given(workload: Workload, known: KnownModel | None) -> dict[str, int | bool]:
    """The caller's fields over the known model's; absent where neither says."""
    merged: dict[str, int | bool] = {}
    for arch in (known.architecture if known else None, workload.model.architecture):
        if arch is not None:
            merged.update(arch.model_dump(exclude={"moe"}, exclude_none=True))
    return merged


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def resolve_architecture(workload: Workload) -> ResolvedArchitecture:
    spec = workload.model
    known = known_model(spec.name) if spec.name else None
    caller: Architecture | None = spec.architecture
    params_b = spec.params_b if spec.params_b is not None else known.params_b if known else None
    assert params_b is not None  # guaranteed by ModelSpec validation
    given = _given(workload, known)
    derived: list[str] = []

    def take(key: str, fallback: int) -> int:
        if key in given:
            return int(given[key])
        derived.append(key)
        return fallback

    fit = shape_fit()
    vocab = take("vocab_size", fit.vocab_size)
    layers_given = int(given["layers"]) if "layers" in given else None
    d_layers, d_hidden = derive_shape(params_b * 1e9, vocab=vocab, layers=layers_given)
    layers = take("layers", d_layers)
    hidden = take("hidden_size", d_hidden)
    heads_given = int(given["attention_heads"]) if "attention_heads" in given else None
    head_dim = take("head_dim", hidden // heads_given if heads_given else DERIVED_HEAD_DIM)
    heads_default = max(1, hidden // head_dim)
    if "kv_heads" in given:
        # Grouped-query attention: heads must be a multiple of the given kv_heads.
        kv = int(given["kv_heads"])
        heads_default = _round_up(max(heads_default, kv), kv)
    heads = take("attention_heads", heads_default)
    # Multi-head attention when GQA is unknown: the conservative (largest) KV cache.
    kv_heads = take("kv_heads", heads)
    gated = bool(given.get("gated_ffn", True))
    ratio = fit.ffn_ratio if gated else 4.0  # two-matrix MLPs use 4h (GPT-3, OPT, BLOOM)
    ffn = take("ffn_hidden_size", max(256, round(ratio * hidden / 256) * 256))

    moe_caller = caller.moe if caller else None
    moe_known = known.architecture.moe if known else None
    if moe_caller is not None and moe_caller.experts:
        experts, active_b = moe_caller.experts, moe_caller.active_params_b
    elif moe_known is not None:
        experts = moe_known.experts
        active_b = (moe_caller.active_params_b if moe_caller else None) or moe_known.active_params_b
    else:
        experts, active_b = 0, moe_caller.active_params_b if moe_caller else None
    if active_b is None and experts > 1:
        derived.append("moe.active_params_b")

    if known is not None:
        source = known.source if caller is None else f"caller over {known.source}"
    elif len(derived) >= 6:
        source = f"derived from params_b (fit over {fit.models} registry configs)"
    else:
        source = "caller + derived" if derived else "caller"
    kv_latent = given.get("kv_latent_dim")
    window = given.get("sliding_window")
    return ResolvedArchitecture(
        params_b=params_b,
        active_params_b=min(active_b if active_b is not None else params_b, params_b),
        layers=layers,
        hidden_size=hidden,
        attention_heads=heads,
        kv_heads=kv_heads,
        head_dim=head_dim,
        vocab_size=vocab,
        ffn_hidden_size=ffn,
        tied_embeddings=bool(given.get("tied_embeddings", False)),
        gated_ffn=gated,
        kv_latent_dim=int(kv_latent) if kv_latent is not None else None,
        sliding_window=int(window) if window is not None else None,
        experts=experts,
        derived_fields=derived,
        source=source,
    )
