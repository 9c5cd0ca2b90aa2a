"""The live parts one service process holds, built at start-up and closed at shutdown."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from service.db import make_engine, migrate
from service.decisions.group_commit import GroupCommit
from service.decisions.masking import Masker, load_mask_paths, load_or_create_salt
from service.decisions.repository import ensure_chain_head, register_signing_key
from service.decisions.signing import SigningKey, load_or_create
from service.errors import ServiceUnavailable
from service.exceptions.repository import ensure_chain_head as ensure_exception_chain_head
from service.impact.jobs import ImpactJobs
from service.opa.client import PolicyEngine
from service.opa.process import find_opa_binary
from service.opa.revision import DiskPolicy
from service.opa.supervisor import OpaSupervisor
from service.policies import archive
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
    group_commit: GroupCommit
    supervisor: OpaSupervisor | None = None
    impact_jobs: ImpactJobs = field(default_factory=ImpactJobs)

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
    if supervisor:
        supervisor.on_restart = policy_engine.forget_loaded_state
    await _archive_served_revisions(db, policy_engine)
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
        group_commit=GroupCommit(db),
        supervisor=supervisor,
    )
    log.info("tiergate_started", opa_url=opa_url, managed_opa=supervisor is not None)
    return runtime


async def _archive_served_revisions(db: Engine, policy_engine: PolicyEngine) -> None:
    """Archive every revision OPA serves: the one it serves now, and each later one the first
    time the engine finds it loaded (the first decision or readiness probe after a reload)."""

    async def store(policy: DiskPolicy) -> None:
        if await run_in_threadpool(archive.store, db, policy):
            log.info("policy_revision_archived", revision=policy.revision)

    policy_engine.on_revision_served = store
    try:
        await policy_engine.ensure_in_sync()
    except ServiceUnavailable as exc:  # a sidecar not up yet: the first decision archives it
        log.warning("policy_revision_not_archived_at_start", reason=exc.message)


async def stop(runtime: Runtime) -> None:
    await runtime.impact_jobs.close()
    await runtime.policy_engine.close()
    if runtime.supervisor:
        await runtime.supervisor.stop()
    runtime.db.dispose()
