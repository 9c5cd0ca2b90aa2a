"""The `tiergate` command line."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import typer

from service.auth.cli import app as keys_app
from service.settings import PROJECT_ROOT, Settings, get_settings
from service.sizing.cli import size_command

app = typer.Typer(help="tiergate: compliance and deployment-tier decisions for LLM workloads.")


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Bind address (default TIERGATE_HOST)."),
    port: int | None = typer.Option(None, help="Port (default TIERGATE_PORT)."),
    workers: int = typer.Option(1, min=1, help="Worker processes."),
) -> None:
    """Run the HTTP API (managed OPA unless TIERGATE_OPA_URL is set)."""
    import signal

    import uvicorn

    settings = get_settings()
    _first_start_key(settings, host or settings.host, port or settings.port)
    if workers > 1:
        _share_metrics_between_workers(settings.data_dir / "prometheus")
    # uvicorn drains in-flight requests on SIGTERM, restores the handlers it found, then
    # re-raises the signal; with this handler a drained shutdown exits 0 instead of -15.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(
        "service.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        timeout_graceful_shutdown=30,
        # uvicorn kills a worker that does not answer its health ping within 5 s by default;
        # starting one (imports, migrations, OPA) took longer than that on a loaded 2-core host,
        # and the killed worker was restarted, killed again, and never served.
        timeout_worker_healthcheck=30,
        access_log=False,  # one JSON access line per request comes from the app itself
    )


def _first_start_key(settings: Settings, host: str, port: int) -> None:
    """Print the first-start key banner when the database has no key yet (once, ever)."""
    if not (settings.auth_enabled and settings.first_start_key):
        return
    from service.auth.first_start import banner, create_first_key
    from service.db import make_engine, migrate

    db = make_engine(settings.database_url_resolved)
    try:
        migrate(db)
        created = create_first_key(db)
    finally:
        db.dispose()
    if created is not None:
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - a bind-all address, shown as loopback
        typer.echo(banner(created, f"http://{shown}:{port}/ui/"))


def _share_metrics_between_workers(metrics_root: Path) -> None:
    """prometheus-client multiprocess mode, so /metrics sums every worker of this server.

    Each server gets its own folder under `metrics_root`, named by its process id: two
    servers on one data directory (replicas on one host) must neither add up each other's
    counts nor delete each other's files. Folders of servers no longer running are removed
    (stale files would add a previous run's counts). A folder the operator set in
    PROMETHEUS_MULTIPROC_DIR is theirs to manage."""
    import os
    import shutil

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    metrics_root.mkdir(parents=True, exist_ok=True)
    for folder in metrics_root.iterdir():
        if folder.name.isdigit() and _process_alive(int(folder.name)):
            continue
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
        else:
            folder.unlink()
    folder = metrics_root / str(os.getpid())
    shutil.rmtree(folder, ignore_errors=True)  # a recycled pid of a server that died
    folder.mkdir()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)  # inherited by the spawned workers


def _process_alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def _exit_cleanly(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


@app.command()
def generate(
    check: bool = typer.Option(False, help="Fail if the committed files differ; write nothing."),
    root: Path = typer.Option(PROJECT_ROOT, help="Project root holding openapi/ and schemas/."),
) -> None:
    """Write openapi/openapi.json and schemas/*.json from the code."""
    from service.generated import artefacts

    stale = []
    for relative, text in artefacts().items():
        path = root / relative
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(relative)
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if check and stale:
        typer.echo(f"out of date (run `make generate`): {', '.join(stale)}", err=True)
        raise typer.Exit(1)
    typer.echo("up to date" if not stale else f"wrote {', '.join(stale)}")


@app.command()
def verify(
    export: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSONL export file."),
    keys: Path = typer.Option(..., exists=True, dir_okay=False, help="GET /v1/keys output."),
    checkpoint: list[Path] = typer.Option(
        [],
        exists=True,
        dir_okay=False,
        help="A kept GET /v1/decisions/checkpoint answer (repeatable): its record must be there.",
    ),
    exceptions: Path | None = typer.Option(
        None,
        exists=True,
        dir_okay=False,
        help="GET /v1/exceptions/export output: verify the exception log too, and every "
        "exception a record cites. Required when records cite exceptions.",
    ),
) -> None:
    """Verify an exported decision log offline; exit 0 only when every record checks."""
    import json

    from service.decisions.audit import cited_exception_problem
    from service.decisions.chain import public_key_from_b64
    from service.decisions.verify import verify_chain

    keyset = json.loads(keys.read_text(encoding="utf-8"))
    public_keys = {k["key_id"]: public_key_from_b64(k["key"]) for k in keyset["keys"]}
    kept = [_kept_checkpoint(path, public_keys) for path in checkpoint]
    report: dict[str, Any] = {}
    cited: dict[str, str] = {}
    if exceptions is not None:
        entries = list(_jsonl(exceptions))
        logged = verify_chain(entries, keys=public_keys)
        report["exceptions"] = {
            "ok": logged.ok,
            "checked": logged.checked,
            "first_bad_id": logged.first_bad_id,
            "reason": logged.reason,
        }
        cited = {
            str(e["integrity"]["hash"]): str(e.get("id"))
            for e in entries[: logged.checked]
            if e.get("kind") == "exception"
        }

    def citations(record: Mapping[str, Any]) -> str | None:
        problem = cited_exception_problem(record, cited)
        if problem and exceptions is None:
            return problem + " (pass --exceptions with GET /v1/exceptions/export)"
        return problem

    result = verify_chain(_jsonl(export), keys=public_keys, checkpoints=kept, extra_check=citations)
    ok = result.ok and report.get("exceptions", {}).get("ok", True)
    typer.echo(
        json.dumps(
            {
                "ok": ok,
                "checked": result.checked,
                "first_bad_id": result.first_bad_id,
                "reason": result.reason,
                **report,
            }
        )
    )
    raise typer.Exit(0 if ok else 1)


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The entries of an export, one per line; a line that is not JSON becomes an entry that
    fails verification naming the line."""
    import json

    from service.decisions.chain import loads

    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield loads(line)  # big whole numbers stay doubles (chain.py)
            except json.JSONDecodeError:
                yield {"id": f"line {number}", "integrity": None}


def _kept_checkpoint(path: Path, keys: dict[str, Any]) -> tuple[int, str]:
    """(seq, hash) of a checkpoint an auditor kept; exit 1 naming the file when it is unusable."""
    import json

    from service.decisions.verify import checkpoint_problem

    try:
        statement = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        statement = None
    if isinstance(statement, dict):
        problem = checkpoint_problem(statement, keys)
        if problem is None:
            return int(statement["seq"]), str(statement["hash"])
    else:
        problem = "checkpoint is not a JSON object (save the GET /v1/decisions/checkpoint body)"
    typer.echo(json.dumps({"ok": False, "checkpoint": str(path), "reason": problem}))
    raise typer.Exit(1)


@app.command("verify-evidence")
def verify_evidence(
    pack: Path = typer.Argument(..., exists=True, dir_okay=False, help="Evidence pack (ZIP)."),
    keys: Path | None = typer.Option(
        None,
        exists=True,
        dir_okay=False,
        help="Your own copy of GET /v1/keys (default: keys.json inside the pack).",
    ),
) -> None:
    """Verify an evidence pack offline (sums, manifest, chain, signatures, checkpoint); exit 0
    only when all hold, else name the first thing that fails."""
    import json

    from service.decisions.chain import public_key_from_b64
    from service.evidence.verify import verify_pack

    given = None
    if keys is not None:
        try:
            keyset = json.loads(keys.read_text(encoding="utf-8"))
            given = {k["key_id"]: public_key_from_b64(k["key"]) for k in keyset["keys"]}
        except (ValueError, KeyError, TypeError) as exc:
            reason = f"{keys.name} is not a GET /v1/keys answer ({type(exc).__name__})"
            typer.echo(json.dumps({"ok": False, "checked": 0, "reason": reason, "keys": "given"}))
            raise typer.Exit(1) from exc
    result = verify_pack(pack, keys=given)
    typer.echo(
        json.dumps(
            {
                "ok": result.ok,
                "checked": result.checked,
                "reason": result.problem,
                "keys": result.keys_from,
            },
            ensure_ascii=False,
        )
    )
    if result.ok and result.keys_from == "pack":
        typer.echo(
            "note: checked against keys.json inside the pack; pass --keys with your own copy "
            "of GET /v1/keys to rule out a pack re-signed with another key",
            err=True,
        )
    raise typer.Exit(0 if result.ok else 1)


@app.command()
def bundle(
    signing_key: Path = typer.Option(
        ..., exists=True, dir_okay=False, help="PEM private key (ECDSA P-256 for ES256)."
    ),
    out: Path = typer.Option(Path("build/policies.tar.gz"), help="Bundle file to write."),
    signing_alg: str = typer.Option("ES256", help="Signing algorithm (opa build --signing-alg)."),
    policies_dir: Path | None = typer.Option(
        None, exists=True, file_okay=False, help="Policies to pack (default TIERGATE_POLICIES_DIR)."
    ),
) -> None:
    """Build the signed policy bundle that sidecar OPAs load; prints its revision last."""
    from service.opa.bundle import BundleBuildFailed, build_signed_bundle, sidecar_command
    from service.opa.process import OpaBinaryNotFound, find_opa_binary

    settings = get_settings()
    try:
        revision = build_signed_bundle(
            opa_binary=find_opa_binary(settings.opa_binary),
            policies_dir=policies_dir or settings.policies_dir,
            out=out,
            signing_key=signing_key,
            signing_alg=signing_alg,
        )
    except (BundleBuildFailed, OpaBinaryNotFound) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"wrote {out}; serve it with:")
    typer.echo("  " + " ".join(sidecar_command(out, "PUBLIC_KEY.pem", signing_alg)))
    typer.echo(revision)


def _policy_files(source: Path) -> dict[str, str]:
    """Policy files from a folder (served files only) or a tar.gz bundle; exit 1 naming what
    is wrong."""
    from service.errors import InvalidBundle
    from service.opa.revision import DiskRevision
    from service.policies.bundles import unpack

    try:
        if source.is_dir():
            return DiskRevision(source).current().files
        return unpack(source.read_bytes(), name=source.name)
    except InvalidBundle as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc


def _record_from_export(export: Path, decision_id: str) -> dict[str, Any]:
    from service.decisions.chain import loads

    with export.open(encoding="utf-8") as handle:
        for line in handle:
            if decision_id in line and line.strip():
                record: dict[str, Any] = loads(line)
                if record.get("id") == decision_id:
                    return record
    typer.echo(f"no decision {decision_id} in {export}", err=True)
    raise typer.Exit(1)


@app.command()
def replay(
    decision_id: str = typer.Argument(..., help="The decision's id."),
    export: Path = typer.Option(
        ..., exists=True, dir_okay=False, help="JSONL export (GET /v1/decisions/export)."
    ),
    under: str = typer.Option(
        "recorded", help="recorded: the --bundle of the record's revision; current: --policies."
    ),
    bundle: Path | None = typer.Option(
        None,
        exists=True,
        help="The recorded revision: GET /v1/policies/revisions/{revision}/bundle, or a folder.",
    ),
    policies_dir: Path | None = typer.Option(
        None, exists=True, file_okay=False, help="under=current: policies (default settings)."
    ),
) -> None:
    """Replay one exported decision offline on a throw-away OPA; print the report (JSON).
    Exit 0 when nothing changed, 1 when something did or the replay could not run."""
    import asyncio
    import json

    from service.decisions.models import DecisionRecord
    from service.decisions.replay import replay_offline
    from service.errors import TiergateError
    from service.opa.revision import policy_of_files
    from service.sizing.catalog import load_catalog

    if under not in ("recorded", "current"):
        typer.echo("--under is recorded or current", err=True)
        raise typer.Exit(2)
    if under == "recorded" and bundle is None:
        typer.echo("--under recorded needs --bundle (the record's revision)", err=True)
        raise typer.Exit(2)
    settings = get_settings()
    source = bundle if under == "recorded" and bundle else policies_dir or settings.policies_dir
    stored = DecisionRecord.model_validate(_record_from_export(export, decision_id))
    try:
        report = asyncio.run(
            replay_offline(
                stored,
                policy_of_files(_policy_files(source)),
                catalog=load_catalog(settings.policies_dir),
                opa_binary=settings.opa_binary,
                under=under,  # type: ignore[arg-type]
            )
        )
    except TiergateError as exc:
        typer.echo(json.dumps({"error": exc.code, "detail": exc.message}), err=True)
        raise typer.Exit(1) from exc
    typer.echo(report.model_dump_json(indent=2))
    raise typer.Exit(1 if report.changed else 0)


@app.command()
def impact(
    candidate: Path | None = typer.Option(
        None, exists=True, help="Candidate policy: a folder or a tar.gz bundle."
    ),
    revision: str | None = typer.Option(None, help="Candidate policy: an archived revision."),
    evaluate_at: str | None = typer.Option(
        None, help="Evaluate every record at this RFC 3339 instant (e.g. a phase-in date)."
    ),
    since: str | None = typer.Option(None, help="created_at ≥ since (RFC 3339)."),
    until: str | None = typer.Option(None, help="created_at < until (RFC 3339)."),
    sector: str | None = typer.Option(None, help="Only this sector."),
    verdict: str | None = typer.Option(None, help="Only records with this verdict."),
    limit: int | None = typer.Option(None, min=1, help="At most this many, the newest."),
    csv_out: Path | None = typer.Option(None, "--csv", help="Write every changed record here."),
) -> None:
    """Which stored decisions a candidate policy (or a later date) flips: replays them on a
    throw-away OPA against this service's database (TIERGATE_DATABASE_URL), writes nothing to
    the log, prints a summary table. Without --candidate or --revision: the current policies."""
    import asyncio
    import time

    from pydantic import TypeAdapter, ValidationError

    from service.db import make_engine
    from service.errors import TiergateError
    from service.impact import service as impact_service
    from service.impact.analysis import analyse
    from service.impact.compare import summarise
    from service.impact.models import Filters
    from service.impact.report import summary_table
    from service.opa.loopback import loopback_binary
    from service.opa.revision import DiskRevision, UnreadablePolicyFile, policy_of_files
    from service.policies import archive
    from service.policies.vocabulary import EvaluationTime, Instant
    from service.sizing.catalog import load_catalog

    settings = get_settings()
    try:
        filters = Filters(
            since=TypeAdapter(Instant | None).validate_python(since),
            until=TypeAdapter(Instant | None).validate_python(until),
            sector=sector,
            verdict=verdict,
            limit=limit,
        )
        at = TypeAdapter(EvaluationTime | None).validate_python(evaluate_at)
    except ValidationError as exc:
        typer.echo(f"a time is not RFC 3339 with an offset: {exc.errors()[0]['msg']}", err=True)
        raise typer.Exit(2) from exc
    db = make_engine(settings.database_url_resolved)
    try:
        binary = loopback_binary(settings.opa_binary)
        if candidate is not None:
            policy = policy_of_files(_policy_files(candidate))
            impact_service.check_candidate(policy, name=candidate.name, opa_binary=binary)
        elif revision is not None:
            policy = archive.policy(db, revision)
        else:
            policy = DiskRevision(settings.policies_dir).current()
        seqs = impact_service.select(db, filters)
        started = time.monotonic()
        with typer.progressbar(length=len(seqs), label="replaying", file=sys.stderr) as bar:
            impacts = asyncio.run(
                analyse(
                    db,
                    seqs,
                    policy,
                    catalog=load_catalog(settings.policies_dir),
                    opa_binary=binary,
                    evaluate_at=at,
                    on_progress=lambda done: bar.update(done - bar.pos),
                )
            )
    except (TiergateError, UnreadablePolicyFile) as exc:
        typer.echo(f"{getattr(exc, 'code', 'invalid_bundle')}: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()
    result = summarise(len(seqs), impacts)
    seconds = time.monotonic() - started
    typer.echo(
        summary_table(result, candidate_revision=policy.revision, evaluate_at=at, seconds=seconds)
    )
    if csv_out is not None:
        csv_out.write_text("".join(impact_service.changes_csv(impacts)), encoding="utf-8")
        typer.echo(f"wrote {len(impacts)} changed records to {csv_out}")


app.add_typer(keys_app, name="keys")
app.command("size")(size_command)


if __name__ == "__main__":
    app()
