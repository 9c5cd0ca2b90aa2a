"""Plan search: per usable accelerator, the smallest configuration that fits with a safety margin.

Search order (why): device count ascending (the question is "how many"); within a count, no
offload before offload (CPU optimizer steps are slow), fewer model-parallel ways first and tensor
before pipeline parallel (TP stays inside a node on NVLink-class links), and the lowest ZeRO stage
that fits (less communication). With `deadline_hours`, data parallelism then scales the fitting
layout out until the estimate meets the deadline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from service.sizing import compute, memory
from service.sizing.architecture import ResolvedArchitecture, resolve_architecture
from service.sizing.catalog import Accelerator, Catalog
from service.sizing.memory import GB, Accounting, BytesProfile, Layout, Offload, ParamSplit
from service.sizing.models import MemoryBreakdown, Parallelism, PlanOption
from service.workloads.models import Precision, Recomputation, Task, Workload

SAFETY_MARGIN_FRACTION = 0.05
DEFAULT_SEQ_LEN = 2048  # LLaMA-Factory `cutoff_len` default
MAX_DEVICES = 16_384
# Judgement: ZeRO-Offload keeps GPUs busy for large batches but CPU Adam still costs time.
OFFLOAD_MFU_FACTOR = {Offload.none: 1.0, Offload.optimizer: 0.7, Offload.full: 0.5}
_NODE_MULTIPLES = (
    1,
    2,
    3,
    4,
    6,
    8,
    12,
    16,
    24,
    32,
    48,
    64,
    96,
    128,
    192,
    256,
    384,
    512,
    768,
    1024,
    1536,
    2048,
)


def default_recomputation(task: Task) -> Recomputation:
    """Full for fine-tuning (LLaMA-Factory / PEFT enable gradient checkpointing by default),
    selective for pretraining (Megatron-LM practice, Korthikanti et al. 2022)."""
    if task is Task.pretrain:
        return Recomputation.selective
    if task is Task.inference:
        return Recomputation.none
    return Recomputation.full


def compute_precision(workload: Workload) -> Precision:
    """The dtype matmuls run in: weight-only quantised models and QLoRA compute in 16-bit."""
    if workload.task is Task.qlora:
        return Precision.bf16 if workload.precision not in (Precision.fp16,) else Precision.fp16
    if workload.precision is Precision.int4:
        return Precision.bf16
    return workload.precision


@dataclass(slots=True)
class Prepared:
    """Everything about a request that does not depend on the layout (computed once)."""

    workload: Workload
    arch: ResolvedArchitecture
    accounting: Accounting
    profile: BytesProfile
    split: ParamSplit
    recompute: Recomputation
    training: bool
    seq_len: int
    frozen_bytes_total: float
    kv_total: float
    kv_value_bytes: float
    inference_activations: float
    flops_per_token: float
    train_flops: float | None
    compute_precision: Precision
    _cache: dict[tuple[int, int, int, int, Offload], tuple[float, ...]] = field(
        default_factory=dict
    )
    # (count, node, offload) → layouts in preference order and their smallest per-device total,
    # shared by every accelerator with that node size (the search is per-request memoised).
    _layouts: dict[tuple[int, int, Offload], tuple[list[Layout], float]] = field(
        default_factory=dict
    )


def prepare(workload: Workload, accounting: Accounting = Accounting.framework) -> Prepared:
    arch = resolve_architecture(workload)
    profile = memory.bytes_profile(workload, arch, accounting)
    split = memory.split_params(workload, arch)
    training = workload.task is not Task.inference
    recompute = workload.activation_checkpointing or default_recomputation(workload.task)
    seq = workload.seq_len or DEFAULT_SEQ_LEN
    frozen_bytes = (split.frozen - split.frozen_16bit) * profile.frozen_weights + (
        split.frozen_16bit * 2.0
    )
    kv_total = 0.0
    kv_bytes = 0.0
    inf_act = 0.0
    if not training:
        kv_bytes = {Precision.fp32: 4.0, Precision.fp8: 1.0}.get(workload.precision, 2.0)
        kv_total = memory.kv_cache_bytes(
            arch=arch,
            context_len=workload.serving.context_len,
            sequences=workload.serving.concurrent_sequences,
            bytes_per_value=kv_bytes,
        )
        inf_act = memory.inference_activation_bytes(
            arch=arch,
            tokens=workload.serving.context_len,
            sequences=workload.serving.concurrent_sequences,
        )
    per_token = compute.train_flops_per_token(
        active_params=arch.active_params,
        trainable_params=split.trainable,
        task=workload.task,
        recompute=recompute,
    )
    flops = (
        per_token * workload.train_tokens
        if training and workload.train_tokens is not None
        else (0.0 if not training else None)
    )
    return Prepared(
        workload=workload,
        arch=arch,
        accounting=accounting,
        profile=profile,
        split=split,
        recompute=recompute,
        training=training,
        seq_len=seq,
        frozen_bytes_total=frozen_bytes,
        kv_total=kv_total,
        kv_value_bytes=kv_bytes,
        inference_activations=inf_act,
        flops_per_token=per_token,
        train_flops=flops,
        compute_precision=compute_precision(workload),
    )


def per_device_bytes(prep: Prepared, layout: Layout) -> tuple[float, ...]:
    """(weights, gradients, optimizer, activations, kv, overhead, total) bytes on one device."""
    key = (layout.dp, layout.tp, layout.pp, layout.zero_stage, layout.offload)
    cached = prep._cache.get(key)
    if cached is not None:
        return cached
    arch = prep.arch
    if prep.training:
        weights, grads, optim = memory.zero_model_states(
            trainable=prep.split.trainable,
            frozen_bytes_total=prep.frozen_bytes_total,
            profile=prep.profile,
            layout=layout,
            largest_layer=arch.largest_layer_params,
            accounting=prep.accounting,
        )
        acts = memory.training_activation_bytes(
            arch=arch,
            seq=prep.seq_len,
            batch=prep.workload.micro_batch_size,
            tp=layout.tp,
            recompute=prep.recompute,
            trained_layers=prep.split.trained_layers,
        )
        kv = 0.0
    else:
        weights, grads, optim = prep.frozen_bytes_total / (layout.tp * layout.pp), 0.0, 0.0
        kv_shards = (1 if arch.kv_latent_dim else min(layout.tp, arch.kv_heads)) * layout.pp
        kv = prep.kv_total / (kv_shards * layout.dp)
        acts = prep.inference_activations / layout.tp
    other = weights + grads + optim + acts + kv
    overhead = memory.overhead_bytes(other)
    result = (weights, grads, optim, acts, kv, overhead, other + overhead)
    prep._cache[key] = result
    return result


def breakdown_gb(values: tuple[float, ...]) -> MemoryBreakdown:
    w, g, o, a, kv, ov, total = (round(v / GB, 3) for v in values)
    return MemoryBreakdown(
        weights=w,
        gradients=g,
        optimizer_states=o,
        activations=a,
        kv_cache=kv,
        overhead=ov,
        total=total,
    )


def usable_gb(acc: Accelerator) -> float:
    return (acc.memory_gb or 0.0) * (1.0 - SAFETY_MARGIN_FRACTION)


def _powers_of_two(limit: int) -> list[int]:
    out, v = [], 1
    while v <= limit:
        out.append(v)
        v *= 2
    return out


def candidate_counts(devices_per_node: int) -> list[int]:
    small = [c for c in (1, 2, 4) if c < devices_per_node]
    return small + [
        devices_per_node * k for k in _NODE_MULTIPLES if devices_per_node * k <= MAX_DEVICES
    ]


def layouts_for(prep: Prepared, count: int, node: int, offload: Offload) -> list[Layout]:
    """Layouts of `count` devices in preference order (see module docstring)."""
    pairs: list[tuple[int, int]] = []
    for tp in _powers_of_two(min(count, node)):
        if count % tp:
            continue
        for pp in _powers_of_two(min(count // tp, prep.arch.layers)):
            if (count // tp) % pp == 0:
                pairs.append((tp, pp))
    pairs.sort(key=lambda p: (p[0] * p[1], p[1]))
    out: list[Layout] = []
    for tp, pp in pairs:
        dp = count // (tp * pp)
        if not prep.training:
            if offload is Offload.none:
                out.append(Layout(dp, tp, pp, 0, offload))
            continue
        stages: tuple[int, ...]
        if offload is Offload.none:
            stages = (0, 1, 2, 3) if dp > 1 else (0,)
        elif offload is Offload.optimizer:
            stages = (1, 2, 3) if pp == 1 else ()
        else:
            stages = (3,) if pp == 1 else ()
        out.extend(Layout(dp, tp, pp, z, offload) for z in stages)
    return out


def mfu_for(prep: Prepared, count: int, offload: Offload, override: float | None) -> float:
    if override is not None:
        return override
    prior = compute.mfu_prior(active_params=prep.arch.active_params, devices=count)
    return prior * OFFLOAD_MFU_FACTOR[offload]


def hours_for(prep: Prepared, acc: Accelerator, count: int, mfu: float) -> float | None:
    peak = acc.peak_tflops(prep.compute_precision)
    if prep.train_flops is None or not prep.training or not peak:
        return None
    return compute.wall_hours(flops=prep.train_flops, devices=count, peak_tflops=peak, mfu=mfu)


def host_gb(prep: Prepared, acc: Accelerator, layout: Layout) -> float:
    full = prep.workload.task in (Task.full_finetune, Task.pretrain)
    value = memory.host_memory_bytes(
        params=prep.arch.params,
        trainable=prep.split.trainable,
        frozen_bytes_total=prep.frozen_bytes_total,
        profile=prep.profile,
        layout=layout,
        largest_layer=prep.arch.largest_layer_params,
        devices_per_node=acc.devices_per_node,
        full_training=full,
    )
    return value / GB


def decode_rate(
    prep: Prepared, acc: Accelerator, layout: Layout, values: tuple[float, ...]
) -> float | None:
    peak = acc.peak_tflops(prep.compute_precision)
    if prep.training or not acc.memory_bw_gbps or not peak:
        return None
    sequences = max(1, prep.workload.serving.concurrent_sequences // layout.dp)
    return compute.decode_tokens_per_second(
        bytes_read_per_step=values[0] + values[4],
        sequences_per_replica=sequences,
        replicas=layout.dp,
        memory_bw_gbps=acc.memory_bw_gbps,
        flops_per_token=2.0 * prep.arch.active_params / (layout.tp * layout.pp),
        peak_tflops=peak,
        mfu=0.5,
    )


def build_option(
    prep: Prepared, acc: Accelerator, layout: Layout, mfu_override: float | None = None
) -> PlanOption:
    values = per_device_bytes(prep, layout)
    count = layout.count
    mfu = mfu_for(prep, count, layout.offload, mfu_override) if prep.training else None
    hours = hours_for(prep, acc, count, mfu) if mfu is not None else None
    gpu_hours = hours * count if hours is not None else None
    price = acc.usd_per_gpu_hour
    deadline = prep.workload.deadline_hours
    peak = acc.peak_tflops(prep.compute_precision) or 0.0  # search skips parts without one
    return PlanOption(
        accelerator=acc.id,
        accelerator_name=acc.name,
        count=count,
        nodes=math.ceil(count / acc.devices_per_node),
        parallelism=Parallelism(
            dp=layout.dp, tp=layout.tp, pp=layout.pp, zero_stage=layout.zero_stage
        ),
        offload=layout.offload,
        memory_per_device_gb=round(values[6] / GB, 3),
        per_device_gb=breakdown_gb(values),
        device_memory_gb=float(acc.memory_gb or 0.0),
        host_memory_gb=round(host_gb(prep, acc, layout), 3),
        mfu=round(mfu, 4) if mfu is not None else None,
        estimated_hours=round(hours, 3) if hours is not None else None,
        gpu_hours=round(gpu_hours, 1) if gpu_hours is not None else None,
        usd_per_gpu_hour=price,
        cost_usd=round(price * gpu_hours, 2)
        if price is not None and gpu_hours is not None
        else None,
        meets_deadline=(hours <= deadline) if hours is not None and deadline is not None else None,
        decode_tokens_per_s=_round_opt(decode_rate(prep, acc, layout, values)),
        domestic=acc.domestic,
        export_status_cn=acc.export_status_cn,
        supply=acc.supply,
        peak_tflops=peak,
    )


def _round_opt(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def smallest_fit(prep: Prepared, acc: Accelerator) -> Layout | None:
    capacity = usable_gb(acc) * GB
    node = acc.devices_per_node
    counts = candidate_counts(node)
    offloads = (Offload.none, Offload.optimizer, Offload.full) if prep.training else (Offload.none,)
    for offload in offloads:
        for count in counts:
            layouts, smallest = _layouts_with_floor(prep, count, node, offload)
            if smallest > capacity:
                continue
            for layout in layouts:
                if per_device_bytes(prep, layout)[6] <= capacity:
                    return layout
    return None


def _layouts_with_floor(
    prep: Prepared, count: int, node: int, offload: Offload
) -> tuple[list[Layout], float]:
    key = (count, node, offload)
    cached = prep._layouts.get(key)
    if cached is None:
        layouts = layouts_for(prep, count, node, offload)
        floor = min((per_device_bytes(prep, lay)[6] for lay in layouts), default=math.inf)
        cached = prep._layouts[key] = (layouts, floor)
    return cached


def scale_for_deadline(prep: Prepared, acc: Accelerator, layout: Layout) -> Layout:
    """Grow data parallelism over the candidate counts until the deadline is met (if ever)."""
    deadline = prep.workload.deadline_hours
    if deadline is None or prep.train_flops is None or not prep.training:
        return layout
    mp = layout.tp * layout.pp
    mfu = mfu_for(prep, layout.count, layout.offload, None)
    hours = hours_for(prep, acc, layout.count, mfu)
    if hours is None or hours <= deadline:
        return layout
    capacity = usable_gb(acc) * GB
    for count in candidate_counts(acc.devices_per_node):
        if count <= layout.count or count % mp:
            continue
        zero = layout.zero_stage
        candidate = Layout(count // mp, layout.tp, layout.pp, zero, layout.offload)
        if per_device_bytes(prep, candidate)[6] > capacity:
            continue
        mfu = mfu_for(prep, count, layout.offload, None)
        hours = hours_for(prep, acc, count, mfu)
        if hours is not None and hours <= deadline:
            return candidate
    return layout


RANKING = (
    "options with a known price first, cheapest total cost (price × devices × hours; per hour "
    "for inference or without train_tokens); then options without a price: parts whose supply "
    "the catalogue calls doubtful last, then by device count, estimated hours, higher peak "
    "compute, id (an unpriced part cannot be shown to be cheaper)"
)


def _rank_key(option: PlanOption) -> tuple[int, float, float, float, float, str]:
    hours = option.estimated_hours if option.estimated_hours is not None else math.inf
    if option.usd_per_gpu_hour is not None:
        cost = (
            option.cost_usd
            if option.cost_usd is not None
            else option.usd_per_gpu_hour * option.count
        )
        return (0, cost, option.count, hours, -option.peak_tflops, option.accelerator)
    doubtful = 1.0 if option.supply == "doubtful" else 0.0
    return (1, doubtful, option.count, hours, -option.peak_tflops, option.accelerator)


def search(prep: Prepared, catalog: Catalog) -> tuple[list[PlanOption], list[str]]:
    """One option per usable accelerator, cheapest first; plus why others were left out."""
    options: list[PlanOption] = []
    skipped: list[str] = []
    for acc in catalog:
        why = acc.unusable_reason(prep.compute_precision)
        if why:
            skipped.append(f"{acc.id}: {why}")
            continue
        layout = smallest_fit(prep, acc)
        if layout is None:
            skipped.append(f"{acc.id}: does not fit in {MAX_DEVICES} devices")
            continue
        options.append(build_option(prep, acc, scale_for_deadline(prep, acc, layout)))
    options.sort(key=_rank_key)
    return options, skipped


__all__ = [
    "RANKING",
    "SAFETY_MARGIN_FRACTION",
    "Prepared",
    "ResolvedArchitecture",
    "build_option",
    "per_device_bytes",
    "prepare",
    "search",
]
