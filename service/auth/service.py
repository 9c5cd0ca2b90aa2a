"""Create, authenticate, list and revoke API keys.

A key is `tgk_<8 hex>.<43 url-safe chars>` (256 random bits after the dot). The part before the
dot is the public key id (listed, logged, used to revoke); the whole key is stored only as its
SHA-256 hash. A fast hash is enough here: the secret is random, not a password, so there is
nothing to brute-force by trying likely values.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Engine

from service.auth import repository
from service.auth.models import ApiKeyCreated, ApiKeyPublic, Principal
from service.auth.tables import ApiKeyRow
from service.errors import NotFound, Unauthorized
from service.roles import Role

KEY_ID_PREFIX = "tgk_"
_MAX_KEY_LENGTH = 200


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _roles(row: ApiKeyRow) -> list[Role]:
    return [Role(r) for r in row.roles.split()]


def public(row: ApiKeyRow) -> ApiKeyPublic:
    return ApiKeyPublic(
        key_id=row.key_id,
        name=row.name,
        roles=_roles(row),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


def create(db: Engine, *, roles: Iterable[Role], name: str = "") -> ApiKeyCreated:
    """Make a new key; the returned `key` is the only time the secret exists outside a hash."""
    wanted = sorted(set(roles), key=list(Role).index)
    if not wanted:
        raise ValueError("a key needs at least one role")
    key_id = KEY_ID_PREFIX + secrets.token_hex(4)
    key = f"{key_id}.{secrets.token_urlsafe(32)}"
    row = repository.add(
        db,
        ApiKeyRow(
            key_id=key_id,
            key_sha256=hash_key(key),
            name=name,
            roles=" ".join(r.value for r in wanted),
            created_at=datetime.now(UTC),
        ),
    )
    return ApiKeyCreated(**public(row).model_dump(), key=key)


def list_keys(db: Engine) -> list[ApiKeyPublic]:
    return [public(row) for row in repository.list_all(db)]


def revoke(db: Engine, key_id: str) -> ApiKeyPublic:
    row = repository.revoke(db, key_id, at=datetime.now(UTC))
    if row is None:
        raise NotFound(f"no API key with id {key_id}", field="key_id")
    return public(row)


def authenticate(db: Engine, key: str) -> Principal:
    """The principal of a presented key; Unauthorized when unknown or revoked."""
    if not key or len(key) > _MAX_KEY_LENGTH:
        raise Unauthorized("invalid API key", headers={"WWW-Authenticate": "Bearer"})
    row = repository.by_hash(db, hash_key(key))
    if row is None or row.revoked_at is not None:
        raise Unauthorized("invalid or revoked API key", headers={"WWW-Authenticate": "Bearer"})
    return Principal(key_id=row.key_id, roles=frozenset(_roles(row)), name=row.name)


def active_principal(db: Engine, key_id: str) -> Principal | None:
    """The principal of a key id when the key exists and is not revoked (web UI sessions)."""
    row = repository.by_id(db, key_id)
    if row is None or row.revoked_at is not None:
        return None
    return Principal(key_id=row.key_id, roles=frozenset(_roles(row)), name=row.name)


def count_keys(db: Engine) -> int:
    return repository.count(db)


class KeyCache:
    """Recently authenticated keys, so a hot key costs no database read per request.

    Only successes are cached, for `ttl` seconds: a revocation through this process clears the
    cache at once; one made elsewhere (the CLI, another replica) takes effect within `ttl`.
    """

    def __init__(self, ttl: float, *, max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, tuple[Principal, float]] = {}

    def get(self, key: str) -> Principal | None:
        entry = self._entries.get(hash_key(key))
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, key: str, principal: Principal) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[hash_key(key)] = (principal, time.monotonic() + self.ttl)

    def clear(self) -> None:
        self._entries.clear()
