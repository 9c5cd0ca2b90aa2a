"""Sensitive request fields stored as salted digests, never in clear.

The field list is policy data (policies/tiergate/reference/masking/data.json) so reviewers
change it where they change every other judgement. Digests are HMAC-SHA256 under a
per-deployment salt: equal inputs give equal digests (so filters work), and the salt stops a
dictionary attack on short values like organisation names.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.files import create_once

MASK_DATA = Path("tiergate") / "reference" / "masking" / "data.json"
PREFIX = "hmac-sha256:"


def load_mask_paths(policies_dir: Path) -> tuple[str, ...]:
    document = json.loads((policies_dir / MASK_DATA).read_text(encoding="utf-8"))
    return tuple(str(entry["path"]) for entry in document["fields"])


def load_or_create_salt(path: Path) -> bytes:
    """32 random bytes kept beside the signing key; created atomically on first start."""
    if not path.exists():
        create_once(path, secrets.token_bytes(32))
    return path.read_bytes()


@dataclass(frozen=True)
class Masker:
    salt: bytes
    paths: tuple[str, ...]

    def digest(self, value: str) -> str:
        return PREFIX + hmac.new(self.salt, value.encode("utf-8"), hashlib.sha256).hexdigest()

    def mask(self, request: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """A copy of `request` with each configured non-empty string field digested; `request`
        is left as it is. Only the objects on the way to a masked field are copied, the rest is
        shared with `request` (a deep copy of every request cost ~90 µs of CPU a decision)."""
        masked = dict(request)
        done: list[str] = []
        for path in self.paths:
            *parents, leaf = path.split(".")
            node: Any = masked
            for part in parents:
                child = node.get(part) if isinstance(node, dict) else None
                if isinstance(child, dict):
                    child = node[part] = dict(child)  # copied before anything in it changes
                node = child
            if isinstance(node, dict) and isinstance(node.get(leaf), str) and node[leaf]:
                node[leaf] = self.digest(node[leaf])
                done.append(path)
        return masked, done
