"""Trusted construction (service/sizing/trusted.py) builds exactly what validation builds: the
same field values of the same types, the same fields set, the same JSON — for the options,
memory breakdowns and whole results of varied requests (tests/sizing/strategies.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from unittest.mock import patch

from hypothesis import HealthCheck, assume, given, settings
from pydantic import BaseModel, ValidationError

from service.errors import InvalidInput
from service.settings import PROJECT_ROOT
from service.sizing import compute, footprint, options, planner
from service.sizing import service as sizing_service
from service.sizing.catalog import load_catalog
from service.sizing.job import resolve_job
from service.sizing.memory import DeviceMemory, Layout
from service.sizing.models import (
    BytesPerParam,
    MemoryBreakdown,
    PlanOption,
    SizingRequest,
    SizingResult,
)
from service.sizing.service import size_request
from service.sizing.trusted import trusted
from tests.sizing.strategies import requests

CATALOG = load_catalog(PROJECT_ROOT / "policies")


def typed(value: Any) -> Any:
    """A model's contents with every value's type: 989 and 989.0 are equal, not the same."""
    if isinstance(value, BaseModel):
        return (
            type(value),
            [(name, typed(v)) for name, v in value.__dict__.items()],
            value.model_fields_set,
            value.__pydantic_extra__,
            value.__pydantic_private__,
        )
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value), value)


def assert_same(built: BaseModel, validated: BaseModel) -> None:
    assert typed(built) == typed(validated)
    assert repr(built) == repr(validated)
    assert built.model_dump_json() == validated.model_dump_json()


def test_a_wrong_type_is_told_apart() -> None:
    """What the checks catch: an int in a float field is equal to its validated float."""
    values: dict[str, Any] = dict.fromkeys(MemoryBreakdown.model_fields, 0.0)
    validated = MemoryBreakdown.model_validate({**values, "total": 80})
    built = trusted(MemoryBreakdown, {**values, "total": 80})
    assert built == validated
    try:
        assert_same(built, validated)
    except AssertionError:
        return
    raise AssertionError("an int in a float field passed as validated")


def _sized(body: dict[str, Any]) -> tuple[SizingRequest, SizingResult]:
    """The request and its sizing; a body the API would refuse is not an example."""
    try:
        request = SizingRequest.model_validate(body)
        return request, size_request(request, catalog=CATALOG)
    except (ValidationError, InvalidInput):
        assume(False)
        raise  # unreachable: assume(False) ends the example


_EXAMPLES = settings(
    deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow]
)


@settings(_EXAMPLES, max_examples=150)
@given(body=requests)
def test_trusted_models_are_the_validated_ones(body: dict[str, Any]) -> None:
    request, result = _sized(body)
    for option in result.options:
        assert_same(option, PlanOption.model_validate(option.model_dump()))
    for breakdown in (result.memory_gb, result.per_device_gb):
        assert_same(breakdown, MemoryBreakdown.model_validate(breakdown.model_dump()))

    # every usable part's option, built both ways from the same values
    job = resolve_job(
        request.workload, request.accounting, goodput=compute.goodput(request.hours_basis)
    )
    cache = planner.SearchCache()
    whole = footprint.device_memory(job, Layout())
    assert_same(options.breakdown_gb(whole), MemoryBreakdown.model_validate(_gb(whole)))
    for acc in CATALOG:
        if acc.unusable_reason(job.compute_precision):
            continue
        candidate = planner.smallest_fit(job, acc, cache=cache)
        if candidate is not None:
            validated = PlanOption.model_validate(options.option_values(job, candidate))
            assert_same(options.build_option(job, candidate), validated)


def _gb(mem: DeviceMemory) -> dict[str, float]:
    return {name: getattr(mem, name) / 1e9 for name in MemoryBreakdown.model_fields}


def test_a_catalogue_of_whole_numbers_builds_floats() -> None:
    """The catalogue is JSON: a price, capacity or peak may come as an int (memory_gb always
    does today); an option's float fields hold floats, as validation would make them."""
    workload = {"model": {"params_b": 7}, "task": "lora", "train_tokens": 1e9}
    request = SizingRequest.model_validate({"workload": workload})
    job = resolve_job(
        request.workload, request.accounting, goodput=compute.goodput(request.hours_basis)
    )
    acc = replace(CATALOG.get("nvidia-h100-sxm"), usd_per_gpu_hour=2, memory_gb=80, peak_bf16=989)
    candidate = planner.smallest_fit(job, acc)
    assert candidate is not None
    validated = PlanOption.model_validate(options.option_values(job, candidate))
    assert_same(options.build_option(job, candidate), validated)
    assert type(validated.usd_per_gpu_hour) is float


def _validating(cls: type[BaseModel], values: dict[str, Any]) -> BaseModel:
    return cls.model_validate(values)


@settings(_EXAMPLES, max_examples=100)
@given(body=requests)
def test_a_result_is_what_validating_every_model_makes(body: dict[str, Any]) -> None:
    """size() with every trusted construction (options, breakdowns, the result and its
    assumptions) replaced by validation of the same values gives the same models."""
    request, built = _sized(body)
    with (
        patch.object(sizing_service, "trusted", _validating),
        patch.object(options, "trusted", _validating),
    ):
        validated = size_request(request, catalog=CATALOG)
    assert type(validated.assumptions.bytes_per_param) is BytesPerParam
    assert_same(built, validated)
