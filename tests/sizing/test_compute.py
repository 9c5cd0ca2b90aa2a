"""Compute formulas against their sources."""

from __future__ import annotations

import pytest

from service.sizing import compute
from service.workloads.models import Recomputation, Task


def test_6nd_matches_gpt3() -> None:
    """Brown et al. 2020: 175B params × 300B tokens ≈ 3.14e23 FLOPs (C = 6ND, Kaplan 2020)."""
    flops = compute.train_flops(
        active_params=175e9,
        trainable_params=175e9,
        tokens=300e9,
        task=Task.pretrain,
        recompute=Recomputation.selective,
    )
    assert flops == pytest.approx(3.14e23, rel=0.01)


def test_full_recomputation_is_8nd_and_lora_skips_weight_grads() -> None:
    n = 1e9
    full = compute.train_flops_per_token(
        active_params=n, trainable_params=n, task=Task.pretrain, recompute=Recomputation.full
    )
    assert full == 8 * n
    lora = compute.train_flops_per_token(
        active_params=n, trainable_params=1e6, task=Task.lora, recompute=Recomputation.none
    )
    assert lora == 4 * n


def test_mfu_prior_grows_with_size_and_falls_with_scale() -> None:
    small = compute.mfu_prior(active_params=1e8, devices=4096)
    large = compute.mfu_prior(active_params=175e9, devices=8)
    assert 0.12 <= small <= 0.2  # "mid-teens" for small models on large clusters
    assert 0.42 <= large <= 0.56  # large dense models, tuned stacks
    assert compute.mfu_prior(active_params=7e9, devices=8) < compute.mfu_prior(
        active_params=70e9, devices=8
    )
    assert compute.mfu_prior(active_params=7e9, devices=1024) < compute.mfu_prior(
        active_params=7e9, devices=8
    )


def test_wall_hours() -> None:
    # 1e18 FLOPs on 10 devices × 100 TFLOPs × 50 % = 2000 s.
    assert compute.wall_hours(flops=1e18, devices=10, peak_tflops=100, mfu=0.5) == pytest.approx(
        2000 / 3600
    )


def test_decode_is_bandwidth_bound_for_small_batches() -> None:
    rate = compute.decode_tokens_per_second(
        bytes_read_per_step=16e9,
        sequences_per_replica=1,
        replicas=1,
        memory_bw_gbps=2000,
        flops_per_token=16e9,
        peak_tflops=312,
        mfu=0.5,
    )
    assert rate == pytest.approx(2000e9 * compute.DECODE_BW_EFFICIENCY / 16e9)
