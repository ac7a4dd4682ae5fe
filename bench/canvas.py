"""The designer canvas with 500 modules vs. a bare React Flow page drawing the same graph, in headless Chromium.

Tessera: a live Daphne serving the built front end (the code a user gets), a pipeline of 500 modules
(62 chains of Dataset → Clean Missing Data → Normalize Data → Split Data → Two-Class Boosted Decision
Tree + Train Model → Score Model → Evaluate Model, and one shorter chain), opened by a signed-in owner.
Baseline: frontend/bench/ (a tiny Vite page on the same @xyflow/react and React): the same 500 nodes at
the same positions and the same edges as React Flow's default nodes, fitted in a viewport the size of
the designer's canvas, served by a plain static server. It is what React Flow itself costs, so the
ratio says how much the designer adds on top.

Measured in each page, the same way:
- first paint: from navigation start (performance.timeOrigin) to the first animation frame in which
  all 500 nodes are in the DOM and shown (React Flow hides a node until it knows its size) and all the
  edges are drawn (React Flow draws an edge once it knows where its ports are);
- frame times (requestAnimationFrame deltas) while the mouse pans the pane (drag on empty canvas,
  300 px right and back, one move per 16 ms) and while it drags one node the same way;
  p50 / p95 / max and stalls (frames of 100 ms or more).
Rounds alternate Tessera and the baseline (A/B/A/B) after one warm-up each; medians over the rounds,
the ratio Tessera / baseline and the load average are printed. Needs PostgreSQL and Redis (the
benchmark database, or BENCH_DATABASE_URL / BENCH_REDIS_URL) and Debian's Chromium. Usage:
    .venv/bin/python bench/canvas.py [--rounds 3] [--nodes 500] [--screenshots DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, bench_workspace  # noqa: E402  (sets the environment first)

FRONTEND = ROOT / "frontend"
BASELINE = FRONTEND / "bench"
CHROMIUM = os.environ.get("TESSERA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
VIEWPORT = {"width": 1440, "height": 900}
PASSWORD = "bench-pass-Tessera-42"
STALL_MS = 100.0

CHAIN = [
    ("data", "dataset"),
    ("clean", "clean_missing_data"),
    ("norm", "normalize_data"),
    ("split", "split_data"),
    ("learner", "two_class_boosted_decision_tree"),
    ("train", "train_model"),
    ("score", "score_model"),
    ("evaluate", "evaluate_model"),
]
WIRES = [
    ("data", "dataset", "clean", "dataset"),
    ("clean", "cleaned_dataset", "norm", "dataset"),
    ("norm", "transformed_dataset", "split", "dataset"),
    ("learner", "untrained_model", "train", "untrained_model"),
    ("split", "results_dataset1", "train", "dataset"),
    ("train", "trained_model", "score", "trained_model"),
    ("split", "results_dataset2", "score", "dataset"),
    ("score", "scored_dataset", "evaluate", "scored_dataset"),
]
# Where each step of a chain sits (column, row), as someone would lay the pipeline out by hand.
PLACE = {
    "data": (0, 0), "clean": (0, 1), "norm": (0, 2), "split": (0, 3),
    "learner": (1, 3), "train": (1, 4), "score": (0, 5), "evaluate": (0, 6),
}  # fmt: skip
COLUMN, ROW, CHAINS_PER_ROW = 260, 130, 11  # 500 modules fit the canvas at the 0.1 minimum zoom


def pipeline_document(dataset_id: int, size: int, versions: dict[str, int]) -> dict[str, Any]:
    """``size`` modules (each at its newest version in ``versions``): whole chains, then the first steps of one more."""
    features = [f"f{i}" for i in range(6)]
    params = {
        "dataset": {"dataset": {"dataset_id": dataset_id}},
        "clean_missing_data": {"columns": features, "cleaning_mode": "Replace with mean"},
        "normalize_data": {"columns": features, "transformation_method": "ZScore"},
        "split_data": {"fraction_of_rows_in_first_output_dataset": 0.7, "random_seed": 0},
        "two_class_boosted_decision_tree": {"number_of_trees_constructed": 20},
        "train_model": {"label_column": "label"},
    }
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    layout: dict[str, dict[str, int]] = {}
    chain = 0
    while len(nodes) < size:
        steps = CHAIN[: size - len(nodes)]
        taken = {step for step, _ in steps}
        ox = (chain % CHAINS_PER_ROW) * 2 * COLUMN
        oy = (chain // CHAINS_PER_ROW) * 8 * ROW
        for step, module in steps:
            node_id = f"{step}{chain}"
            node = {"id": node_id, "module": module, "version": versions[module], "params": params.get(module, {})}
            nodes.append(node)
            col, row = PLACE[step]
            layout[node_id] = {"x": ox + col * COLUMN, "y": oy + row * ROW}
        for a, a_port, b, b_port in WIRES:
            if a in taken and b in taken:
                source = {"node": f"{a}{chain}", "port": a_port}
                edges.append({"source": source, "target": {"node": f"{b}{chain}", "port": b_port}})
        chain += 1
    return {"schema_version": 1, "nodes": nodes, "edges": edges, "parameters": {}, "layout": layout}


def newest_versions(user: Any) -> dict[str, int]:
    """The catalogue as the designer gets it (GET /api/modules/): module id -> its newest version."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    answer = client.get("/api/modules/").json()
    newest: dict[str, int] = {}
    for module in answer["results"] if isinstance(answer, dict) else answer:
        newest[module["id"]] = max(newest.get(module["id"], 0), module["version"])
    return newest


