"""Compute formulas against their sources: 6ND, MFU vs HFU, the calibrated prior, FP8, comms."""

from __future__ import annotations

import json
import statistics

import pytest

from service.sizing import compute
from service.sizing.compute import Binding, StepTime
from service.workloads.models import Recomputation, Task

CALIBRATION = json.loads(compute.CALIBRATION_PATH.read_text())


def test_6nd_matches_gpt3() -> None:
    """Brown et al. 2020: 175B params × 300B tokens ≈ 3.14e23 FLOPs (C = 6ND, Kaplan 2020)."""
    flops = compute.train_flops(
        active_params=175e9, trainable_params=175e9, tokens=300e9, task=Task.pretrain
    )
    assert flops == pytest.approx(3.14e23, rel=0.01)


def test_mfu_excludes_recomputation_hfu_counts_it() -> None:
    """PaLM appendix B: MFU counts 6N (+ attention); full recomputation adds a forward pass
    that only HFU counts: 8N/6N — llm-foundry's benchmark table prints HFU 56.76 % for MFU
    42.57 % (70B, full activation checkpointing), the same 4/3."""
    n = 1e9
    model = compute.model_flops_per_token(active_params=n, trainable_params=n, task=Task.pretrain)
    executed = compute.executed_flops_per_token(
        active_params=n, trainable_params=n, task=Task.pretrain, recompute=Recomputation.full
    )
    assert model == 6 * n and executed == 8 * n
    assert executed / model == pytest.approx(56.76 / 42.57, rel=0.001)
    lora = compute.executed_flops_per_token(
        active_params=n, trainable_params=1e6, task=Task.lora, recompute=Recomputation.none
    )
    assert lora == 4 * n  # frozen weights: no weight gradients (Hu et al. 2021)


def test_attention_flops_palm() -> None:
    """PaLM appendix B: 6N + 12·L·H·Q·T per token; for GPT-3 (96 layers, 12288) at 2048 tokens
    attention is 2.8 % of 6N."""
    attn = compute.attention_flops_per_token(layers=96, hidden=12288, seq_len=2048)
    assert attn / (6 * 175e9) == pytest.approx(0.0276, abs=0.0005)


@pytest.mark.parametrize(
    "point", CALIBRATION["points"], ids=[p["run"] for p in CALIBRATION["points"]]
)
def test_prior_reproduces_each_published_run(point: dict[str, object]) -> None:
    """Every calibration point (cited in the file) within its stated tolerance."""
    prior = compute.hfu_prior(
        active_params=float(point["active_params_b"]) * 1e9,  # type: ignore[arg-type]
        peak_tflops=float(point["peak_tflops"]),  # type: ignore[arg-type]
    )
    expected = float(point["hfu"])  # type: ignore[arg-type]
    assert prior == pytest.approx(expected, rel=float(point["tolerance"]))  # type: ignore[arg-type]


def test_prior_median_error_is_small() -> None:
    errors = [
        abs(
            compute.hfu_prior(
                active_params=p["active_params_b"] * 1e9, peak_tflops=p["peak_tflops"]
            )
            / p["hfu"]
            - 1
        )
        for p in CALIBRATION["points"]
    ]
    assert statistics.median(errors) <= 0.16


def test_prior_has_no_cluster_penalty_and_grows_with_size() -> None:
    """LLaMA-1 65B kept 47.6 % MFU on 2048 A100: the prior takes no device count at all."""
    small = compute.hfu_prior(active_params=1.25e8, peak_tflops=312)
    large = compute.hfu_prior(active_params=65e9, peak_tflops=312)
    assert small < large
    assert compute.hfu_prior(active_params=7e9, peak_tflops=989) < compute.hfu_prior(
        active_params=7e9, peak_tflops=312
    )


def test_fp8_speeds_up_only_the_gemm_share() -> None:
    """DeepSeek-V3 §3.3: only the linear GEMMs run in FP8. A step that is all GEMM at GEMM
    efficiency halves at 2× peak; the rest of the step keeps its time."""
    assert compute.fp8_time_fraction(
        gemm_flop_share=1.0, utilisation=compute.GEMM_EFFICIENCY, speedup=2.0
    ) == pytest.approx(0.5)
    assert compute.fp8_time_fraction(gemm_flop_share=0.0, utilisation=0.5, speedup=2.0) == 1.0
    typical = compute.fp8_time_fraction(gemm_flop_share=0.9, utilisation=0.45, speedup=2.0)
    assert 0.6 < typical < 0.9  # 1.1–1.6× faster, not 2×


def test_ring_allreduce_and_bubble() -> None:
    """nccl-tests PERFORMANCE.md: 2(n−1)/n · bytes / bus bandwidth; Megatron: bubble (p−1)/m."""
    assert compute.ring_allreduce_seconds(bytes_per_rank=8e9, ranks=8, bus_gbps=100) == (
        pytest.approx(2 * 7 / 8 * 8e9 / 100e9)
    )
    assert compute.ring_allreduce_seconds(bytes_per_rank=8e9, ranks=1, bus_gbps=100) == 0
    assert compute.pipeline_bubble_fraction(stages=4, micro_batches=12) == 0.25


def test_step_names_its_binding() -> None:
    assert StepTime(1.0, 0.1, 0.0, 0.0).binding is Binding.compute
    assert StepTime(1.0, 2.0, 0.0, 0.0).binding is Binding.intra_node
    assert StepTime(1.0, 0.1, 3.0, 0.0).binding is Binding.inter_node


def test_decode_is_bandwidth_bound_for_small_batches() -> None:
    """Pope et al. 2022: one decode step streams the weights; 16 GB at 2 TB/s × 0.7 ≈ 11 ms."""
    step, binding = compute.decode_step_seconds(
        bytes_read_per_device=16e9,
        sequences=1,
        flops_per_token_per_device=16e9,
        memory_bw_gbps=2000,
        peak_tflops=989,
        stages=1,
    )
    assert binding is Binding.memory
    assert step == pytest.approx(16e9 / (2000e9 * compute.DECODE_BW_EFFICIENCY))
    big, bound = compute.decode_step_seconds(
        bytes_read_per_device=16e9,
        sequences=4096,
        flops_per_token_per_device=16e9,
        memory_bw_gbps=2000,
        peak_tflops=989,
        stages=1,
    )
    assert bound is Binding.compute and big > step


def test_prefill_is_compute_bound_with_quadratic_attention() -> None:
    one = compute.prefill_seconds(
        active_params=8e9,
        layers=32,
        hidden=4096,
        prompt_tokens=2048,
        devices=1,
        peak_tflops=989,
        weight_bytes_per_device=16e9,
        memory_bw_gbps=3350,
    )
    flops = 2 * 8e9 * 2048 + 2 * 32 * 4096 * 2048**2
    assert one == pytest.approx(flops / (989e12 * compute.PREFILL_EFFICIENCY))
