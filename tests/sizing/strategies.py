"""Hypothesis strategies of sizing requests: varied enough to reach every branch of the engine
(tasks, precisions, quantisation, serving targets, models by name, by size or by partial shape,
plans with and without a count). Bodies are plain dicts, as a caller sends them; many are
invalid, and a test drops those with `assume`."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from service.settings import PROJECT_ROOT
from service.sizing.catalog import load_catalog
from service.workloads.registry import known_models

MODEL_NAMES = sorted(known_models())
ACCELERATORS = [acc.id for acc in load_catalog(PROJECT_ROOT / "policies")]


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


models = st.one_of(
    st.builds(lambda name: {"name": name}, st.sampled_from(MODEL_NAMES)),
    st.builds(
        lambda p: {"params_b": p},
        st.sampled_from([0.5, 1.1, 3, 7, 7.6, 13, 34, 70, 175, 405, 1000]) | st.floats(0.05, 800),
    ),
    st.builds(
        lambda p, layers, hidden, heads, kv, gated, experts, active: {
            "params_b": p,
            "architecture": {
                k: v
                for k, v in {
                    "layers": layers,
                    "hidden_size": hidden,
                    "attention_heads": heads,
                    "kv_heads": kv,
                    "gated_ffn": gated,
                    "moe": {"experts": experts, "active_params_b": active} if experts else None,
                }.items()
                if v is not None
            },
        },
        st.sampled_from([1.5, 8, 47, 70, 236]),
        _maybe(st.sampled_from([16, 32, 60, 80])),
        _maybe(st.sampled_from([2048, 4096, 8192])),
        _maybe(st.sampled_from([16, 32, 64])),
        _maybe(st.sampled_from([1, 8, 16])),
        _maybe(st.booleans()),
        st.sampled_from([0, 0, 8, 64]),
        _maybe(st.sampled_from([1.0, 13.0, 21.0])),
    ),
)

serving = st.fixed_dictionaries(
    {},
    optional={
        "concurrent_sequences": st.sampled_from([1, 4, 32, 256]),
        "context_len": st.sampled_from([1024, 4096, 32768, 131072]),
        "output_len": st.sampled_from([1, 256]),
        "prefill_chunk_tokens": st.sampled_from([512, 8192]),
        "kv_cache_precision": st.sampled_from(["fp8", "bf16", "fp32"]),
        "ttft_ms": st.sampled_from([50.0, 500.0, 5000.0]),
        "tpot_ms": st.sampled_from([5.0, 30.0, 200.0]),
    },
)

workloads = st.fixed_dictionaries(
    {
        "model": models,
        "task": st.sampled_from(
            ["inference", "lora", "qlora", "freeze", "full_finetune", "pretrain"]
        ),
    },
    optional={
        "precision": st.sampled_from(["bf16", "fp16", "fp32", "fp8", "int8", "int4"]),
        "seq_len": st.sampled_from([512, 2048, 4096, 8192, 32768]),
        "micro_batch_size": st.sampled_from([1, 2, 8]),
        "global_batch_size": st.sampled_from([16, 512, 2048]),
        "train_tokens": st.sampled_from([1e7, 2e9, 3e11, 1.5e13]),
        "deadline_hours": st.sampled_from([2.0, 24.0, 72.0, 720.0]),
        "lora_rank": st.sampled_from([4, 16, 64]),
        "lora_target_modules": st.sampled_from(["attention", "all_linear", ["q_proj", "v_proj"]]),
        "optimizer": st.sampled_from(["adamw", "adamw_8bit", "paged_adamw_8bit", "sgd", "lion"]),
        "optimizer_in_backward": st.booleans(),
        "master_weights": st.booleans(),
        "activation_checkpointing": st.sampled_from(["none", "selective", "full"]),
        "attention": st.sampled_from(["flash", "eager"]),
        "loss_chunks": st.sampled_from([8]),
        "quantization_bits": st.sampled_from([4, 8]),
        "quantization_method": st.sampled_from(["bnb_nf4", "gptq", "awq", "bnb_int8", "fp8"]),
        "quantization_scope": st.sampled_from(["blocks", "blocks_and_head", "all"]),
        "double_quant": st.booleans(),
        "serving": serving,
    },
)

plans = st.fixed_dictionaries(
    {"accelerator": st.sampled_from(ACCELERATORS)},
    optional={
        "count": st.sampled_from([1, 2, 8, 16, 64, 512]),
        "tp": st.sampled_from([1, 2, 8]),
        "pp": st.sampled_from([1, 2, 4]),
        "zero_stage": st.sampled_from([0, 1, 2, 3]),
        "offload": st.sampled_from(["none", "optimizer", "full"]),
        "dp": st.sampled_from([1, 4]),
        "cp": st.sampled_from([1, 2]),
        "ep": st.sampled_from([1, 2]),
        "mfu": st.sampled_from([0.3, 0.5]),
    },
) | st.builds(lambda count: {"count": count}, st.sampled_from([1, 8, 64]))

requests = st.fixed_dictionaries(
    {"workload": workloads},
    optional={
        "plan": plans,
        "accounting": st.sampled_from(["framework", "zero_paper"]),
        "hours_basis": st.sampled_from(["campaign", "training_only"]),
    },
)
