"""First start: on a database without any API key, make one key with every role and show it
once, so `make run` is usable at once (TIERGATE_FIRST_START_KEY=false turns this off).

Run by `tiergate serve` before the workers start (one process, so one key). Only the key's
SHA-256 is stored, as for every key; the banner is the only place the secret appears.
"""

from __future__ import annotations

from sqlalchemy import Engine

from service.auth import service
from service.auth.models import ApiKeyCreated
from service.roles import Role

NAME = "first-start"


def create_first_key(db: Engine) -> ApiKeyCreated | None:
    """A key with every role when the database has no key at all; else None."""
    if service.count_keys(db) > 0:
        return None
    return service.create(db, roles=list(Role), name=NAME)


def banner(created: ApiKeyCreated, ui_url: str) -> str:
    rule = "=" * 78
    return "\n".join(
        (
            rule,
            f"  tiergate first start: an API key with every role ({', '.join(Role)})",
            "  首次启动：已创建一个具有全部角色的 API 密钥",
            "",
            f"    {created.key}",
            "",
            "  It is shown only now and stored only as its hash. Keep it, sign in to the web UI:",
            "  该密钥仅显示这一次，系统只保存其哈希值。请妥善保存，并用它登录网页界面：",
            f"    {ui_url}",
            "  API: Authorization: Bearer <key>. Make narrower keys with `tiergate keys create`.",
            rule,
        )
    )
