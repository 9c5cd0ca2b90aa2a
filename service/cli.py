"""The `tiergate` command line."""

from __future__ import annotations

from pathlib import Path

import typer

from service.settings import PROJECT_ROOT, get_settings

app = typer.Typer(help="tiergate: compliance and deployment-tier decisions for LLM workloads.")


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Bind address (default TIERGATE_HOST)."),
    port: int | None = typer.Option(None, help="Port (default TIERGATE_PORT)."),
    workers: int = typer.Option(1, min=1, help="Worker processes."),
) -> None:
    """Run the HTTP API (managed OPA unless TIERGATE_OPA_URL is set)."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "service.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        timeout_graceful_shutdown=30,
    )


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


def _register_optional_commands() -> None:
    from service.sizing.cli import size_command

    app.command("size")(size_command)


_register_optional_commands()
