"""An environment's requirement lines: what is accepted, and the content hash that names a built environment.

A line is one PEP 508 requirement naming a package of the configured index, pinned or ranged
(``scipy==1.14.1``, ``tabulate>=0.9,<1``, ``rich; python_version >= "3.10"``). Refused, each naming the
line: text that is not a requirement, a direct URL (``pkg @ https://...``), a local path or archive,
an editable install (``-e``) and any pip option line (``--index-url``, ``-r``, ``--extra-index-url`` ...):
the operator's index is the only source of packages.

Plain Python (``packaging`` only): the designer checks lines when a version is saved, the module's
parameter model checks them again, and the worker's builder installs exactly these lines.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

#: ``worker``: the environment sees the worker's own packages (pandas, numpy, scikit-learn ...) below its
#: own; ``none``: only what its lines install (they must then bring pandas and pyarrow, which the runner needs).
BASES = ("worker", "none")
MAX_LINES = 200
MAX_LINE_CHARS = 500
#: The runner exchanges tables as Parquet through pandas: an environment without the worker's packages needs them.
RUNNER_NEEDS = ("pandas", "pyarrow")
_URL = "a URL is not allowed; name a package of the index, pinned or ranged"
_ARCHIVE = re.compile(r"\.(whl|zip|tar\.gz|tgz|tar\.bz2|tar)$", re.IGNORECASE)


@dataclass(frozen=True)
class LineProblem:
    """What is wrong with one line; ``number`` counts from 1 over the lines as submitted."""

    number: int
    text: str
    reason: str

    @property
    def message(self) -> str:
        if self.number == 0:  # about the lines as a whole
            return f"requirement lines: {self.reason}"
        return f"requirement line {self.number} ({self.text!r}): {self.reason}"


def clean(lines: Sequence[str]) -> list[tuple[int, str]]:
    """``(line number, stripped text)`` of every line that is not blank or a ``#`` comment."""
    out = []
    for number, raw in enumerate(lines, start=1):
        text = str(raw).strip()
        if text and not text.startswith("#"):
            out.append((number, text))
    return out


def problem_of(number: int, text: str) -> LineProblem | None:
    """Why ``text`` is refused as a requirement line, or ``None`` when it is a plain index requirement."""
    if len(text) > MAX_LINE_CHARS:
        return LineProblem(number, text[:60] + "...", f"longer than {MAX_LINE_CHARS} characters")
    if any(ord(c) < 32 and c != "\t" for c in text):
        return LineProblem(number, text.encode("unicode_escape").decode()[:60], "control characters are not allowed")
    if text.startswith("-"):
        return LineProblem(
            number,
            text,
            "pip options and editable installs (-e, -r, --index-url ...) are not allowed; "
            "write one requirement such as 'tabulate==0.9.0'",
        )
    if "://" in text:
        return LineProblem(number, text, _URL)
    if text.startswith((".", "/", "~", "\\")) or "/" in text.split(";")[0].split("@")[0] or _ARCHIVE.search(text):
        return LineProblem(number, text, "a local path or archive is not allowed; name a package of the index")
    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "not a valid requirement"
        return LineProblem(number, text, f"not a valid requirement ({reason})")
    if requirement.url:
        return LineProblem(number, text, _URL)
    return None


def problems(lines: Sequence[str], base: str) -> list[LineProblem]:
    """Every refused line, in order; plus a missing runner package when the base is ``none``."""
    found: list[LineProblem] = []
    if len(lines) > MAX_LINES:
        return [LineProblem(MAX_LINES + 1, str(lines[MAX_LINES])[:60], f"at most {MAX_LINES} lines are allowed")]
    kept = clean(lines)
    names: dict[str, int] = {}
    for number, text in kept:
        problem = problem_of(number, text)
        if problem is not None:
            found.append(problem)
            continue
        parsed = Requirement(text)
        name = canonicalize_name(parsed.name)
        if name in names and parsed.marker is None:  # lines split by environment markers may repeat a name
            found.append(
                LineProblem(number, text, f"names {name} again (line {names[name]}); merge them into one line")
            )
        names.setdefault(name, number)
    if base == "none" and not found:
        missing = [pkg for pkg in RUNNER_NEEDS if pkg not in names]
        if missing:
            found.append(
                LineProblem(
                    0,
                    "",
                    f"an environment with base 'none' must list {' and '.join(missing)} (the script's tables "
                    "travel as pandas DataFrames through Parquet); or use base 'worker'",
                )
            )
    return found


def normalized(lines: Sequence[str]) -> list[str]:
    """The lines an environment keeps: stripped, without blanks and comments, in the order given."""
    return [text for _number, text in clean(lines)]


def content_hash(base: str, lines: Sequence[str]) -> str:
    """The name of a built environment: SHA-256 over the base and the normalized lines (order kept)."""
    body = json.dumps({"base": base, "requirements": normalized(lines)}, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def line_for(lines: Sequence[str], package: str) -> tuple[int, str] | None:
    """The line (number, text) that asks for ``package`` (any spelling pip prints), if one does."""
    wanted = canonicalize_name(re.split(r"[\s<>=!~;\[(]", package.strip(), maxsplit=1)[0])
    for number, text in clean(lines):
        try:
            if canonicalize_name(Requirement(text).name) == wanted:
                return number, text
        except InvalidRequirement:
            continue
    return None
