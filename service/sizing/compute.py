"""Stage 3, compute and communication: FLOPs, the utilisation prior, step time with
communication, FP8, and serving latency (pure functions).

Sources:
- [KAPLAN] Kaplan et al. 2020, "Scaling Laws for Neural Language Models": C ≈ 6·N·D
  (2N forward + 4N backward per token); checked against GPT-3's 3.14e23 FLOPs (Brown et al.
  2020) for 175B × 300B tokens.
- [PALM] Chowdhery et al. 2022 (PaLM), appendix B: model FLOPs utilisation (MFU) counts 6N per
  token and excludes rematerialisation; hardware FLOPs utilisation (HFU) counts what runs (8N
  with full recomputation). [KOR] Korthikanti et al. 2022 §6 report both the same way.
- [LORA] Hu et al. 2021: frozen weights need activation gradients (2N) but no weight gradients.
- [MEG] Narayanan et al. 2021 (Megatron-LM at scale): 2 all-reduces per layer in forward and
  2 in backward under tensor parallelism; the 1F1B pipeline bubble is (p − 1)/m.
- [NCCL] NVIDIA nccl-tests `PERFORMANCE.md`: ring all-reduce moves 2(n − 1)/n of the buffer
  per rank ("bus bandwidth").
- [DSV3] DeepSeek-V3 technical report (arXiv 2412.19437) §3.3: FP8 runs only the linear GEMMs;
  embedding, output head, gating, normalisation and attention stay in BF16/FP32.
- [ROOFLINE] decode is memory-bandwidth bound: each step streams the weights and the KV cache
  (Pope et al. 2022, "Efficiently Scaling Transformer Inference").
The prior's calibration points (published runs, each cited) are in
`service/sizing/data/mfu_calibration.json`; tests/sizing/test_compute.py checks the prior
against every one of them.
"""

from __future__ import annotations

import math
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from service.workloads.models import Recomputation, Task

# Utilisation prior (steady state, no full recomputation, so MFU = HFU): a ceiling that falls
# with the part's peak (work that does not speed up with the tensor cores: memory-bound kernels,
# communication, launch gaps) times a size factor (small models have small matmuls):
#   HFU = CEILING_AT_ZERO / (1 + PEAK_LOSS · peak) · 1 / (1 + sqrt(SIZE_SCALE / N)).
# Fitted by hand to the measured throughput in data/mfu_calibration.json (MosaicML llm-foundry
# benchmark tables on A100 and H100, Llama 3 Table 4 on 16K H100, LLaMA-1 on 2048 A100, OPT-175B,
# Megatron 1T): ≈ 0.57 on A100 and 0.46 on H100 at 7B. Cluster size is not a term: LLaMA-1 65B
# on 2048 A100 (47.6 %) and Llama 3 405B on 16 384 H100 (38–43 %) show no systematic loss at
# scale; slow links are charged explicitly by the communication model instead.
# The prior sits between the single-node benchmark tables (above it) and the large-cluster runs
# (below it): within 30 % of every point, median 15 %.
CALIBRATION_PATH = Path(__file__).with_name("data") / "mfu_calibration.json"
HFU_CEILING_AT_ZERO = 0.697
HFU_PEAK_LOSS_PER_TFLOPS = 3.99e-4  # 0.62 ceiling at A100's 312, 0.50 at H100's 989
HFU_SIZE_SCALE = 5e7
# Mixture of experts: routing, all-to-all and small expert GEMMs halve the utilisation —
# DeepSeek-V2 needs 172.8K H800 GPU-hours per trillion tokens for 21B active parameters where
# the dense DeepSeek 67B needs 300.6K (DeepSeek-V2 report, arXiv 2405.04434 §3.2.3: 0.21 vs
# 0.38 MFU on the same cluster). It scales the whole step (timing applies it after FP8):
# DeepSeek-V3 (arXiv 2412.19437, FP8) lands within 18 % of its 180K H800 GPU-hours per
# trillion tokens with it (tests/sizing/test_timing.py).
MOE_UTILISATION_FACTOR = 0.5
# Whole-run time: checkpoints, restarts after failures, evaluation. Llama 3 (arXiv 2407.21783
# §3.3.4): "higher than 90% effective training time" over 54 days on 16K H100.
GOODPUT = 0.9
MFU_FLOOR = 0.02
# Share of dense peak a large bf16 GEMM reaches (cuBLAS on A100/H100 ≈ 0.7–0.8; judgement):
# splits the step into GEMM time (which FP8 halves) and the rest (which it does not).
GEMM_EFFICIENCY = 0.75
# Share of peak memory bandwidth achieved by decode kernels (judgement; vLLM-class engines).
DECODE_BW_EFFICIENCY = 0.7
# Share of peak compute a prefill reaches (large-batch GEMMs; judgement, same as GEMM_EFFICIENCY
# less the attention and sampling overheads).
PREFILL_EFFICIENCY = 0.5
# Judgement: ZeRO-Offload keeps GPUs busy for large batches but CPU Adam still costs time.
OFFLOAD_TIME_FACTOR = {"none": 1.0, "optimizer": 1.0 / 0.7, "full": 2.0}


