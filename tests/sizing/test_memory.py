"""Each memory formula against its source."""

from __future__ import annotations

from typing import Any

import pytest

from service.sizing import footprint, memory
from service.sizing.architecture import resolve_architecture
from service.sizing.job import resolve_job
from service.sizing.memory import GB, GIB, Accounting, BytesProfile, Layout, Offload
from service.workloads.models import (
    Optimizer,
    Precision,
    QuantMethod,
    QuantScope,
    Recomputation,
    Workload,
)

# ZeRO paper, mixed-precision Adam: 2 B weights, 2 B gradients, K = 12.
PAPER = BytesProfile(weights=2, frozen_weights=2, grad_low=2, grad_fp32=0, optimizer=12)
# DeepSpeed estimator: fp32 gradients partitioned with the optimizer (16 B/param over N_d).
FRAMEWORK = BytesProfile(weights=2, frozen_weights=2, grad_low=2, grad_fp32=4, optimizer=12)


def _states(psi: float, profile: BytesProfile, layout: Layout, ll: float, acc: Accounting) -> float:
    w, g, o = memory.zero_model_states(
        trainable=psi,
        frozen_bytes_total=0.0,
        profile=profile,
        layout=layout,
        largest_layer=ll,
        accounting=acc,
    )
    return w + g + o


@pytest.mark.parametrize(
    ("stage", "expected_gb"),
    [(0, 120.0), (1, 31.4), (2, 16.6), (3, 1.9)],
)
def test_zero_paper_worked_example_7_5b_on_64_gpus(stage: int, expected_gb: float) -> None:
    """ZeRO §1 / Figure 1: Ψ = 7.5B, N_d = 64, K = 12 → 120, 31.4, 16.6, 1.9 GB per device."""
    got = _states(7.5e9, PAPER, Layout(dp=64, zero_stage=stage), 0, Accounting.zero_paper) / GB
    assert got == pytest.approx(expected_gb, rel=0.015)


def test_deepspeed_estimator_formulas_t5_3b() -> None:
    """DeepSpeed memory.rst, t5-3b (2851M params, 32M largest layer), 8 GPUs (GiB printed as GB)."""
    psi, ll = 2.851e9, 32e6
    fw = Accounting.framework
    z2 = _states(psi, FRAMEWORK, Layout(dp=8, zero_stage=2), ll, fw)
    assert z2 == pytest.approx(4 * psi + 16 * psi / 8)  # 4P + 16P/N
    assert z2 / GIB == pytest.approx(15.93, abs=0.01)
    z2_off = _states(psi, FRAMEWORK, Layout(dp=8, zero_stage=2, offload=Offload.optimizer), ll, fw)
    assert z2_off == pytest.approx(2 * psi)
    z3 = _states(psi, FRAMEWORK, Layout(dp=8, zero_stage=3), ll, fw)
    assert z3 == pytest.approx(18 * psi / 8 + 4 * ll)
    z3_opt = _states(psi, FRAMEWORK, Layout(dp=8, zero_stage=3, offload=Offload.optimizer), ll, fw)
    assert z3_opt == pytest.approx(2 * psi / 8 + 4 * ll)
    z3_all = _states(psi, FRAMEWORK, Layout(dp=8, zero_stage=3, offload=Offload.full), ll, fw)
    assert z3_all == pytest.approx(4 * ll)


def test_deepspeed_host_memory_with_buffer_factor() -> None:
    """estimate_zero3_model_states_mem_needs: offload optimizer 16Ψ·1.5, offload all 18Ψ·1.5."""
    psi = 2.783e9
    common = {
        "params": psi,
        "trainable": psi,
        "frozen_bytes_total": 0.0,
        "profile": FRAMEWORK,
        "largest_layer": 65e6,
        "devices_per_node": 8,
        "full_training": True,
    }
    opt = memory.host_memory_bytes(layout=Layout(zero_stage=3, offload=Offload.optimizer), **common)
    assert opt / GIB == pytest.approx(62.23, rel=0.002)
    full = memory.host_memory_bytes(layout=Layout(zero_stage=3, offload=Offload.full), **common)
    assert full / GIB == pytest.approx(70.0, rel=0.003)
    z2 = memory.host_memory_bytes(
        layout=Layout(dp=8, zero_stage=2), **{**common, "params": 2.851e9, "trainable": 2.851e9}
    )
    assert z2 / GIB == pytest.approx(127.48, rel=0.002)  # Ψ·4·gpus_per_node·1.5