def baseline_graph(document: dict[str, Any]) -> dict[str, Any]:
    """The same graph for the bare page: default nodes labelled with the node id, at the same positions."""
    return {
        "nodes": [
            {"id": n["id"], "position": document["layout"][n["id"]], "data": {"label": n["id"]}}
            for n in document["nodes"]
        ],
        "edges": [
            {"id": f"e{i}", "source": e["source"]["node"], "target": e["target"]["node"]}
            for i, e in enumerate(document["edges"])
        ],
    }


def build_front_ends() -> None:
    """The app as `make start` builds it (scripts/frontend) and the baseline page."""
    subprocess.run([str(ROOT / "scripts" / "frontend")], check=True)
    subprocess.run(
        ["npx", "vite", "build", "--config", "bench/vite.config.ts", "--logLevel", "warn"], cwd=FRONTEND, check=True
    )


# Runs in every page before its own scripts: notes the first frame in which all nodes and edges are drawn.
PAINT_WATCH = """
(() => {
  const want = %d, wantEdges = %d;
  window.__bench = { paint: null, frames: null };
  const check = () => {
    const nodes = document.querySelectorAll('.react-flow__node');
    if (nodes.length >= want && [...nodes].every((n) => n.style.visibility !== 'hidden')
        && document.querySelectorAll('.react-flow__edge').length >= wantEdges) {
      window.__bench.paint = performance.now();
      return;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();
"""
START_FRAMES = """
() => {
  const b = window.__bench;
  b.frames = [];
  b.recording = true;
  let last = performance.now();
  const tick = (now) => {
    if (!b.recording) return;
    b.frames.push(now - last);
    last = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame((now) => { last = now; requestAnimationFrame(tick); });
}
"""
STOP_FRAMES = "() => { window.__bench.recording = false; return window.__bench.frames; }"
# A point on the empty pane (nothing above it), nearest the pane's centre, for a pan: candidates are
# tried from the centre outwards, since elementFromPoint is slow over a pane of 500 nodes.
PANE_POINT = """
() => {
  const pane = document.querySelector('.react-flow__pane').getBoundingClientRect();
  const cx = pane.left + pane.width / 2, cy = pane.top + pane.height / 2;
  const points = [];
  for (let y = pane.top + 20; y < pane.bottom - 20; y += 5) {
    for (let x = pane.left + 20; x < pane.right - 320; x += 5) points.push({ x, y, d: (x - cx) ** 2 + (y - cy) ** 2 });
  }
  points.sort((a, b) => a.d - b.d);
  return points.find((p) => document.elementFromPoint(p.x, p.y)?.classList.contains('react-flow__pane')) ?? null;
}
"""
# The centre of the node nearest the pane's centre, for a node drag.
NODE_POINT = """
() => {
  const pane = document.querySelector('.react-flow__pane').getBoundingClientRect();
  const cx = pane.left + pane.width / 2, cy = pane.top + pane.height / 2;
  let best = null;
  for (const n of document.querySelectorAll('.react-flow__node')) {
    const r = n.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    const d = (x - cx) ** 2 + (y - cy) ** 2;
    if (!best || d < best.d) best = { x, y, d };
  }
  return best;
}
"""


