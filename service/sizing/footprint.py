"""Stage 2, the memory model of one layout: bytes per device by component, and host RAM.

Pure: a resolved job and a layout in, `DeviceMemory` out (formulas and sources in memory.py).
"""

from __future__ import annotations

from service.sizing import memory
from service.sizing.job import Job
from service.sizing.memory import DeviceMemory, Layout
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
    """CPU RAM per node (memory.host_memory_bytes), plus paged optimizer states."""
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
        largest_layer=job.arch.largest_layer_params,
        devices_per_node=devices_per_node,
        full_training=job.workload.task in (Task.full_finetune, Task.pretrain),
    )
