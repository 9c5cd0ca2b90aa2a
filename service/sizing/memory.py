"""Memory model: pure functions, bytes in, bytes out (GB = 10^9 bytes at the edges).

Sources, cited beside each formula:
- [ZeRO]  Rajbhandari et al. 2020, "ZeRO: Memory Optimizations Toward Training Trillion
          Parameter Models" (arXiv 1910.02054), §3.1 and §5 (K = 12 for mixed-precision Adam).
- [DS]    DeepSpeed `docs/code-docs/source/memory.rst` and `deepspeed/runtime/zero/stage_1_and_2.py`
          / `stage3.py` `estimate_zero{2,3}_model_states_mem_needs` (fp32 gradient partitions,
          4 × largest layer gathered in ZeRO-3, host RAM with a 1.5 buffer factor).
- [MEG]   Megatron-LM `megatron/training/theoretical_memory_usage.py` (18 bytes/param without the
          distributed optimizer: bf16 weights + fp32 main grads + fp32 master/Adam).
- [TM101] EleutherAI, "Transformer Math 101" (bytes per parameter by optimizer and dtype).
- [KOR]   Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer Models"
          (arXiv 2205.05198), Table 2 and §4.2.3 (pipeline first stage holds L layers' worth).
- [QLORA] Dettmers et al. 2023, "QLoRA" (arXiv 2305.14314), §3: blockwise 4-bit constants are
          one fp32 absmax per 64 weights = 32/64 = 0.5 bit/param; double quantisation cuts them
          to 8/64 + 32/(64·256) = 0.127 bit/param.
- [GPTQ]  AutoGPTQ / AutoAWQ packed QuantLinear buffers: per group of g weights one fp16 scale
          and one zero point packed at the weight width (qzeros int32 holding 32/bits zeros):
          (16 + bits)/g bits per weight (0.156 at 4 bits, g = 128).
- [INT8]  Dettmers et al. 2022, "LLM.int8()" (arXiv 2208.07339): int8 weights with one fp32
          scale per output row (32/h bits per weight).
- [MLC]   MLC LLM `python/mlc_llm/quantization/quantization.py` and `group_quantization.py`:
          q4f16_1 = GroupQuantize(group_size=32, quantize_dtype="int4", model_dtype="float16",
          quantize_embedding=True, quantize_final_fc=True); scale = max|w| / max_int per group
          in the model dtype, no zero point: 16/g bits per weight, every matrix quantised.
- [BNB]   bitsandbytes `autograd/_functions.py`: `matmul_4bit` runs a single-token input through
          the fused `gemv_4bit`, anything larger through `MatMul4Bit`, whose forward (and
          backward) dequantises the whole weight first — `F.dequantize_4bit(B, quant_state)
          .to(A.dtype)` — so a prefill or a training step holds one matrix in 16-bit;
          `MatMul8bitLt.backward` likewise builds `CB.to(ctx.dtype_A, copy=True)`. Loading
          quantises each weight from a 16-bit staging copy: `quantize_4bit`, or for int8
          `Int8Params.cuda` — `B = self.data.contiguous().half().cuda(device); CB, CBt, SCB,
          SCBt, coo_tensorB = bnb.functional.double_quant(B); del CBt` (fp16 + two int8 copies).
- [LORA]  Hu et al. 2021, "LoRA" (arXiv 2106.09685): no gradient/optimizer state for frozen W.
- [VLLM]  Kwon et al. 2023 (PagedAttention); KV = 2 · layers · kv_heads · head_dim · tokens · bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from service.sizing.architecture import ResolvedArchitecture
from service.workloads.models import (
    Optimizer,
    Precision,
    QuantMethod,
    QuantScope,
    Recomputation,
    Task,
    Workload,
)

GB = 1e9
GIB = float(2**30)

# [QLORA] §3: 8/64 + 32/(64·256) = 0.127 bits per parameter with double quantisation.
QUANT_CONSTANT_BITS = 8 / 64 + 32 / (64 * 256)
DOUBLE_QUANT_SECOND_BLOCK = 256  # [QLORA] fp8 second-level blocks of 256 first-level constants
DEFAULT_GROUP_SIZE = {
    QuantMethod.bnb_nf4: 64,  # bitsandbytes blocksize 64 ([QLORA] §3)
    QuantMethod.bnb_fp4: 64,
    QuantMethod.gptq: 128,  # AutoGPTQ / AutoAWQ default group_size / q_group_size
    QuantMethod.awq: 128,
    QuantMethod.mlc_group: 32,  # [MLC] q4f16_1 group_size
}
# The width a method is used at when the caller names the method but not the bits.
METHOD_BITS = {
    QuantMethod.bnb_nf4: 4,
    QuantMethod.bnb_fp4: 4,
    QuantMethod.gptq: 4,
    QuantMethod.awq: 4,
    QuantMethod.mlc_group: 4,
    QuantMethod.bnb_int8: 8,
    QuantMethod.fp8: 8,
}
# [BNB] methods whose multi-token 4-bit matmul dequantises a whole weight matrix first.
DEQUANTISING_METHODS = frozenset({QuantMethod.bnb_nf4, QuantMethod.bnb_fp4})
# [BNB] int8 loading: fp16 staging copy + row-major CB + column-major CBt, bytes per weight.
INT8_LOAD_BYTES = 2.0 + 1.0 + 1.0
# [DS] estimate_zero{2,3}_model_states_mem_needs(additional_buffer_factor=1.5).
HOST_BUFFER_FACTOR = 1.5
# Fixed per-device overheads (reference/sizing-notes.md, "Fixed overheads": CUDA context
# 0.3–2 GB; allocator reserve and fragmentation; communication buckets). Judgement, reported in
# assumptions.
CUDA_CONTEXT_GB = 1.0
FRAGMENTATION_FRACTION = 0.08
# LLaMA-Factory `freeze_trainable_layers` default: the last 2 blocks are trained.
FREEZE_TRAINABLE_LAYERS = 2
# Prompt tokens per prefill forward unless serving.prefill_chunk_tokens says otherwise (vLLM
# `max_num_batched_tokens` with chunked prefill; judgement, reported).
PREFILL_CHUNK_TOKENS = 8192


# [QLORA] §3 "Paged Optimizers": optimizer states in CUDA unified memory, evicted to CPU RAM
# when the GPU runs out — they never need device memory to fit, so they are counted on the host.
PAGED_OPTIMIZERS = frozenset({Optimizer.paged_adamw_32bit, Optimizer.paged_adamw_8bit})


class Accounting(StrEnum):
    """How gradients are counted. `framework` (default): what DeepSpeed/Megatron allocate, with
    an fp32 gradient copy under mixed precision (18 B/param at stage 0). `zero_paper`: the ZeRO
    paper's closed form, 2 + 2 + K = 16 B/param with fp16 gradients only."""

    framework = "framework"
    zero_paper = "zero_paper"