def test_optimizer_profiles_transformer_math() -> None:
    """Transformer Math 101 / ZeRO: AdamW K=12, 8-bit Adam 6, SGD+momentum 8; pure bf16 Adam 4."""
    k = memory.optimizer_bytes
    assert k(Optimizer.adamw, master=True, weight_bytes=2, hidden=4096) == 12
    assert k(Optimizer.adamw_8bit, master=True, weight_bytes=2, hidden=4096) == 6
    assert k(Optimizer.sgd, master=True, weight_bytes=2, hidden=4096) == 8
    assert k(Optimizer.adamw, master=False, weight_bytes=2, hidden=4096) == 4
    assert k(Optimizer.adamw, master=True, weight_bytes=4, hidden=4096) == 8  # fp32: no extra copy
    assert k(Optimizer.adafactor, master=True, weight_bytes=2, hidden=4096) < 4.01


def test_framework_profile_is_18_bytes_paper_is_16() -> None:
    w = Workload.model_validate({"model": {"params_b": 7}, "task": "full_finetune"})
    arch = resolve_architecture(w)
    assert memory.bytes_profile(w, arch, Accounting.framework).trainable_total == 18  # Megatron
    assert memory.bytes_profile(w, arch, Accounting.zero_paper).trainable_total == 16  # ZeRO
    pure = w.model_copy(update={"master_weights": False})
    assert (
        memory.bytes_profile(pure, arch, Accounting.framework).trainable_total == 8
    )  # LLaMA-Factory


def test_qlora_constants_0_127_bits() -> None:
    """QLoRA §3: double quantisation cuts the constants from 0.5 to 0.127 bits per parameter."""
    assert pytest.approx(0.127, abs=0.0005) == memory.QUANT_CONSTANT_BITS
    assert memory.quantized_bytes(4) == pytest.approx((4 + 0.127) / 8, abs=1e-4)


def _act(**kw: object) -> float:
    base = {
        "seq": 2048,
        "batch": 1,
        "hidden": 12288,
        "heads": 96,
        "tp": 1,
        "recompute": Recomputation.none,
        "sequence_parallel": False,
        "flash_attention": False,
    }
    base.update(kw)
    return memory.activation_bytes_per_layer(**base)  # type: ignore[arg-type]


def test_korthikanti_table2_gpt3() -> None:
    """Korthikanti et al. 2022 Table 2 for GPT-3 175B (s=2048, h=12288, a=96): 5as/h = 80."""
    sbh = 2048 * 12288
    assert _act() == pytest.approx(sbh * (34 + 80))
    assert _act(tp=8) == pytest.approx(sbh * (10 + 24 / 8 + 80 / 8))
    assert _act(tp=8, sequence_parallel=True) == pytest.approx(sbh / 8 * (34 + 80))
    assert _act(tp=8, recompute=Recomputation.selective) == pytest.approx(sbh * (10 + 24 / 8))
    sp_sel = _act(tp=8, recompute=Recomputation.selective, sequence_parallel=True)
    assert sp_sel == pytest.approx(34 * sbh / 8)
    assert _act(recompute=Recomputation.full) == pytest.approx(2 * sbh)
    # §5: sequence parallelism + selective recomputation cut activation memory ~5× vs TP alone.
    assert _act(tp=8) / sp_sel == pytest.approx(5.4, abs=0.1)
    # FlashAttention never stores the s×s scores: the 5as/h term vanishes.
    assert _act(flash_attention=True) == pytest.approx(34 * sbh)


