"""The service's Ed25519 signing key: read from a file, generated there on first start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from service.decisions.chain import key_id_of, public_key_b64
from service.decisions.tables import SigningKeyRow
from service.files import create_once


@dataclass(frozen=True)
class SigningKey:
    private_key: Ed25519PrivateKey
    key_id: str

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    def published(self) -> dict[str, str]:
        return {
            "key_id": self.key_id,
            "algorithm": "ed25519",
            "key": public_key_b64(self.public_key),
        }

    def ring_entry(self, now: datetime) -> SigningKeyRow:
        """This key as a row of the log's key ring (tables.SigningKeyRow)."""
        published = self.published()
        return SigningKeyRow(
            key_id=published["key_id"],
            algorithm=published["algorithm"],
            public_key=published["key"],
            added_at=now,
        )


def load_or_create(path: Path) -> SigningKey:
    """Load the PEM (PKCS#8) key at `path`; create it (mode 0600) if it does not exist."""
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        create_once(path, pem)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"signing key at {path} is not an Ed25519 private key")
    return SigningKey(private_key=loaded, key_id=key_id_of(loaded.public_key()))