class HoursBasis(StrEnum):
    """What the estimated hours count (a request input: published figures count either)."""

    # The wall time of a run: training steps / GOODPUT (restarts, checkpoints, evaluation).
    campaign = "campaign"
    # Steps × step time only: how figures derived from a measured throughput are computed —
    # LLaMA §2.4 ("380 tokens/sec/GPU … takes approximately 21 days"), DeepSeek-V3 Table 1
    # (180K H800 GPU-hours per trillion tokens × 14.8T).
    training_only = "training_only"


def goodput(basis: HoursBasis) -> float:
    """Share of the counted hours spent in training steps."""
    return GOODPUT if basis is HoursBasis.campaign else 1.0


class Binding(StrEnum):
    """What bounds the time of a plan."""

    memory = "memory"  # memory bandwidth (decode streams weights and KV)
    compute = "compute"
    intra_node = "intra_node"  # tensor-parallel all-reduces (or data parallel inside a node)
    inter_node = "inter_node"  # data-parallel gradient traffic across nodes


def attention_flops_per_token(*, layers: int, hidden: int, seq_len: int) -> float:
    """[PALM] appendix B: the attention score and value products add 12·L·h·s per token for a
    training step (forward + backward), as PaLM and llm-foundry count them in MFU."""
    return 12.0 * layers * hidden * seq_len


def model_flops_per_token(*, active_params: float, trainable_params: float, task: Task) -> float:
    """Parameter FLOPs per token ([KAPLAN], [PALM]): nothing recomputed, attention apart.

    full / pretrain: 6N. lora / qlora: 2N forward + 2N activation gradients [LORA]; the adapters'
    own work is negligible. freeze: 2N forward + 4·N_trainable (backward stops at the lowest
    trainable block). inference: 2N.
    """
    if task in (Task.full_finetune, Task.pretrain):
        return 6.0 * active_params
    if task in (Task.lora, Task.qlora):
        return 4.0 * active_params
    if task is Task.freeze:
        return 2.0 * active_params + 4.0 * min(trainable_params, active_params)
    return 2.0 * active_params


def executed_flops_per_token(
    *, active_params: float, trainable_params: float, task: Task, recompute: Recomputation
) -> float:
    """FLOPs that run (the HFU basis): full recomputation repeats the forward pass, + 2N
    (freeze: + 2·N_trainable); selective recomputation repeats only attention's cheap part."""
    base = model_flops_per_token(
        active_params=active_params, trainable_params=trainable_params, task=task
    )
    if recompute is not Recomputation.full or task is Task.inference:
        return base
    if task is Task.freeze:
        return base + 2.0 * min(trainable_params, active_params)
    return base + 2.0 * active_params


def train_flops(
    *,
    active_params: float,
    trainable_params: float,
    tokens: float,
    task: Task,
) -> float:
    """Model FLOPs of the whole run = per-token model FLOPs × tokens (MoE: active parameters)."""
    return (
        model_flops_per_token(
            active_params=active_params, trainable_params=trainable_params, task=task
        )
        * tokens
    )