def test_kv_cache_uses_real_gqa_heads() -> None:
    """Llama-3-8B: 2·32 layers·8 kv heads·128·2 B = 128 KiB per token (not 4× from 32 heads)."""
    w = Workload.model_validate({"model": {"name": "llama-3-8b"}, "task": "inference"})
    arch = resolve_architecture(w)
    per_token = memory.kv_cache_bytes(arch=arch, context_len=1, sequences=1, bytes_per_value=2)
    assert per_token == 2 * 32 * 8 * 128 * 2 == 128 * 1024
    full = memory.kv_cache_bytes(arch=arch, context_len=8192, sequences=32, bytes_per_value=2)
    assert full / GIB == pytest.approx(32.0)


def test_kv_cache_mla_and_sliding_window() -> None:
    """DeepSeek-V3 MLA caches 512 + 64 = 576 values per token and layer; Mistral caps at 4096."""
    v3 = resolve_architecture(
        Workload.model_validate({"model": {"name": "deepseek-v3"}, "task": "inference"})
    )
    assert (
        memory.kv_cache_bytes(arch=v3, context_len=1, sequences=1, bytes_per_value=2)
        == 61 * 576 * 2
    )
    mistral = resolve_architecture(
        Workload.model_validate({"model": {"name": "mistral-7b"}, "task": "inference"})
    )
    capped = memory.kv_cache_bytes(arch=mistral, context_len=32768, sequences=1, bytes_per_value=2)
    assert capped == memory.kv_cache_bytes(
        arch=mistral, context_len=4096, sequences=1, bytes_per_value=2
    )


def test_moe_memory_uses_total_params() -> None:
    w = Workload.model_validate({"model": {"name": "mixtral-8x7b"}, "task": "inference"})
    arch = resolve_architecture(w)
    assert arch.params == 46.7e9
    assert arch.active_params == 12.9e9


def _job(**kw: Any) -> Workload:
    body: dict[str, Any] = {"model": {"name": "llama-2-7b"}, "task": "qlora"}
    body.update(kw)
    return Workload.model_validate(body)


@pytest.mark.parametrize(
    ("fields", "bits"),
    [
        # QLoRA §3: one fp32 absmax per 64 weights = 0.5 bit; double quantisation 0.127.
        ({"quantization_method": "bnb_nf4", "double_quant": False}, 32 / 64),
        ({"quantization_method": "bnb_nf4", "double_quant": True}, 8 / 64 + 32 / (64 * 256)),
        ({"quantization_method": "bnb_fp4", "double_quant": False}, 0.5),
        # AutoGPTQ/AutoAWQ QuantLinear: fp16 scale + packed 4-bit zero per group of 128.
        ({"quantization_method": "gptq", "task": "inference", "precision": "int4"}, 20 / 128),
        ({"quantization_method": "awq", "task": "inference", "precision": "int4"}, 20 / 128),
        (
            {
                "quantization_method": "gptq",
                "quantization_group_size": 32,
                "task": "inference",
                "precision": "int4",
            },
            20 / 32,
        ),
        # LLM.int8(): one fp32 scale per output row (h = 4096 for Llama-2-7B).
        ({"quantization_method": "bnb_int8", "quantization_bits": 8}, 32 / 4096),
        ({"task": "inference", "precision": "fp8"}, 0.0),
        # MLC q4f16_1: one fp16 scale per 32 weights, symmetric (no zero point).
        ({"task": "inference", "quantization_method": "mlc_group"}, 16 / 32),
    ],
)
def test_quantisation_constants_follow_the_method(fields: dict[str, Any], bits: float) -> None:
    workload = _job(**fields)
    assert memory.quant_constant_bits(workload, 4096) == pytest.approx(bits)


def test_qlora_defaults_to_nf4_with_double_quant() -> None:
    workload = _job()
    assert memory.quant_method(workload) is QuantMethod.bnb_nf4 and memory.double_quant(workload)


