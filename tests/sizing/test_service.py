"""resource_form: the form a tier implies, bare metal for multi-node training."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.errors import InvalidInput
from service.sizing.memory import Offload
from service.sizing.models import MemoryBreakdown, Parallelism, PlanOption
from service.sizing.service import resource_form, resource_forms
from service.workloads.models import Workload


def option(nodes: int) -> PlanOption:
    zero = MemoryBreakdown(
        weights=0, gradients=0, optimizer_states=0, activations=0, kv_cache=0, overhead=0, total=0
    )
    return PlanOption(
        accelerator="nvidia-h100-sxm",
        accelerator_name="H100",
        count=8 * nodes,
        nodes=nodes,
        parallelism=Parallelism(dp=8 * nodes, tp=1, pp=1, zero_stage=3),
        offload=Offload.none,
        memory_per_device_gb=1,
        per_device_gb=zero,
        device_memory_gb=80,
        host_memory_gb=1,
        mfu=0.4,
        hfu=0.4,
        binding_constraint=None,
        step_seconds=None,
        estimated_hours=1,
        gpu_hours=8,
        usd_per_gpu_hour=2,
        cost_usd=16,
        meets_deadline=None,
        decode_tokens_per_s=None,
        ttft_ms=None,
        tpot_ms=None,
        tokens_per_s_per_replica=None,
        domestic=False,
        export_status_cn="licence_required",
        supply="not_flagged",
        peak_tflops=989,
    )


def w(task: str = "lora", deadline: float | None = None) -> Workload:
    return Workload.model_validate(
        {"model": {"params_b": 7}, "task": task, "deadline_hours": deadline}
    )


@pytest.mark.parametrize(
    ("tier", "expected"),
    [
        ("classified_facility", "classified_facility"),
        ("bare_metal", "bare_metal"),
        ("appliance", "appliance"),
        ("vpc", "cloud_host"),
        ("shared_cloud", "cloud_host"),
    ],
)
def test_single_node_takes_the_tier_form(tier: str, expected: str) -> None:
    assert resource_form(option(1), tier=tier, workload=w()) == expected


def test_multi_node_training_needs_bare_metal() -> None:
    assert resource_form(option(2), tier="vpc", workload=w("full_finetune")) == "bare_metal"
    assert resource_form(option(2), tier="shared_cloud", workload=w("pretrain", 12)) == "bare_metal"
    # never traded down from the classified facility
    assert (
        resource_form(option(4), tier="classified_facility", workload=w("pretrain"))
        == "classified_facility"
    )
    # multi-node serving is not training
    assert resource_form(option(2), tier="vpc", workload=w("inference")) == "cloud_host"


def test_short_experiment_on_shared_cloud_is_a_container() -> None:
    assert (
        resource_form(option(1), tier="shared_cloud", workload=w(deadline=24)) == "cloud_container"
    )
    assert resource_form(option(1), tier="shared_cloud", workload=w(deadline=25)) == "cloud_host"
    assert resource_form(option(1), tier="vpc", workload=w(deadline=2)) == "cloud_host"


def test_unknown_tier() -> None:
    with pytest.raises(InvalidInput) as info:
        resource_form(option(1), tier="moon", workload=w())
    assert info.value.field == "tier"


def test_tier_enum_and_tier_data_agree() -> None:
    """Python's Tier and the ladder in reference/tiers/data.json name the same tiers, highest
    first, and each tier gives a resource form the labels know."""
    from service.labels import RESOURCE_FORMS, policy_names
    from service.policies.vocabulary import Tier
    from service.sizing.service import tier_forms
    from tests.support.builders import POLICIES_DIR

    assert policy_names(POLICIES_DIR).tier_order == tuple(t.value for t in Tier)
    forms = tier_forms(POLICIES_DIR)
    assert list(forms) == [t.value for t in Tier]
    assert set(forms.values()) <= set(RESOURCE_FORMS)


def test_resource_form_follows_the_tier_data(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The form comes from the data, not from a table in Python."""
    import json
    import shutil

    from tests.support.builders import POLICIES_DIR

    copy = tmp_path / "policies"
    shutil.copytree(
        POLICIES_DIR / "tiergate" / "reference" / "tiers", copy / "tiergate" / "reference" / "tiers"
    )
    path = copy / "tiergate" / "reference" / "tiers" / "data.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for tier in data["ladder"]:
        if tier["id"] == "vpc":
            tier["resource_form"] = "bare_metal"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert resource_form(option(1), tier="vpc", workload=w(), policies_dir=copy) == "bare_metal"


def test_resource_forms_read_the_tier_data_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A decision's plans share one read of the tier data; no plans, no read (and no refusal of
    the tier: there is nothing to give a form)."""
    import service.sizing.service as sizing_service

    reads: list[object] = []
    read = sizing_service.tier_forms

    def counted(policies_dir: Path) -> dict[str, str]:
        reads.append(policies_dir)
        return read(policies_dir)

    monkeypatch.setattr(sizing_service, "tier_forms", counted)
    chosen = [option(1), option(2), option(1), option(4)]
    workload = w("full_finetune", 12)
    expected = [resource_form(o, tier="shared_cloud", workload=workload) for o in chosen]
    assert len(reads) == 4
    reads.clear()
    assert resource_forms(chosen, tier="shared_cloud", workload=workload) == expected
    assert len(reads) == 1
    assert resource_forms([], tier="moon", workload=workload) == []
    assert len(reads) == 1