class Offload(StrEnum):
    """ZeRO-Offload to host RAM: `optimizer` (optimizer states and fp32 gradients; with ZeRO
    stage 0 on one data-parallel rank this is DeepSpeed's single-GPU ZeRO-Offload) or `full`
    (parameters too, ZeRO-3 only)."""

    none = "none"
    optimizer = "optimizer"
    full = "full"


@dataclass(frozen=True, slots=True)
class BytesProfile:
    """Bytes per parameter of each model state (the reported bytes-per-parameter profile)."""

    weights: float  # trainable weights in the compute dtype
    frozen_weights: float  # frozen base weights at their storage precision (incl. constants)
    grad_low: float  # low-precision gradients produced by backward
    grad_fp32: float  # fp32 gradient copy kept for the optimizer (framework accounting only)
    optimizer: float  # K: master weights + optimizer moments

    @property
    def trainable_total(self) -> float:
        return self.weights + (self.grad_fp32 or self.grad_low) + self.optimizer


@dataclass(frozen=True, slots=True)
class Layout:
    """How the job is laid out over devices: count = dp · tp · pp · cp. Expert parallelism (ep)
    shards the routed experts over ep of the dp·cp ranks (Megatron-Core); ZeRO shards over
    dp·cp (the context-parallel ranks hold the same parameters)."""

    dp: int = 1
    tp: int = 1
    pp: int = 1
    zero_stage: int = 0
    offload: Offload = Offload.none
    cp: int = 1
    ep: int = 1

    @property
    def count(self) -> int:
        return self.dp * self.tp * self.pp * self.cp

    @property
    def shard_ranks(self) -> int:
        return self.dp * self.cp


@dataclass(frozen=True, slots=True)
class DeviceMemory:
    """Bytes on one device, by component (the hand-off from the memory model to the search)."""

    weights: float
    gradients: float
    optimizer_states: float
    activations: float
    kv_cache: float
    overhead: float
    total: float = field(init=False)  # the search compares it thousands of times: stored

    def __post_init__(self) -> None:
        model_states = self.weights + self.gradients + self.optimizer_states  # sum()'s order
        total = model_states + self.activations + self.kv_cache + self.overhead
        object.__setattr__(self, "total", total)