def test_fp8_inference_weights_are_one_byte() -> None:
    """tinygrad's Llama-3-8B: 16.06 GB in bf16, 9.08 GB in fp8 (embedding and head stay 16-bit:
    2 · 128256 · 4096 = 1.05B parameters)."""
    bf16 = Workload.model_validate({"model": {"name": "llama-3-8b"}, "task": "inference"})
    fp8 = bf16.model_copy(update={"precision": Precision.fp8})
    weights = {
        w.precision: footprint.device_memory(resolve_job(w), Layout()).weights for w in (bf16, fp8)
    }
    assert weights[Precision.bf16] / GB == pytest.approx(16.06, rel=0.01)
    assert weights[Precision.fp8] / GB == pytest.approx(9.08, rel=0.01)


def test_eager_attention_adds_the_score_term_and_fp32_doubles() -> None:
    """Korthikanti Table 2: eager attention stores 5·a·s²·b bytes per layer that flash does not;
    fp32 activations are twice the 16-bit ones."""
    args: dict[str, Any] = {"seq": 2048, "batch": 1, "hidden": 4096, "heads": 32, "tp": 1}
    args |= {"recompute": Recomputation.none, "sequence_parallel": False}
    flash = memory.activation_bytes_per_layer(**args, flash_attention=True)
    eager = memory.activation_bytes_per_layer(**args, flash_attention=False)
    assert eager - flash == pytest.approx(5 * 32 * 2048**2)
    fp32 = memory.activation_bytes_per_layer(**args, flash_attention=True, value_bytes=4.0)
    assert fp32 == 2 * flash
    w = Workload.model_validate(
        {"model": {"name": "llama-2-7b"}, "task": "full_finetune", "attention": "eager"}
    )
    sdpa = w.model_copy(update={"attention": "sdpa"})
    eager_acts = footprint.device_memory(resolve_job(w), Layout()).activations
    assert eager_acts > footprint.device_memory(resolve_job(sdpa), Layout()).activations


def test_optimizer_in_backward_and_paged_optimizer() -> None:
    """torchtune full fine-tune on one GPU: optimizer in backward holds one layer's gradient
    (LOMO §3); paged optimizer states live in unified memory and page to host (QLoRA §3)."""
    base = {"model": {"name": "llama-3-8b"}, "task": "full_finetune", "master_weights": False}
    plain = resolve_job(Workload.model_validate(base))
    inbwd = resolve_job(Workload.model_validate({**base, "optimizer_in_backward": True}))
    paged = resolve_job(Workload.model_validate({**base, "optimizer": "paged_adamw_8bit"}))
    mem = footprint.device_memory(plain, Layout())
    assert mem.gradients / GB == pytest.approx(16.06, rel=0.01)
    assert footprint.device_memory(inbwd, Layout()).gradients == 128256 * 4096 * 2
    assert footprint.device_memory(paged, Layout()).optimizer_states == 0
    assert footprint.host_bytes(paged, Layout(), 8) > 8.03e9 * 2


def test_expert_parallelism_shards_only_the_experts() -> None:
    w = Workload.model_validate({"model": {"name": "mixtral-8x7b"}, "task": "inference"})
    job = resolve_job(w)
    one = footprint.device_memory(job, Layout(dp=8)).weights
    ep8 = footprint.device_memory(job, Layout(dp=8, ep=8)).weights
    dense = job.arch.params - job.arch.expert_params
    assert ep8 == pytest.approx(one * (dense + job.arch.expert_params / 8) / job.arch.params)
    assert job.arch.expert_params / job.arch.params == pytest.approx(0.96, abs=0.02)


def test_lora_target_modules_count_adapters() -> None:
    """LoRA: r·(d_in + d_out) per adapted matrix; q and v only for Llama-2-7B at r = 8 is
    2 · 8 · 8192 · 32 = 4.19M (the LoRA paper's Wq, Wv setting)."""
    arch = resolve_job(_job(task="lora")).arch
    assert memory.lora_params(arch, 8, ("q_proj", "v_proj")) == 2 * 8 * 8192 * 32
    alias = _job(task="lora", lora_target_modules=["query", "value"])
    assert resolve_job(alias).split.trainable == 2 * 8 * 8192 * 32


