"""The one Chinese font the project uses, for charts and for typeset specimens.

Noto Sans SC (SIL Open Font License) comes from the PyPI package
``justmytype-intl-cjk``, a dependency of this package, so a plain
``pip install -e .`` (and the conda environment, which installs the package
with pip) provides it on any machine: no system font is needed. It has
TrueType outlines, so both matplotlib and ReportLab can use it.

The package ships a variable font whose default instance is Thin (wght 100);
neither ReportLab nor matplotlib picks another instance. So the Regular
instance (wght 400) is made once with fontTools (a matplotlib dependency) and
cached under the user's cache folder (about 20 s, once per machine).
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

FAMILY = "Noto Sans SC"
WEIGHT = 400  # Regular


def variable_font_path() -> Path:
    """Path of the variable Noto Sans SC shipped by justmytype-intl-cjk."""
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


def _cache_dir() -> Path:
    base = os.environ.get("OPENNESS_CACHE") or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "openness"


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """Path of Noto Sans SC Regular, instantiated from the variable font on first use."""
    source = variable_font_path()
    target = _cache_dir() / f"NotoSansSC-{WEIGHT}-{source.stat().st_size}.ttf"
    if target.exists():
        return target
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    # recalcTimestamp=False keeps head.modified from the source: the same bytes on every machine
    font = instancer.instantiateVariableFont(TTFont(str(source), recalcTimestamp=False), {"wght": WEIGHT})
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".ttf.tmp")
    os.close(fd)
    try:
        font.save(tmp)
        os.replace(tmp, target)  # atomic: parallel workers never read half a font
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
