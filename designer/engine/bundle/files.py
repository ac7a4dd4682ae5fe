"""The small text files of a scoring bundle: its entry point, Dockerfile and README."""

from __future__ import annotations

from typing import Any

PORT = 8080

ENTRY = '''"""Entry point of this scoring bundle: ``gunicorn runner:app`` from this folder (see README.md).

Tessera's engine and module library are carried in ``src/``; nothing else of Tessera is needed.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "src"))

from designer.engine.bundle.runner import make_app  # noqa: E402

app = make_app(HERE)
'''


def dockerfile(requirements: list[str]) -> str:
    """A Dockerfile for the bundle: Python 3.11 slim, the pinned requirements, gunicorn as a non-root user."""
    names = {line.split("==")[0].lower() for line in requirements}
    system = ["libgomp1"] if names & {"lightgbm", "scikit-learn", "torch"} else []  # OpenMP runtime of the wheels
    index = " --extra-index-url https://download.pytorch.org/whl/cpu" if "torch" in names else ""
    lines = [
        "# A Tessera scoring bundle: `docker build -t my-endpoint .` then `docker run -p 8080:8080 my-endpoint`.",
        "FROM python:3.11-slim",
        "ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1",
    ]
    if system:
        lines += [
            "RUN apt-get update && apt-get install -y --no-install-recommends "
            + " ".join(system)
            + " && rm -rf /var/lib/apt/lists/*"
        ]
    lines += [
        "WORKDIR /bundle",
        "COPY requirements.txt .",
        f"RUN pip install --no-cache-dir{index} -r requirements.txt",
        "COPY . .",
        "RUN useradd --system --no-create-home scorer",
        "USER scorer",
        f"EXPOSE {PORT}",
        "# Set TESSERA_SCORING_KEY (docker run -e ...) to require the header Authorization: Bearer <key>.",
        'HEALTHCHECK CMD ["python", "-c", "import urllib.request; '
        f"urllib.request.urlopen('http://127.0.0.1:{PORT}/healthz', timeout=3)\"]",
        'CMD ["gunicorn", "runner:app", "--bind", "0.0.0.0:' + str(PORT) + '", "--workers", "2", "--threads", "4", '
        '"--no-control-socket", "--access-logfile", "-"]',
    ]
    return "\n".join(lines) + "\n"


def readme(manifest: dict[str, Any]) -> str:
    name = manifest["endpoint"]
    inputs = "\n".join(
        f"- `{spec['name']}`: " + ", ".join(f"`{c['name']}` ({c['type']})" for c in spec["columns"])
        for spec in manifest["inputs"]
    )
    return f"""# Scoring bundle of the Tessera endpoint `{name}`

Built {manifest["built_at"]} from version {manifest["pipeline_version"]} of the pipeline
"{manifest["pipeline"]}" (endpoint revision {manifest["revision"]}). It answers the endpoint's requests, with the
same answers, without the Tessera server or its database.

## What is in it
- `pipeline.json`: the inference pipeline the endpoint serves. Each Web Service Input's drift baseline is
  replaced by a row-less copy that keeps only the training profile (ranges and categories the answers'
  warnings are checked against): no training rows leave Tessera.
- `artifacts/<sha256>`: the saved models and transformations the pipeline reads, each named by the
  SHA-256 of its bytes and checked against it when the runner loads.
- `schema/inputs.json`: the input columns and their types; `examples/`: example requests in both shapes
  and the endpoint's answer to the first.
- `src/`: Tessera's engine and module library (plain Python), `runner.py`: the server's entry point.
- `requirements.txt`: the packages that code imports, pinned; `Dockerfile`; `bundle.json`: this manifest.

No key of the endpoint is in the bundle.

## Inputs
{inputs}

## Run it
With Python 3.11:

    python -m venv .venv && .venv/bin/pip install -r requirements.txt
    .venv/bin/gunicorn runner:app --bind 127.0.0.1:{PORT} --workers 2 --threads 4 --no-control-socket

or with Docker:

    docker build -t {name}-scoring .
    docker run -p {PORT}:{PORT} -e TESSERA_SCORING_KEY=choose-a-key {name}-scoring

## Call it
- `POST /score` (or `/endpoints/{name}/score`), Azure ML designer's shape:

      curl -s localhost:{PORT}/score -H 'Content-Type: application/json' -d @examples/score.json

- `POST /invocations` (or `/endpoints/{name}/invocations`), MLflow's shapes (`dataframe_split`,
  `dataframe_records`, or CSV with `Content-Type: text/csv`):

      curl -s localhost:{PORT}/invocations -H 'Content-Type: application/json' -d @examples/invocations-split.json

- `GET /healthz` answers `{{"status": "Healthy"}}`; `GET /` the manifest.

Bad input is refused with the endpoint's 4xx answers, naming the input, row and column at fault.

## Settings (environment)
- `TESSERA_SCORING_KEY`: when set, every call must send `Authorization: Bearer <key>` (401 otherwise).
  Unset, the runner answers anyone who reaches it: keep it on a private network, or set a key.
- `TESSERA_SCORING_MAX_BODY_MB` (5), `TESSERA_SCORING_MAX_ROWS` (10000), `TESSERA_MAX_JSON_DEPTH` (100).

## What it does not do
Calls are not recorded and drift is not measured (those need Tessera's database); gunicorn's access log
lists the calls. Wrong keys are not throttled: put it behind your own gateway when exposed.
"""