def dtype_bytes(precision: Precision) -> float:
    """[TM101]: fp32 4, bf16/fp16 2, fp8/int8 1, int4 0.5 bytes per parameter."""
    return {
        Precision.fp32: 4.0,
        Precision.bf16: 2.0,
        Precision.fp16: 2.0,
        Precision.fp8: 1.0,
        Precision.int8: 1.0,
        Precision.int4: 0.5,
    }[precision]


def kv_cache_value_bytes(workload: Workload) -> float:
    """Bytes per cached K/V value: the stated serving.kv_cache_precision, else 'auto' as vLLM
    reads it ("Data type for kv cache storage. If 'auto', will use model data type",
    docs.vllm.ai engine arguments, --kv-cache-dtype): the activation dtype, which for an
    fp8/int8/int4 weight-quantised model is still 16-bit (an FP8 checkpoint halves the weights,
    not the cache, unless --kv-cache-dtype fp8 is set)."""
    stated = workload.serving.kv_cache_precision
    if stated is not None:
        return dtype_bytes(stated)
    return 4.0 if workload.precision is Precision.fp32 else 2.0


def quant_bits(workload: Workload) -> int | None:
    """Bits of the quantised base: qlora default 4; inference implied by int8/int4/fp8."""
    if workload.task is Task.qlora:
        return workload.quantization_bits or 4
    if workload.task is Task.inference:
        implied = {Precision.int8: 8, Precision.int4: 4, Precision.fp8: 8}.get(workload.precision)
        method = workload.quantization_method
        if implied is None and method is not None:
            implied = METHOD_BITS[method]
        return workload.quantization_bits or implied
    return None


def quant_method(workload: Workload) -> QuantMethod | None:
    """The stated method, else the usual one for the task and width (reported)."""
    bits = quant_bits(workload)
    if bits is None:
        return None
    if workload.quantization_method is not None:
        return workload.quantization_method
    if workload.task is Task.qlora:
        return QuantMethod.bnb_int8 if bits == 8 else QuantMethod.bnb_nf4
    if workload.precision is Precision.fp8:
        return QuantMethod.fp8
    return QuantMethod.bnb_int8 if bits == 8 else QuantMethod.awq


def double_quant(workload: Workload) -> bool:
    """Stated, else on for qlora (the QLoRA recipe and LLaMA-Factory default), else off."""
    if workload.double_quant is not None:
        return workload.double_quant
    return workload.task is Task.qlora and quant_method(workload) in (
        QuantMethod.bnb_nf4,
        QuantMethod.bnb_fp4,
    )


def quant_constant_bits(workload: Workload, hidden: int) -> float:
    """Bits of quantisation constants stored per weight, by method ([QLORA], [GPTQ], [INT8])."""
    method = quant_method(workload)
    bits = quant_bits(workload) or 0
    group = workload.quantization_group_size or DEFAULT_GROUP_SIZE.get(method or QuantMethod.awq, 0)
    if method in (QuantMethod.bnb_nf4, QuantMethod.bnb_fp4):
        if double_quant(workload):
            return 8 / group + 32 / (group * DOUBLE_QUANT_SECOND_BLOCK)
        return 32 / group
    if method in (QuantMethod.gptq, QuantMethod.awq):
        return (16 + bits) / group
    if method is QuantMethod.mlc_group:
        return 16 / group  # [MLC] one fp16 scale per group, symmetric (no zero point)
    if method is QuantMethod.bnb_int8:
        return 32 / max(hidden, 1)
    return 0.0  # fp8: one scale per tensor


def quantized_bytes(bits: int, constant_bits: float = QUANT_CONSTANT_BITS) -> float:
    """k-bit weights plus their constants, bytes per parameter."""
    return (bits + constant_bits) / 8


def optimizer_bytes(
    optimizer: Optimizer, *, master: bool, weight_bytes: float, hidden: int
) -> float:
    """K, bytes per trainable parameter of master copy + optimizer moments.

    AdamW: fp32 m, v (8) + fp32 master (4) = 12 ([ZeRO] K = 12); without a master copy the
    moments live in the weight dtype (2 × 2 = 4, LLaMA-Factory pure-bf16 row).
    8-bit Adam: 2 (bitsandbytes blockwise m, v) + master 4 = 6 [TM101]. The paged variants
    hold the same states in CUDA unified memory (see PAGED_OPTIMIZERS).
    SGD with momentum: 4 + master 4 = 8 [TM101]. Lion: one momentum (Chen et al. 2023) = SGD.
    Adafactor: factored second moment, one fp32 row + column statistic per matrix ≈ 8/h bytes per
    parameter (Shazeer & Stern 2018), no first moment by default, + master 4.
    """
    master_b = 4.0 if master and weight_bytes < 4 else 0.0
    state_dtype = 4.0 if master_b or weight_bytes >= 4 else weight_bytes
    states = {
        Optimizer.adamw: 2 * state_dtype,
        Optimizer.paged_adamw_32bit: 2 * state_dtype,
        Optimizer.adamw_8bit: 2.0,
        Optimizer.paged_adamw_8bit: 2.0,
        Optimizer.sgd: state_dtype,
        Optimizer.lion: state_dtype,
        Optimizer.adafactor: 2 * 4.0 / max(hidden, 1),
    }[optimizer]
    return master_b + states


