"""Where the project's folders are: the one home of every path the code and the notebooks use.

The project root is the nearest folder above the working folder that holds
pyproject.toml (a notebook runs in notebooks/, a test in the checkout), else the
checkout this package was installed from in editable mode.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def project_root(start: Path | None = None) -> Path:
    """The nearest folder holding pyproject.toml, from `start` (default: the working folder) upwards."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").exists():
            return folder
    installed = PACKAGE.parents[1]  # lib/openness -> the checkout, for an editable install
    return installed if (installed / "pyproject.toml").exists() else here


def raw(root: Path | None = None) -> Path:
    """data/raw: the input reports and their manifest."""
    return (root or project_root()) / "data" / "raw"


def clean(root: Path | None = None) -> Path:
    """data/clean: the CSVs reporters reuse."""
    return (root or project_root()) / "data" / "clean"


def figures(root: Path | None = None) -> Path:
    """figures/: the charts the notebooks save, as SVG and PNG."""
    return (root or project_root()) / "figures"


def shared(root: Path | None = None) -> Path:
    """../shared beside the checkout: the real reports the tests and benchmarks read in place."""
    return (root or project_root()).parent / "shared"
