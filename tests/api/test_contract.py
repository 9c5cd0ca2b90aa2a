"""The published contract holds what the code does (issue 11 item 5): operation ids are stable
and unique, the documented error codes are every code the API emits, every record the write
path seals is valid against the published DecisionRecord schema, and so are the answers built
as JSON rather than through their response models (a dry run, a page of the list)."""

from __future__ import annotations

import ast
import json
from typing import Any

import jsonschema_rs
from fastapi.testclient import TestClient

from service.api.schemas import ERROR_CODES
from service.main import create_app
from service.settings import PROJECT_ROOT
from tests.conftest import decision_request

SERVICE = PROJECT_ROOT / "service"


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {
        (method.upper(), path): operation["operationId"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


def test_operation_ids_are_the_handler_names_and_unique() -> None:
    """Clients generate method names from these: a rename must be deliberate, so they are
    pinned here, and none may repeat."""
    operations = _operations(create_app().openapi())
    assert operations == {
        ("POST", "/v1/decisions"): "create_decision",
        ("POST", "/v1/evaluations"): "create_evaluation",
        ("GET", "/v1/decisions"): "list_decisions",
        ("GET", "/v1/decisions/checkpoint"): "decisions_checkpoint",
        ("GET", "/v1/decisions/verify"): "verify_decisions",
        ("GET", "/v1/decisions/export"): "export_decisions",
        ("POST", "/v1/decisions/{decision_id}/replay"): "replay_decision",
        ("GET", "/v1/decisions/{decision_id}"): "get_decision",
        ("GET", "/v1/keys"): "list_signing_keys",
        ("POST", "/v1/sizing"): "post_sizing",
        ("GET", "/v1/policies"): "get_policies",
        ("GET", "/v1/policies/revisions"): "list_policy_revisions",
        ("GET", "/v1/policies/revisions/{revision}"): "get_policy_revision",
        ("GET", "/v1/policies/revisions/{revision}/bundle"): "get_policy_revision_bundle",
        ("POST", "/v1/impact"): "start_impact_job",
        ("GET", "/v1/impact/{job}"): "get_impact_job",
        ("GET", "/v1/impact/{job}/changes.csv"): "get_impact_changes",
        ("DELETE", "/v1/impact/{job}"): "cancel_impact_job",
        ("POST", "/v1/keys/api"): "create_api_key",
        ("GET", "/v1/keys/api"): "list_api_keys",
        ("DELETE", "/v1/keys/api/{key_id}"): "revoke_api_key",
        ("GET", "/v1/audit-events"): "list_audit_events",
        ("GET", "/v1/evidence"): "get_evidence",
        ("POST", "/v1/exceptions"): "create_exception",
        ("POST", "/v1/exceptions/{exception_id}/revoke"): "revoke_exception",
        ("GET", "/v1/exceptions"): "list_exceptions",
        ("GET", "/v1/exceptions/export"): "export_exceptions",
        ("GET", "/v1/catalog/accelerators"): "get_accelerators",
        ("GET", "/healthz"): "healthz",
        ("GET", "/readyz"): "readyz",
    }
    assert len(set(operations.values())) == len(operations)


def _emitted_codes() -> set[str]:
    """Every error code written in the service's source: `code = "…"` on an error class,
    `code="…"` where an error is raised, the code argument of the two body builders
    (service/api/errors.py `_body`, service/api/limits.py `_send_error`), the mapping of HTTP
    statuses to codes and its fallback."""
    codes: set[str] = set()
    for path in SERVICE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for statement in node.body:
                    if (
                        isinstance(statement, ast.Assign)
                        and [getattr(t, "id", None) for t in statement.targets] == ["code"]
                        and isinstance(statement.value, ast.Constant)
                    ):
                        codes.add(statement.value.value)
            elif isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                for keyword in node.keywords:
                    if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                        codes.add(keyword.value.value)
                arguments = [a for a in node.args if isinstance(a, ast.Constant)]
                if name == "_body" and arguments:
                    codes.add(arguments[0].value)
                if name == "_send_error":
                    codes.update(a.value for a in arguments if isinstance(a.value, str))
                fallback = (
                    node.args[1:2] if ast.unparse(node.func) == "HTTP_ERROR_CODES.get" else []
                )
                codes.update(a.value for a in fallback if isinstance(a, ast.Constant))
            elif isinstance(node, ast.Assign) and [
                getattr(t, "id", None) for t in node.targets
            ] == ["HTTP_ERROR_CODES"]:
                assert isinstance(node.value, ast.Dict)
                codes.update(v.value for v in node.value.values if isinstance(v, ast.Constant))
    return codes


def test_every_error_code_the_api_emits_is_documented() -> None:
    emitted = _emitted_codes()
    # The scan finds the codes it should (so an empty scan cannot pass).
    assert {"forbidden", "policy_engine_unavailable", "payload_too_large", "timeout"} <= emitted
    assert {"http_error", "internal_error", "invalid_input", "method_not_allowed"} <= emitted
    assert emitted <= set(ERROR_CODES), f"undocumented error codes: {emitted - set(ERROR_CODES)}"
    assert set(ERROR_CODES) <= emitted, (
        f"documented but never emitted: {set(ERROR_CODES) - emitted}"
    )


def test_the_openapi_error_body_enumerates_the_codes() -> None:
    schema = create_app().openapi()["components"]["schemas"]["ErrorBody"]
    assert schema["properties"]["error"]["enum"] == ERROR_CODES


def test_an_emitted_error_body_uses_a_documented_code(client: TestClient) -> None:
    for response in (
        client.get("/v1/decisions/nope"),
        client.post("/v1/decisions", json={}),
        client.put("/v1/decisions", json={}),
        client.get("/v1/nowhere"),
    ):
        assert response.status_code >= 400
        assert response.json()["error"] in ERROR_CODES, response.text


# Requests that reach the different shapes of record: allowed, refused by a rule, conditional
# with obligations, pretraining with a deadline, inference, a past evaluation time.
REQUESTS: list[dict[str, Any]] = [
    decision_request(),
    decision_request(requested_tier="shared_cloud", data_class="core", core_business=True),
    decision_request(data_class="important", core_business=True, requested_tier="vpc"),
    decision_request(data_class="general", requested_tier="vpc"),
    decision_request(sector="government", data_class="core"),
    decision_request(evaluation_time="2025-01-01T00:00:00Z"),
    {
        "workload": {
            "name": "pretrain",
            "model": {"params_b": 70},
            "task": "pretrain",
            "train_tokens": 1e11,
            "deadline_hours": 720,
        },
        "context": {"organization": "example-lab", "sector": "energy"},
    },
    {
        "workload": {"name": "chat", "model": {"name": "qwen2.5-7b"}, "task": "inference"},
        "context": {"organization": "example-hospital", "sector": "healthcare"},
    },
]


def test_every_sealed_record_is_valid_against_the_published_schema(client: TestClient) -> None:
    """The records go out exactly as sealed, not through the response model, so the published
    schema (schemas/decision-record.json) is checked against what the write path builds: the
    201 body, the record read back, and each line of the export."""
    schema = json.loads((PROJECT_ROOT / "schemas" / "decision-record.json").read_text())
    validator = jsonschema_rs.validator_for(schema, validate_formats=True)
    documented = set(schema["properties"])
    created = []
    for body in REQUESTS:
        response = client.post("/v1/decisions", json=body)
        assert response.status_code == 201, response.text
        created.append(response.json())
    assert {record["verdict"] for record in created} == {"allow", "deny"}
    exported = [
        json.loads(line) for line in client.get("/v1/decisions/export").iter_lines() if line
    ]
    read_back = [client.get(f"/v1/decisions/{r['id']}").json() for r in created]
    for record in created + read_back + exported:
        errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(record)]
        assert not errors, errors
        assert set(record) <= documented, f"undocumented fields: {set(record) - documented}"
    assert len(exported) == len(created)


def _response_validator(method: str, path: str) -> Any:
    """A validator of the 200 body the published OpenAPI document gives `method path`."""
    document = json.loads((PROJECT_ROOT / "openapi" / "openapi.json").read_text())
    body = document["paths"][path][method]["responses"]["200"]["content"]["application/json"]
    schema = {**body["schema"], "components": document["components"]}
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def _problems(validator: Any, answer: Any) -> list[str]:
    return [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(answer)]


def test_dry_run_and_list_answers_are_valid_against_their_published_schemas(
    client: TestClient,
) -> None:
    """These two answers are built as JSON (JSONResponse), not through their response models,
    so the published DryRun and DecisionPage schemas are checked against what is sent: a dry
    run with and without explain, for an allow and a deny, and the list page of records."""
    dry_run = _response_validator("post", "/v1/evaluations")
    verdicts = set()
    for body in REQUESTS:
        for explain in ("false", "true"):
            response = client.post(f"/v1/evaluations?explain={explain}", json=body)
            assert response.status_code == 200, response.text
            answer = response.json()
            assert answer["stored"] is False
            assert ("explanations" in answer) == (explain == "true")
            assert not _problems(dry_run, answer), _problems(dry_run, answer)
            verdicts.add(answer["verdict"])
        assert client.post("/v1/decisions", json=body).status_code == 201
    assert verdicts == {"allow", "deny"}
    page = client.get("/v1/decisions", params={"limit": 2}).json()
    assert len(page["items"]) == 2 and page["next_cursor"], page
    assert not _problems(_response_validator("get", "/v1/decisions"), page)
