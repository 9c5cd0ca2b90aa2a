"""POST /v1/sizing through FastAPI on a small app with this package's routers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from service.catalog.routes import router as catalog_router
from service.errors import TiergateError
from service.settings import PROJECT_ROOT, Settings
from service.sizing.routes import router as sizing_router


def build_app() -> FastAPI:
    app = FastAPI()
    app.state.settings = Settings(policies_dir=PROJECT_ROOT / "policies")
    app.include_router(sizing_router)
    app.include_router(catalog_router)

    async def handler(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, TiergateError)
        body = {"error": exc.code, "detail": exc.message, "field": exc.field}
        return JSONResponse(body, status_code=exc.status_code)

    app.add_exception_handler(TiergateError, handler)
    return app


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(build_app()) as c:
        yield c


def test_sizing_without_plan_lists_options(client: TestClient) -> None:
    body = {"workload": {"model": {"name": "qwen2.5-7b"}, "task": "lora", "train_tokens": 2e9}}
    response = client.post("/v1/sizing", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    for key in (
        "weights",
        "gradients",
        "optimizer_states",
        "activations",
        "kv_cache",
        "overhead",
        "total",
    ):
        assert key in data["memory_gb"] and key in data["per_device_gb"]
    assert data["train_flops"] > 0 and data["gpu_hours"] > 0 and data["estimated_hours"] > 0
    assert 0 < data["assumptions"]["mfu"] < 1
    # LoRA adapters are fp32 (PEFT autocast_adapter_dtype): 4 + 4 + Adam's fp32 moments 8.
    per_param = data["assumptions"]["bytes_per_param"]
    assert (per_param["weights"], per_param["gradients"], per_param["optimizer_states"]) == (
        4,
        4,
        8,
    )
    assert per_param["trainable_total"] == 16
    option = data["options"][0]
    assert set(option["parallelism"]) == {"dp", "tp", "pp", "cp", "ep", "zero_stage"}
    assert option["cost_usd"] is not None


def test_fixed_plan_answers_fit_and_time(client: TestClient) -> None:
    body = {
        "workload": {"model": {"params_b": 7}, "task": "full_finetune", "train_tokens": 1e9},
        "plan": {"accelerator": "nvidia-h100-sxm", "count": 8, "zero_stage": 3, "mfu": 0.4},
    }
    data = client.post("/v1/sizing", json=body).json()
    assert data["fits"] is True and data["estimated_hours"] > 0
    assert data["assumptions"]["mfu"] == 0.4


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"workload": {"model": {"params_b": -7}, "task": "lora"}}, "workload.model.params_b"),
        (
            {
                "workload": {"model": {"params_b": 7}, "task": "lora"},
                "plan": {"accelerator": "nvidia-h100-sxm", "count": 8, "tp": 2, "pp": 2, "dp": 4},
            },
            "plan",
        ),
        (
            {
                "workload": {"model": {"params_b": 7}, "task": "lora"},
                "plan": {"accelerator": "x", "count": 1},
            },
            "plan.accelerator",
        ),
        (
            {
                "workload": {"model": {"params_b": 7}, "task": "lora"},
                "plan": {"accelerator": "nvidia-h100-sxm", "count": 16, "tp": 16},
            },
            "plan.tp",
        ),
        (
            {"workload": {"model": {"params_b": 7}, "task": "lora", "quantization_scope": "all"}},
            "workload.quantization_scope",
        ),
        (
            {
                "workload": {
                    "model": {"params_b": 7},
                    "task": "inference",
                    "precision": "int4",
                    "quantization_scope": "embeddings",
                }
            },
            "workload.quantization_scope",
        ),
        (
            {
                "workload": {
                    "model": {"params_b": 7},
                    "task": "qlora",
                    "quantization_method": "mlc_group",
                }
            },
            "workload",
        ),
        (
            {
                "workload": {
                    "model": {"params_b": 7},
                    "task": "inference",
                    "precision": "int4",
                    "quantization_method": "gptq",
                    "dequant_dtype": "fp16",
                }
            },
            "workload.dequant_dtype",
        ),
        (
            {
                "workload": {
                    "model": {"params_b": 7},
                    "task": "qlora",
                    "dequant_dtype": "int8",
                }
            },
            "workload.dequant_dtype",
        ),
        (
            {
                "workload": {
                    "model": {"params_b": 7},
                    "task": "inference",
                    "serving": {"prefill_chunk_tokens": 0},
                }
            },
            "workload.serving.prefill_chunk_tokens",
        ),
    ],
)
def test_bad_input_is_a_precise_422(
    client: TestClient, body: dict[str, object], field: str
) -> None:
    response = client.post("/v1/sizing", json=body)
    assert response.status_code == 422
    data = response.json()
    if "field" in data:
        assert data["field"] == field
    else:  # FastAPI's own validation shape
        locs = [".".join(str(p) for p in e["loc"][1:]) for e in data["detail"]]
        assert any(loc.startswith(field) for loc in locs), locs


def test_does_not_fit_on_fixed_plan_is_200_with_reason(client: TestClient) -> None:
    body = {
        "workload": {"model": {"params_b": 70}, "task": "full_finetune"},
        "plan": {"accelerator": "nvidia-rtx-4090", "count": 1},
    }
    data = client.post("/v1/sizing", json=body).json()
    assert data["fits"] is False and "GB" in data["reason"]


def test_route_has_one_line_description(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["paths"]["/v1/sizing"]["post"]["description"].startswith("Size a workload")


def test_quantised_inference_reports_scope_and_quant_buffer(client: TestClient) -> None:
    """The k-bit scope and the bitsandbytes quantisation buffer are reported assumptions."""
    body = {
        "workload": {
            "model": {"name": "llama-2-7b"},
            "task": "inference",
            "quantization_method": "bnb_nf4",
            "quantization_scope": "blocks_and_head",
        },
        "plan": {"count": 1},
    }
    assumptions = client.post("/v1/sizing", json=body).json()["assumptions"]
    assert assumptions["quantization_scope"] == "blocks_and_head"
    # Loading stages the quantised head in bf16 beside its 4-bit copy: 2.5 B per weight.
    assert assumptions["quant_buffer_gb"] == 2.5 * 32000 * 4096 / 1e9
    plain = {"workload": {"model": {"name": "llama-2-7b"}, "task": "inference"}}
    unquantised = client.post("/v1/sizing", json=plain).json()["assumptions"]
    assert unquantised["quantization_scope"] is None and unquantised["quant_buffer_gb"] == 0
