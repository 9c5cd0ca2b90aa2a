"""Request and response models of `POST /v1/sizing` (DESIGN.md §3)."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.sizing.memory import Accounting, Offload
from service.workloads.models import Workload


class Plan(BaseModel):
    """A fixed configuration: does it fit, and how long does it take?"""

    model_config = ConfigDict(extra="forbid", frozen=True)

    accelerator: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Catalogue id. Without it only per-device memory is computed (fits = null).",
    )
    count: int = Field(ge=1, le=100_000, description="Devices in the job.")
    zero_stage: int = Field(default=0, ge=0, le=3, description="ZeRO stage (training).")
    tp: int = Field(default=1, ge=1, le=1024, description="Tensor-parallel degree (within a node).")
    pp: int = Field(default=1, ge=1, le=1024, description="Pipeline-parallel degree.")
    dp: int | None = Field(
        default=None, ge=1, le=100_000, description="Data-parallel degree; default count/(tp·pp)."
    )
    offload: Offload = Field(default=Offload.none, description="ZeRO-Offload to host RAM.")
    mfu: float | None = Field(
        default=None, gt=0, le=1, description="Model-FLOPs utilisation; overrides the prior."
    )

    @model_validator(mode="after")
    def _degrees_match_count(self) -> Self:
        if self.dp is not None and self.tp * self.pp * self.dp != self.count:
            raise ValueError(
                f"tp×pp×dp = {self.tp}×{self.pp}×{self.dp} = {self.tp * self.pp * self.dp} "
                f"does not equal count {self.count}"
            )
        if self.count % (self.tp * self.pp):
            raise ValueError(f"count {self.count} is not a multiple of tp×pp = {self.tp * self.pp}")
        if self.offload is Offload.full and self.zero_stage != 3:
            raise ValueError("offload=full (parameters too) needs zero_stage 3")
        if self.offload is Offload.optimizer and self.zero_stage == 0:
            raise ValueError("offload=optimizer needs zero_stage 1, 2 or 3 (ZeRO-Offload)")
        return self

    @property
    def data_parallel(self) -> int:
        return self.dp if self.dp is not None else self.count // (self.tp * self.pp)


class SizingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workload: Workload
    plan: Plan | None = Field(default=None, description="Fix the configuration (optional).")
    accounting: Accounting = Field(
        default=Accounting.framework,
        description="framework (DeepSpeed/Megatron, fp32 gradients: 18 B/param with AdamW) or "
        "zero_paper (ZeRO paper closed form, 16 B/param).",
    )


class MemoryBreakdown(BaseModel):
    """GB = 10^9 bytes."""

    weights: float
    gradients: float
    optimizer_states: float
    activations: float
    kv_cache: float
    overhead: float
    total: float

    @property
    def model_states(self) -> float:
        return self.weights + self.gradients + self.optimizer_states


class Parallelism(BaseModel):
    dp: int
    tp: int
    pp: int
    zero_stage: int


class PlanOption(BaseModel):
    accelerator: str
    accelerator_name: str
    count: int
    nodes: int
    parallelism: Parallelism
    offload: Offload
    memory_per_device_gb: float = Field(description="Per-device total (GB).")
    per_device_gb: MemoryBreakdown
    device_memory_gb: float
    host_memory_gb: float = Field(description="CPU RAM per node (GB).")
    mfu: float | None
    estimated_hours: float | None
    gpu_hours: float | None
    usd_per_gpu_hour: float | None
    cost_usd: float | None = Field(description="price × devices × hours; null without a price.")
    meets_deadline: bool | None
    decode_tokens_per_s: float | None = Field(description="Aggregate decode throughput.")
    domestic: bool
    export_status_cn: str
    supply: Literal["not_flagged", "doubtful"] = Field(
        description="`doubtful` when the catalogue's sources say the part may not be obtainable."
    )
    peak_tflops: float = Field(description="Dense peak per device at the compute precision.")


class BytesPerParam(BaseModel):
    weights: float
    frozen_weights: float
    gradients: float
    fp32_gradients: float
    optimizer_states: float
    trainable_total: float


class ArchitectureAssumption(BaseModel):
    # Read straight from ResolvedArchitecture's attributes (fields and properties).
    model_config = ConfigDict(from_attributes=True)

    derived: bool
    derived_fields: list[str]
    source: str
    layers: int
    hidden_size: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    vocab_size: int
    ffn_hidden_size: int
    experts: int
    params_b: float
    active_params_b: float
    largest_layer_params_m: float
    kv_latent_dim: int | None
    sliding_window: int | None


class Overheads(BaseModel):
    cuda_context_gb: float
    fragmentation_fraction: float
    safety_margin_fraction: float


class Assumptions(BaseModel):
    accounting: Accounting
    bytes_per_param: BytesPerParam
    trainable_params_b: float
    frozen_params_b: float
    quantization_bits: int | None
    quant_constant_bits: float
    recomputation: str
    flash_attention: bool
    sequence_parallel_with_tp: bool
    seq_len: int
    micro_batch_size: int
    kv_cache_bytes_per_value: float | None
    mfu: float | None = Field(description="MFU fraction used for the reported time.")
    mfu_source: str
    train_tokens: float | None
    flops_per_token: float
    overheads: Overheads
    architecture: ArchitectureAssumption
    ranking: str
    notes: list[str]


class SizingResult(BaseModel):
    memory_gb: MemoryBreakdown = Field(
        description="Whole job, model states counted once, one micro-batch / the serving batch."
    )
    per_device_gb: MemoryBreakdown = Field(
        description="Per device for the fixed plan, else for the first option, else one device."
    )
    host_memory_gb: float | None
    train_flops: float | None
    gpu_hours: float | None
    estimated_hours: float | None
    assumptions: Assumptions
    fits: bool | None = Field(description="Fixed plan only: does it fit (null: no accelerator).")
    reason: str | None
    plan: Plan | None
    options: list[PlanOption]
