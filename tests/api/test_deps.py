"""The decision routes' caller comes from what authorize() left on the request; with
authentication on and nothing left there, nobody is let through (fail closed)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from starlette.requests import Request

from service.api.deps import authorized_caller
from service.auth.models import Principal, Role
from service.errors import Unauthorized


def _request(*, auth_enabled: bool, state: dict[str, Any]) -> Request:
    app = SimpleNamespace(state=SimpleNamespace(access=SimpleNamespace(enabled=auth_enabled)))
    return Request({"type": "http", "app": app, "state": state, "headers": []})


def test_the_caller_is_the_key_authorize_authenticated() -> None:
    key = Principal(key_id="k1", name="portal", roles=frozenset({Role.submitter}))
    assert authorized_caller(_request(auth_enabled=True, state={"principal": key})) is key


def test_with_authentication_off_there_is_no_caller() -> None:
    assert authorized_caller(_request(auth_enabled=False, state={})) is None


def test_with_authentication_on_a_request_without_a_key_is_refused() -> None:
    with pytest.raises(Unauthorized):
        authorized_caller(_request(auth_enabled=True, state={}))
