"""Real-time scoring: a Tessera endpoint vs. the same model behind `mlflow models serve`, side by side.

What it measures, in one run:

- One model: Dataset (scikit-learn's bundled breast cancer data, 30 numeric features) -> Split Data ->
  Two-Class Logistic Regression + Train Model -> Score Model, trained with Tessera's engine into the
  real artifact store; the inference pipeline is derived from it and deployed as an endpoint.
- The very same fitted scikit-learn estimator saved with ``mlflow.sklearn.save_model`` twice: its
  pyfunc answering ``predict`` (labels) and ``predict_proba`` (probabilities).
- Three servers on 127.0.0.1, each with ``--workers`` processes: ``scripts/score`` (gunicorn sync
  workers, DEBUG off, SQLite) and two ``mlflow models serve --env-manager local`` (uvicorn workers;
  mlflow-skinny, see the `bench` extra). They are started and warmed up before anything is timed, and
  stopped at the end, also on failure.
- For single-row and 100-row requests: a closed-loop load of ``--concurrency`` client threads, each
  sending its next request when the last one answered, for ``--duration`` seconds (or
  ``--max-requests``) per server, servers taking turns. Requests per second count answered 200s only;
  p50/p99 are client-side latencies (connect + send + server + read). CPU ms/req is the user + system
  time of the server's whole process group (master, workers, Tessera's call-record flusher) over the timed
  window, divided by the answered requests: unlike req/s and latencies, it hardly moves with whatever
  else runs on the machine, so it is the figure to compare on a busy one.
- The floor: the estimator's ``predict_proba`` on the same rows, in this process, one thread, no HTTP;
  and Tessera's engine in this process (read the body as the server does, run the inference pipeline,
  build the answer).

How to read it: ratios are Tessera / MLflow. For req/s, above 1 means Tessera serves more; for
latencies, above 1 means Tessera is slower. The two answers differ in size: Tessera returns every input
column plus Scored Labels and Scored Probabilities per row, checks the key, validates every value
against the input schema and records each call and a sample of its rows; MLflow returns only the
predictions (``predict``: a label, ``predict_proba``: two probabilities) after checking the model
signature. gunicorn's sync workers close the connection after each answer, so every Tessera request
opens a TCP connection; uvicorn keeps it open. The load generator shares the machine's CPUs with the
servers; compare ratios, and read absolute figures with the CPU count and load average printed beside them.

Usage:
    .venv/bin/python bench/scoring_vs_mlflow.py [--workers 2] [--concurrency 8] [--duration 15]
Results also go to bench/results/scoring.json. Needs the `bench` extra (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import functools
import http.client
import itertools
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "scoring.json"
HOST = "127.0.0.1"
PORTS = range(8300, 8400)
LABEL = "diagnosis"
INPUT = "WebServiceInput0"
BATCHES = (1, 100)

WORK = Path(tempfile.mkdtemp(prefix="tessera-bench-scoring-"))
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "designer.settings",
    "TESSERA_ENV": "local",
    "TESSERA_DATA_DIR": str(WORK),
    "DATABASE_URL": f"sqlite:///{WORK / 'db.sqlite3'}",
    "TESSERA_LOG_LEVEL": "WARNING",
    "TESSERA_DEBUG": "false",  # as a production scoring server runs (local's default is DEBUG on)
    # MLflow must not phone home: everything in this benchmark stays on 127.0.0.1.
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
}
os.environ.update(SERVER_ENV)


# -- the model ----------------------------------------------------------------------------------


def cancer() -> Any:
    from sklearn.datasets import load_breast_cancer

    df = load_breast_cancer(as_frame=True).frame.rename(columns={"target": LABEL})
    df.columns = [c.replace(" ", "_") for c in df.columns]
    return df


def training_document() -> dict[str, Any]:
    from tests.support.pipelines import document

    return document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": 1}}),
            ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": 0.7, "random_seed": 7}),
            ("learner", "two_class_logistic_regression", {}),
            ("train", "train_model", {"label_column": LABEL}),
            ("score", "score_model", {}),
        ],
        [
            "data.dataset -> split.dataset",
            "learner.untrained_model -> train.untrained_model",
            "split.results_dataset1 -> train.dataset",
            "train.trained_model -> score.trained_model",
            "split.results_dataset2 -> score.dataset",
        ],
    )


@dataclass
class Trained:
    model: Any  # modules.sdk.FittedModel
    rows: Any  # the held-out rows without the label (a pandas DataFrame): what every request sends
    inference_document: dict[str, Any]
    notes: list[str]
    digests: list[str]  # every artifact the training wrote: the workspace that deploys it must own them


def train() -> Trained:
    """Train with the engine into the configured artifact store and derive the inference pipeline."""
    from designer.artifacts import artifact_store
    from designer.engine.execute import OutputRecord, execute_node, load_output
    from designer.engine.graph import parse_graph, to_document
    from designer.engine.inference import OutputRef, derive_inference_pipeline
    from modules.sdk import DataTable, LocalContext, default_registry

    store = artifact_store()
    registry = default_registry()
    graph = parse_graph(training_document())
    ctx = LocalContext(datasets={1: DataTable(cancer())})
    outputs: dict[str, dict[str, OutputRecord]] = {}
    for node_id in graph.topological_order():
        inputs = {e.target_port: outputs[e.source][e.source_port].digest for e in graph.incoming(node_id).values()}
        ctx.node_id = node_id
        outputs[node_id] = execute_node(graph.nodes[node_id], registry, inputs, store, ctx)
    refs = {(n, p): OutputRef(r.digest, r.type) for n, ports in outputs.items() for p, r in ports.items()}
    derived = derive_inference_pipeline(graph, registry, refs, lambda ref: load_output(store, ref.type, ref.digest))
    model = load_output(store, "trained_model", outputs["train"]["trained_model"].digest)
    held_out = load_output(store, "table", outputs["split"]["results_dataset2"].digest).df
    rows = held_out.drop(columns=[LABEL]).reset_index(drop=True)
    digests = [r.digest for ports in outputs.values() for r in ports.values()]
    return Trained(model, rows, to_document(derived.graph), derived.notes, digests)


def deploy(trained: Trained) -> tuple[str, str]:
    """The endpoint's name and primary key, created through the same services the API uses."""
    from django.contrib.auth import get_user_model

    from designer.artifacts.services import grant
    from designer.endpoints.services import create_endpoint
    from designer.pipelines.services import create_pipeline
    from designer.workspaces.services import create_workspace

    user, _ = get_user_model().objects.get_or_create(username="bench")
    workspace = create_workspace(user=user, name=f"bench {time.time():.0f}")
    # Trained in this process, not by a run of the workspace: its artifacts are given to the workspace as a
    # run's outputs would be, so the inference pipeline that pins them may be saved there.
    grant(workspace.pk, trained.digests, source="run")
    pipeline = create_pipeline(
        user, workspace, "breast cancer - real-time inference", "bench/scoring_vs_mlflow.py", trained.inference_document
    )
    name = f"bench-cancer-{time.time():.0f}"  # endpoint names are unique across the (reused) benchmark database
    endpoint = create_endpoint(workspace=workspace, user=user, name=name, pipeline=pipeline)
    return endpoint.name, endpoint.primary_key