def test_chunked_cross_entropy_upcasts_one_chunk_of_logits() -> None:
    """torchtune CEWithChunkedOutputLoss (8 chunks): the bf16 logits stay, one chunk at a time is
    upcast — Llama 3.1 8B, 2 × 2048 tokens, V = 128256: 4·s·b·V = 2.10 GB in one fp32 tensor,
    2·s·b·V + 4·s·b·V/8 = 1.31 GB chunked."""
    tokens, vocab = 2 * 2048, 128256
    whole = memory.logits_bytes(tokens=tokens, vocab=vocab, value_bytes=2.0, chunks=None)
    chunked = memory.logits_bytes(tokens=tokens, vocab=vocab, value_bytes=2.0, chunks=8)
    assert whole / GB == pytest.approx(2.101, rel=1e-3)
    assert chunked / GB == pytest.approx(1.313, rel=1e-3)
    base: dict[str, Any] = {
        "model": {"name": "llama-3.1-8b"},
        "task": "qlora",
        "seq_len": 2048,
        "micro_batch_size": 2,
    }
    plain = footprint.device_memory(resolve_job(Workload.model_validate(base)), Layout())
    less = footprint.device_memory(
        resolve_job(Workload.model_validate(base | {"loss_chunks": 8})), Layout()
    )
    assert (plain.activations - less.activations) == pytest.approx(whole - chunked, rel=1e-6)


def test_eager_fine_tuning_block_keeps_what_autograd_keeps() -> None:
    """Llama-2-7B (r = 11008/4096, MHA), op by op (memory.eager_gated_layer_units): LoRA on q, v
    keeps 8 (fp32 RMSNorm upcasts) + 8 (RoPE) + 8 (attention) + 16.125 (SwiGLU) + 2 (the q/v
    input its adapters read) = 42.125 bytes per s·b·h; bitsandbytes 4-bit linears keep every
    input (MatMul4Bit saves A), + 2 (gate/up) + 5.375 (down) = 49.5 — as does full fine-tuning.
    Pretraining keeps Korthikanti's fused count (34 with FlashAttention)."""
    arch = resolve_architecture(
        Workload.model_validate({"model": {"name": "llama-2-7b"}, "task": "lora"})
    )
    qv = memory.kept_linear_inputs(
        Workload.model_validate(
            {
                "model": {"name": "llama-2-7b"},
                "task": "lora",
                "lora_target_modules": ["q_proj", "v_proj"],
            }
        )
    )
    assert qv == memory.KeptLinearInputs(qkv=True, gate_up=False, down=False)
    assert memory.eager_gated_layer_units(arch, qv) == pytest.approx(42.125)
    all_kept = memory.KeptLinearInputs(qkv=True, gate_up=True, down=True)
    assert memory.eager_gated_layer_units(arch, all_kept) == pytest.approx(49.5)
    for task in ("qlora", "full_finetune"):
        assert memory.kept_linear_inputs(_job(task=task)) == all_kept
    assert memory.kept_linear_inputs(_job(task="pretrain")) is None

    def acts(task: str) -> float:
        body: dict[str, Any] = {"model": {"name": "llama-2-7b"}, "task": task, "seq_len": 1304}
        body |= {"activation_checkpointing": "none"}
        if task == "lora":
            body |= {"lora_target_modules": ["q_proj", "v_proj"]}
        return footprint.device_memory(
            resolve_job(Workload.model_validate(body)), Layout()
        ).activations

    sbh_layers = 1304 * 4096 * 32
    logits = 4.0 * 1304 * 32000
    assert acts("lora") - logits == pytest.approx(42.125 * sbh_layers)
    # QLoRA also holds one 4-bit matrix dequantised to bf16 (the MLP's 4096 × 11008).
    dequant = 2.0 * 4096 * 11008
    assert acts("qlora") - logits - dequant == pytest.approx(49.5 * sbh_layers)
    assert acts("pretrain") - logits == pytest.approx(34 * sbh_layers)


