"""Record assembly without OPA or a database (issue 11 item 2): plan choice and the record's
JSON come from the sizing and a policy answer given here, so they are checked on their own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from service.decisions import chain
from service.decisions.assembly import ALTERNATIVES, build_record, choose_plans
from service.decisions.masking import Masker
from service.decisions.models import ConsideredException, DecisionRecord, DecisionRequest
from service.decisions.policy_query import Evaluation, policy_input, serialise_request
from service.opa.client import PolicyAnswer
from service.policies.models import PolicyDecision, PolicyInput
from service.policies.vocabulary import ExceptionScope, Sector
from service.settings import PROJECT_ROOT
from service.sizing.catalog import load_catalog
from service.sizing.models import SizingResult
from service.sizing.service import size
from tests.conftest import decision_request

NOW = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def request_and_sizing() -> tuple[DecisionRequest, SizingResult]:
    request = DecisionRequest.model_validate(decision_request())
    sizing = size(request.workload, catalog=load_catalog(PROJECT_ROOT / "policies"))
    assert len(sizing.options) > 1 + ALTERNATIVES, "the fixture needs plans to choose from"
    return request, sizing


def _answer(allowed: list[str], **extra: Any) -> PolicyAnswer:
    result = {
        "verdict": "allow",
        "tier": {"minimum": "vpc", "allowed": ["vpc", "appliance"], "requested": None},
        "domestic_substitution": {"required": False, "rule_ids": []},
        "accelerators": {"allowed": allowed, "excluded": []},
        "violations": [],
        "obligations": [
            {"rule_id": "obligations.filing", "message": "file it", "message_zh": "应备案"}
        ],
        **extra,
    }
    result["tier"]["selected"] = "vpc"
    return PolicyAnswer(result=result, decision_id="opa-1", revision="rev-1", engine_version="1")


def _accelerators(sizing: SizingResult) -> list[str]:
    return list(dict.fromkeys(o.accelerator for o in sizing.options))


def test_the_cheapest_allowed_plan_wins_and_alternatives_are_allowed_ones(
    request_and_sizing: tuple[DecisionRequest, SizingResult],
) -> None:
    request, sizing = request_and_sizing
    cheapest, *rest = _accelerators(sizing)
    allowed = rest  # the policy excludes the cheapest accelerator
    decision = PolicyDecision.model_validate(_answer(allowed).result)
    recommendation, alternatives = choose_plans(request, sizing, decision)
    first_allowed = next(o for o in sizing.options if o.accelerator in allowed)
    assert recommendation is not None
    assert (recommendation.accelerator, recommendation.count) == (
        first_allowed.accelerator,
        first_allowed.count,
    )
    assert recommendation.accelerator != cheapest
    assert len(alternatives) <= ALTERNATIVES
    assert all(a.accelerator in allowed for a in alternatives)


def test_the_requested_accelerator_comes_first_when_allowed(
    request_and_sizing: tuple[DecisionRequest, SizingResult],
) -> None:
    request, sizing = request_and_sizing
    wanted = _accelerators(sizing)[-1]
    asking = request.model_copy(
        update={"context": request.context.model_copy(update={"requested_accelerator": wanted})}
    )
    decision = PolicyDecision.model_validate(_answer(_accelerators(sizing)).result)
    recommendation, _ = choose_plans(asking, sizing, decision)
    assert recommendation is not None and recommendation.accelerator == wanted


def test_nothing_allowed_means_no_plan(
    request_and_sizing: tuple[DecisionRequest, SizingResult],
) -> None:
    request, sizing = request_and_sizing
    decision = PolicyDecision.model_validate(_answer([]).result)
    assert choose_plans(request, sizing, decision) == (None, [])


def test_the_record_json_is_the_sealed_shape(
    request_and_sizing: tuple[DecisionRequest, SizingResult],
) -> None:
    request, sizing = request_and_sizing
    masker = Masker(salt=b"s" * 32, paths=("context.organization", "workload.name"))
    stored = serialise_request(request, masker)
    answer = _answer(_accelerators(sizing))
    decision = PolicyDecision.model_validate(answer.result)
    content = build_record(
        decision_id="00000000-0000-4000-8000-000000000001",
        request=request,
        serialised=stored,
        request_id="req-1",
        now=NOW,
        evaluation_time=NOW,
        evaluation_time_source=None,
        evaluation=Evaluation(sizing, answer, decision),
    ).content()

    assert content["created_at"] == "2026-12-01T08:30:00+00:00"  # the format every record has
    assert "evaluation_time_source" not in content  # absent, not null, when unknown
    assert content["submitted_by"] == {"key_id": None, "key_name": None}
    assert content["request"]["context"]["organization"] == masker.digest("example-bank")
    assert content["masked_fields"] == ["context.organization", "workload.name"]
    # the digest is over the request as stored, so anyone can recompute it from the record
    assert content["integrity"] == {
        "input_sha256": chain.sha256_hex(chain.canonical(content["request"]))
    }
    assert content["tier"] == decision.tier.model_dump(mode="json")
    assert content["obligations"] == answer.result["obligations"]
    assert content["policy"] == {
        "revision": "rev-1",
        "engine": "opa",
        "engine_version": "1",
        "decision_id": "opa-1",
    }
    assert "options" not in content["sizing"]
    assert content["recommendation"]["accelerator"] == sizing.options[0].accelerator
    # the record reads back as the public model once sealed
    sealed = {
        **content,
        "integrity": {
            **content["integrity"],
            "seq": 1,
            "prev_hash": "0" * 64,
            "hash": "h",
            "signature": "s",
            "key_id": "k",
        },
    }
    assert DecisionRecord.model_validate(sealed).verdict.value == "allow"


def test_extra_fields_of_the_policy_answer_stay_out_of_the_record(
    request_and_sizing: tuple[DecisionRequest, SizingResult],
) -> None:
    request, sizing = request_and_sizing
    answer = _answer(_accelerators(sizing), debug={"trace": 1})
    content = build_record(
        decision_id="x",
        request=request,
        serialised=serialise_request(request, Masker(salt=b"", paths=())),
        request_id=None,
        now=NOW,
        evaluation_time=NOW,
        evaluation_time_source="client",
        evaluation=Evaluation(sizing, answer, PolicyDecision.model_validate(answer.result)),
    ).content()
    assert "debug" not in content
    assert content["evaluation_time_source"] == "client"


def test_the_policy_input_is_what_its_schema_model_makes_of_it(
    request_and_sizing: tuple[DecisionRequest, SizingResult],
) -> None:
    """policy_input builds OPA's input from the request's JSON without validating it again;
    PolicyInput (schemas/policy-input.json, what `opa check -s` checks against) must read it
    back unchanged, or the two definitions have drifted."""
    request, sizing = request_and_sizing
    serialised = serialise_request(request, Masker(salt=b"s" * 32, paths=("workload.name",)))
    built = policy_input(serialised.clear, sizing, NOW)
    assert PolicyInput.model_validate(built).model_dump(mode="json", exclude_unset=True) == built
    assert "exceptions" not in built  # none considered: the input is as before exceptions
    exception = ConsideredException(
        id="exc-1",
        rule_id="tier.below_minimum",
        scope=ExceptionScope(sector=Sector.finance, workload_name="digest"),
        valid_from="2026-11-01T00:00:00Z",
        expires_at="2027-05-01T00:00:00Z",
        entry_hash="0" * 64,
    )
    with_exception = policy_input(
        serialised.clear, sizing, NOW, stored_request=serialised.stored, exceptions=[exception]
    )
    assert PolicyInput.model_validate(with_exception).model_dump(mode="json") == with_exception
    assert with_exception["exceptions"]["subject"] == {
        "organization": serialised.stored["context"]["organization"],
        "workload_name": serialised.stored["workload"]["name"],  # as stored: the digest
    }
    assert "entry_hash" not in with_exception["exceptions"]["active"][0]
    assert built["context"]["evaluation_time"] == "2026-12-01T08:30:00Z"
    assert built["workload"]["name"] == "legal-qa"  # the policy sees the request in clear
    assert serialised.stored["workload"]["name"].startswith("hmac-sha256:")
    assert len(built["candidates"]) == len(sizing.options)