def frame_stats(frames: list[float]) -> dict[str, float]:
    ordered = sorted(frames)
    if not ordered:
        raise SystemExit("no animation frame was recorded")

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]

    return {
        "p50": pct(0.5),
        "p95": pct(0.95),
        "max": ordered[-1],
        "stalls": float(sum(1 for f in ordered if f >= STALL_MS)),
    }


def drag(page: Any, start: dict[str, float], dx: float, steps: int = 60) -> None:
    """Press at ``start``, move ``dx`` px right and back, one move every 16 ms, release."""
    page.mouse.move(start["x"], start["y"])
    page.mouse.down()
    for leg in (1, -1):
        for i in range(1, steps + 1):
            t0 = time.perf_counter()
            x = start["x"] + (dx * i / steps if leg == 1 else dx * (1 - i / steps))
            page.mouse.move(x, start["y"] + (8 if leg == 1 else 0) * i / steps)
            time.sleep(max(0.0, 0.016 - (time.perf_counter() - t0)))
    page.mouse.up()


def top_functions(profile: dict[str, Any], count: int = 25) -> list[str]:
    """The functions a CPU profile (CDP ``Profiler.stop``) spent most samples in, by self time."""
    by_id = {node["id"]: node for node in profile["nodes"]}
    interval = (profile["endTime"] - profile["startTime"]) / max(len(profile.get("samples", [])), 1) / 1000
    totals: dict[str, float] = {}
    for sample in profile.get("samples", []):
        frame = by_id[sample]["callFrame"]
        where = f"{frame['functionName'] or '(anonymous)'} {frame['url'].rsplit('/', 1)[-1]}:{frame['lineNumber'] + 1}"
        totals[where] = totals.get(where, 0.0) + interval
    ranked = sorted(totals.items(), key=lambda kv: -kv[1])[:count]
    return [f"{ms:8.1f} ms  {where}" for where, ms in ranked]


def measure(
    browser: Any,
    url: str,
    nodes: int,
    edges: int,
    context_args: dict[str, Any],
    shot: Path | None,
    profile: Path | None = None,
) -> dict[str, float]:
    """First paint and frame times; ``profile``: also write a CPU profile of each phase there (and print its
    busiest functions)."""
    context = browser.new_context(**context_args)
    try:
        page = context.new_page()
        page.add_init_script(PAINT_WATCH % (nodes, edges))
        page.goto(url, wait_until="commit")
        page.wait_for_function("() => window.__bench && window.__bench.paint !== null", timeout=120_000)
        paint = page.evaluate("() => window.__bench.paint")
        page.wait_for_load_state("networkidle")  # the designer's validation and draft requests
        page.wait_for_timeout(400)
        if shot:
            page.screenshot(path=str(shot))
        out = {"paint": paint}
        for phase, where in (("pan", PANE_POINT), ("drag", NODE_POINT)):
            point = page.evaluate(where)
            if point is None:
                raise SystemExit(f"{url}: no place to start the {phase}")
            page.evaluate(START_FRAMES)
            cdp = context.new_cdp_session(page) if profile else None
            if cdp:
                cdp.send("Profiler.enable")
                cdp.send("Profiler.start")
            drag(page, point, 300 if phase == "pan" else 200)
            page.wait_for_timeout(100)
            if cdp and profile:
                taken = cdp.send("Profiler.stop")["profile"]
                (profile / f"{phase}.cpuprofile").write_text(json.dumps(taken))
                print(f"  {phase}: busiest functions (self time)", *top_functions(taken), sep="\n    ")
            for name, value in frame_stats(page.evaluate(STOP_FRAMES)).items():
                out[f"{phase}_{name}"] = value
            page.wait_for_timeout(300)
        return out
    finally:
        context.close()


def sign_in(browser: Any, base: str, username: str) -> dict[str, Any]:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("workspace-home").wait_for(timeout=30_000)
    state = context.storage_state()
    context.close()
    return state


def canvas_size(browser: Any, url: str, nodes: int, edges: int, state: dict[str, Any]) -> dict[str, int]:
    context = browser.new_context(viewport=VIEWPORT, storage_state=state)
    page = context.new_page()
    page.add_init_script(PAINT_WATCH % (nodes, edges))
    page.goto(url)
    page.wait_for_function("() => window.__bench && window.__bench.paint !== null", timeout=120_000)
    box = page.locator(".react-flow__pane").bounding_box()
    context.close()
    assert box is not None
    return {"width": round(box["width"]), "height": round(box["height"])}