def test_kv_cache_dtype_is_the_activation_dtype_unless_stated() -> None:
    """vLLM/SGLang --kv-cache-dtype auto: the model's activation dtype. An FP8 checkpoint
    (Qwen3-235B-A22B-FP8: 94 layers, 4 KV heads of 128) keeps a bf16 cache — 2·94·4·128·2 =
    192,512 bytes per token; only kv_cache_precision fp8 halves it."""
    base: dict[str, Any] = {"model": {"name": "qwen3-235b-a22b"}, "task": "inference"}
    fp8_weights = Workload.model_validate(base | {"precision": "fp8"})
    assert memory.kv_cache_value_bytes(fp8_weights) == 2.0
    assert resolve_job(fp8_weights).kv_total == 2 * 94 * 4 * 128 * 2 * 4096
    fp8_cache = Workload.model_validate(
        base | {"precision": "fp8", "serving": {"kv_cache_precision": "fp8"}}
    )
    assert memory.kv_cache_value_bytes(fp8_cache) == 1.0
    assert memory.kv_cache_value_bytes(Workload.model_validate(base | {"precision": "fp32"})) == 4


def test_peft_adapters_are_their_own_fp32_master() -> None:
    """PEFT upcasts bf16/fp16 LoRA adapters to fp32 (PeftModel autocast_adapter_dtype=True):
    4 B weights + 4 B gradients + 8 B Adam moments = 16 B per adapter parameter, where a bf16
    weight with an fp32 master would be 2 + 4 + 12 = 18; the frozen base stays at its dtype.
    Pure bf16 (LitGPT bf16-true, master_weights false) keeps 2 + 2 + 4 = 8."""
    for task in ("lora", "qlora"):
        profile = resolve_job(_job(task=task)).profile
        assert (profile.weights, profile.grad_low, profile.grad_fp32, profile.optimizer) == (
            4.0,
            4.0,
            0.0,
            8.0,
        )
        assert profile.trainable_total == 16.0
    assert resolve_job(_job(task="lora")).profile.frozen_weights == 2.0
    pure = resolve_job(_job(task="lora", master_weights=False)).profile
    assert pure.weights + pure.grad_low + pure.optimizer == 8.0
    full = resolve_job(_job(task="full_finetune")).profile
    assert full.trainable_total == 18.0


def _inference(**kw: Any) -> Workload:
    body: dict[str, Any] = {"model": {"name": "llama-2-7b"}, "task": "inference"}
    body.update(kw)
    return Workload.model_validate(body)


def test_mlc_q4f16_quantises_every_matrix() -> None:
    """MLC LLM q4f16_1 (quantize_embedding=True, quantize_final_fc=True, group 32, fp16 scale):
    Llama-2-7B's 6.74B parameters at 4 + 16/32 bits = 3.79 GB; MLC's serve log prints
    "Parameters: 3615.13 MB" (MiB) for Llama-2-7b-chat-hf-q4f16_1-MLC (mlc-llm issue #2026)."""
    workload = _inference(precision="fp16", quantization_method="mlc_group")
    assert memory.quant_bits(workload) == 4
    assert memory.quant_scope(workload) is QuantScope.all
    weights = footprint.device_memory(resolve_job(workload), Layout()).weights
    assert weights == pytest.approx(6.74e9 * 4.5 / 8)
    assert weights / 2**20 == pytest.approx(3615.13, rel=0.001)


