"""The AUDITED table names real operations, each guarded by an access rule."""

from __future__ import annotations

from service.audit.service import AUDITED
from service.auth.access import required_roles
from service.main import create_app


def test_every_audited_operation_exists_and_needs_a_role() -> None:
    app = create_app()
    document = app.openapi()
    operations = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    for operation, action in AUDITED.items():
        assert operation in operations, f"{action}: {operation} is not a route"
        assert required_roles(app.routes, *operation), f"{action}: {operation} has no access rule"
    assert len(set(AUDITED.values())) == len(AUDITED)