ROWS = [
    ("first paint (ms)", "paint"),
    ("pan: frame p50 (ms)", "pan_p50"),
    ("pan: frame p95 (ms)", "pan_p95"),
    ("pan: frame max (ms)", "pan_max"),
    ("pan: stalls >= 100 ms", "pan_stalls"),
    ("node drag: frame p50 (ms)", "drag_p50"),
    ("node drag: frame p95 (ms)", "drag_p95"),
    ("node drag: frame max (ms)", "drag_max"),
    ("node drag: stalls >= 100 ms", "drag_stalls"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--screenshots", type=Path, default=None, help="save each page after its first paint")
    parser.add_argument("--no-build", action="store_true", help="use the front-end builds as they are")
    parser.add_argument(
        "--profile", type=Path, default=None, help="write CPU profiles of Tessera's pan and drag (last round) here"
    )
    args = parser.parse_args()

    if not args.no_build:
        build_front_ends()
    user, workspace = bench_workspace()
    import numpy as np
    import pandas as pd
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from playwright.sync_api import sync_playwright

    from designer.datasets.services import create_dataset_from_frame
    from designer.pipelines.services import create_pipeline
    from tests.support.processes import Server, free_port

    hasher = PBKDF2PasswordHasher()  # the server process knows this hasher whatever the settings
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(200, 6)), columns=[f"f{i}" for i in range(6)])
    df["label"] = np.where(rng.random(200) < 0.5, "yes", "no")
    dataset = create_dataset_from_frame(user, workspace, "bench", df)
    document = pipeline_document(dataset.pk, args.nodes, newest_versions(user))
    pipeline = create_pipeline(user, workspace, f"{args.nodes} modules", document=document)
    (BASELINE / "dist" / "graph.json").write_text(json.dumps(baseline_graph(document)))

    server = Server()
    static_port = free_port()
    static = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(static_port), "--bind", "127.0.0.1", "-d", str(BASELINE / "dist")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    load_before = os.getloadavg()
    results: dict[str, list[dict[str, float]]] = {"tessera": [], "baseline": []}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            state = sign_in(browser, server.url, user.username)
            tessera_url = f"{server.url}/pipelines/{pipeline.pk}"
            edges = len(document["edges"])
            pane = canvas_size(browser, tessera_url, args.nodes, edges, state)
            targets = {
                "tessera": (tessera_url, {"viewport": VIEWPORT, "storage_state": state}),
                "baseline": (f"http://127.0.0.1:{static_port}/index.html", {"viewport": pane}),
            }
            if args.screenshots:
                args.screenshots.mkdir(parents=True, exist_ok=True)
            for round_no in range(args.rounds + 1):  # round 0 warms both up and is not counted
                for name, (url, context_args) in targets.items():
                    shot = args.screenshots / f"canvas-{name}.png" if args.screenshots and round_no == 1 else None
                    profile = args.profile if args.profile and name == "tessera" and round_no == args.rounds else None
                    if profile:
                        profile.mkdir(parents=True, exist_ok=True)
                    figures = measure(browser, url, args.nodes, edges, context_args, shot, profile)
                    if round_no:
                        results[name].append(figures)
                    print(
                        f"  round {round_no}{' (warm-up)' if not round_no else ''} {name:8s} "
                        f"paint {figures['paint']:6.0f} ms  pan p95 {figures['pan_p95']:5.1f} ms  "
                        f"drag p95 {figures['drag_p95']:5.1f} ms",
                        flush=True,
                    )
            browser.close()
    finally:
        static.terminate()
        server.stop()
    load_after = os.getloadavg()

    print(
        f"\n{args.nodes} modules, {len(document['edges'])} connections; headless Chromium "
        f"{VIEWPORT['width']}x{VIEWPORT['height']} (baseline {pane['width']}x{pane['height']}, the designer's "
        f"canvas); medians of {args.rounds} rounds, A/B interleaved"
    )
    print(f"{'':30s} {'Tessera':>10s} {'baseline':>10s} {'ratio':>8s}")
    for label, key in ROWS:
        a = statistics.median(r[key] for r in results["tessera"])
        b = statistics.median(r[key] for r in results["baseline"])
        ratio = f"{a / b:7.2f}x" if b else "      -"
        print(f"{label:30s} {a:10.1f} {b:10.1f} {ratio}")
    print(f"load average before {load_before[0]:.2f} / after {load_after[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
