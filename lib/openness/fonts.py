"""The one Chinese font the project uses, for charts and for typeset specimens.

Noto Sans SC (SIL Open Font License) comes from the PyPI package
``justmytype-intl-cjk``, a dependency of this package, so a plain
``pip install -e .`` (and the conda environment, which installs the package
with pip) provides it on any machine: no system font is needed. It has
TrueType outlines, so both matplotlib and ReportLab can use it.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path

FAMILY = "Noto Sans SC"


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """Path of the Noto Sans SC font file shipped by justmytype-intl-cjk."""
    try:
        root = files("justmytype_intl_cjk")
    except ModuleNotFoundError as exc:  # pragma: no cover - install problem
        raise RuntimeError(
            "The Chinese font package is missing: run `pip install justmytype-intl-cjk` "
            "(it is a dependency of openness; `make build` installs it)."
        ) from exc
    path = Path(str(root)) / "fonts" / "ofl" / "notosanssc" / "NotoSansSC[wght].ttf"
    if not path.exists():  # pragma: no cover - package layout changed
        raise RuntimeError(f"Noto Sans SC not found at {path}; check the justmytype-intl-cjk version")
    return path
