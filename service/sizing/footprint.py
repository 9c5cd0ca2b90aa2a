"""Stage 2, the memory model of one layout: bytes per device by component, and host RAM.

Pure: a resolved job and a layout in, `DeviceMemory` out (formulas and sources in memory.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from service.sizing import memory
from service.sizing.job import Job
from service.sizing.memory import DeviceMemory, Layout, Offload
from service.workloads.models import Attention, Task


def device_memory(job: Job, layout: Layout) -> DeviceMemory:
    arch = job.arch
    w = job.workload
    if job.training:
        weights, grads, optim = memory.zero_model_states(
            trainable=job.split.trainable,
            frozen_bytes_total=job.frozen_bytes_total,
            profile=job.profile,
            layout=layout,
            largest_layer=job.largest_layer,
            accounting=job.accounting,
            expert_share=job.expert_share,
            optimizer_in_backward=w.optimizer_in_backward,
        )
        if w.optimizer in memory.PAGED_OPTIMIZERS:
            optim = 0.0  # paged to host RAM under pressure: never needed on the device
        acts = _training_activations(job, layout.tp, layout.cp) + job.quant_buffer / layout.tp
        kv = 0.0
    else:
        share = job.expert_share
        mp = layout.tp * layout.pp / (1.0 - share + share / layout.ep)
        weights, grads, optim = job.frozen_bytes_total / mp, 0.0, 0.0
        kv_shards = (1 if arch.kv_latent_dim else min(layout.tp, arch.kv_heads)) * layout.pp
        kv = job.kv_total / (kv_shards * layout.dp)
        acts = job.inference_activations / layout.tp
    other = weights + grads + optim + acts + kv
    return DeviceMemory(weights, grads, optim, acts, kv, memory.overhead_bytes(other))


# A bound computed by another route than the exact total may round a few ulps above it where the
# two are equal (one device): kept this far below, so it never passes over a layout that fits.
BOUND_SLACK = 1e-9


def least_total(
    job: Job, *, count: int, tps: Sequence[int], offload: Offload, cp: int, ep: int
) -> float:
    """A lower bound on `device_memory(...).total` over every layout of `count` devices with a
    tensor-parallel degree in `tps` and these offload, cp and ep — cheap, so the search can pass
    over a device count that cannot fit without sizing its layouts.

    No layout divides a model state by more than count / (1 − s + s/ep) (tp·pp·dp·cp = count;
    memory.zero_model_states: every stage divides by mp and at most by d more), and the parts a
    layout might not hold (gradients under optimizer-in-backward or offload, paged or offloaded
    optimizer states, fully offloaded weights, ZeRO-3's gathered layer) count zero; activations
    (and the serving KV cache, divided by at most count) at their smallest over `tps`."""
    share = job.expert_share
    per_device = (1.0 - share + share / ep) / count
    w = job.workload
    if job.training:
        profile, trainable = job.profile, job.split.trainable
        states = 0.0
        if offload is not Offload.full:
            states += job.frozen_bytes_total + trainable * profile.weights
        if offload is Offload.none and not w.optimizer_in_backward:
            states += trainable * profile.grad_low
        if offload is Offload.none and w.optimizer not in memory.PAGED_OPTIMIZERS:
            states += trainable * profile.optimizer
        acts = min(_training_activations(job, tp, cp) + job.quant_buffer / tp for tp in tps)
        other = states * per_device + acts
    else:
        weights = job.frozen_bytes_total * per_device
        other = weights + job.kv_total / count + job.inference_activations / max(tps)
    return (other + memory.overhead_bytes(other)) * (1.0 - BOUND_SLACK)


def _training_activations(job: Job, tp: int, cp: int) -> float:
    """Activations depend on tp and cp only: memoised on the job across a search's layouts."""
    found = job.activation_memo.get((tp, cp))
    if found is not None:
        return found
    w = job.workload
    found = job.activation_memo[(tp, cp)] = memory.training_activation_bytes(
        arch=job.arch,
        seq=job.seq_len,
        batch=w.micro_batch_size,
        tp=tp,
        recompute=job.recompute,
        trained_layers=job.split.trained_layers,
        flash_attention=w.attention is not Attention.eager,
        value_bytes=job.activation_value_bytes,
        cp=cp,
        loss_chunks=w.loss_chunks,
        kept=memory.kept_linear_inputs(w),
    )
    return found


def host_bytes(job: Job, layout: Layout, devices_per_node: int) -> float:
    """CPU RAM per node (memory.host_memory_bytes), plus paged optimizer states: memoised on
    the job, as most parts of a search share a layout and a node size."""
    found = job.host_memo.get((layout, devices_per_node))
    if found is None:
        found = job.host_memo[(layout, devices_per_node)] = _host_bytes(
            job, layout, devices_per_node
        )
    return found


def _host_bytes(job: Job, layout: Layout, devices_per_node: int) -> float:
    paged = 0.0
    if job.training and job.workload.optimizer in memory.PAGED_OPTIMIZERS:
        per_device = job.split.trainable * job.profile.optimizer / (layout.tp * layout.pp)
        if layout.zero_stage:
            per_device /= layout.shard_ranks
        paged = per_device * min(layout.count, devices_per_node)
    return paged + memory.host_memory_bytes(
        params=job.arch.params,
        trainable=job.split.trainable,
        frozen_bytes_total=job.frozen_bytes_total,
        profile=job.profile,
        layout=layout,
        largest_layer=job.largest_layer,
        devices_per_node=devices_per_node,
        full_training=job.workload.task in (Task.full_finetune, Task.pretrain),
    )