def bytes_profile(
    workload: Workload, arch: ResolvedArchitecture, accounting: Accounting
) -> BytesProfile:
    task = workload.task
    w = dtype_bytes(workload.precision)
    constants = quant_constant_bits(workload, arch.hidden_size)
    if task is Task.inference:
        bits = quant_bits(workload)
        if bits is not None:
            w = 2.0  # the unquantised parts (embeddings, head) stay 16-bit
        frozen = quantized_bytes(bits, constants) if bits is not None else w
        return BytesProfile(w, frozen, 0.0, 0.0, 0.0)
    if workload.precision is Precision.fp8:
        w = 2.0  # fp8 training (Transformer Engine) keeps bf16 weights; fp8 is a compute cast
    frozen = quantized_bytes(quant_bits(workload) or 4, constants) if task is Task.qlora else w
    if task in (Task.lora, Task.qlora) and workload.master_weights and w < 4:
        # PEFT casts bf16/fp16 adapters to fp32 (PeftModel autocast_adapter_dtype=True, "as
        # this is typically required for stable training", huggingface.co/docs/peft): the
        # adapter is its own master copy — 4 B weights, 4 B gradients, fp32 moments: 16 B/param.
        k = optimizer_bytes(
            workload.optimizer, master=False, weight_bytes=4.0, hidden=arch.hidden_size
        )
        return BytesProfile(4.0, frozen, 4.0, 0.0, k)
    k = optimizer_bytes(
        workload.optimizer, master=workload.master_weights, weight_bytes=w, hidden=arch.hidden_size
    )
    # [DS]/[MEG] keep fp32 gradients when there is an fp32 master copy; the ZeRO paper does not.
    fp32_grads = (
        4.0
        if (accounting is Accounting.framework and k >= 4 and w < 4 and workload.master_weights)
        else 0.0
    )
    return BytesProfile(w, frozen, w, fp32_grads, k)


def lora_params(
    arch: ResolvedArchitecture, rank: int, modules: tuple[str, ...] | None = None
) -> float:
    """[LORA]: r · (d_in + d_out) per adapted matrix, over the target modules (default all
    linear layers, LLaMA-Factory `lora_target: all`), experts included for MoE."""
    shapes = arch.linear_shapes()
    chosen = shapes if modules is None else {m: shapes[m] for m in modules if m in shapes}
    per_layer = sum(rank * (d_in + d_out) * n for d_in, d_out, n in chosen.values())
    return float(per_layer * arch.layers)


@dataclass(frozen=True, slots=True)
class ParamSplit:
    trainable: float
    frozen: float
    frozen_16bit: float  # of the frozen, kept at 2 bytes even under k-bit quantisation
    trained_layers: int  # layers whose activations are kept for backward


def quant_scope(workload: Workload) -> QuantScope:
    """Stated, else all for MLC (its q4f16_1 quantises embedding and head, [MLC]), else blocks
    (the Hugging Face / PEFT / vLLM default: embedding and head stay 16-bit)."""
    if workload.quantization_scope is not None:
        return workload.quantization_scope
    if quant_method(workload) is QuantMethod.mlc_group:
        return QuantScope.all
    return QuantScope.blocks


def unquantised_params(workload: Workload, arch: ResolvedArchitecture) -> float:
    """Parameters a quantised base keeps in 16-bit, by scope (QuantScope): embedding and head,
    the embedding only, or none. A tied matrix serves both and stays 16-bit unless all."""
    scope = quant_scope(workload)
    if scope is QuantScope.all:
        return 0.0
    if scope is QuantScope.blocks_and_head:
        return float(arch.vocab_size * arch.hidden_size)
    return arch.embedding_params


