"""API-key models: the roles, what an admin sends, and what the API shows of a key."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Role(StrEnum):
    """What a key may do; a key may carry several roles."""

    submitter = "submitter"  # create decisions, size workloads
    auditor = "auditor"  # read, list, export, verify, replay decisions; read policies
    admin = "admin"  # manage API keys
    backdate = "backdate"  # with submitter: decide at an evaluation_time beyond the clock skew
    policy_author = "policy_author"  # run impact analyses; read archived policy revisions
    approver = "approver"  # record and revoke approved exceptions; list them


class ApiKeyCreate(BaseModel):
    """Body of POST /v1/keys/api."""

    model_config = ConfigDict(extra="forbid")

    roles: list[Role] = Field(
        min_length=1, max_length=len(Role), description="Roles of the new key."
    )
    name: str = Field(default="", max_length=100, description="Label for people (who holds it).")


class ApiKeyPublic(BaseModel):
    """A key as listed: never the secret, never its hash."""

    key_id: str = Field(description="Public id; also the prefix of the key itself.")
    name: str
    roles: list[Role]
    created_at: datetime
    revoked_at: datetime | None = None


class ApiKeyCreated(ApiKeyPublic):
    """A new key, with its secret: shown once, stored only as a SHA-256 hash."""

    key: str = Field(description="The secret; send it as `Authorization: Bearer <key>`.")


class ApiKeyList(BaseModel):
    items: list[ApiKeyPublic]


class Principal(BaseModel):
    """Who is calling, as authentication established it."""

    key_id: str
    roles: frozenset[Role]
    name: str = ""
