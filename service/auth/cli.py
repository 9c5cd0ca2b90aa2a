"""`tiergate keys …`: manage API keys on the configured database (TIERGATE_DATABASE_URL)."""

from __future__ import annotations

import json

import typer
from sqlalchemy import Engine

from service.auth import service
from service.roles import Role

app = typer.Typer(help="Manage API keys (the first admin key is made here).", no_args_is_help=True)


def _db() -> Engine:
    from service.db import make_engine, migrate
    from service.settings import get_settings

    engine = make_engine(get_settings().database_url_resolved)
    migrate(engine)
    return engine


@app.command("create")
def create(
    role: list[Role] = typer.Option(..., "--role", help="Role of the key; repeat for several."),
    name: str = typer.Option("", "--name", help="Label for people (who holds it)."),
) -> None:
    """Create a key; the key itself is printed once, as the last line."""
    created = service.create(_db(), roles=role, name=name)
    roles = " ".join(created.roles)
    typer.echo(f"key_id: {created.key_id}  roles: {roles}  name: {printable(created.name)}")
    typer.echo("Store the key now; it is not shown again:", err=False)
    typer.echo(created.key)


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="One JSON object per key.")) -> None:
    """List keys: id, roles, name, created, revoked."""
    for key in service.list_keys(_db()):
        if as_json:
            typer.echo(json.dumps(key.model_dump(mode="json")))
            continue
        revoked = f"revoked {key.revoked_at:%Y-%m-%dT%H:%M:%SZ}" if key.revoked_at else "active"
        typer.echo(
            f"{key.key_id}  {','.join(key.roles):<24}  {key.created_at:%Y-%m-%dT%H:%M:%SZ}"
            f"  {revoked}  {printable(key.name)}"
        )


def printable(text: str) -> str:
    """`text` with control characters escaped (\\x1b…): a key name holding terminal escape
    codes must not drive the terminal of whoever lists the keys."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


@app.command("revoke")
def revoke(key_id: str = typer.Argument(..., help="Public id (tgk_…) of the key.")) -> None:
    """Revoke a key (running servers refuse it within their key-cache TTL, 5 s by default)."""
    from service.errors import NotFound

    try:
        revoked = service.revoke(_db(), key_id)
    except NotFound as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"revoked {revoked.key_id}")