def largest_quantised_matrix(workload: Workload, arch: ResolvedArchitecture) -> float:
    """Parameters of the largest k-bit matrix: a block's widest linear (one expert's), or the
    output head (vocab × hidden) when the scope quantises it."""
    widest = max(d_in * d_out for d_in, d_out, _ in arch.linear_shapes().values())
    if quant_scope(workload) is QuantScope.blocks:
        return float(widest)
    return float(max(widest, arch.vocab_size * arch.hidden_size))


def quant_buffer_bytes(
    workload: Workload, arch: ResolvedArchitecture, compute: Precision = Precision.bf16
) -> float:
    """[BNB]: the transient of the largest quantised matrix at a bitsandbytes base's peak.

    Per matmul: a 4-bit matmul over more than one token (every training step, every prefill,
    every batched decode) dequantises the weight to the dtype its quant state recorded
    (`dequantize_4bit` allocates `quant_state.dtype`: the dtype the base was quantised from),
    then `.to(A.dtype)` copies it again when that is not the compute dtype (Lightning quantises
    from `dtype=torch.half`: an fp16 and a bf16 copy under bf16-true). int8 training: the
    backward's dequantised fp16 copy of CB. A one-token decode uses the fused gemv kernel.
    On load (inference only; a training step's activations dwarf it): the 16-bit staging copy
    plus the k-bit output — 4-bit `quantize_4bit`, int8 `double_quant`'s CB and CBt."""
    bits = quant_bits(workload)
    method = quant_method(workload)
    bnb_int8 = method is QuantMethod.bnb_int8
    if bits is None or not (bnb_int8 or method in DEQUANTISING_METHODS):
        return 0.0
    largest = largest_quantised_matrix(workload, arch)
    stored = workload.dequant_dtype or compute
    serving = workload.serving
    multi_token = workload.task is not Task.inference or (
        serving.prefill_tokens * serving.concurrent_sequences > 1
    )
    if bnb_int8:
        per_matmul = 2.0 if workload.task is not Task.inference else 0.0
        on_load = INT8_LOAD_BYTES
    else:
        cast = dtype_bytes(compute) if stored is not compute else 0.0
        per_matmul = dtype_bytes(stored) + cast if multi_token else 0.0
        on_load = dtype_bytes(stored) + bits / 8
    if workload.task is not Task.inference:
        return per_matmul * largest
    return max(per_matmul, on_load) * largest


def split_params(workload: Workload, arch: ResolvedArchitecture) -> ParamSplit:
    p = arch.params
    task = workload.task
    if task is Task.inference:
        emb = min(unquantised_params(workload, arch), p) if quant_bits(workload) else 0.0
        return ParamSplit(0.0, p, emb, 0)
    if task in (Task.full_finetune, Task.pretrain):
        return ParamSplit(p, 0.0, 0.0, arch.layers)
    if task is Task.freeze:
        n = min(FREEZE_TRAINABLE_LAYERS, arch.layers)
        trainable = arch.per_layer_params * n
        return ParamSplit(trainable, p - trainable, 0.0, n)
    adapters = lora_params(arch, workload.lora_rank, workload.lora_modules)
    # QLoRA: bitsandbytes quantises the blocks' nn.Linear layers; by default (PEFT, the QLoRA
    # recipe) embeddings and lm_head stay 16-bit (quant_scope).
    emb = min(unquantised_params(workload, arch), p) if task is Task.qlora else 0.0
    return ParamSplit(adapters, p, emb, arch.layers)


