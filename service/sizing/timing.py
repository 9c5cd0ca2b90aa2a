"""Stage 3, time of one layout on one accelerator: training step time with communication,
MFU and HFU; serving TTFT, TPOT and tokens/s (formulas and sources in compute.py).

Tensor-parallel all-reduces are on the critical path (Megatron-LM) and charged in full.
Data-parallel traffic overlaps the backward pass; what does not hide is charged beyond the
reference node network the utilisation prior was calibrated on (data/network.json), so a
faster fabric earns nothing and a thinner one costs its extra seconds.
"""

from __future__ import annotations

from typing import NamedTuple

from service.sizing import compute
from service.sizing.catalog import Accelerator, network_data
from service.sizing.compute import Binding, StepTime
from service.sizing.job import Job
from service.sizing.memory import DeviceMemory, Layout
from service.workloads.models import Precision


class Timing(NamedTuple):
    """The compute model's hand-off to the search and the options (a named tuple: built once
    per layout and part, thousands of times a search, and a frozen dataclass's init is ~3×
    slower)."""

    mfu: float | None
    hfu: float | None
    hours: float | None
    step: StepTime | None
    binding: Binding | None
    ttft_ms: float | None = None
    tpot_ms: float | None = None
    tokens_per_s_per_replica: float | None = None
    decode_tokens_per_s: float | None = None

    def meets_serving_targets(self, job: Job) -> bool:
        serving = job.workload.serving
        if serving.ttft_ms is not None and (self.ttft_ms is None or self.ttft_ms > serving.ttft_ms):
            return False
        return serving.tpot_ms is None or (
            self.tpot_ms is not None and self.tpot_ms <= serving.tpot_ms
        )


NO_TIME = Timing(mfu=None, hfu=None, hours=None, step=None, binding=None)


class StepShape(NamedTuple):
    """What a training step of one layout is, whatever part runs it: batch, tokens, FLOPs,
    pipeline stretch and the bytes each communication moves (memoised on the job, so a search
    over the catalogue works each layout out once)."""

    step_tokens: float
    executed_flops: float  # FLOPs that run in one step (HFU basis)
    model_flops: float  # model FLOPs of one step (MFU basis)
    stretch: float  # 1 + the interleaved 1F1B bubble
    tp_bytes_per_rank: float  # tensor-parallel all-reduces; 0 without tensor parallelism
    dp_bytes_per_rank: float  # the gradient all-reduce; 0 with one shard rank or nothing trained
    dp_volume: float  # 1.5 under ZeRO-3 (parameter all-gathers), else 1


def step_shape(job: Job, layout: Layout) -> StepShape:
    found = job.step_memo.get(layout)
    if found is None:
        found = job.step_memo[layout] = _step_shape(job, layout)
    return found


