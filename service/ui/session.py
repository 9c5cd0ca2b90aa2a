"""Signed cookies for web UI sessions and the sign-in form's CSRF token.

Stateless, so several workers and replicas share sessions: the cookie holds the key id, the
session's CSRF token and an expiry, HMAC-SHA256 signed with a secret created once in the data
folder. The API key itself never leaves the sign-in request; each page re-reads the key by id,
so a revoked key ends its sessions at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from service.files import create_once

SESSION_COOKIE = "tg_session"
LOGIN_CSRF_COOKIE = "tg_signin_csrf"
SESSION_SECONDS = 8 * 3600  # one working day


@dataclass(frozen=True)
class Session:
    key_id: str
    csrf_token: str
    expires: int


class Signer:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    @classmethod
    def from_file(cls, path: Path) -> Signer:
        create_once(path, secrets.token_bytes(32))
        return cls(path.read_bytes())

    def _mac(self, payload: bytes) -> str:
        return hmac.new(self._secret, payload, hashlib.sha256).hexdigest()

    def dumps(self, value: dict[str, object]) -> str:
        payload = base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode())
        return f"{payload.decode()}.{self._mac(payload)}"

    def loads(self, token: str | None) -> dict[str, object] | None:
        if not token or "." not in token or len(token) > 2000:
            return None
        payload, mac = token.rsplit(".", 1)
        if not hmac.compare_digest(self._mac(payload.encode()), mac):
            return None
        try:
            value = json.loads(base64.urlsafe_b64decode(payload.encode()))
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def new_session(self, key_id: str, *, now: float | None = None) -> tuple[Session, str]:
        session = Session(
            key_id=key_id,
            csrf_token=secrets.token_urlsafe(24),
            expires=int((now or time.time()) + SESSION_SECONDS),
        )
        cookie = self.dumps({"k": session.key_id, "c": session.csrf_token, "e": session.expires})
        return session, cookie

    def session(self, cookie: str | None, *, now: float | None = None) -> Session | None:
        value = self.loads(cookie)
        if value is None:
            return None
        key_id, csrf, expires = value.get("k"), value.get("c"), value.get("e")
        if not isinstance(key_id, str) or not isinstance(csrf, str) or not isinstance(expires, int):
            return None
        if expires < (now or time.time()):
            return None
        return Session(key_id=key_id, csrf_token=csrf, expires=expires)


def tokens_match(sent: object, expected: str) -> bool:
    return isinstance(sent, str) and bool(sent) and hmac.compare_digest(sent, expected)
