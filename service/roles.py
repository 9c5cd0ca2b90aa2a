"""Who may call a route, as the route declares it: the roles, and the declaration itself.

A foundation, below every route module: the routes of each layer declare their roles here
(`dependencies=[requires(Role.x)]`), and `service/auth/access.py` (a use case) enforces them
and derives the access table from the routes. Declaring needs nothing of auth: no key store,
no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fastapi import Depends


class Role(StrEnum):
    """What a key may do; a key may carry several roles."""

    submitter = "submitter"  # create decisions, size workloads
    auditor = "auditor"  # read, list, export, verify, replay decisions; read policies
    admin = "admin"  # manage API keys
    backdate = "backdate"  # with submitter: decide at an evaluation_time beyond the clock skew
    policy_author = "policy_author"  # run impact analyses; read archived policy revisions
    approver = "approver"  # record and revoke approved exceptions; list them


@dataclass(frozen=True)
class Requires:
    """A route's access rule: the roles of which a key needs at least one. Declared on the
    route with `dependencies=[requires(...)]`; authorize() (on the protected routers) enforces
    it, so a protected route that declares nothing is refused to everyone, not open."""

    roles: frozenset[Role]

    async def __call__(self) -> None:
        """Nothing to do per request: the declaration is read by authorize()."""


def requires(*roles: Role) -> Any:
    """The dependency that declares who may call a route: `dependencies=[requires(Role.x)]`."""
    return Depends(Requires(frozenset(roles)))


def declared_roles(route: object) -> frozenset[Role] | None:
    """The roles `route` declares with requires(), or None when it declares none."""
    for dependency in getattr(route, "dependencies", ()):
        if isinstance(dependency.dependency, Requires):
            return dependency.dependency.roles
    return None