@pytest.mark.parametrize(
    ("scope", "kept"),
    [
        (QuantScope.blocks, 2 * 32000 * 4096),  # embedding + lm_head (Hugging Face default)
        (QuantScope.blocks_and_head, 32000 * 4096),  # embedding only (Lightning)
        (QuantScope.all, 0),  # MLC
    ],
)
def test_quantisation_scope_decides_what_stays_16_bit(scope: QuantScope, kept: int) -> None:
    workload = _inference(quantization_method="bnb_nf4", quantization_scope=scope)
    arch = resolve_architecture(workload)
    assert memory.unquantised_params(workload, arch) == kept


def test_litgpt_double_quant_saving_matches_a_quantised_head() -> None:
    """LitGPT's inference table: nf4 − nf4-dq = 4.57 − 4.26 = 0.31 GB (7B) and 8.32 − 7.72 =
    0.60 GB (13B). Double quantisation saves 0.5 − 0.127 bit per quantised weight (QLoRA §3);
    the printed two-decimal differences come out only if lm_head is quantised too (Lightning's
    BitsandbytesPrecision replaces every nn.Linear): 0.308 / 0.598 GB against 0.302 / 0.591 GB
    with the head left in 16-bit."""
    for name, saved in (("llama-2-7b", 0.31), ("llama-2-13b", 0.60)):
        weights = {}
        for dq in (False, True):
            w = _inference(
                model={"name": name},
                quantization_method="bnb_nf4",
                double_quant=dq,
                quantization_scope="blocks_and_head",
            )
            weights[dq] = footprint.device_memory(resolve_job(w), Layout()).weights / GB
        assert round(weights[False] - weights[True], 2) == saved


def test_bnb_4bit_buffer_is_the_larger_of_load_and_matmul() -> None:
    """bitsandbytes 4-bit: a multi-token matmul (MatMul4Bit) dequantises the whole weight to
    16-bit (2 B/weight); loading quantises it from a 16-bit staging copy plus the 4-bit output
    (2.5 B/weight), which serving always pays first. Llama-2-7B: the MLP's 4096 × 11008, or the
    32000 × 4096 head when it is quantised. A training step pays the matmul buffer only (its
    activations dwarf the load transient); GPTQ/AWQ kernels are not counted."""
    arch = resolve_architecture(_inference())
    mlp, head_params = 4096 * 11008, 32000 * 4096
    nf4 = _inference(quantization_method="bnb_nf4", serving={"context_len": 60, "output_len": 50})
    assert memory.quant_buffer_bytes(nf4, arch) == 2.5 * mlp
    head = nf4.model_copy(update={"quantization_scope": QuantScope.blocks_and_head})
    assert memory.quant_buffer_bytes(head, arch) == 2.5 * head_params
    one_token = _inference(quantization_method="bnb_nf4", serving={"context_len": 1})
    assert memory.quant_buffer_bytes(one_token, arch) == 2.5 * mlp  # loading still stages
    gptq = _inference(precision="int4", quantization_method="gptq")
    assert memory.quant_buffer_bytes(gptq, arch) == 0
    qlora = _job(quantization_method="bnb_nf4")
    assert resolve_job(qlora).quant_buffer == 2 * mlp


def test_bnb_int8_load_stages_fp16_and_two_int8_copies() -> None:
    """Int8Params.cuda: `B = self.data.contiguous().half()`, then double_quant returns the
    row-major CB and column-major CBt before CBt is freed: 2 + 1 + 1 bytes per weight of the
    largest matrix. LitGPT's quantize tutorial prints 8.70 GB for Falcon-7B under bnb.int8
    (Lightning quantises the head too: 65024 × 4544); MatMul8bitLt.backward dequantises CB to
    fp16 (2 B/weight) in training."""
    falcon = _inference(
        model={"name": "falcon-7b"},
        precision="fp16",
        quantization_method="bnb_int8",
        quantization_scope="blocks_and_head",
        serving={"context_len": 266, "output_len": 256},
    )
    arch = resolve_architecture(falcon)
    assert memory.quant_buffer_bytes(falcon, arch, Precision.fp16) == 4 * 65024 * 4544
    mem = footprint.device_memory(resolve_job(falcon), Layout())
    assert (mem.total - mem.overhead) / GB == pytest.approx(8.70, rel=0.05)
    qlora8 = _job(quantization_bits=8)
    assert resolve_job(qlora8).quant_buffer == 2 * 4096 * 11008