def save_mlflow_models(trained: Trained) -> dict[str, Path]:
    """The fitted estimator, saved once per pyfunc predict function, with an inferred signature."""
    import mlflow.sklearn
    from mlflow.models import infer_signature

    from modules.library._features import prepare_features
    from modules.sdk.ports import _skops_io

    features = prepare_features(trained.rows, trained.model.feature_types)
    estimator = trained.model.estimator
    # Tessera imported skops without its default allow-list (modules/sdk/ports.py: it checks types itself),
    # so MLflow is told which types this estimator holds, as its error message asks.
    sio = _skops_io()
    trusted = sio.get_untrusted_types(data=sio.dumps(estimator))
    paths = {}
    for fn in ("predict", "predict_proba"):
        path = WORK / f"mlflow-{fn}"
        signature = infer_signature(features, getattr(estimator, fn)(features))
        mlflow.sklearn.save_model(
            estimator,
            str(path),
            signature=signature,
            pyfunc_predict_fn=fn,
            skops_trusted_types=trusted,
            pip_requirements=[f"scikit-learn=={version('scikit-learn')}"],  # served from this venv; no inference
        )
        paths[fn] = path
    return paths


# -- request bodies -----------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A JSON-ready value: numpy scalars become Python numbers, NaN becomes null."""
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and value != value else value


