"""Write the lock files from the environment this runs in: `python tools/lock.py` (`make lock` runs it in a new venv).

`make lock` installs pyproject.toml's ranges (`-e .[dev]`) into a throw-away venv with pip's own resolver, then this
script pins what got installed:

- `requirements.txt`: the run-time closure of pyproject's `dependencies` (what Streamlit Community Cloud and the
  Dockerfile install), with `-e .` for the project itself;
- `requirements-dev.txt`: `-r requirements.txt` plus the closure of the `dev` extra that is not already pinned there.

`make install` installs exactly these files (`--no-deps`, then `pip check`), so a new upstream release enters
`.venv` only through a deliberate `make lock`. `tests/test_lock.py` checks that the files are complete and agree
with pyproject.toml.
"""

from __future__ import annotations

import importlib.metadata
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
INSTALLERS = {"pip"}  # the venv's installer itself; setuptools is pinned like the rest (spaCy and thinc require it at run time)

RUNTIME_HEADER = """\
# The run-time lock: pyproject.toml's dependencies and all of theirs, pinned. Written by `make lock` (tools/lock.py);
# do not edit by hand. `make install` installs exactly this (plus requirements-dev.txt); Streamlit Community Cloud and
# the Dockerfile install it alone.
-e .
"""
DEV_HEADER = """\
# The development lock: the run-time lock plus the `dev` extra's closure, pinned. Written by `make lock`
# (tools/lock.py); do not edit by hand. `make install` installs exactly this file, with --no-deps.
-r requirements.txt
"""


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def closure(roots: list[str]) -> dict[str, str]:
    """Canonical name -> installed version for `roots` and everything they require here (markers evaluated)."""
    pinned: dict[str, str] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [Requirement(r) for r in roots]
    while todo:
        requirement = todo.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        key = (canonicalize_name(requirement.name), frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        pinned[key[0]] = importlib.metadata.version(requirement.name)
        for line in importlib.metadata.requires(requirement.name) or []:
            sub = Requirement(line)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in requirement.extras or {""}):
                todo.append(Requirement(str(sub).split(";")[0]) if sub.marker is not None else sub)
    return {name: version for name, version in pinned.items() if name not in INSTALLERS}


def main() -> int:
    meta = project()
    runtime = closure(meta["dependencies"])
    dev = {n: v for n, v in closure(meta["optional-dependencies"]["dev"]).items() if n not in runtime}
    (ROOT / "requirements.txt").write_text(RUNTIME_HEADER + "".join(f"{n}=={v}\n" for n, v in sorted(runtime.items())), encoding="utf-8")
    (ROOT / "requirements-dev.txt").write_text(DEV_HEADER + "".join(f"{n}=={v}\n" for n, v in sorted(dev.items())), encoding="utf-8")
    print(f"requirements.txt: {len(runtime)} pins; requirements-dev.txt: {len(dev)} more", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
