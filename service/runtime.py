"""The live parts one service process holds, built at start-up and closed at shutdown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from sqlalchemy import Engine

from service.db import make_engine, migrate
from service.decisions.masking import Masker, load_mask_paths, load_or_create_salt
from service.decisions.repository import ensure_chain_head, register_signing_key
from service.decisions.signing import SigningKey, load_or_create
from service.exceptions.repository import ensure_chain_head as ensure_exception_chain_head
from service.opa.client import PolicyEngine
from service.opa.process import find_opa_binary
from service.opa.supervisor import OpaSupervisor
from service.settings import Settings
from service.sizing.catalog import Catalog, load_catalog

log = structlog.get_logger(__name__)


@dataclass
class Runtime:
    settings: Settings
    db: Engine
    policy_engine: PolicyEngine
    signing_key: SigningKey
    masker: Masker
    supervisor: OpaSupervisor | None = None

    @property
    def catalog(self) -> Catalog:
        """Read per use (cached until the file changes), so a catalogue edit reaches sizing
        at the same time OPA's --watch reloads it for the policy."""
        return load_catalog(self.settings.policies_dir)

    @property
    def opa_restarts(self) -> int:
        return self.supervisor.restarts if self.supervisor else 0


async def start(settings: Settings) -> Runtime:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = make_engine(settings.database_url_resolved)
    migrate(db)
    ensure_chain_head(db)
    ensure_exception_chain_head(db)
    supervisor: OpaSupervisor | None = None
    opa_url = settings.opa_url
    if not opa_url:
        supervisor = OpaSupervisor(
            binary=find_opa_binary(settings.opa_binary),
            policies_dir=settings.policies_dir,
            log_path=settings.data_dir / "opa.log",
            start_timeout=settings.opa_start_timeout_seconds,
            log_max_bytes=settings.opa_log_max_bytes,
        )
        await supervisor.start()
        opa_url = supervisor.url
    policy_engine = PolicyEngine(
        url=opa_url, timeout=settings.opa_timeout_seconds, policies_dir=settings.policies_dir
    )
    await policy_engine.open()
    if supervisor:
        supervisor.on_restart = policy_engine.forget_loaded_state
    signing_key = load_or_create(settings.signing_key_path_resolved)
    # Before the first record this key signs: GET /v1/keys and verify read the ring.
    register_signing_key(db, signing_key.ring_entry(datetime.now(UTC)))
    runtime = Runtime(
        settings=settings,
        db=db,
        policy_engine=policy_engine,
        signing_key=signing_key,
        masker=Masker(
            salt=load_or_create_salt(settings.data_dir / "mask-salt"),
            paths=load_mask_paths(settings.policies_dir),
        ),
        supervisor=supervisor,
    )
    log.info("tiergate_started", opa_url=opa_url, managed_opa=supervisor is not None)
    return runtime


async def stop(runtime: Runtime) -> None:
    await runtime.policy_engine.close()
    if runtime.supervisor:
        await runtime.supervisor.stop()
    runtime.db.dispose()