def hfu_prior(*, active_params: float, peak_tflops: float) -> float:
    """Hardware utilisation a well-tuned dense run reaches in steady state (see the constants;
    mixture of experts: timing applies MOE_UTILISATION_FACTOR to the whole step)."""
    ceiling = HFU_CEILING_AT_ZERO / (1.0 + HFU_PEAK_LOSS_PER_TFLOPS * peak_tflops)
    size = 1.0 / (1.0 + math.sqrt(HFU_SIZE_SCALE / max(active_params, 1.0)))
    return max(MFU_FLOOR, ceiling * size)


def fp8_time_fraction(*, gemm_flop_share: float, utilisation: float, speedup: float) -> float:
    """Step time under FP8 relative to BF16 [DSV3]: only the linear GEMMs speed up (by the
    fp8/bf16 peak ratio). Their share of the BF16 step is the GEMM FLOP share × utilisation /
    GEMM efficiency; the rest (attention, norms, head, communication) keeps its time."""
    share = min(1.0, gemm_flop_share * utilisation / GEMM_EFFICIENCY)
    return share / speedup + (1.0 - share)


def ring_allreduce_seconds(*, bytes_per_rank: float, ranks: int, bus_gbps: float) -> float:
    """[NCCL]: 2(n − 1)/n · bytes / bandwidth."""
    if ranks <= 1 or bytes_per_rank <= 0:
        return 0.0
    return 2.0 * (ranks - 1) / ranks * bytes_per_rank / (bus_gbps * 1e9)


def pipeline_bubble_fraction(*, stages: int, micro_batches: int) -> float:
    """[MEG] 1F1B: idle share (p − 1)/m of the ideal time."""
    return (stages - 1) / max(micro_batches, 1)


class StepTime(NamedTuple):
    """Seconds of one optimizer step, by component (the compute model's hand-off)."""

    compute: float  # executed FLOPs at the utilisation prior, pipeline bubble included
    intra_node: float  # tensor-parallel all-reduces beyond the calibration's NVLink-class link
    inter_node: float  # data-parallel traffic not hidden behind backward, beyond the reference
    offload: float  # extra time of CPU optimizer steps (ZeRO-Offload)

    @property
    def total(self) -> float:
        return self.compute + self.intra_node + self.inter_node + self.offload

    @property
    def binding(self) -> Binding:
        """The largest part; on a tie the first of compute, intra_node, inter_node."""
        binding, largest = Binding.compute, self.compute + self.offload
        if self.intra_node > largest:
            binding, largest = Binding.intra_node, self.intra_node
        return Binding.inter_node if self.inter_node > largest else binding


def prefill_seconds(
    *,
    active_params: float,
    layers: int,
    hidden: int,
    prompt_tokens: int,
    devices: int,
    peak_tflops: float,
    weight_bytes_per_device: float,
    memory_bw_gbps: float,
) -> float:
    """Time to first token of one request: 2N·P linear FLOPs + causal attention 2·L·P²·h
    (QKᵀ and AV, half the square), over the replica's devices at PREFILL_EFFICIENCY; never
    faster than one read of the weights."""
    flops = 2.0 * active_params * prompt_tokens + 2.0 * layers * hidden * prompt_tokens**2
    compute = flops / (devices * peak_tflops * 1e12 * PREFILL_EFFICIENCY)
    read = weight_bytes_per_device / (memory_bw_gbps * 1e9 * DECODE_BW_EFFICIENCY)
    return max(compute, read)


def decode_step_seconds(
    *,
    bytes_read_per_device: float,
    sequences: int,
    flops_per_token_per_device: float,
    memory_bw_gbps: float,
    peak_tflops: float,
    stages: int,
) -> tuple[float, Binding]:
    """One decode step (time per output token) of a replica: each device streams its weights
    and KV once [ROOFLINE] unless the batch makes it compute bound; pipeline stages run one
    after another for a token."""
    bw_step = bytes_read_per_device / (memory_bw_gbps * 1e9 * DECODE_BW_EFFICIENCY)
    compute_step = flops_per_token_per_device * sequences / (peak_tflops * 1e12 * GEMM_EFFICIENCY)
    binding = Binding.memory if bw_step >= compute_step else Binding.compute
    return stages * max(bw_step, compute_step), binding
