"""First start: one key with every role on an empty database, printed once."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from service.auth import service
from service.auth.first_start import banner, create_first_key
from service.db import make_engine, migrate
from service.roles import Role


def test_first_key_only_on_an_empty_database(tmp_path: Path) -> None:
    db = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    migrate(db)
    created = create_first_key(db)
    assert created is not None and set(created.roles) == set(Role)
    assert service.authenticate(db, created.key).key_id == created.key_id
    assert create_first_key(db) is None  # second start: nothing new
    assert len(service.list_keys(db)) == 1
    text = banner(created, "http://127.0.0.1:8000/ui/")
    assert created.key in text and "http://127.0.0.1:8000/ui/" in text and "首次启动" in text
    assert all(role.value in text for role in Role)  # the banner names every role it grants


def test_serve_prints_the_banner_once_and_not_when_turned_off(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import uvicorn

    from service import cli, settings

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)  # the banner comes before serving
    monkeypatch.setenv("TIERGATE_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()

    def serve_output(**env: str) -> str:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings.get_settings.cache_clear()
        try:
            result = runner.invoke(cli.app, ["serve", "--port", "8123"])
        finally:
            settings.get_settings.cache_clear()
        assert result.exit_code == 0, result.output
        return result.output

    off = serve_output(TIERGATE_FIRST_START_KEY="false")
    assert "tgk_" not in off
    first = serve_output(TIERGATE_FIRST_START_KEY="true")
    assert "http://127.0.0.1:8123/ui/" in first and "tgk_" in first
    assert "tgk_" not in serve_output()  # printed once: the database has a key now