def zero_model_states(
    *,
    trainable: float,
    frozen_bytes_total: float,
    profile: BytesProfile,
    layout: Layout,
    largest_layer: float,
    accounting: Accounting,
    expert_share: float = 0.0,
    optimizer_in_backward: bool = False,
) -> tuple[float, float, float]:
    """(weights, gradients, optimizer) bytes on one device.

    [ZeRO] §5 (Ψ trainable params, N_d = dp, K optimizer bytes):
      stage 0: (2 + 2 + K)Ψ · 1: 2Ψ + 2Ψ + KΨ/N_d · 2: 2Ψ + (2 + K)Ψ/N_d · 3: (2 + 2 + K)Ψ/N_d
    [DS] framework accounting (fp32 gradient partition travels with the optimizer):
      stage 1/2: 4Ψ + 16Ψ/N_d · stage 3: 18Ψ/N_d + 4·largest_layer; offload_optimizer: 2Ψ
      (stage 2), 2Ψ/N_d + 4·LL (stage 3); offload_param too: 4·LL.
    [MEG] stage 0 framework: 2 + 4 + 12 = 18 bytes/param.
    Tensor and pipeline parallelism divide every state by tp·pp (Megatron-LM); ZeRO shards over
    the dp·cp ranks; expert parallelism divides the routed experts' share by ep.
    Optimizer in backward steps each parameter as its gradient appears, so only the largest
    layer's gradient is ever held (LOMO, Lv et al. 2023 §3; torchtune optimizer_in_bwd).
    """
    d, z, off = layout.shard_ranks, layout.zero_stage, layout.offload
    mp = layout.tp * layout.pp / (1.0 - expert_share + expert_share / layout.ep)
    fp32 = profile.grad_fp32
    g_main = fp32 or profile.grad_low

    weights = (frozen_bytes_total + trainable * profile.weights) / mp
    if z == 3:
        weights /= d
    if z == 0:
        grads = trainable * g_main / mp
    elif z == 1 or (z == 2 and fp32):
        grads = trainable * (profile.grad_low + fp32 / d) / mp
    elif z == 2:
        grads = trainable * profile.grad_low / (mp * d)
    else:
        grads = trainable * g_main / (mp * d)
    optim = trainable * profile.optimizer / (mp if z == 0 else mp * d)

    if optimizer_in_backward:
        grads = largest_layer / layout.tp * g_main
    if off is not Offload.none:
        optim = 0.0
        grads = 0.0
    if off is Offload.full:
        weights = 0.0
    if z == 3 and accounting is Accounting.framework:
        # [DS] the largest layer's fp16 params + grads are gathered whole on every device.
        ll = largest_layer / layout.tp
        weights += ll * max(profile.weights, 2.0)
        grads += ll * (profile.grad_low or 2.0)
    return weights, grads, optim


