"""API-key models: what an admin sends, and what the API shows of a key (the roles a key
carries are service.roles.Role)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from service.roles import Role


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