def _step_shape(job: Job, layout: Layout) -> StepShape:
    w = job.workload
    global_batch = job.global_batch(layout.dp, layout.pp)
    step_tokens = float(global_batch * job.seq_len)
    micro_batches = max(1, global_batch // (layout.dp * w.micro_batch_size))
    # Interleaved 1F1B (Megatron-LM, Narayanan et al. 2021 §2.2.2) with one layer per virtual
    # stage: the bubble shrinks by the layers each stage holds.
    chunks = max(1, job.arch.layers // layout.pp)
    bubble = compute.pipeline_bubble_fraction(stages=layout.pp, micro_batches=micro_batches)
    return StepShape(
        step_tokens=step_tokens,
        executed_flops=job.executed_flops_per_token * step_tokens,
        model_flops=job.model_flops_per_token * step_tokens,
        stretch=1.0 + bubble / chunks,
        tp_bytes_per_rank=_tp_bytes(job, layout, step_tokens / layout.shard_ranks),
        dp_bytes_per_rank=_dp_bytes(job, layout),
        dp_volume=1.5 if layout.zero_stage == 3 else 1.0,
    )


def _tp_bytes(job: Job, layout: Layout, tokens: float) -> float:
    """[MEG] 2 + 2 all-reduces of the s·b·h activations per layer (2 more when full
    recomputation repeats the forward), 16-bit, per tensor-parallel rank."""
    if layout.tp <= 1:
        return 0.0
    passes = 6 if job.recompute.value == "full" else 4
    per_layer = passes * tokens * job.arch.hidden_size * 2.0
    return per_layer * job.arch.layers / layout.pp


def _dp_bytes(job: Job, layout: Layout) -> float:
    """Gradient all-reduce of the trainable parameters each rank holds (16-bit), once per
    optimizer step; ZeRO-3 adds the forward and backward parameter all-gathers (ZeRO paper
    §7: 1.5× the all-reduce volume, StepShape.dp_volume)."""
    if layout.shard_ranks <= 1 or job.split.trainable <= 0:
        return 0.0
    # Expert parallelism: a rank holds 1/ep of the routed experts and reduces only those.
    held = 1.0 - job.expert_share + job.expert_share / layout.ep
    return job.split.trainable * held / (layout.tp * layout.pp) * 2.0


def _dp_seconds(shape: StepShape, layout: Layout, bus_gbps: float) -> float:
    seconds = compute.ring_allreduce_seconds(
        bytes_per_rank=shape.dp_bytes_per_rank, ranks=layout.shard_ranks, bus_gbps=bus_gbps
    )
    return seconds * shape.dp_volume


def _utilisation(job: Job, acc: Accelerator, peak: float) -> float:
    """The HFU prior on this part; under FP8 the BF16 prior with only the GEMM share sped up
    (DeepSeek-V3 §3.3), expressed against the FP8 peak.

    Mixture of experts scales the whole step (compute.MOE_UTILISATION_FACTOR): the slowest
    expert rank sets each layer's time, so its GEMMs are in the loss too. FP8 therefore
    shortens a MoE step by the fraction it shortens the dense step of the same active size —
    DeepSeek-V3 runs the expert GEMMs and the dispatch in FP8 (§3.3)."""
    moe = compute.MOE_UTILISATION_FACTOR if job.arch.experts > 1 else 1.0
    active = job.arch.active_params
    if job.compute_precision is not Precision.fp8:
        return moe * compute.hfu_prior(active_params=active, peak_tflops=peak)
    bf16_peak = acc.peak_tflops(Precision.bf16) or peak
    hfu16 = compute.hfu_prior(active_params=active, peak_tflops=bf16_peak)
    fraction = compute.fp8_time_fraction(
        gemm_flop_share=job.gemm_flop_share, utilisation=hfu16, speedup=peak / bf16_peak
    )
    return moe * hfu16 * bf16_peak / peak / fraction


def train_timing(
    job: Job, acc: Accelerator, layout: Layout, memory: DeviceMemory, mfu_override: float | None
) -> Timing:
    peak = acc.peak_tflops(job.compute_precision)
    if not peak:
        return NO_TIME
    count = layout.count
    recompute_ratio = job.executed_flops_per_token / job.model_flops_per_token
    hfu = _utilisation(job, acc, peak)
    if mfu_override is not None:
        hfu = mfu_override * recompute_ratio

    shape = step_shape(job, layout)
    compute_s = shape.executed_flops / (count * peak * 1e12 * hfu)
    compute_s *= shape.stretch

    # Megatron-LM's tensor-parallel all-reduces sit on the critical path (no overlap): charged
    # in full. The prior's single-node FSDP benchmarks have none; its TP runs (LLaMA-1, OPT,
    # Megatron 1T, Llama 3) land 5-15 % closer with them charged.
    tp_extra = compute.ring_allreduce_seconds(
        bytes_per_rank=shape.tp_bytes_per_rank, ranks=layout.tp, bus_gbps=acc.intra_node_bus_gbps
    )
    across_nodes = count > acc.devices_per_node
    dp_extra = 0.0  # nothing to reduce on one shard rank or with nothing trained
    if shape.dp_bytes_per_rank > 0 and layout.shard_ranks > 1:
        ref = network_data()["reference"]  # read only where a link is crossed
        dp_bw = acc.node_network_gbps if across_nodes else acc.intra_node_bus_gbps
        dp_ref = ref["node_network_gbps_per_device"] if across_nodes else ref["intra_node_bus_gbps"]
        backward = compute_s * 2.0 / 3.0  # gradient traffic overlaps the backward pass
        dp_extra = max(
            0.0,
            max(0.0, _dp_seconds(shape, layout, dp_bw) - backward)
            - max(0.0, _dp_seconds(shape, layout, dp_ref) - backward),
        )
    offload = compute_s * (compute.OFFLOAD_TIME_FACTOR[layout.offload] - 1.0)
    step = StepTime(
        compute=compute_s,
        intra_node=tp_extra + (0.0 if across_nodes else dp_extra),
        inter_node=dp_extra if across_nodes else 0.0,
        offload=offload,
    )
    if mfu_override is not None:
        # plan.mfu is the MFU of the whole step: the time follows from it, nothing is added.
        model_s = shape.model_flops / (count * peak * 1e12 * mfu_override)
        step = StepTime(compute=model_s, intra_node=0.0, inter_node=0.0, offload=0.0)
    total = step.total
    achieved_mfu = shape.model_flops / (count * peak * 1e12 * total)
    hours = None
    if job.workload.train_tokens is not None:
        steps = job.workload.train_tokens / shape.step_tokens
        hours = steps * total / job.goodput / 3600.0
    return Timing(
        mfu=achieved_mfu,
        hfu=achieved_mfu * recompute_ratio,
        hours=hours,
        step=step,
        binding=step.binding,
    )


def serving_timing(job: Job, acc: Accelerator, layout: Layout, memory: DeviceMemory) -> Timing:
    peak = acc.peak_tflops(job.compute_precision)
    if not peak or not acc.memory_bw_gbps:
        return NO_TIME
    serving = job.workload.serving
    replica_devices = layout.tp * layout.pp
    sequences = max(1, -(-serving.concurrent_sequences // layout.dp))
    ttft = compute.prefill_seconds(
        active_params=job.arch.active_params,
        layers=job.arch.layers,
        hidden=job.arch.hidden_size,
        prompt_tokens=serving.prefill_tokens,
        devices=replica_devices,
        peak_tflops=peak,
        weight_bytes_per_device=memory.weights,
        memory_bw_gbps=acc.memory_bw_gbps,
    )
    tpot, binding = compute.decode_step_seconds(
        bytes_read_per_device=memory.weights + memory.kv_cache,
        sequences=sequences,
        flops_per_token_per_device=2.0 * job.arch.active_params / replica_devices,
        memory_bw_gbps=acc.memory_bw_gbps,
        peak_tflops=peak,
        stages=layout.pp,
    )
    per_replica = sequences / tpot if tpot > 0 else 0.0
    return Timing(
        mfu=None,
        hfu=None,
        hours=None,
        step=None,
        binding=binding,
        ttft_ms=ttft * 1e3,
        tpot_ms=tpot * 1e3,
        tokens_per_s_per_replica=per_replica,
        decode_tokens_per_s=per_replica * layout.dp,
    )


def timing(
    job: Job,
    acc: Accelerator,
    layout: Layout,
    memory: DeviceMemory,
    mfu_override: float | None = None,
) -> Timing:
    if job.training:
        return train_timing(job, acc, layout, memory, mfu_override)
    return serving_timing(job, acc, layout, memory)
