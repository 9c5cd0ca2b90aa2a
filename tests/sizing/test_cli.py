"""`tiergate size` as a typer command."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from service.sizing.cli import size_command

app = typer.Typer()
app.command("size")(size_command)
app.command("noop")(lambda: None)


def test_size_prints_breakdown_and_plans() -> None:
    result = CliRunner().invoke(
        app, ["size", "--model", "qwen2.5-7b", "--task", "qlora", "--train-tokens", "1e8"]
    )
    assert result.exit_code == 0, result.output
    assert "optimizer_states" in result.output and "accelerator" in result.output


def test_size_bad_input_and_does_not_fit() -> None:
    bad = CliRunner().invoke(app, ["size", "--params-b", "-1"])
    assert bad.exit_code == 2 and "model.params_b" in bad.output
    nofit = CliRunner().invoke(
        app,
        [
            "size",
            "--params-b",
            "70",
            "--task",
            "full_finetune",
            "--accelerator",
            "nvidia-rtx-4090",
            "--count",
            "1",
        ],
    )
    assert nofit.exit_code == 1 and "does not fit" in nofit.output


def test_size_without_count_searches_it() -> None:
    result = CliRunner().invoke(
        app,
        [
            "size",
            "--model",
            "llama-3-70b",
            "--task",
            "full_finetune",
            "--accelerator",
            "nvidia-h100-sxm",
            "--train-tokens",
            "1e9",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "smallest fitting count on nvidia-h100-sxm" in result.output
