"""Trying a built bundle before it is handed out: its runner, started in a fresh interpreter with nothing of
the server's environment, loads the pipeline and answers the example request.

What that interpreter imported is what the bundle needs: its ``requirements.txt`` pins exactly those
distributions, at the versions installed here (read from ``sys.modules`` and ``importlib.metadata``, so
nothing is guessed from source text), plus gunicorn, which serves the runner. Its answer to the example
is compared with the endpoint's own answer by the caller: a bundle that would answer differently is
never handed out.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

SERVER = "gunicorn"
OURS = ("tessera", "tessera-client", "tessera_client")
TIMEOUT_SECONDS = 300

_SCRIPT = """
import io, json, sys
from importlib import metadata
import runner
body = open("examples/score.json", "rb").read()
environ = {"PATH_INFO": "/score", "REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/json",
           "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
status = []
answer = b"".join(runner.app(environ, lambda line, headers: status.append(line)))
owners = metadata.packages_distributions()
names = {name.split(".")[0] for name in sys.modules} - set(sys.stdlib_module_names)
dists = sorted({dist for name in names for dist in owners.get(name, [])})
print(json.dumps({"status": status[0], "answer": answer.decode(), "dists": dists}))
"""


class ProbeFailed(Exception):
    """The bundle's runner did not start or did not answer; the message is the last line it wrote."""


@dataclass(frozen=True)
class Probe:
    status: int
    answer: Any  # the runner's answer to examples/score.json, parsed
    requirements: list[str]  # pinned lines


def bare_environment(folder: Path) -> dict[str, str]:
    """A runner's environment: nothing of the server's (no settings, no database or broker URL, no key), and
    a path of the bundle's ``src`` then this interpreter's installed packages. Started with ``python -S``
    (see ``command``), no ``.pth`` file runs, so an editable install of Tessera cannot stand in for a file
    the bundle lacks."""
    path = [str(folder / "src"), *site.getsitepackages()]
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(folder),
        "LANG": "C.UTF-8",
        "PYTHONPATH": os.pathsep.join(path),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def command(*arguments: str) -> list[str]:
    """This interpreter, without the site module's ``.pth`` processing, with ``arguments``."""
    return [sys.executable, "-S", *arguments]


def probe(folder: Path) -> Probe:
    """Start the unpacked bundle at ``folder`` in a fresh interpreter and ask it the example request."""
    done = subprocess.run(
        command("-c", _SCRIPT),
        cwd=folder,
        env=bare_environment(folder),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ProbeFailed(last[:500])
    found = json.loads(lines[-1])
    return Probe(int(found["status"].split()[0]), json.loads(found["answer"]), pinned([*found["dists"], SERVER]))


def pinned(dists: list[str]) -> list[str]:
    """``Name==version`` for each installed distribution (Tessera's own left out: ``src/`` carries it)."""
    lines = set()
    for dist in dists:
        if dist.lower() in OURS:
            continue
        found = metadata.distribution(dist)
        lines.add(f"{found.metadata['Name']}=={found.version}")
    return sorted(lines, key=str.lower)
