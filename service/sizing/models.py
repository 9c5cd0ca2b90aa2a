"""Request and response models of `POST /v1/sizing` (the public contract: openapi/openapi.json)."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.sizing.architecture import ResolvedArchitecture
from service.sizing.compute import Binding, HoursBasis
from service.sizing.memory import Accounting, Offload
from service.workloads.models import Attention, QuantMethod, QuantScope, Workload


class Plan(BaseModel):
    """A configuration to check (does it fit, how long does it take?) — or, with an accelerator
    and no count, one to complete: the search finds the count, keeping the degrees given."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    accelerator: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Catalogue id. Without it only per-device memory is computed (fits = null).",
    )
    count: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        description="Devices in the job. Without it (an accelerator is then required) the "
        "engine searches the count, keeping the degrees given here.",
    )
    zero_stage: int = Field(default=0, ge=0, le=3, description="ZeRO stage (training).")
    tp: int = Field(default=1, ge=1, le=1024, description="Tensor-parallel degree (within a node).")
    pp: int = Field(default=1, ge=1, le=1024, description="Pipeline-parallel degree.")
    cp: int = Field(
        default=1, ge=1, le=1024, description="Context-parallel degree (splits the sequence)."
    )
    ep: int = Field(
        default=1,
        ge=1,
        le=4096,
        description="Expert-parallel degree (MoE): routed experts sharded over ep of the dp·cp "
        "ranks.",
    )
    dp: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        description="Data-parallel degree; default count/(tp·pp·cp).",
    )
    offload: Offload = Field(
        default=Offload.none,
        description="ZeRO-Offload to host RAM: optimizer (any ZeRO stage; with stage 0 the "
        "single-GPU ZeRO-Offload) or full (parameters too, stage 3).",
    )
    mfu: float | None = Field(
        default=None, gt=0, le=1, description="Model-FLOPs utilisation; overrides the prior."
    )

    @model_validator(mode="after")
    def _degrees_match_count(self) -> Self:
        model_parallel = self.tp * self.pp * self.cp
        if self.count is None:
            if self.accelerator is None:
                raise ValueError("count is required when the plan names no accelerator")
        elif self.dp is not None and model_parallel * self.dp != self.count:
            raise ValueError(
                f"tp×pp×cp×dp = {self.tp}×{self.pp}×{self.cp}×{self.dp} = "
                f"{model_parallel * self.dp} does not equal count {self.count}"
            )
        elif self.count % model_parallel:
            raise ValueError(f"count {self.count} is not a multiple of tp×pp×cp = {model_parallel}")
        dp = self.data_parallel
        if dp is not None and (dp * self.cp) % self.ep:
            raise ValueError(f"ep={self.ep} must divide dp×cp = {dp * self.cp}")
        if self.offload is Offload.full and self.zero_stage != 3:
            raise ValueError("offload=full (parameters too) needs zero_stage 3")
        if self.offload is not Offload.none and self.pp > 1:
            raise ValueError("offload needs pp=1 (ZeRO-Offload does not pipeline)")
        return self

    @property
    def data_parallel(self) -> int | None:
        if self.dp is not None:
            return self.dp
        return self.count // (self.tp * self.pp * self.cp) if self.count is not None else None


class SizingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workload: Workload
    plan: Plan | None = Field(default=None, description="Fix the configuration (optional).")
    accounting: Accounting = Field(
        default=Accounting.framework,
        description="framework (DeepSpeed/Megatron, fp32 gradients: 18 B/param with AdamW) or "
        "zero_paper (ZeRO paper closed form, 16 B/param).",
    )
    hours_basis: HoursBasis = Field(
        default=HoursBasis.campaign,
        description="What estimated_hours and gpu_hours count: campaign (the run's wall time, "
        "training steps / goodput 0.9 for restarts, checkpoints and evaluation; Llama 3 "
        "§3.3.4) or training_only (steps × step time, as figures derived from a measured "
        "throughput are computed).",
    )


class MemoryBreakdown(BaseModel):
    """GB = 10^9 bytes, full precision (the CLI rounds)."""

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
    """The degrees of a plan (also used by decision records)."""

    dp: int
    tp: int
    pp: int
    zero_stage: int
    cp: int = 1
    ep: int = 1


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
    mfu: float | None = Field(description="Model-FLOPs utilisation (6ND basis, PaLM app. B).")
    hfu: float | None = Field(description="Hardware-FLOPs utilisation (recomputation counted).")
    binding_constraint: Binding | None = Field(
        description="What bounds the time: memory (bandwidth, decode), compute, intra_node "
        "(tensor-parallel links) or inter_node (data-parallel traffic across nodes)."
    )
    step_seconds: float | None = Field(description="One optimizer step (training).")
    estimated_hours: float | None
    gpu_hours: float | None
    usd_per_gpu_hour: float | None
    cost_usd: float | None = Field(description="price × devices × hours; null without a price.")
    meets_deadline: bool | None
    decode_tokens_per_s: float | None = Field(description="Aggregate decode throughput.")
    ttft_ms: float | None = Field(description="Time to first token: one prompt's prefill.")
    tpot_ms: float | None = Field(description="Time per output token: one decode step.")
    tokens_per_s_per_replica: float | None = Field(description="Decode tokens/s of one replica.")
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
    quantization_method: QuantMethod | None
    quant_constant_bits: float = Field(description="Bits of quantisation constants per weight.")
    quantization_scope: QuantScope | None = Field(
        description="Which weights are quantised (null when nothing is)."
    )
    quant_buffer_gb: float = Field(
        description="bitsandbytes: the largest quantised matrix's transient — dequantised for a "
        "multi-token matmul, or staged in 16-bit while it is quantised on load — counted in "
        "activations."
    )
    recomputation: str
    attention: Attention
    flash_attention: bool
    sequence_parallel_with_tp: bool
    seq_len: int
    micro_batch_size: int
    kv_cache_bytes_per_value: float | None
    mfu: float | None = Field(description="MFU (6ND basis) of the reported time.")
    hfu: float | None = Field(description="HFU (executed FLOPs) of the reported time.")
    goodput: float | None = Field(
        description="Share of wall time spent training (restarts, checkpoints, evaluation "
        "excluded); hours = steps × step time / goodput."
    )
    mfu_source: str
    train_tokens: float | None
    global_batch_size: int | None = Field(description="Sequences per step used for the time.")
    flops_per_token: float = Field(description="Model FLOPs per token (MFU basis).")
    executed_flops_per_token: float = Field(description="FLOPs per token that run (HFU basis).")
    overheads: Overheads
    architecture: ResolvedArchitecture
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
    train_flops: float | None = Field(description="Model FLOPs of the run (6ND for training).")
    gpu_hours: float | None
    estimated_hours: float | None
    ttft_ms: float | None = Field(description="Serving: the plan's time to first token.")
    tpot_ms: float | None = Field(description="Serving: the plan's time per output token.")
    tokens_per_s_per_replica: float | None = Field(description="Serving: decode tokens/s.")
    binding_constraint: Binding | None = Field(description="What bounds the plan's time.")
    assumptions: Assumptions
    fits: bool | None = Field(description="Fixed plan only: does it fit (null: no accelerator).")
    reason: str | None
    plan: Plan | None
    options: list[PlanOption]