def host_memory_bytes(
    *,
    params: float,
    trainable: float,
    frozen_bytes_total: float,
    profile: BytesProfile,
    layout: Layout,
    largest_layer: float,
    devices_per_node: int,
    full_training: bool,
) -> float:
    """CPU RAM per node, after [DS] `estimate_zero{2,3}_model_states_mem_needs` (zero_init=1,
    additional_buffer_factor=1.5):
      ZeRO-1/2 offload: Ψ · max(4·gpus, 16) · 1.5 · ZeRO-0/1/2 none: Ψ · 4 · gpus_per_node · 1.5
      ZeRO-3 offload all: 18Ψ/nodes · 1.5 · offload optimizer: 16Ψ/nodes · 1.5
      ZeRO-3 none: 4 · LL · gpus_per_node · 1.5
    LoRA/QLoRA/freeze/inference: the frozen weights staged through host RAM once per node,
    plus any offloaded trainable states, × 1.5."""
    count = layout.count
    per_node = min(count, devices_per_node)
    nodes = -(-count // devices_per_node)
    state = (profile.grad_fp32 or profile.grad_low) + profile.optimizer
    if not full_training:
        offloaded = trainable * state if layout.offload is not Offload.none else 0.0
        if layout.offload is Offload.full:
            offloaded += frozen_bytes_total + trainable * profile.weights
        return (frozen_bytes_total / nodes + offloaded / nodes) * HOST_BUFFER_FACTOR
    if layout.zero_stage == 3:
        if layout.offload is Offload.full:
            return params * (state + profile.weights) / nodes * HOST_BUFFER_FACTOR
        if layout.offload is Offload.optimizer:
            return params * state / nodes * HOST_BUFFER_FACTOR
        return 4 * largest_layer * per_node * HOST_BUFFER_FACTOR
    if layout.offload is not Offload.none:
        return params * max(4.0 * count, state) * HOST_BUFFER_FACTOR
    return params * 4 * per_node * HOST_BUFFER_FACTOR


def activation_bytes_per_layer(
    *,
    seq: int,
    batch: int,
    hidden: int,
    heads: int,
    tp: int,
    recompute: Recomputation,
    sequence_parallel: bool,
    flash_attention: bool,
    value_bytes: float = 2.0,
) -> float:
    """Activation bytes of one transformer layer [KOR] Table 2 (16-bit activations):
    no parallelism sbh(34 + 5as/h) · TP sbh(10 + 24/t + 5as/(ht)) · TP+SP sbh/t·(34 + 5as/h)
    selective recompute sbh(10 + 24/t) (with SP 34sbh/t) · full recompute 2sbh (with SP /t).
    FlashAttention (and SDPA's fused kernels) never materialise the s×s scores, which removes
    the 5as/h term; eager attention keeps it. fp32 activations (value_bytes 4) double
    everything, the 1-byte dropout mask included (an upper bound)."""
    sbh = float(seq) * batch * hidden * (value_bytes / 2.0)
    attn = 0.0 if flash_attention else 5.0 * heads * seq / hidden
    t = tp
    if recompute is Recomputation.full:
        return 2 * sbh / (t if sequence_parallel else 1)
    if recompute is Recomputation.selective:
        return 34 * sbh / t if sequence_parallel else sbh * (10 + 24 / t)
    if t == 1:
        return sbh * (34 + attn)
    if sequence_parallel:
        return sbh / t * (34 + attn)
    return sbh * (10 + 24 / t + attn / t)


@dataclass(frozen=True, slots=True)
class KeptLinearInputs:
    """Which linear inputs autograd keeps in an eager fine-tuning block: a linear's input is
    needed only for its weight gradient, so PyTorch keeps it when the weight trains or a LoRA
    adapter reads it (derivatives.yaml: mm saves `self` only when `mat2` requires grad), and
    bitsandbytes 4-bit linears keep it always (`MatMul4Bit.forward`: `ctx.tensors = (A, B)`
    whenever any input needs grad) — the extra memory QLoRA pays over a bf16 LoRA."""

    qkv: bool  # the attention block's normalised input, read by q/k/v
    gate_up: bool  # the MLP's normalised input, read by gate/up
    down: bool  # the SwiGLU product, read by down_proj


def kept_linear_inputs(workload: Workload) -> KeptLinearInputs | None:
    """For the fine-tuning tasks, which linear inputs are kept (see KeptLinearInputs); None for
    pretraining, whose stacks fuse norms and activations (Korthikanti Table 2 is counted)."""
    task = workload.task
    if task in (Task.full_finetune, Task.freeze, Task.qlora):
        return KeptLinearInputs(qkv=True, gate_up=True, down=True)
    if task is Task.lora:
        adapted = set(workload.lora_modules)
        return KeptLinearInputs(
            qkv=bool(adapted & {"q_proj", "k_proj", "v_proj"}),
            gate_up=bool(adapted & {"gate_proj", "up_proj"}),
            down="down_proj" in adapted,
        )
    return None


def eager_gated_layer_units(arch: ResolvedArchitecture, kept: KeptLinearInputs) -> float:
    """Activation bytes per s·b·h (16-bit) of one gated-FFN block (Llama, Qwen, Mistral) as the
    fine-tuning stacks run it — Hugging Face `LlamaDecoderLayer`, LitGPT `Block` — counted from
    what autograd keeps, no recomputation, FlashAttention/SDPA (g = kv_heads/heads, r = ffn/h):
      RMSNorm × 2: the fp32 upcast of the input, kept for the variance and the scaling
        (`LlamaRMSNorm`: hidden_states.to(torch.float32)): 4 each → 8
      RoPE: q and k and their rotated halves, kept by the two products: 4·(1 + g)
      attention: q, k, v and the output kept by the fused kernel: 2·(2 + 2g); the output is
        o_proj's input too
      SwiGLU: the gate output (SiLU's input), SiLU's output and the up output (the product's
        inputs): 3 · 2r
      linear inputs where kept (KeptLinearInputs): q/k/v 2, gate/up 2, down 2r.
    Llama-2-7B (r = 2.6875, g = 1): 42.1 with LoRA on q, v; 49.5 for QLoRA or full fine-tuning
    (Korthikanti's fused GPT block: 34)."""
    g = arch.kv_heads / max(arch.attention_heads, 1)
    r = arch.ffn_hidden_size / max(arch.hidden_size, 1)
    units = 8.0 + 4.0 * (1 + g) + 2.0 * (2 + 2 * g) + 6.0 * r
    units += (2.0 if kept.qkv else 0.0) + (2.0 if kept.gate_up else 0.0)
    return units + (2.0 * r if kept.down else 0.0)


def training_activation_bytes(
    *,
    arch: ResolvedArchitecture,
    seq: int,
    batch: int,
    tp: int,
    recompute: Recomputation,
    trained_layers: int,
    flash_attention: bool = True,
    value_bytes: float = 2.0,
    cp: int = 1,
    loss_chunks: int | None = None,
    kept: KeptLinearInputs | None = None,
) -> float:
    """Per device: the first pipeline stage holds L layers' worth whatever p is under 1F1B
    ([KOR] §4.2.3); full recomputation also needs one layer's working set while recomputing;
    plus the logits (logits_bytes; vocab-parallel with TP). Context parallelism splits the
    sequence over cp ranks (Megatron-Core context parallel). A fine-tuning job (`kept` given)
    on a gated-FFN model keeps what its eager block keeps (eager_gated_layer_units) wherever
    the block is not fully recomputed (selective recomputation only drops the s×s scores,
    which FlashAttention never stores); other jobs follow [KOR] Table 2."""
    sp = tp > 1  # Megatron-LM practice: sequence parallelism whenever tensor parallelism is on
    local = -(-seq // cp)

    def layer(mode: Recomputation) -> float:
        if kept is not None and arch.gated_ffn and mode is not Recomputation.full:
            sbh = float(local) * batch * arch.hidden_size * (value_bytes / 2.0)
            scores = (
                0.0 if flash_attention else 5.0 * arch.attention_heads * local / arch.hidden_size
            )
            return sbh * (eager_gated_layer_units(arch, kept) + scores) / tp
        return activation_bytes_per_layer(
            seq=local,
            batch=batch,
            hidden=arch.hidden_size,
            heads=arch.attention_heads,
            tp=tp,
            recompute=mode,
            sequence_parallel=sp,
            flash_attention=flash_attention,
            value_bytes=value_bytes,
        )

    total = layer(recompute) * trained_layers
    if recompute is Recomputation.full:
        total += layer(Recomputation.none)
    logits = logits_bytes(
        tokens=local * batch, vocab=arch.vocab_size, value_bytes=value_bytes, chunks=loss_chunks
    )
    return total + logits / tp


def logits_bytes(*, tokens: int, vocab: int, value_bytes: float, chunks: int | None) -> float:
    """The output logits held for the loss. One cross-entropy over the whole sequence upcasts
    them to fp32: 4·s·b·V (reference/sizing-notes.md, "Activations"; for a 32k–150k vocabulary
    often the largest single activation). Chunked cross-entropy (torchtune
    `CEWithChunkedOutputLoss`, compiled) keeps them in the compute dtype and upcasts one chunk at
    a time: value·s·b·V + 4·s·b·V/chunks
    (pytorch.org/torchtune/stable/generated/torchtune.modules.loss.CEWithChunkedOutputLoss:
    "upcasting only one chunk at a time saves considerable memory"; compiled, so no fp32
    log-softmax of the whole sequence is kept)."""
    full = float(tokens) * vocab
    if not chunks:
        return 4.0 * full
    return min(4.0, value_bytes) * full + 4.0 * full / chunks


def kv_cache_bytes(
    *, arch: ResolvedArchitecture, context_len: int, sequences: int, bytes_per_value: float
) -> float:
    """[VLLM]/[TM101]: 2 · layers · kv_heads · head_dim · tokens · sequences · bytes, with the real
    kv_heads (GQA/MQA). MLA (DeepSeek-V2/V3) caches one latent of kv_latent_dim per token and
    layer; sliding-window attention caps the tokens at the window."""
    tokens = min(context_len, arch.sliding_window) if arch.sliding_window else context_len
    if arch.kv_latent_dim:
        per_token = arch.layers * arch.kv_latent_dim
    else:
        per_token = 2 * arch.layers * arch.kv_heads * arch.head_dim
    return float(per_token) * tokens * sequences * bytes_per_value


def inference_activation_bytes(
    *, arch: ResolvedArchitecture, prompt_tokens: int, sequences: int, chunk_tokens: int | None
) -> float:
    """Transient forward working set of one prefill forward, 16-bit, nothing kept for backward:
    the prompt tokens it runs at once (all of them, or the chunked-prefill budget) times what a
    block holds at its peak per token — the MLP product with both its inputs, `down_proj(
    act_fn(gate_proj(x)) * up_proj(x))` (Hugging Face LlamaMLP/Qwen2MLP: 3 × ffn; a two-matrix
    MLP holds fc1's output and its activation: 2 × ffn), beside the residual, the normed input
    and the attention output (3 × hidden). Plus fp32 logits for each decoding sequence.
    Qwen2.5's transformers speed benchmark (prompt in one forward) grows by 0.035, 0.065 and
    0.141 MB per prompt token beyond the KV cache for 0.5B, 1.5B and 7B: 2·(3f + 3h) gives
    0.035, 0.063 and 0.135."""
    budget = chunk_tokens or PREFILL_CHUNK_TOKENS
    chunk = min(prompt_tokens * sequences, budget)
    ffn_tensors = 3 if arch.gated_ffn else 2
    per_token = 2.0 * (ffn_tensors * arch.ffn_hidden_size + 3 * arch.hidden_size)
    return chunk * per_token + 4.0 * sequences * arch.vocab_size


def overhead_bytes(other: float) -> float:
    """CUDA context + allocator reserve/fragmentation and communication buckets."""
    return CUDA_CONTEXT_GB * GB + FRAGMENTATION_FRACTION * other
