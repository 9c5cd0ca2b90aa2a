"""The route dependencies: the decision routes' caller comes from what authorize() left on the
request (with authentication on and nothing left there, nobody is let through: fail closed),
and every dependency alias is an `async def` lookup."""

from __future__ import annotations

import inspect
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from starlette.requests import Request

from service.api import deps, use_case_deps
from service.api.use_case_deps import authorized_caller
from service.auth.models import Principal
from service.errors import Unauthorized
from service.roles import Role


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


@pytest.mark.parametrize("module", [deps, use_case_deps], ids=lambda m: m.__name__)
def test_every_dependency_alias_is_an_async_lookup(module: ModuleType) -> None:
    """docs/architecture.md, "def or async def": a dependency only looks app state up, so it
    is `async def`; a plain `def` would cost a thread hop per request."""
    aliases = {
        name: value.__metadata__[0].dependency
        for name, value in vars(module).items()
        if name.endswith("Dep") and hasattr(value, "__metadata__")
    }
    assert len(aliases) >= 5, aliases  # the walk found the aliases
    blocking = [name for name, getter in aliases.items() if not inspect.iscoroutinefunction(getter)]
    assert not blocking, f"plain def dependencies: {blocking}"
