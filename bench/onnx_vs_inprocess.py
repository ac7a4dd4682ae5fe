"""Single-row scoring: an exported ONNX model under onnxruntime vs. the same inference pipeline in-process.

What it measures, in one run:

- Each sample pipeline whose modules export (``tests/support/trained_samples.py`` trains it with the
  engine in this process, derives its real-time inference pipeline and gives each Web Service Input
  its training rows), exported with ``designer.engine.onnx_export.export_pipeline`` (checked against
  Score Model at export).
- For single-row requests, two ways, both one thread, no HTTP:
  - "in-process": the engine's scoring path as an endpoint runs it (``designer/engine/scoring.py``):
    parse the Azure body, ``ScoringPipeline.score_traced`` (Apply Transformation, Score Model...), the
    answer's rows as JSON;
  - "onnxruntime": parse the same body, one [1, 1] array per input column, ``InferenceSession.run``,
    the outputs as JSON.
  And the compute alone: ``ScoringPipeline.score`` on a ready table vs. ``InferenceSession.run`` on
  ready arrays.
- ``--rounds`` rounds (at least 3); in each, for each sample, ``--requests`` requests through A, then B,
  then A, then B (interleaved, so drift in the machine's load hits both); a round's figure is the median
  latency of its requests; the table prints the median over rounds, the ratio in-process / onnxruntime
  (above 1: onnxruntime is faster) and the 1-minute load average at each round.

The answers differ in content: the in-process answer holds every input column plus the scores (what an
endpoint returns); the ONNX model returns the score columns only.

Usage:
    .venv/bin/python bench/onnx_vs_inprocess.py [--rounds 5] [--requests 300]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "designer.settings")
os.environ.setdefault("TESSERA_ENV", "test")
os.environ.setdefault("TESSERA_DATA_DIR", tempfile.mkdtemp(prefix="tessera-bench-onnx-"))

SAMPLES = ("regression-diabetes", "binary-feature-selection-breast-cancer", "multiclass-penguins")


def prepare(slug: str, store: Any) -> dict[str, Any]:
    """The sample trained, derived, exported; its example request; both scorers ready."""
    from designer.engine.onnx_export import export_pipeline
    from designer.engine.onnx_export.check import session
    from designer.engine.scoring import ScoringPipeline
    from modules.sdk import default_registry
    from tests.support.trained_samples import train_sample

    trained = train_sample(slug, store)
    assert trained.inference is not None, trained.why_not_derived
    exported = export_pipeline(trained.inference, default_registry(), store.get)
    pipeline = ScoringPipeline.load(trained.inference, default_registry(), store.get)
    name = pipeline.inputs[0].name
    row = pipeline.example_request()["Inputs"][name][0]
    body = json.dumps({"Inputs": {name: [row]}, "GlobalParameters": {}})
    return {
        "slug": slug,
        "exported": exported,
        "pipeline": pipeline,
        "session": session(exported.model),
        "body": body,
        "input": name,
        "check": exported.checked,
    }


def in_process(case: dict[str, Any]) -> Callable[[], str]:
    from designer.engine.scoring import Limits, parse_azure, records_json

    pipeline, body, limits = case["pipeline"], case["body"], Limits()

    def score() -> str:
        tables = parse_azure(json.loads(body), pipeline.inputs, limits)
        scored = pipeline.score_traced(tables)
        return '{"Results":{' + ",".join(f'"{k}":{records_json(v)}' for k, v in scored.results.items()) + "}}"

    return score


def onnx(case: dict[str, Any]) -> Callable[[], str]:
    import numpy as np
    import orjson

    sess, body, name = case["session"], case["body"], case["input"]
    specs = [(i["name"], i["onnx"]) for i in case["exported"].inputs]
    outputs = [o.name for o in sess.get_outputs()]
    kinds = {"double": np.float64, "string": object, "bool": bool}

    def score() -> str:
        rows = json.loads(body)["Inputs"][name]
        feeds = {}
        for column, kind in specs:
            values = [r[column] for r in rows]
            if kind == "double":
                values = [np.nan if v is None else v for v in values]
            elif kind == "string":
                values = ["" if v is None else str(v) for v in values]
            feeds[column] = np.array(values, dtype=kinds[kind]).reshape(-1, 1)
        answers = sess.run(outputs, feeds)
        results = [
            {o: (a[i].item() if hasattr(a[i], "item") else a[i]) for o, a in zip(outputs, answers, strict=True)}
            for i in range(len(rows))
        ]
        return orjson.dumps({"Results": {"WebServiceOutput0": results}}).decode()

    return score


def compute_only(case: dict[str, Any]) -> tuple[Callable[[], Any], Callable[[], Any]]:
    from designer.engine.onnx_export.pipeline import feeds
    from designer.engine.scoring import Limits, parse_azure

    pipeline, sess = case["pipeline"], case["session"]
    tables = parse_azure(json.loads(case["body"]), pipeline.inputs, Limits())
    ready = feeds(case["exported"], tables[case["input"]].df)
    outputs = [o.name for o in sess.get_outputs()]
    return (lambda: pipeline.score(tables)), (lambda: sess.run(outputs, ready))


def timed(fn: Callable[[], Any], n: int) -> tuple[float, float]:
    """Median milliseconds of ``n`` calls: wall clock, and this thread's CPU time (which hardly moves with
    whatever else runs on the machine: on a busy one, a call of 10 ms is preempted where one of 0.05 ms is not)."""
    walls, cpus = [], []
    for _ in range(n):
        start, cpu = time.perf_counter(), time.thread_time()
        fn()
        cpus.append(time.thread_time() - cpu)
        walls.append(time.perf_counter() - start)
    return statistics.median(walls) * 1000.0, statistics.median(cpus) * 1000.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    if args.rounds < 3:
        raise SystemExit("--rounds must be at least 3 (medians of rounds)")
    import django

    django.setup()
    from threadpoolctl import threadpool_limits

    from designer.engine.store import LocalArtifactStore

    store = LocalArtifactStore(Path(tempfile.mkdtemp(prefix="tessera-bench-onnx-store-")))
    started = datetime.now(UTC)
    cases = [prepare(slug, store) for slug in SAMPLES]
    kinds = ("end to end", "compute only")
    figures: dict[tuple[str, str], dict[str, list[float]]] = {}
    loads = []
    with threadpool_limits(limits=1):
        for case in cases:  # warm both paths before anything is timed
            for fn in (in_process(case), onnx(case), *compute_only(case)):
                timed(fn, 20)
        for _ in range(args.rounds):
            loads.append(os.getloadavg()[0])
            for case in cases:
                a_full, b_full = in_process(case), onnx(case)
                a_core, b_core = compute_only(case)
                for kind, a, b in (("end to end", a_full, b_full), ("compute only", a_core, b_core)):
                    got = figures.setdefault(
                        (case["slug"], kind), {k: [] for k in ("in", "onnx", "in_cpu", "onnx_cpu")}
                    )
                    half = max(1, args.requests // 2)
                    a1, b1, a2, b2 = timed(a, half), timed(b, half), timed(a, half), timed(b, half)
                    got["in"].append(statistics.median([a1[0], a2[0]]))
                    got["onnx"].append(statistics.median([b1[0], b2[0]]))
                    got["in_cpu"].append(statistics.median([a1[1], a2[1]]))
                    got["onnx_cpu"].append(statistics.median([b1[1], b2[1]]))
    report(cases, figures, loads, args, started, kinds)


def report(
    cases: list[dict[str, Any]],
    figures: dict[tuple[str, str], dict[str, list[float]]],
    loads: list[float],
    args: argparse.Namespace,
    started: datetime,
    kinds: tuple[str, ...],
) -> None:
    load_text = " ".join(f"{x:.1f}" for x in loads)
    print(
        f"\n{started:%Y-%m-%d %H:%M} UTC   single-row scoring, 1 thread, no HTTP   {args.rounds} rounds x "
        f"{args.requests} requests per path (A/B/A/B)   CPUs: {os.cpu_count()}   "
        f"load average (1 min) at each round: {load_text}"
    )
    print(
        f"onnxruntime {version('onnxruntime')}, onnx {version('onnx')}, skl2onnx {version('skl2onnx')}, "
        f"onnxmltools {version('onnxmltools')}, Python {platform.python_version()}"
    )
    head = f"{'in-process':>12}{'onnxruntime':>13}{'in / onnx':>11}"
    print(f"medians of {args.rounds} rounds, ms per request: wall clock | this thread's CPU time")
    print(f"{'':52}{head}   |{head}")
    for case in cases:
        for kind in kinds:
            got = figures[(case["slug"], kind)]
            a, b = statistics.median(got["in"]), statistics.median(got["onnx"])
            c, d = statistics.median(got["in_cpu"]), statistics.median(got["onnx_cpu"])
            wall = f"{a:>12.3f}{b:>13.3f}{a / b:>10.1f}x"
            print(f"{case['slug'] + ', ' + kind:52}{wall}   |{c:>12.3f}{d:>13.3f}{c / d:>10.1f}x")
    print("spread over rounds (min-max, wall ms):")
    for case in cases:
        parts = []
        for kind in kinds:
            got = figures[(case["slug"], kind)]
            a, b = got["in"], got["onnx"]
            parts.append(f"{kind}: in {min(a):.3f}-{max(a):.3f} / onnx {min(b):.3f}-{max(b):.3f}")
        print(f"  {case['slug']}: " + "; ".join(parts))
    print(
        "checked at export (onnxruntime vs. Score Model on the training rows): "
        + "; ".join(f"{c['slug']} {c['check'].rows} rows, max diff {c['check'].max_difference:.1e}" for c in cases)
    )
    print(
        "end to end = Azure body text -> answer text: in-process is the endpoint's engine path (parse, check types, "
        "run the pipeline with row tracing and input checks, every input column plus the scores); onnxruntime "
        "parses the body into one array per column and returns the score columns only."
    )


if __name__ == "__main__":
    main()
