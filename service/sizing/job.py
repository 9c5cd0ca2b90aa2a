"""Stage 1, resolve the job: everything about a request that does not depend on the layout —
the architecture, the bytes-per-parameter profile, trainable/frozen split, recomputation,
sequence length, KV cache and FLOPs. Computed once per request; every later stage reads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from service.sizing import compute, memory
from service.sizing.architecture import ResolvedArchitecture, resolve_architecture
from service.sizing.memory import Accounting, BytesProfile, Layout, ParamSplit
from service.workloads.models import Precision, Recomputation, Task, Workload

if TYPE_CHECKING:
    from service.sizing.timing import StepShape  # timing reads the job: no import at run time

DEFAULT_SEQ_LEN = 2048  # LLaMA-Factory `cutoff_len` default
# Sequences per optimizer step when global_batch_size is not given (judgement, reported):
# pretraining ~4M tokens per step (GPT-3, LLaMA, Llama 2: 4M); fine-tuning 8 micro-batches
# per data-parallel rank (LLaMA-Factory example configs: gradient_accumulation_steps 8).
DEFAULT_PRETRAIN_STEP_TOKENS = 4 * 2**20
DEFAULT_ACCUMULATION_STEPS = 8


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
        return Precision.fp16 if workload.precision is Precision.fp16 else Precision.bf16
    if workload.precision is Precision.int4:
        return Precision.bf16
    return workload.precision


@dataclass(frozen=True, slots=True)
class Job:
    workload: Workload
    arch: ResolvedArchitecture
    accounting: Accounting
    profile: BytesProfile
    split: ParamSplit
    recompute: Recomputation
    training: bool
    seq_len: int
    frozen_bytes_total: float
    activation_value_bytes: float
    kv_total: float  # whole serving batch at the full context
    kv_value_bytes: float
    inference_activations: float  # forward working set, the quantisation buffer included
    quant_buffer: float  # the largest quantised matrix's transient (memory.quant_buffer_bytes)
    model_flops_per_token: float  # MFU basis: 6N + attention 12·L·h·s (PaLM appendix B)
    executed_flops_per_token: float  # HFU basis: + the recomputed forward (full recomputation)
    train_flops: float | None  # 6N·D (Kaplan) of the run; 0 for inference; None without tokens
    compute_precision: Precision
    gemm_flop_share: float  # share of model FLOPs in linear GEMMs (FP8-eligible, DeepSeek-V3)
    expert_share: float  # share of parameters in routed experts (sharded by ep)
    largest_layer: float  # parameters of the largest module (ZeRO-3 gathers it whole)
    goodput: float = compute.GOODPUT  # share of the counted hours in training steps
    activation_memo: dict[tuple[int, int], float] = field(
        default_factory=dict, compare=False, repr=False
    )
    step_memo: dict[Layout, StepShape] = field(default_factory=dict, compare=False, repr=False)
    host_memo: dict[tuple[Layout, int], float] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def quant_bits(self) -> int | None:
        return memory.quant_bits(self.workload)

    def global_batch(self, dp: int, pp: int = 1) -> int:
        """Sequences per optimizer step: stated, else the default above — with pipeline
        parallelism at least 4·pp micro-batches per step (Narayanan et al. 2021 §3.3: m ≫ p
        keeps the bubble small; Llama 3 405B ran 16 per replica on 16 stages)."""
        w = self.workload
        if w.global_batch_size is not None:
            return max(w.global_batch_size, dp * w.micro_batch_size)
        per_replica = dp * w.micro_batch_size
        if w.task is Task.pretrain:
            tokens = -(-DEFAULT_PRETRAIN_STEP_TOKENS // self.seq_len)
            return max(per_replica * (4 * pp if pp > 1 else 1), tokens)
        return per_replica * max(DEFAULT_ACCUMULATION_STEPS, 4 * pp if pp > 1 else 1)


def resolve_job(
    workload: Workload,
    accounting: Accounting = Accounting.framework,
    *,
    goodput: float = compute.GOODPUT,
) -> Job:
    arch = resolve_architecture(workload)
    profile = memory.bytes_profile(workload, arch, accounting)
    split = memory.split_params(workload, arch)
    training = workload.task is not Task.inference
    recompute = workload.activation_checkpointing or default_recomputation(workload.task)
    seq = workload.seq_len or DEFAULT_SEQ_LEN
    frozen_bytes = (split.frozen - split.frozen_16bit) * profile.frozen_weights + (
        split.frozen_16bit * 2.0
    )
    kv_total = kv_bytes = inf_act = 0.0
    compute_dtype = compute_precision(workload)
    quant_buffer = memory.quant_buffer_bytes(workload, arch, compute_dtype)
    if not training:
        kv_bytes = memory.kv_cache_value_bytes(workload)
        kv_total = memory.kv_cache_bytes(
            arch=arch,
            context_len=workload.serving.context_len,
            sequences=workload.serving.concurrent_sequences,
            bytes_per_value=kv_bytes,
        )
        inf_act = quant_buffer + memory.inference_activation_bytes(
            arch=arch,
            prompt_tokens=workload.serving.prefill_tokens,
            sequences=workload.serving.concurrent_sequences,
            chunk_tokens=workload.serving.prefill_chunk_tokens,
        )
    param_per_token = compute.model_flops_per_token(
        active_params=arch.active_params, trainable_params=split.trainable, task=workload.task
    )
    executed = compute.executed_flops_per_token(
        active_params=arch.active_params,
        trainable_params=split.trainable,
        task=workload.task,
        recompute=recompute,
    )
    attention = 0.0
    if training:
        attention = compute.attention_flops_per_token(
            layers=arch.layers, hidden=arch.hidden_size, seq_len=seq
        )
        if recompute is Recomputation.full:
            executed += attention / 3.0  # the recomputed forward repeats a third of it
    model_per_token = param_per_token + attention
    executed += attention
    if not training:
        flops: float | None = 0.0
    elif workload.train_tokens is not None:
        flops = param_per_token * workload.train_tokens
    else:
        flops = None
    # Linear GEMMs: all parameters but the embedding and output head (DeepSeek-V3 §3.3 keeps
    # the head, embedding and attention's score/softmax products in higher precision).
    gemm_share = max(0.0, arch.active_params - arch.embedding_params) / max(arch.active_params, 1)
    return Job(
        workload=workload,
        arch=arch,
        accounting=accounting,
        profile=profile,
        split=split,
        recompute=recompute,
        training=training,
        seq_len=seq,
        frozen_bytes_total=frozen_bytes,
        activation_value_bytes=4.0 if workload.precision is Precision.fp32 else 2.0,
        kv_total=kv_total,
        kv_value_bytes=kv_bytes,
        inference_activations=inf_act,
        quant_buffer=quant_buffer,
        model_flops_per_token=model_per_token,
        executed_flops_per_token=executed,
        train_flops=flops,
        compute_precision=compute_dtype,
        gemm_flop_share=gemm_share,
        expert_share=arch.expert_params / arch.params if arch.params else 0.0,
        largest_layer=arch.largest_layer_params,
        goodput=goodput,
    )
