"""What the policy is asked about a request and how its answer is read: the evaluation time,
the request serialised and masked once, the decision entry point's `input`, and the answer
checked against its model (a wrong shape is an engine failure, 503).

Pure — no database, no OPA, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from service.decisions import chain
from service.decisions.masking import Masker
from service.decisions.models import ConsideredException, DecisionRequest
from service.errors import Forbidden, PolicyEngineUnavailable
from service.opa.client import PolicyAnswer
from service.policies.models import PolicyDecision, RuleExplanation
from service.sizing.models import SizingResult

TimeSource = Literal["server", "client"]


def evaluation_instant(
    requested: datetime | None, *, now: datetime, skew: timedelta, may_backdate: bool
) -> tuple[datetime, TimeSource]:
    """When a recorded decision is evaluated, and who set that time. The server's clock unless
    the client sent a time: within `skew` of the clock that is any client's to send, further
    off only a key with role backdate may send (a backdated time could dodge a phase-in)."""
    if requested is None:
        return now, "server"
    if abs(requested - now) > skew and not may_backdate:
        raise Forbidden(
            f"evaluation_time {requested.isoformat()} is more than {skew.total_seconds():g} s "
            "from the server's clock; only a key with role backdate may decide at another time "
            "(leave the field out to decide now, or replay a stored decision)",
            field="context.evaluation_time",
        )
    return requested, "client"


@dataclass(frozen=True)
class SerialisedRequest:
    """The request's JSON, made once per decision. `clear` is what the policy is asked about;
    `stored` is what the record keeps (masked fields as salted digests); `input_sha256` is
    sha256 of the RFC 8785 JSON of `stored`, so the digest reveals no more than the record
    does (an unsalted hash over the clear request let organisation and workload names be
    guessed back), and anyone can recompute it from the record's `request`."""

    clear: dict[str, Any]
    stored: dict[str, Any]
    masked_fields: list[str]
    input_sha256: str


def serialise_request(request: DecisionRequest, masker: Masker) -> SerialisedRequest:
    """Serialise and mask the request once; the policy input, the digest and the record all
    use the result."""
    clear = request.model_dump(mode="json")
    stored, masked_fields = masker.mask(clear)  # a masked copy: `clear` stays as it is
    return SerialisedRequest(
        clear, stored, masked_fields, chain.sha256_hex(chain.canonical(stored))
    )


def exception_subject(stored_request: Mapping[str, Any]) -> dict[str, str]:
    """What an exception's scope names the request by: its organisation and workload name as
    the record stores them (salted digests where masked), so a replay, which only has the
    stored request, matches exactly as the original decision did."""
    return {
        "organization": str(stored_request["context"].get("organization", "")),
        "workload_name": str(stored_request["workload"].get("name", "")),
    }


def policy_input(
    request_json: Mapping[str, Any],
    sizing: SizingResult,
    evaluation_time: datetime,
    *,
    stored_request: Mapping[str, Any] | None = None,
    exceptions: list[ConsideredException] | None = None,
) -> dict[str, Any]:
    """`input` of the decision entry point, built from the request's JSON without validating
    it again; `PolicyInput` is its schema (a test holds the two together). `exceptions` (with
    the stored request they are matched against) only when there are any."""
    extra: dict[str, Any] = {}
    if exceptions:
        assert stored_request is not None
        extra["exceptions"] = {
            "subject": exception_subject(stored_request),
            "active": [e.model_dump(mode="json", exclude={"entry_hash"}) for e in exceptions],
        }
    return {
        **extra,
        "workload": request_json["workload"],
        "context": {
            **request_json["context"],
            "evaluation_time": evaluation_time.isoformat().replace("+00:00", "Z"),
        },
        "candidates": [
            {"accelerator": o.accelerator, "count": o.count, "nodes": o.nodes}
            for o in sizing.options
        ],
    }


def parse_decision(answer: PolicyAnswer) -> PolicyDecision:
    try:
        return PolicyDecision.model_validate(answer.result)
    except ValidationError as exc:
        raise PolicyEngineUnavailable(
            f"policy engine returned a decision of the wrong shape ({exc.error_count()} errors)"
        ) from exc


def parse_explanations(answer: PolicyAnswer) -> list[RuleExplanation]:
    """The rules' explanations of a dry run with explain=true; a wrong shape is an engine
    failure like a wrong decision (503), never an answer without them."""
    try:
        return _EXPLANATIONS.validate_python(answer.explanations)
    except ValidationError as exc:
        raise PolicyEngineUnavailable(
            f"policy engine returned explanations of the wrong shape ({exc.error_count()} errors)"
        ) from exc


_EXPLANATIONS = TypeAdapter(list[RuleExplanation])


@dataclass(frozen=True)
class Evaluation:
    """What the sizing engine and the policy said about one request."""

    sizing: SizingResult
    answer: PolicyAnswer
    decision: PolicyDecision
