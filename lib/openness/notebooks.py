"""Executing the notebooks again after a build changed data/clean: each on its own, a failure said in one line.

`make build` ran nbconvert after the build, so one failed input (exit status 1) stopped make before
the notebooks, and they went on describing the old data. The build now runs them itself, whatever
became of the inputs, exactly as the Makefile did (nbconvert in place, no timings, then the streams
coalesced), so that the committed notebooks stay byte for byte reproducible.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from openness import paths

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ERROR = re.compile(r"^(?:[A-Za-z_][\w.]*)?(?:Error|Exception|Interrupt|Exit)\b.*")


@dataclass
class Refresh:
    """What became of the notebooks: those executed again, those that failed (name: why), or nothing to do."""

    executed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    up_to_date: bool = False  # already executed, as they are, on these outputs and this code


def notebook_files(folder: Path) -> list[Path]:
    """The notebooks of a folder, in name order (01-…, 02-…)."""
    return sorted(p for p in Path(folder).glob("*.ipynb") if not p.name.startswith("."))


def reads(folder: Path) -> Path:
    """The data/clean the notebooks of a folder read: that of the project they lie in (openness.paths)."""
    return paths.clean(paths.project_root(Path(folder).resolve()))


def _why(stderr: str) -> str:
    """The last error line nbconvert printed (the cell's exception), without colours."""
    lines = [_ANSI.sub("", line).strip() for line in stderr.splitlines()]
    errors = [line for line in lines if _ERROR.match(line)]
    return (errors or [line for line in lines if line] or ["nbconvert failed"])[-1][:300]


def execute(notebooks: list[Path], log: Path | None = None, timeout: float | None = None) -> Refresh:
    """Execute each notebook in place, in its own folder; one that fails is left as it was and named with why.

    What nbconvert printed goes to `log` (the build's debug log), not to the console.
    """
    base = [sys.executable, "-m", "nbconvert", "--to", "notebook", "--inplace"]
    done = Refresh()
    for notebook in notebooks:
        run = [*base, "--execute", "--ExecutePreprocessor.record_timing=False", notebook.name]
        try:
            ran = subprocess.run(run, cwd=notebook.parent, capture_output=True, text=True, timeout=timeout)
            failure = _why(ran.stderr) if ran.returncode else ""
            printed = ran.stderr
        except KeyboardInterrupt:  # the outputs are written already: say which notebooks are left as they were
            for rest in notebooks[notebooks.index(notebook) :]:
                done.failed[rest.name] = "interrupted"
            break
        except subprocess.TimeoutExpired as error:
            failure, printed = f"stopped after {timeout:g} s", str(error.stderr or "")
        except OSError as error:
            failure, printed = f"nbconvert could not be run ({error.strerror})", ""
        if log is not None:
            try:
                with open(log, "a", encoding="utf-8") as f:
                    f.write(f"--- notebook {notebook}\n{printed}\n")
            except OSError:
                pass
        if failure:
            done.failed[notebook.name] = failure
        else:
            done.executed.append(notebook.name)
    if done.executed:  # the Makefile's second pass: one stream output per cell
        names = [n.name for n in notebooks if n.name in done.executed]
        ran = subprocess.run([*base, "--coalesce-streams", *names], cwd=notebooks[0].parent, capture_output=True, text=True)
        if ran.returncode:
            for name in names:
                done.failed[name] = _why(ran.stderr)
            done.executed = []
    return done


def said(refresh: Refresh, failed_inputs: list[str], clean: Path) -> list[str]:
    """The build's last lines about the notebooks: executed again (and without which failed inputs), failed, or up to date."""
    if refresh.up_to_date:
        return [f"notebooks: already executed, as they are, on these outputs ({clean}) and this code; nothing to do"]
    lines = []
    if refresh.executed:
        line = f"notebooks: {len(refresh.executed)} executed again on {clean} as it is now"
        if failed_inputs:
            shown = ", ".join(failed_inputs[:5]) + (f" and {len(failed_inputs) - 5} more" if len(failed_inputs) > 5 else "")
            n = len(failed_inputs)
            line += f", without the {n} input{'s' if n > 1 else ''} that failed ({shown})"
        lines.append(line)
    for name, why in refresh.failed.items():
        lines.append(f"notebooks: {name} failed ({why}); it is left as it was, describing the earlier data")
    return lines
