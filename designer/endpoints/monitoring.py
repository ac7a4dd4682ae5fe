"""Reads over call records: totals, per-bucket traffic and latency percentiles, figures, Prometheus.

Two latencies: ``latency_ms`` (in the app, from the view's start to the answer) and ``total_ms`` (on a
scoring server, from the accepted connection being handed to a thread to the answer: it includes the
wait for a free thread). ``total_*`` percentiles are over the calls that have one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db.models import Count, Q, Sum
from django.utils import timezone

from designer.engine.figures import house_figure

from .models import Endpoint, EndpointCall, EndpointSample

#: Latency histogram buckets (seconds) of the Prometheus exposition.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
MAX_CALLS = 200_000
MAX_SAMPLES = 200  # newest sampled calls a drift report reads (up to 100 rows each)
SUCCEEDED = "#1b7f45"  # the app's green and red (frontend/src/app/theme.css: --ok, --danger)
FAILED = "#c4314b"
_CARD_HEIGHT = 300  # the Monitoring tab draws these in cards of this height
_MARGIN = {"t": 16, "r": 16, "b": 40}
_LEGEND = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "traceorder": "normal"}


def _bucket_seconds(minutes: int) -> int:
    for limit, size in ((60, 60), (360, 300), (1440, 900)):
        if minutes <= limit:
            return size
    return 3600


def _percentiles(values: np.ndarray, prefix: str = "") -> dict[str, float | None]:
    values = values[~np.isnan(values)]
    if values.size == 0:
        return {f"{prefix}p50_ms": None, f"{prefix}p95_ms": None, f"{prefix}p99_ms": None}
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return {
        f"{prefix}p50_ms": round(float(p50), 3),
        f"{prefix}p95_ms": round(float(p95), 3),
        f"{prefix}p99_ms": round(float(p99), 3),
    }


def summary(endpoint: Endpoint, minutes: int, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    since = now - timedelta(minutes=minutes)
    calls = list(
        EndpointCall.objects.filter(endpoint=endpoint, at__gte=since, at__lte=now)
        .order_by("at")
        .values_list("at", "latency_ms", "status", "rows", "dropped_rows", "warning_count", "total_ms", "error_kind")[
            :MAX_CALLS
        ]
    )
    size = _bucket_seconds(minutes)
    start = since.timestamp() // size * size
    latency = np.array([c[1] for c in calls], dtype="float64")
    total = np.array([np.nan if c[6] is None else c[6] for c in calls], dtype="float64")
    stamps = np.array([c[0].timestamp() for c in calls], dtype="float64")
    failed = np.array([c[2] >= 400 for c in calls], dtype=bool)
    series = []
    edges = np.arange(start, now.timestamp() + size, size)
    which = np.searchsorted(edges, stamps, side="right") - 1 if calls else np.array([], dtype=int)
    for i, left in enumerate(edges[:-1] if len(edges) > 1 else edges):
        mask = which == i
        series.append(
            {
                "t": datetime.fromtimestamp(left, tz=timezone.get_current_timezone()).isoformat(),
                "requests": int(mask.sum()),
                "errors": int((mask & failed).sum()),
                **_percentiles(latency[mask]),
                **_percentiles(total[mask], "total_"),
            }
        )
    totals = {
        "requests": len(calls),
        "errors": int(failed.sum()),
        "rows": int(sum(c[3] for c in calls)),
        "rows_dropped": int(sum(c[4] for c in calls)),
        "calls_with_dropped_rows": sum(1 for c in calls if c[4]),
        "calls_with_warnings": sum(1 for c in calls if c[5]),
        "errors_by_kind": _by_kind(c[7] for c in calls if c[2] >= 400),
        **_percentiles(latency),
        **_percentiles(total, "total_"),
    }
    recent = list(
        EndpointCall.objects.filter(endpoint=endpoint)
        .order_by("-at", "-id")
        .values(
            "at", "status", "latency_ms", "total_ms", "rows", "error_kind", "format", "dropped_rows", "warning_count"
        )[:50]
    )
    return {
        "window": {"minutes": minutes, "bucket_seconds": size, "since": since.isoformat(), "until": now.isoformat()},
        "totals": totals,
        "series": series,
        "figures": figures(series),
        "recent": recent,
    }


def _by_kind(kinds: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind in kinds:
        counts[kind or "other"] = counts.get(kind or "other", 0) + 1
    return dict(sorted(counts.items()))


def figures(series: list[dict[str, Any]]) -> dict[str, Any]:
    """Traffic and latency over the window, in the app's chart look. No figure titles: the page's cards
    carry them ("Traffic", "Latency"), and a second title inside said the same thing again."""
    import plotly.graph_objects as go

    t = [s["t"] for s in series]
    traffic = go.Figure()
    traffic.add_bar(x=t, y=[s["requests"] - s["errors"] for s in series], name="succeeded", marker_color=SUCCEEDED)
    traffic.add_bar(x=t, y=[s["errors"] for s in series], name="errors", marker_color=FAILED)
    traffic.update_layout(barmode="stack", yaxis_title="calls", margin=_MARGIN, legend=_LEGEND)
    latency = go.Figure()
    for key, label in (("p50_ms", "p50"), ("p95_ms", "p95"), ("p99_ms", "p99")):
        latency.add_scatter(x=t, y=[s[key] for s in series], name=label, mode="lines+markers", connectgaps=False)
    if any(s["total_p95_ms"] is not None for s in series):
        latency.add_scatter(
            x=t,
            y=[s["total_p95_ms"] for s in series],
            name="p95 from accept",
            mode="lines+markers",
            line={"dash": "dot"},
            connectgaps=False,
        )
    latency.update_layout(yaxis_title="ms", margin=_MARGIN, legend=_LEGEND)
    return {name: house_figure(fig, height=_CARD_HEIGHT) for name, fig in (("traffic", traffic), ("latency", latency))}


class EndpointCollector:
    """Prometheus metrics computed from the call records, so every scoring process is counted once."""

    def collect(self) -> Any:
        from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily

        requests = CounterMetricFamily(
            "tessera_endpoint_requests", "Scoring calls by endpoint and HTTP status.", labels=["endpoint", "status"]
        )
        rows = CounterMetricFamily("tessera_endpoint_rows", "Rows scored by endpoint.", labels=["endpoint"])
        dropped = CounterMetricFamily(
            "tessera_endpoint_rows_dropped", "Request rows the pipeline removed, by endpoint.", labels=["endpoint"]
        )
        warned = CounterMetricFamily(
            "tessera_endpoint_calls_with_warnings",
            "Scoring calls whose answer carried warnings (unseen categories, out-of-range values...).",
            labels=["endpoint"],
        )
        errors = CounterMetricFamily(
            "tessera_endpoint_errors",
            "Failed scoring calls (status 400 or more) by endpoint and error kind "
            "(bad_request kinds, unauthorized, throttled, overloaded, internal...).",
            labels=["endpoint", "kind"],
        )
        counts = EndpointCall.objects.values("endpoint__name", "status").annotate(n=Count("id")).order_by()
        for c in counts:
            requests.add_metric([c["endpoint__name"], str(c["status"])], c["n"])
        kinds = (
            EndpointCall.objects.filter(status__gte=400)
            .values("endpoint__name", "error_kind")
            .annotate(n=Count("id"))
            .order_by()
        )
        for k in kinds:
            errors.add_metric([k["endpoint__name"], k["error_kind"] or "other"], k["n"])
        sums = (
            EndpointCall.objects.values("endpoint__name")
            .annotate(n=Sum("rows"), d=Sum("dropped_rows"), w=Count("id", filter=Q(warning_count__gt=0)))
            .order_by()
        )
        for r in sums:
            rows.add_metric([r["endpoint__name"]], r["n"] or 0)
            dropped.add_metric([r["endpoint__name"]], r["d"] or 0)
            warned.add_metric([r["endpoint__name"]], r["w"] or 0)
        latency = _histogram(
            HistogramMetricFamily(
                "tessera_endpoint_latency_seconds", "Scoring latency in the app by endpoint.", labels=["endpoint"]
            ),
            "latency_ms",
        )
        total = _histogram(
            HistogramMetricFamily(
                "tessera_endpoint_total_latency_seconds",
                "Scoring latency from the accepted connection to the answer, waiting for a thread included "
                "(scoring servers only), by endpoint.",
                labels=["endpoint"],
            ),
            "total_ms",
        )
        yield requests
        yield errors
        yield rows
        yield dropped
        yield warned
        yield latency
        yield total


def _histogram(family: Any, field: str) -> Any:
    """Cumulative buckets of one latency field (milliseconds in the table, seconds in the exposition)."""
    aggregates: dict[str, Any] = {
        f"le{i}": Count("id", filter=Q(**{f"{field}__lte": b * 1000})) for i, b in enumerate(BUCKETS)
    }
    per = (
        EndpointCall.objects.filter(**{f"{field}__isnull": False})
        .values("endpoint__name")
        .annotate(total=Count("id"), seconds=Sum(field), **aggregates)
        .order_by()
    )
    for p in per:
        buckets = [(str(b), p[f"le{i}"]) for i, b in enumerate(BUCKETS)] + [("+Inf", p["total"])]
        family.add_metric([p["endpoint__name"]], buckets, (p["seconds"] or 0.0) / 1000.0)
    return family


def drift(endpoint: Endpoint, minutes: int, now: datetime | None = None) -> dict[str, Any]:
    """Per input: drift of the rows sampled from recent calls against the training baseline."""
    import pandas as pd

    from designer.artifacts import artifact_store
    from designer.engine.drift import dataset_drift
    from designer.engine.graph import parse_graph
    from modules.sdk import Table

    now = now or timezone.now()
    since = now - timedelta(minutes=minutes)
    baselines = {
        str(n.params.get("name", "WebServiceInput0")): str(n.params.get("baseline", ""))
        for n in parse_graph(endpoint.document).nodes.values()
        if n.module == "web_service_input"
    }
    out: dict[str, Any] = {"window": {"minutes": minutes, "since": since.isoformat(), "until": now.isoformat()}}
    inputs = []
    for spec in endpoint.inputs:
        name = spec["name"]
        digest = baselines.get(name, "")
        rows: list[dict[str, Any]] = []
        samples = EndpointSample.objects.filter(endpoint=endpoint, input=name, at__gte=since, at__lte=now)
        for chunk in samples.order_by("-at").values_list("rows", flat=True)[:MAX_SAMPLES]:
            rows.extend(chunk)
        entry: dict[str, Any] = {"name": name}
        if any(c["type"] == "image" for c in spec["columns"]):
            entry.update(note="Drift is not measured for image inputs: their rows (the images) are not kept.")
        elif not digest:
            entry.update(error="This input has no training baseline (it was not derived from a training run).")
        else:
            baseline = Table.deserialize(artifact_store().get(digest)).df
            recent = pd.DataFrame(rows, columns=[c["name"] for c in spec["columns"]])
            entry.update(dataset_drift(spec["columns"], baseline, recent))
            entry["figure"] = drift_figure(entry["features"])
        inputs.append(entry)
    out["inputs"] = inputs
    return out


def drift_figure(features: list[dict[str, Any]]) -> dict[str, Any]:
    import plotly.graph_objects as go

    measured = [f for f in features if f["distance"] is not None]
    fig = go.Figure()
    fig.add_bar(
        x=[f["distance"] for f in measured],
        y=[f["column"] for f in measured],
        orientation="h",
        marker_color=[FAILED if f["drifted"] else SUCCEEDED for f in measured],
        hovertext=[f"{f['test']}: p = {f['p_value']:.3g}" for f in measured],
    )
    fig.update_layout(
        title="Drift by feature (red: drifted)",
        xaxis_title="normalised Wasserstein / Jensen-Shannon distance",
        yaxis={"autorange": "reversed"},
        margin={"t": 40, "r": 16},
    )
    return house_figure(fig, height=max(260, 22 * len(measured) + 100))
