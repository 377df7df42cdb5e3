"""The command line: its options are documented, and it is a thin shell over the library."""

from __future__ import annotations

import pytest
import typer.main

from conftest import ROOT
from newsscope.cli import app


def _options(command: str) -> list[str]:
    group = typer.main.get_command(app)
    names = command.split()
    cmd = group
    for name in names:
        cmd = cmd.commands[name]  # type: ignore[attr-defined]
    return [opt for p in cmd.params for opt in p.opts if opt.startswith("--")]


@pytest.mark.parametrize("command", ["build"])
def test_every_option_is_in_the_readme(command: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [o for o in _options(command) if o not in readme]
    assert not missing, f"undocumented options of `newsscope {command}`: {missing}"


def test_unknown_engine_is_refused_with_the_valid_ones(tmp_path) -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["build", str(tmp_path), "--out", str(tmp_path / "out"), "--engine", "spark"])
    assert result.exit_code != 0
    assert "unknown engine 'spark'" in result.output and "dask" in result.output
