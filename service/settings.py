"""Settings: the one place that reads the environment (prefix TIERGATE_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIERGATE_", env_file=None, extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    data_dir: Path = PROJECT_ROOT / "data"
    # Empty means: a SQLite file in data_dir (see database_url_resolved).
    database_url: str = ""
    policies_dir: Path = PROJECT_ROOT / "policies"
    # Empty means: tiergate starts and supervises its own `opa run --server` (managed mode).
    opa_url: str = ""
    opa_binary: str = ""
    opa_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    opa_start_timeout_seconds: float = Field(default=20.0, gt=0)
    # Managed OPA's log (mostly its decision log, ~11 KB per decision) is copied to opa.log.1
    # and truncated past this size: at most twice this on disk. 0 turns the cap off.
    opa_log_max_bytes: int = Field(default=64 * 1024 * 1024, ge=0)

    # Empty means: data_dir/signing-key.pem, generated on first start.
    signing_key_path: Path | None = None

    # API keys with roles (service/auth); off only for local experiments.
    auth_enabled: bool = True
    # On a database without API keys, `tiergate serve` makes one with every role and prints it
    # once (service/auth/first_start.py).
    first_start_key: bool = True
    # Seconds a verified key is trusted without a database read (revocation delay elsewhere).
    auth_cache_seconds: float = Field(default=5.0, ge=0, le=300)
    # Request limits (service/api/limits.py).
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Whole-request deadline for side-effect-free requests (see service/api/limits.py).
    request_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    # Per-key token bucket: sustained rate and burst size; rate 0 turns limiting off.
    rate_limit_per_second: float = Field(default=50.0, ge=0)
    rate_limit_burst: int = Field(default=100, ge=1)
    # How far a client's context.evaluation_time may lie from the server's clock on a recorded
    # decision; further only for a key with role backdate (replays keep the stored time).
    evaluation_time_skew_seconds: float = Field(default=300.0, ge=0, le=86_400)
    # Longest validity of an approved exception (service/exceptions), from valid_from.
    exception_max_days: int = Field(default=366, ge=1, le=3660)
    # Logs: one JSON object per line (structlog); false gives human-readable console lines.
    log_json: bool = True

    @property
    def signing_key_path_resolved(self) -> Path:
        return self.signing_key_path or self.data_dir / "signing-key.pem"

    @property
    def database_url_resolved(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'tiergate.db'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
