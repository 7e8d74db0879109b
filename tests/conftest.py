"""Shared fixtures: the real reports in ../shared, read in place (never copied into the repo)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


def build_command(raw: Path, out: Path, cache: Path, *options: str) -> list[str]:
    """`python -m openness build` of `raw` into `out` with its cache in `cache`, as a user types it, plus `options`."""
    return [sys.executable, "-m", "openness", "build", "--raw", str(raw), "--out", str(out), "--cache", str(cache), *options]


def need(path: Path) -> Path:
    """Skip (loudly) when the shared corpus is not beside the checkout."""
    if not path.exists():
        pytest.skip(f"{path} is not available: the shared corpus must sit at ../shared")
    return path


@pytest.fixture(scope="session")
def truth() -> pd.DataFrame:
    """Every printed figure of the real reports, for scoring (read in place)."""
    return pd.read_csv(need(CORPUS / "truth.csv"), dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def hongze_2023() -> Path:
    return need(CORPUS / "hongze-2023.pdf")


@pytest.fixture(scope="session")
def hongze_2024() -> Path:
    return need(CORPUS / "hongze-2024.pdf")
