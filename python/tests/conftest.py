"""Shared fixtures: the repository's paths and the command-line binary the results are
checked against."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data-sample"
FIXTURES = REPO / "tests" / "fixtures"


def cli_binary() -> Path:
    """The nucagree binary: $NUCAGREE_BIN, else the one cargo built in target/."""
    given = os.environ.get("NUCAGREE_BIN")
    if given:
        return Path(given)
    for profile in ("debug", "release"):
        path = REPO / "target" / profile / "nucagree"
        if path.is_file():
            return path
    found = shutil.which("nucagree")
    if found:
        return Path(found)
    raise RuntimeError(
        "no nucagree binary: run `cargo build` in the repository, or set NUCAGREE_BIN"
    )


@pytest.fixture(scope="session")
def cli():
    """Runs the command line with --out into a folder; returns the folder."""
    binary = cli_binary()

    def run(args: list[str], out: Path) -> Path:
        subprocess.run(
            [str(binary), *args, "--out", str(out), "--quiet"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return out

    return run


def read_json(path: Path) -> dict:
    with open(path) as file:
        return json.load(file)