def test_lightning_dequantises_to_fp16_then_casts_to_bf16() -> None:
    """Lightning's BitsandbytesPrecision quantises from `dtype=torch.half`; under bf16-true,
    MatMul4Bit's `dequantize_4bit(...).to(A.dtype)` holds an fp16 and a bf16 copy of the
    matrix: 4 bytes per weight of the 32000 × 4096 head (more than loading's 2.5). LitGPT's
    inference table prints 4.57 GB (nf4) and 4.26 GB (nf4-dq) for Llama-2-7B — weights, this
    buffer and a 60-token cache land within 1 %; without the second copy 6 % short."""
    arch = resolve_architecture(_inference())
    peaks = []
    for dq in (False, True):
        w = _inference(
            quantization_method="bnb_nf4",
            double_quant=dq,
            quantization_scope="blocks_and_head",
            dequant_dtype="fp16",
            serving={"context_len": 60, "output_len": 50},
        )
        assert memory.quant_buffer_bytes(w, arch, Precision.bf16) == 4 * 32000 * 4096
        mem = footprint.device_memory(resolve_job(w), Layout())
        peaks.append((mem.total - mem.overhead) / GB)
    assert peaks == [pytest.approx(4.57, rel=0.01), pytest.approx(4.26, rel=0.01)]
    same = _inference(quantization_method="bnb_nf4", dequant_dtype="bf16")
    assert memory.quant_buffer_bytes(same, arch, Precision.bf16) == 2.5 * 4096 * 11008


def test_unchunked_prefill_holds_the_mlp_product_per_prompt_token() -> None:
    """Qwen2.5's transformers speed benchmark runs the whole prompt in one forward; beyond the
    KV cache, Qwen2.5-7B-Instruct BF16 grows from 14.38 GiB (1 prompt token) to 19.97 GiB
    (30720): about 0.141 MB per prompt token. A SwiGLU block holds act(gate), up and their
    product (3 × 18944) beside 3 × 3584 of residual, normed input and attention output, in
    16-bit: 0.135 MB. A chunked prefill (vLLM's 8192-token budget by default) caps it."""
    w = _inference(
        model={"name": "qwen2.5-7b"},
        serving={"context_len": 30720 + 2048, "prompt_len": 30720, "output_len": 2048},
    )
    arch = resolve_architecture(w)
    per_token = 2 * (3 * 18944 + 3 * 3584)
    logits = 4.0 * 152064
    whole = memory.inference_activation_bytes(
        arch=arch, prompt_tokens=30720, sequences=1, chunk_tokens=30720
    )
    assert whole == 30720 * per_token + logits
    chunked = memory.inference_activation_bytes(
        arch=arch, prompt_tokens=30720, sequences=1, chunk_tokens=None
    )
    assert chunked == memory.PREFILL_CHUNK_TOKENS * per_token + logits
    unchunked = w.model_copy(
        update={"serving": w.serving.model_copy(update={"prefill_chunk_tokens": 30720})}
    )
    peaks = []
    for workload in (
        _inference(
            model={"name": "qwen2.5-7b"},
            serving={"context_len": 2049, "prompt_len": 1, "output_len": 2048},
        ),
        unchunked,
    ):
        mem = footprint.device_memory(resolve_job(workload), Layout())
        peaks.append((mem.total - mem.overhead) / GIB)
    assert peaks == [pytest.approx(14.38, rel=0.02), pytest.approx(19.97, rel=0.02)]
    two_matrix = resolve_architecture(_inference(model={"name": "phi-1.5"}))
    assert (
        memory.inference_activation_bytes(
            arch=two_matrix, prompt_tokens=10, sequences=1, chunk_tokens=None
        )
        == 10 * 2 * (2 * 8192 + 3 * 2048) + 4.0 * 51200
    )
