"""Replay: decide a stored request again and report what changed.

Two policies to replay under:

- `current` (the default, and the only one before the revision archive): the policy the
  service serves now, with today's sizing. Answers "would this still be decided so today?".
- `recorded`: the archived revision that made the record (service/policies/archive.py), on a
  throw-away loopback OPA over its exact files, at the record's own evaluation time. A faithful
  replay answers `changed: false`; anything else means the record does not follow from its
  policy. Sizing is Python, not policy: it is not archived and cannot be re-run as it was, so
  the candidates sent to the policy come from today's sizing engine and the comparison covers
  the policy's outcome only (verdict, tiers, domestic substitution, violations, obligations);
  the recommendation, which also depends on sizing and prices, is left out of `recorded`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from service.decisions import service
from service.decisions.assembly import UnsealedRecord, build_record
from service.decisions.comparison import Under, compare
from service.decisions.decide import size_and_decide
from service.decisions.models import DecisionRecord, DecisionRequest, ReplayReport
from service.decisions.policy_query import Evaluation, SerialisedRequest
from service.errors import Conflict, NotFound, PolicyEngineUnavailable
from service.opa.client import PolicyEngine
from service.opa.loopback import loopback_binary, loopback_engine
from service.opa.revision import DiskPolicy
from service.policies import archive
from service.sizing.catalog import Catalog, catalog_of_files


async def replay(
    db: Engine,
    decision_id: str,
    *,
    policy_engine: PolicyEngine,
    catalog: Catalog,
    under: Under = "current",
    opa_binary: str = "",
) -> ReplayReport:
    """Re-evaluate a stored request at its own evaluation time under the current policy (or
    the recorded one, on a throw-away OPA), with the approved exceptions its record says were
    considered (as they were then, even if one has since expired or been revoked); report what
    would change, rule by rule. Nothing is written."""
    stored = await run_in_threadpool(service.get, db, decision_id)
    if under == "current":
        return await replay_record(stored, policy_engine=policy_engine, catalog=catalog)
    recorded = await run_in_threadpool(archived_policy, db, stored)
    return await replay_offline(stored, recorded, catalog=catalog, opa_binary=opa_binary)


def archived_policy(db: Engine, stored: DecisionRecord) -> DiskPolicy:
    """The archived revision that made `stored`; 409 naming why when it is not archived."""
    revision = stored.policy.revision
    try:
        return archive.policy(db, revision)
    except NotFound as exc:
        raise Conflict(
            f"decision {stored.id} was made under policy revision {revision[:12]}, which is "
            f"not in the revision archive ({exc.message}; records made before the archive "
            "existed have none): replay it under=current, or offline with `tiergate replay "
            "--under recorded --bundle` and a bundle of that revision",
            field="under",
        ) from exc


async def replay_offline(
    stored: DecisionRecord,
    policy: DiskPolicy,
    *,
    catalog: Catalog,
    opa_binary: str,
    under: Under = "recorded",
) -> ReplayReport:
    """Replay `stored` under `policy` on a throw-away loopback OPA (the API and the CLI);
    `opa_binary` as configured (TIERGATE_OPA_BINARY), else the usual places. Sizing uses the
    accelerator catalogue inside `policy` when it has one (the recorded data, today's code)."""
    if under == "recorded" and policy.revision != stored.policy.revision:
        raise Conflict(
            f"the policy given is revision {policy.revision[:12]} but decision {stored.id} "
            f"was made under {stored.policy.revision[:12]}",
            field="bundle",
        )
    binary = loopback_binary(opa_binary)
    try:
        async with loopback_engine(policy.files, binary=binary) as engine:
            return await replay_record(
                stored,
                policy_engine=engine,
                catalog=catalog_of_files(policy.files) or catalog,
                under=under,
            )
    except (OSError, RuntimeError) as exc:
        raise PolicyEngineUnavailable(
            f"the throw-away OPA for revision {policy.revision[:12]} did not start ({exc})"
        ) from exc


def stored_request(stored: DecisionRecord) -> tuple[DecisionRequest, SerialisedRequest]:
    """The request a record was decided on, as the policy is asked about it again. The stored
    request is already masked: the policy sees it (defaults filled as it was validated) and
    the record keeps it as it is."""
    request = DecisionRequest.model_validate(stored.request)
    serialised = SerialisedRequest(
        clear=request.model_dump(mode="json"),
        stored=stored.request,
        masked_fields=stored.masked_fields,
        input_sha256=stored.integrity.input_sha256,
    )
    return request, serialised


def replayed_record(
    stored: DecisionRecord,
    request: DecisionRequest,
    serialised: SerialisedRequest,
    evaluation: Evaluation,
    evaluation_time: datetime | None = None,
) -> UnsealedRecord:
    """The record the same request makes with `evaluation` (id, times and submitter kept;
    `evaluation_time` when it was evaluated at another instant)."""
    return build_record(
        decision_id=stored.id,
        request=request,
        serialised=serialised,
        request_id=stored.request_id,
        now=stored.created_at,
        evaluation_time=evaluation_time or stored.evaluation_time,
        evaluation_time_source=stored.evaluation_time_source,
        evaluation=evaluation,
        submitted_by=stored.submitted_by.model_dump() if stored.submitted_by else None,
        exceptions_considered=stored.exceptions_considered or [],
    )


async def replay_record(
    stored: DecisionRecord,
    *,
    policy_engine: PolicyEngine,
    catalog: Catalog,
    under: Under = "current",
) -> ReplayReport:
    """Decide `stored`'s request again on `policy_engine` at its evaluation time; compare."""
    request, serialised = stored_request(stored)
    evaluation = await size_and_decide(
        request,
        serialised,
        stored.evaluation_time,
        policy_engine=policy_engine,
        catalog=catalog,
        exceptions_considered=stored.exceptions_considered or [],
    )
    again = replayed_record(stored, request, serialised, evaluation)
    return compare(stored, again, under=under)
