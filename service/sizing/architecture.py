"""Resolve the transformer shape the formulas need: caller's fields, else the known model's
published config, else a plausible shape derived from the parameter count (flagged)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from service.workloads.models import KnownModel, Workload, known_model

# Derivation constants (judgement, stated in assumptions): Llama-style decoder, SwiGLU FFN,
# head_dim 128, width/depth ratio 128 (Llama-1/2 7B and 13B: 4096/32, 5120/40), a 32k vocabulary.
DERIVED_HEAD_DIM = 128
DERIVED_ASPECT = 128
DERIVED_VOCAB = 32000


@dataclass(frozen=True, slots=True)
class ResolvedArchitecture:
    params: float  # total parameters (count, not billions)
    active_params: float  # per-token parameters (MoE), == params for dense
    layers: int
    hidden_size: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    vocab_size: int
    ffn_hidden_size: int
    experts: int
    kv_latent_dim: int | None
    sliding_window: int | None
    derived_fields: tuple[str, ...]
    source: str

    @property
    def derived(self) -> bool:
        return bool(self.derived_fields)

    @property
    def params_b(self) -> float:
        return self.params / 1e9

    @property
    def active_params_b(self) -> float:
        return self.active_params / 1e9

    @property
    def largest_layer_params_m(self) -> float:
        return round(self.largest_layer_params / 1e6, 3)

    @property
    def embedding_params(self) -> float:
        """Input embedding + untied output head (Llama-style; conservative for tied models)."""
        return 2.0 * self.vocab_size * self.hidden_size

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

    def linear_shapes(self) -> list[tuple[int, int, int]]:
        """(d_in, d_out, copies) of each linear in one block, for LoRA adapter counts."""
        h, a, kv, hd, f = (
            self.hidden_size,
            self.attention_heads,
            self.kv_heads,
            self.head_dim,
            self.ffn_hidden_size,
        )
        experts = max(self.experts, 1)
        return [
            (h, a * hd, 1),  # q
            (h, kv * hd, 2),  # k, v
            (a * hd, h, 1),  # o
            (h, f, 2 * experts),  # gate, up
            (f, h, experts),  # down
        ]


def derive_shape(params: float) -> tuple[int, int]:
    """(layers, hidden) with 12·L·h² + 2·V·h ≈ params and h ≈ 128·L.

    12·h² per block = 4h² attention + 3·h·(8h/3) SwiGLU FFN (Transformer Math 101 / Kaplan et al.
    2020's 12·L·d² non-embedding count)."""
    lo, hi = 1.0, 2000.0
    for _ in range(60):  # bisection on continuous depth L with h = 128·L
        mid = (lo + hi) / 2
        width = DERIVED_ASPECT * mid
        if 12 * mid * width**2 + 2 * DERIVED_VOCAB * width < params:
            lo = mid
        else:
            hi = mid
    layers = max(2, round(lo))
    # Solve 12·L·h² + 2·V·h − params = 0 for h, then round to whole heads.
    a, b = 12.0 * layers, 2.0 * DERIVED_VOCAB
    h = (-b + math.sqrt(b * b + 4 * a * params)) / (2 * a)
    hidden = max(DERIVED_HEAD_DIM, round(h / DERIVED_HEAD_DIM) * DERIVED_HEAD_DIM)
    return layers, hidden


def resolve_architecture(workload: Workload) -> ResolvedArchitecture:
    spec = workload.model
    known: KnownModel | None = known_model(spec.name) if spec.name else None
    arch = spec.architecture
    params_b = spec.params_b if spec.params_b is not None else known.params_b if known else None
    assert params_b is not None  # guaranteed by ModelSpec validation
    params = params_b * 1e9
    derived: list[str] = []

    given: dict[str, int | None] = {
        "layers": arch.layers if arch else None,
        "hidden_size": arch.hidden_size if arch else None,
        "attention_heads": arch.attention_heads if arch else None,
        "kv_heads": arch.kv_heads if arch else None,
        "head_dim": arch.head_dim if arch else None,
        "vocab_size": arch.vocab_size if arch else None,
        "ffn_hidden_size": arch.ffn_hidden_size if arch else None,
    }
    if known is not None:
        for key in given:
            if given[key] is None:
                given[key] = int(getattr(known, key))

    layers = given["layers"]
    hidden = given["hidden_size"]
    if layers is None or hidden is None:
        d_layers, d_hidden = derive_shape(params)
        if layers is None:
            layers = d_layers
            derived.append("layers")
        if hidden is None:
            hidden = d_hidden
            derived.append("hidden_size")
    head_dim = given["head_dim"]
    heads = given["attention_heads"]
    if head_dim is None:
        head_dim = hidden // heads if heads else DERIVED_HEAD_DIM
        derived.append("head_dim")
    if heads is None:
        heads = max(1, hidden // head_dim)
        derived.append("attention_heads")
    kv_heads = given["kv_heads"]
    if kv_heads is None:
        # Multi-head attention: the conservative (largest) KV cache when GQA is unknown.
        kv_heads = heads
        derived.append("kv_heads")
    vocab = given["vocab_size"]
    if vocab is None:
        vocab = DERIVED_VOCAB
        derived.append("vocab_size")
    ffn = given["ffn_hidden_size"]
    if ffn is None:
        ffn = int(round(8 * hidden / 3 / 256) * 256) or 256  # SwiGLU 8h/3 (LLaMA paper)
        derived.append("ffn_hidden_size")

    experts = arch.moe.experts if arch else 0
    active_b = arch.moe.active_params_b if arch else None
    if known is not None and arch is None:
        experts = known.experts
    if known is not None and active_b is None and (arch is None or arch.moe.experts == 0):
        active_b = known.active_params_b
        experts = max(experts, known.experts)
    if active_b is None and experts > 1:
        derived.append("moe.active_params_b")
    active = active_b * 1e9 if active_b is not None else params

    if known is not None and not (arch and arch.layers):
        source = known.source
    elif derived:
        source = "derived from params_b" if len(derived) >= 6 else "caller + derived"
    else:
        source = "caller"
    return ResolvedArchitecture(
        params=params,
        active_params=min(active, params),
        layers=layers,
        hidden_size=hidden,
        attention_heads=heads,
        kv_heads=min(kv_heads, heads),
        head_dim=head_dim,
        vocab_size=vocab,
        ffn_hidden_size=ffn,
        experts=experts,
        kv_latent_dim=known.kv_latent_dim if known and not (arch and arch.kv_heads) else None,
        sliding_window=known.sliding_window if known else None,
        derived_fields=tuple(derived),
        source=source,
    )
