"""Stage 5, options and ranking: a searched or fixed candidate becomes a `PlanOption`; options
are ranked cheapest first. Numbers are full precision (GB = 10^9 bytes); the CLI rounds."""

from __future__ import annotations

import math
from typing import Any

from service.sizing import footprint
from service.sizing.job import Job
from service.sizing.memory import GB, DeviceMemory
from service.sizing.models import MemoryBreakdown, Parallelism, PlanOption
from service.sizing.planner import Candidate
from service.sizing.trusted import trusted

RANKING = (
    "options with a known price first, cheapest total cost (price × devices × hours; per hour "
    "for inference or without train_tokens); then options without a price: parts whose supply "
    "the catalogue calls doubtful last, then by device count, estimated hours, higher peak "
    "compute, id (an unpriced part cannot be shown to be cheaper)"
)


def breakdown_gb(mem: DeviceMemory) -> MemoryBreakdown:
    return trusted(MemoryBreakdown, _breakdown(mem))


def _breakdown(mem: DeviceMemory) -> dict[str, float]:
    return {
        "weights": mem.weights / GB,
        "gradients": mem.gradients / GB,
        "optimizer_states": mem.optimizer_states / GB,
        "activations": mem.activations / GB,
        "kv_cache": mem.kv_cache / GB,
        "overhead": mem.overhead / GB,
        "total": mem.total / GB,
    }


def build_options(job: Job, candidates: list[Candidate]) -> list[PlanOption]:
    return [build_option(job, c) for c in candidates]


def build_option(job: Job, candidate: Candidate) -> PlanOption:
    """A search returns an option per usable part: built as a trusted model (service/sizing/
    trusted.py), not validated — validation was 168 µs of a 1.1 ms benchmark `size()`."""
    values = option_values(job, candidate)
    values["parallelism"] = trusted(Parallelism, values["parallelism"])
    values["per_device_gb"] = trusted(MemoryBreakdown, values["per_device_gb"])
    return trusted(PlanOption, values)


def option_values(job: Job, candidate: Candidate) -> dict[str, Any]:
    """The option's fields in declaration order, nested ones as dicts, each of its field's type
    (floats where the catalogue may hold an int): what validation would make of them."""
    acc, layout, mem, t = (
        candidate.accelerator,
        candidate.layout,
        candidate.memory,
        candidate.timing,
    )
    count = layout.count
    hours = t.hours
    gpu_hours = hours * count if hours is not None else None
    price = acc.usd_per_gpu_hour
    deadline = job.workload.deadline_hours
    return {
        "accelerator": acc.id,
        "accelerator_name": acc.name,
        "count": count,
        "nodes": math.ceil(count / acc.devices_per_node),
        "parallelism": {
            "dp": layout.dp,
            "tp": layout.tp,
            "pp": layout.pp,
            "zero_stage": layout.zero_stage,
            "cp": layout.cp,
            "ep": layout.ep,
        },
        "offload": layout.offload,
        "memory_per_device_gb": mem.total / GB,
        "per_device_gb": _breakdown(mem),
        "device_memory_gb": float(acc.memory_gb or 0.0),
        "host_memory_gb": footprint.host_bytes(job, layout, acc.devices_per_node) / GB,
        "mfu": t.mfu,
        "hfu": t.hfu,
        "binding_constraint": t.binding,
        "step_seconds": t.step.total if t.step is not None else None,
        "estimated_hours": hours,
        "gpu_hours": gpu_hours,
        "usd_per_gpu_hour": float(price) if price is not None else None,
        "cost_usd": price * gpu_hours if price is not None and gpu_hours is not None else None,
        "meets_deadline": (hours <= deadline)
        if hours is not None and deadline is not None
        else None,
        "decode_tokens_per_s": t.decode_tokens_per_s,
        "ttft_ms": t.ttft_ms,
        "tpot_ms": t.tpot_ms,
        "tokens_per_s_per_replica": t.tokens_per_s_per_replica,
        "domestic": acc.domestic,
        "export_status_cn": acc.export_status_cn,
        "supply": "doubtful" if acc.supply == "doubtful" else "not_flagged",
        "peak_tflops": float(acc.peak_tflops(job.compute_precision) or 0.0),
    }


def rank_key(option: PlanOption) -> tuple[int, float, float, float, float, str]:
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


def rank(options: list[PlanOption]) -> list[PlanOption]:
    return sorted(options, key=rank_key)