def slices(n: int, batch: int, count: int) -> list[range]:
    """``count`` windows of ``batch`` row positions, starting at different rows and wrapping around."""
    step = max(1, n // count) if batch > 1 else 1
    return [range(start, start + batch) for start in range(0, min(count, n) * step, step)]


@dataclass
class Bodies:
    tessera: list[bytes]
    mlflow: list[bytes]
    frames: list[Any]  # the rows of each request, as a DataFrame (for the in-process floor)

    def payloads(self, server: str) -> list[bytes]:
        return self.tessera if server.startswith("tessera") else self.mlflow


def bodies(trained: Trained, batch: int) -> Bodies:
    from modules.library._features import prepare_features

    n = len(trained.rows)
    windows = slices(n, batch, count=n if batch == 1 else 20)
    frames = [trained.rows.iloc[[i % n for i in w]].reset_index(drop=True) for w in windows]
    tessera, mlflow = [], []
    for frame in frames:
        records = [{k: plain(v) for k, v in r.items()} for r in frame.to_dict("records")]
        tessera.append(json.dumps({"Inputs": {INPUT: records}, "GlobalParameters": {}}).encode())
        features = prepare_features(frame, trained.model.feature_types)
        split = {
            "columns": list(features.columns),
            "data": [[plain(v) for v in r] for r in features.values],
        }
        mlflow.append(json.dumps({"dataframe_split": split}).encode())
    return Bodies(tessera, mlflow, frames)


# -- servers ------------------------------------------------------------------------------------


def free_port(taken: set[int]) -> int:
    for port in PORTS:
        if port in taken:
            continue
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
        taken.add(port)
        return port
    raise SystemExit(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


@dataclass
class Server:
    name: str
    port: int
    path: str  # where scoring requests go
    health: str
    headers: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self, command: list[str], env: dict[str, str]) -> None:
        with self.log.open("wb") as out:
            # A session of its own, so stopping it stops gunicorn's/uvicorn's workers too.
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited with {self.process.returncode}; see {self.log}:\n{self.tail()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", self.health)
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"{self.name} did not answer {self.health} within {timeout:.0f}s; see {self.log}")

    def stop(self) -> None:
        """SIGTERM to the server's whole process group, then SIGKILL to whatever of it is still running."""
        if self.process is None:
            return
        group = self.process.pid  # the session leader's id is its group's id (start_new_session)
        for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            if not running_in_group(group):
                break
            try:
                os.killpg(group, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + grace
            while running_in_group(group) and time.monotonic() < deadline:
                self.process.poll()  # reap the leader as soon as it exits
                time.sleep(0.1)
        self.process.poll()

    def problems(self) -> int:
        """Tracebacks and error lines in the server's log (the load generator only sees status codes)."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return sum(1 for line in text.splitlines() if "Traceback" in line or "ERROR" in line)

    def tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""


def group_cpu_seconds(group: int) -> float:
    """CPU seconds (user + system) used so far by the processes of ``group`` still running, and by the children
    they have reaped: what a server's processes cost, however busy the rest of the machine is."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group:
            total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / tick


def running_in_group(group: int) -> bool:
    """Whether a process of ``group`` is still running (exited, unreaped ones do not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            return True
    return False


def tessera_server(taken: set[int], workers: int, name: str, key: str, stack: str = "") -> Server:
    """``scripts/score`` as it ships, or (``stack``) the same app under another server, for comparison."""
    port = free_port(taken)
    server = Server(
        f"Tessera {stack}".strip(),
        port,
        f"/endpoints/{name}/score",
        "/healthz",
        {"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
        WORK / f"tessera{stack}.log",
    )
    env = {**os.environ, "TESSERA_SCORING_BIND": f"{HOST}:{port}", "TESSERA_SCORING_WORKERS": str(workers)}
    if stack:
        env["TESSERA_SCORING_SERVER"] = stack
    server.start([str(ROOT / "scripts" / "score")], env)
    return server


def mlflow_server(taken: set[int], workers: int, model: Path, fn: str) -> Server:
    port = free_port(taken)
    server = Server(
        f"MLflow {fn}", port, "/invocations", "/ping", {"Content-Type": "application/json"}, WORK / f"mlflow-{fn}.log"
    )
    bin_dir = Path(sys.executable).parent  # `mlflow models serve` runs `uvicorn` from PATH
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [str(bin_dir / "mlflow"), "models", "serve", "-m", str(model), "--env-manager", "local"]
    server.start([*command, "-h", HOST, "-p", str(port), "-w", str(workers), "-t", "30"], env)
    return server


@contextmanager
def running(starters: dict[str, Callable[[], Server]], timeout: float) -> Iterator[dict[str, Server]]:
    """Every server started and answering its health check; all stopped on the way out, whatever happened."""
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` runs on SIGTERM too
    servers: dict[str, Server] = {}
    try:
        for key, start in starters.items():
            servers[key] = start()
        for server in servers.values():
            server.wait_ready(timeout)
        yield servers
    finally:
        for server in servers.values():
            server.stop()
        signal.signal(signal.SIGTERM, previous)


# -- load ---------------------------------------------------------------------------------------


@dataclass
class Measured:
    """One case: ``ok`` answered 200s over ``seconds`` of wall time, and their latencies."""

    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    first_error: str = ""
    cpu_s: float = float("nan")  # CPU seconds the server's processes used meanwhile

    @property
    def cpu_ms(self) -> float:
        """Server CPU milliseconds per answered request: independent of what else the machine runs."""
        return self.cpu_s * 1000.0 / self.ok if self.ok else float("nan")

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    def summary(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "latencies_ms"}
        return out | {"rps": self.rps, "p50_ms": self.pct(0.5), "p99_ms": self.pct(0.99), "cpu_ms": self.cpu_ms}


def post(conn: http.client.HTTPConnection, server: Server, body: bytes) -> tuple[int, bytes]:
    conn.request("POST", server.path, body, server.headers)
    response = conn.getresponse()
    return response.status, response.read()  # gunicorn's sync workers close; http.client reopens on the next


def load(server: Server, payloads: list[bytes], concurrency: int, seconds: float, cap: int, timeout: float) -> Measured:
    """Closed loop: ``concurrency`` threads, one request in flight each, until ``seconds`` or ``cap`` requests."""
    tickets = itertools.count()  # next() on a count is atomic under the GIL
    lock = threading.Lock()
    total = Measured()
    started = time.perf_counter()
    deadline = started + seconds

    def client(offset: int) -> None:
        mine = Measured()
        conn = http.client.HTTPConnection(HOST, server.port, timeout=timeout)
        for i in itertools.count(offset, concurrency):
            if time.perf_counter() >= deadline or next(tickets) >= cap:
                break
            t0 = time.perf_counter()
            try:
                status, answer = post(conn, server, payloads[i % len(payloads)])
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                status, answer = 0, repr(exc).encode()
            if status == 200:
                mine.ok += 1
                mine.latencies_ms.append((time.perf_counter() - t0) * 1000.0)
            else:
                mine.errors += 1
                mine.first_error = mine.first_error or f"{status}: {answer[:300]!r}"
        conn.close()
        with lock:
            total.ok += mine.ok
            total.errors += mine.errors
            total.latencies_ms += mine.latencies_ms
            total.first_error = total.first_error or mine.first_error

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(concurrency)]
    group = server.process.pid if server.process is not None else 0
    cpu_before = group_cpu_seconds(group) if group else float("nan")
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + timeout + 5)  # bounded even if a server hangs: sockets time out too
    total.seconds = time.perf_counter() - started
    total.cpu_s = group_cpu_seconds(group) - cpu_before if group else float("nan")
    return total


def in_process(fn: Callable[[Any], Any], inputs: list[Any], seconds: float, cap: int) -> Measured:
    """One thread calling ``fn`` on each input in turn: the floor, with no HTTP and no JSON."""
    out = Measured()
    started = time.perf_counter()
    for i in itertools.count():
        if i >= cap or time.perf_counter() - started >= seconds:
            break
        t0 = time.perf_counter()
        fn(inputs[i % len(inputs)])
        out.latencies_ms.append((time.perf_counter() - t0) * 1000.0)
        out.ok += 1
    out.seconds = time.perf_counter() - started
    return out


# -- checks -------------------------------------------------------------------------------------


def check_answers(servers: dict[str, Server], trained: Trained, cases: dict[int, Bodies], timeout: float) -> str:
    """Every server gives the in-process estimator's answer for the same 100 rows."""
    import numpy as np

    from modules.library._features import prepare_features

    frame = cases[100].frames[0]
    estimator = trained.model.estimator
    features = prepare_features(frame, trained.model.feature_types)
    labels, proba = estimator.predict(features), estimator.predict_proba(features)

    def ask(server: Server, body: bytes) -> Any:
        status, answer = post(http.client.HTTPConnection(HOST, server.port, timeout=timeout), server, body)
        if status != 200:
            raise SystemExit(f"{server.name} answered {status}: {answer[:500]!r}")
        return json.loads(answer)

    rows = ask(servers["tessera"], cases[100].tessera[0])["Results"]["WebServiceOutput0"]
    np.testing.assert_array_equal([r["Scored Labels"] for r in rows], labels)
    np.testing.assert_allclose([r["Scored Probabilities"] for r in rows], proba[:, 1], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(ask(servers["predict"], cases[100].mlflow[0])["predictions"], labels)
    np.testing.assert_allclose(ask(servers["predict_proba"], cases[100].mlflow[0])["predictions"], proba, atol=1e-9)
    return (
        f"Tessera row: {len(rows[0])} fields ({len(frame.columns)} inputs + Scored Labels, Scored Probabilities); "
        f"MLflow predict row: 1 label; MLflow predict_proba row: {proba.shape[1]} probabilities"
    )


# -- report -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    batch: int  # rows per request
    concurrency: int  # client connections, one request in flight each

    @property
    def name(self) -> str:
        return f"{self.batch} row{'s' if self.batch > 1 else ''}, {self.concurrency} conn"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b and a == a and b == b else "-"


def median_of(rounds: list[dict[str, Any]], metric: str) -> float:
    values = [r[metric] for r in rounds if r[metric] == r[metric]]
    return statistics.median(values) if values else float("nan")


def spread(rounds: list[dict[str, Any]], metric: str) -> str:
    values = [r[metric] for r in rounds]
    return f"{min(values):,.2f}-{max(values):,.2f}" if values else "-"


def report(summary: dict[str, Any], args: argparse.Namespace, answers: str, machine: dict[str, Any]) -> None:
    loads = " ".join(f"{x:.1f}" for x in machine["load_averages"])
    print(
        f"\nbreast cancer, 30 numeric features, Two-Class Logistic Regression   "
        f"workers: {args.workers} per server   {args.rounds} rounds, servers interleaved, "
        f"{args.duration:g}s per server, case and round (warm-up {args.warmup:g}s)   CPUs: {machine['cpus']}   "
        f"load average (1 min) at each round: {loads}"
    )
    keys = list(summary["columns"])
    head = "".join(f"{title:>16}" for title in summary["columns"].values())
    print(f"medians of {args.rounds} rounds\n{'':22}{head}{'T / M pred':>12}{'T / M proba':>12}")
    metrics = (
        ("rps", "req/s", "{:,.0f}"),
        ("p50_ms", "p50 ms", "{:.2f}"),
        ("p99_ms", "p99 ms", "{:.2f}"),
        ("cpu_ms", "CPU ms/req", "{:.2f}"),
    )
    for case, by in summary["cases"].items():
        for metric, unit, fmt in metrics:
            cells = "".join(f"{fmt.format(by[k]['median'][metric]) if k in by else '':>16}" for k in keys)
            t, pred, proba = (by[k]["median"][metric] for k in ("tessera", "predict", "predict_proba"))
            print(f"{case + ' ' + unit:22}{cells}{ratio(t, pred):>12}{ratio(t, proba):>12}")
    print("spread over rounds (min-max), req/s and p50 ms:")
    for case, by in summary["cases"].items():
        parts = [
            f"{summary['columns'][k]}: {spread(v['rounds'], 'rps')} / {spread(v['rounds'], 'p50_ms')}"
            for k, v in by.items()
        ]
        print(f"  {case}: " + "; ".join(parts))
    first = summary["first_answer_s"]
    print(
        "first answer after the server process starts (s, median of rounds): "
        + ", ".join(
            f"{summary['columns'][k]} {statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f})" for k, v in first.items()
        )
    )
    engine = summary["engine_vs_floor"]
    print(
        "engine alone vs. the estimator floor (ms per request, medians): "
        + "; ".join(
            f"{b} row{'s' if b > 1 else ''}: engine {e['engine']:.3f} / floor {e['floor']:.3f}"
            f" = {ratio(e['engine'], e['floor'])}"
            for b, e in engine.items()
        )
    )
    errors = summary["errors"]
    print(
        "errors:",
        ", ".join(f"{k}={v}" for k, v in errors.items()) if errors else "none (every timed request answered 200)",
    )
    print("answers agree with the estimator in-process;", answers)
    print(
        "in-process = estimator.predict_proba on a ready frame (the ColumnTransformer + model, as MLflow serves it), "
        "1 thread; engine in-proc = Tessera's parse + inference pipeline + answer, 1 thread, no HTTP."
    )
    print(f"written: {RESULTS.relative_to(ROOT)}")


# -- main ---------------------------------------------------------------------------------------


def floors(trained: Trained, cases: dict[int, Bodies], args: argparse.Namespace) -> dict[int, dict[str, float]]:
    """The estimator alone, and Tessera's engine without HTTP, on the same requests: interleaved rounds,
    median milliseconds per request."""
    from designer.artifacts import artifact_store
    from designer.engine import safejson
    from designer.engine.graph import parse_graph
    from designer.engine.scoring import Limits, ScoringPipeline, parse_azure, records_json
    from modules.library._features import prepare_features
    from modules.sdk import default_registry

    pipeline = ScoringPipeline.load(parse_graph(trained.inference_document), default_registry(), artifact_store().get)
    limits = Limits(max_rows=max(BATCHES))

    def engine(body: bytes) -> str:
        # The body read as the server reads it (size, depth and duplicate-key checks), not by json.loads.
        scored = pipeline.score_traced(parse_azure(safejson.loads(body, allow_nan=True), pipeline.inputs, limits))
        return ",".join(records_json(v) for v in scored.results.values())

    estimator = trained.model.estimator
    out: dict[int, dict[str, float]] = {}
    for batch, case in cases.items():
        ready = [prepare_features(f, trained.model.feature_types) for f in case.frames]
        runs: dict[str, list[float]] = {"floor": [], "engine": []}
        for fn, inputs in ((estimator.predict_proba, ready), (engine, case.tessera)):
            in_process(fn, inputs, args.warmup, args.max_requests)
        for _ in range(max(3, args.rounds)):
            for name, fn, inputs in (("floor", estimator.predict_proba, ready), ("engine", engine, case.tessera)):
                measured = in_process(fn, inputs, 2.0, args.max_requests)
                runs[name].append(measured.seconds * 1000.0 / max(1, measured.ok))
        out[batch] = {k: statistics.median(v) for k, v in runs.items()}
    return out


def first_answer(start: Callable[[], Server], body: bytes, timeout: float) -> float:
    """Seconds from starting a server process to its first 200 answer to a scoring request."""
    started = time.monotonic()
    server = start()
    try:
        while time.monotonic() - started < timeout:
            try:
                status, _ = post(http.client.HTTPConnection(HOST, server.port, timeout=timeout), server, body)
                if status == 200:
                    return time.monotonic() - started
            except (OSError, http.client.HTTPException):
                pass
            assert server.process is not None
            if server.process.poll() is not None:
                raise SystemExit(f"{server.name} exited; see {server.log}:\n{server.tail()}")
            time.sleep(0.01)
        raise SystemExit(f"{server.name} gave no answer within {timeout:.0f}s")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2, help="worker processes per server (both servers)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads, one request in flight each")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds of timed load per server, case and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; servers take turns within each (A/B/A/B)")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="stop a case earlier after this many")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of untimed load before each case")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds one request may take")
    parser.add_argument("--startup-timeout", type=float, default=300.0, help="seconds a server may take to start")
    parser.add_argument(
        "--stacks", default="", help="also serve Tessera under these servers (comma-separated: gunicorn,granian)"
    )
    args = parser.parse_args()
    loads = [os.getloadavg()[0]]

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    trained = train()
    name, key = deploy(trained)
    models = save_mlflow_models(trained)
    bodies_by_batch = {batch: bodies(trained, batch) for batch in BATCHES}
    engine = floors(trained, bodies_by_batch, args)  # before any server runs: nothing else on the CPUs
    cases = [Case(1, args.concurrency), Case(100, args.concurrency), Case(1, 1)]

    taken: set[int] = set()
    columns = {"tessera": "Tessera"}
    starters: dict[str, Callable[[], Server]] = {
        "tessera": functools.partial(tessera_server, taken, args.workers, name, key)
    }
    for stack in [s for s in args.stacks.split(",") if s]:
        columns[f"tessera-{stack}"] = f"Tessera {stack}"
        starters[f"tessera-{stack}"] = functools.partial(tessera_server, taken, args.workers, name, key, stack)
    for fn, path in models.items():
        columns[fn] = {"predict": "MLflow pred", "predict_proba": "MLflow proba"}[fn]
        starters[fn] = functools.partial(mlflow_server, taken, args.workers, path, fn)
    rounds: dict[str, dict[str, list[dict[str, Any]]]] = {c.name: {k: [] for k in starters} for c in cases}
    try:
        with running(starters, args.startup_timeout) as servers:
            # Untimed load first, patient with each worker's first call, then the check.
            warm = functools.partial(load, seconds=args.warmup, cap=args.max_requests)
            for which, server in servers.items():
                for batch in BATCHES:
                    warm(server, bodies_by_batch[batch].payloads(which), args.concurrency, timeout=args.startup_timeout)
            answers = check_answers(servers, trained, bodies_by_batch, args.timeout)
            order = list(servers)
            for round_ in range(args.rounds):
                for case in cases:
                    # A/B/A/B: every server once per case and round, the order turned each round.
                    turn = order[round_ % len(order) :] + order[: round_ % len(order)]
                    for which in turn:
                        server, payloads = servers[which], bodies_by_batch[case.batch].payloads(which)
                        warm(server, payloads, case.concurrency, timeout=args.timeout)
                        time.sleep(0.5)  # let call recorders flush and sockets settle
                        measured = load(
                            server, payloads, case.concurrency, args.duration, args.max_requests, args.timeout
                        )
                        rounds[case.name][which].append(measured.summary())
                loads.append(os.getloadavg()[0])
        first: dict[str, list[float]] = {"tessera": [], "predict_proba": []}
        for _ in range(args.rounds):  # a fresh process each time, the two taking turns
            for which in first:
                body = bodies_by_batch[1].payloads(which)[0]
                first[which].append(first_answer(functools.partial(starters[which]), body, args.startup_timeout))
    except BaseException:
        print(f"\nserver logs and data kept in {WORK}", file=sys.stderr)
        raise
    log_problems = {k: s.problems() for k, s in servers.items()}
    if any(log_problems.values()):
        print(f"\nerrors in the server logs: {log_problems}; logs kept in {WORK}", file=sys.stderr)
    else:
        shutil.rmtree(WORK, ignore_errors=True)
    machine = {
        "cpus": os.cpu_count(),
        "load_averages": loads,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    summary: dict[str, Any] = {
        "columns": columns,
        "cases": {
            case: {
                k: {"median": {m: median_of(v, m) for m in ("rps", "p50_ms", "p99_ms", "cpu_ms")}, "rounds": v}
                for k, v in by.items()
            }
            for case, by in rounds.items()
        },
        "first_answer_s": first,
        "engine_vs_floor": engine,
        "errors": {
            f"{c} {k}": sum(r["errors"] for r in v)
            for c, by in rounds.items()
            for k, v in by.items()
            if any(r["errors"] for r in v)
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "config": vars(args),
                "machine": machine,
                "server_log_problems": log_problems,
                "versions": {
                    p: version(p) for p in ("mlflow-skinny", "scikit-learn", "gunicorn", "granian", "uvicorn", "pandas")
                },
                "model": "breast cancer (sklearn bundled), 30 numeric features, Two-Class Logistic Regression",
                "answers": answers,
                "derivation_notes": trained.notes,
                "summary": summary,
            },
            indent=2,
            default=str,
        )
    )
    report(summary, args, answers, machine)


if __name__ == "__main__":
    main()
