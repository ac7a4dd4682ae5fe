"""Plotly figures for the inspector, built on the server and drawn as they are by plotly.js in the browser.

Two families: the distribution of one table column, and the charts of an Evaluate Model output
(ROC, precision-recall, confusion matrix, metrics by threshold; predicted against actual and
residuals). Every figure leaves as a plain JSON dict (no NaN, no numpy, no base64 arrays) in one
house look sized for a ~600x380 panel. Bins and counts are computed here with NumPy, so a column
of a million rows travels as a few dozen numbers.

Plain Python: no Django, and plotly is imported inside functions so importing the engine stays fast.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from modules.sdk import dtype_of

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import plotly.graph_objects as go

Figure = dict[str, Any]

PANEL_HEIGHT = 380
FONT = '"Segoe UI", system-ui, -apple-system, Roboto, "Helvetica Neue", Arial, sans-serif'
TEXT = "#242424"
AXIS = "#8a8886"
GRID = "#edebe9"
ACCENT = "#1f62d0"  # the first (or only) series: the left input of Evaluate Model
COMPARE = "#d9730d"  # the second series: the right input
NEUTRAL = "#8a8886"  # reference lines (chance, y = x, zero)
MUTED = "#b3b0ad"  # the "other" bar
SERIES = (ACCENT, COMPARE, "#107c10", "#8764b8", "#c50f1f", "#038387")
HEAT = ((0.0, "#f5f9fd"), (1.0, ACCENT))
LABEL_CHARS = 40
ANNOTATE_CELLS_UP_TO = 12  # classes; beyond that the numbers in the cells are unreadable

_NUMERIC = ("integer", "number")
_THRESHOLD_METRICS = ("Accuracy", "Precision", "Recall", "F1 Score")
_SHORT = {"F1 Score": "F1"}  # in the threshold chart's title, where width is short


# -- one column ---------------------------------------------------------------------------------------


def column_figure(df: pd.DataFrame, column: str, *, bins: int = 30, top: int = 20) -> Figure:
    """The distribution of ``column``: a histogram of numbers or times, else a bar chart of the commonest values.

    Missing values are left out and counted in the title; for text columns the values beyond the
    ``top`` commonest are summed into one "other" bar. Raises ``KeyError`` naming the available
    columns when ``column`` is not one of them.
    """
    if bins < 1 or top < 1:
        raise ValueError(f"bins and top must be at least 1 (got bins={bins}, top={top})")
    names = [str(c) for c in df.columns]
    if column not in names:
        raise KeyError(f"no column {column!r} (available: {', '.join(names) or 'none'})")
    series = df.iloc[:, names.index(column)]
    kind = dtype_of(series)
    if kind in _NUMERIC:
        return _numeric_histogram(series, column, bins, integer=kind == "integer")
    if kind == "datetime":
        return _datetime_histogram(series, column, bins)
    return _top_values(series, column, top)


def _numeric_histogram(series: pd.Series, column: str, bins: int, *, integer: bool) -> Figure:
    import numpy as np

    values = series.to_numpy(dtype="float64", na_value=np.nan)
    finite = values[np.isfinite(values)]
    left_out = _counted([(int(np.isnan(values).sum()), "missing"), (int(np.isinf(values).sum()), "infinite")])
    edges = histogram_edges(finite, bins, integer=integer)
    counts = np.histogram(finite, bins=edges)[0] if finite.size else np.array([], dtype=int)
    one_per_value = integer and edges.size > 1 and bool(np.all(np.diff(edges) == 1.0))
    if one_per_value:  # a bar per whole number, labelled with the number itself
        fig = _bars_over_bins(edges, counts, hover="%{x}", fill=0.8)
        xaxis = {"title": {"text": column}, "dtick": 1 if edges.size <= 16 else None}
    else:
        fig = _bars_over_bins(edges, counts, hover="%{customdata[0]:.4~g} to %{customdata[1]:.4~g}")
        xaxis = {"title": {"text": column}}
    fig.update_layout(title=_title(column, left_out), xaxis=xaxis, yaxis={"title": {"text": "Rows"}})
    return _plain(fig)


def histogram_edges(values: np.ndarray, bins: int, *, integer: bool = False) -> np.ndarray:
    """NumPy's ``bins`` equal-width edges; whole numbers spanning fewer than ``bins`` values get one bin each."""
    import numpy as np

    if not values.size:
        return np.array([], dtype="float64")
    low, high = float(values.min()), float(values.max())
    if integer and high - low + 1 <= bins:
        return np.arange(low - 0.5, high + 1.5, 1.0)
    return np.histogram_bin_edges(values, bins=bins)


def _datetime_histogram(series: pd.Series, column: str, bins: int) -> Figure:
    import numpy as np
    import pandas as pd
    import plotly.graph_objects as go

    present = series.dropna()
    if getattr(present.dt, "tz", None) is not None:
        present = present.dt.tz_convert("UTC").dt.tz_localize(None)
    ns = present.to_numpy(dtype="datetime64[ns]").astype("int64").astype("float64")
    edges = np.histogram_bin_edges(ns, bins=bins) if ns.size else np.array([], dtype="float64")
    counts = np.histogram(ns, bins=edges)[0] if ns.size else np.array([], dtype=int)
    starts = [pd.Timestamp(int(e)).isoformat() for e in edges[:-1]]
    ends = [pd.Timestamp(int(e)).isoformat() for e in edges[1:]]
    centers = [pd.Timestamp(int(c)).isoformat() for c in (edges[:-1] + edges[1:]) / 2]
    fig = go.Figure(
        go.Bar(
            x=centers,
            y=counts.tolist(),
            width=(np.diff(edges) / 1e6).tolist(),  # a date axis measures widths in milliseconds
            customdata=[[s, e] for s, e in zip(starts, ends, strict=True)],
            marker={"color": ACCENT, "line": {"color": "white", "width": 0.5}},
            hovertemplate="%{customdata[0]} to %{customdata[1]}<br>%{y:,} rows<extra></extra>",
            name=column,
        )
    )
    fig.update_layout(
        title=_title(column, _counted([(len(series) - len(present), "missing")])),
        xaxis={"title": {"text": column}, "type": "date"},
        yaxis={"title": {"text": "Rows"}},
    )
    return _plain(fig)


def _top_values(series: pd.Series, column: str, top: int) -> Figure:
    import plotly.graph_objects as go

    try:
        counts = series.value_counts(dropna=True)
    except TypeError:  # unhashable values (lists, dicts) are counted by their text
        counts = series.dropna().astype(str).value_counts()
    counts = counts[counts > 0]
    shown, rest = counts.iloc[:top], counts.iloc[top:]
    labels = [_label(v) for v in shown.index]
    values = [int(c) for c in shown.tolist()]
    colours = [ACCENT] * len(values)
    if len(rest):
        labels.append(f"other ({len(rest):,} values)")
        values.append(int(rest.sum()))
        colours.append(MUTED)
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker={"color": colours},
            hovertemplate="%{y}<br>%{x:,} rows<extra></extra>",
            name=column,
        )
    )
    heading = f"{column}: top {len(shown)} of {len(counts):,} values" if len(rest) else column
    fig.update_layout(
        title=_title(heading, _counted([(int(series.isna().sum()), "missing")])),
        xaxis={"title": {"text": "Rows"}},
        yaxis={"type": "category", "autorange": "reversed", "tickfont": {"size": 11 if len(labels) > 12 else 12}},
        bargap=0.2 if len(labels) > 5 else 0.45,  # a few categories make slimmer bars, not slabs
    )
    return _plain(fig)


# -- Evaluate Model -----------------------------------------------------------------------------------


def evaluation_figures(
    metrics_values: dict[str, Any], task: str, detail: dict[str, Any], names: list[str] | None = None
) -> dict[str, Figure]:
    """The charts of an Evaluate Model output, by name; a connected second input is drawn over the first.

    ``names`` name the models in legends and titles, first input first (their learners, say); without
    them the inputs are "scored dataset", or "left input" and "right input".

    Binary: ``roc``, ``precision_recall``, ``confusion_matrix``, ``threshold`` (with a slider that shows
    every metric and count at the threshold it points at), ``lift``. Regression:
    ``predicted_vs_actual``, ``residuals``. Multiclass: ``confusion_matrix``. A chart whose data the
    output does not hold is left out, so the result may be empty.
    """
    series = _series(metrics_values, detail, names)
    if task == "binary":
        charts = {
            "roc": _roc(series),
            "precision_recall": _precision_recall(series),
            "confusion_matrix": _confusion(series, f"Confusion matrix at threshold {_threshold(metrics_values):g}"),
            "threshold": _by_threshold(series, metrics_values),
            "lift": _lift(series),
        }
    elif task == "regression":
        charts = {"predicted_vs_actual": _predicted_vs_actual(series), "residuals": _residuals(series)}
    elif task == "multiclass":
        charts = {"confusion_matrix": _confusion(series, "Confusion matrix")}
    elif task == "logged":
        return logged_figures(detail)
    else:
        charts = {}
    return {name: _plain(fig) for name, fig in charts.items() if fig is not None}


class _Series:
    """One scored input of Evaluate Model as drawn: its legend name, colour, metrics and detail."""

    def __init__(self, name: str, colour: str, values: dict[str, Any], detail: dict[str, Any]) -> None:
        self.name, self.colour, self.values, self.detail = name, colour, values, detail


def _series(values: dict[str, Any], detail: dict[str, Any], names: list[str] | None) -> list[_Series]:
    compare = detail.get("compare")
    if not isinstance(compare, dict):
        return [_Series(names[0] if names else "scored dataset", ACCENT, values, detail)]
    first, second = names if names and len(names) == 2 else ("left input", "right input")
    return [
        _Series(first, ACCENT, values, detail),
        _Series(second, COMPARE, compare.get("values") or {}, compare.get("detail") or {}),
    ]


def _short(name: str) -> str:
    """ "left" for "left input"; a learner's name as it is."""
    return name.split()[0] if name in ("left input", "right input") else name


def _threshold(values: dict[str, Any]) -> float:
    threshold = values.get("Threshold")
    return float(threshold) if isinstance(threshold, int | float) else 0.5


def _roc(series: list[_Series]) -> go.Figure | None:
    import plotly.graph_objects as go

    drawn = [s for s in series if "roc_curve" in s.detail]
    if not drawn:
        return None
    fig = go.Figure()
    for s in drawn:
        curve = s.detail["roc_curve"]
        fig.add_trace(
            go.Scatter(
                x=curve["fpr"],
                y=curve["tpr"],
                customdata=curve.get("thresholds"),
                mode="lines",
                line={"color": s.colour, "width": 2},
                name=s.name,
                hovertemplate="false positive rate %{x:.3f}<br>true positive rate %{y:.3f}"
                "<br>threshold %{customdata:.3f}<extra>" + s.name + "</extra>",
            )
        )
    fig.add_trace(_reference_line([0, 1], [0, 1], "chance"))
    auc = " vs ".join(f"{_number(s.values.get('AUC'))} ({_short(s.name)})" for s in drawn)
    if len(series) == 1:
        auc = _number(series[0].values.get("AUC"))
    fig.update_layout(
        title=f"ROC curve · AUC {auc}",
        xaxis={"title": {"text": "False positive rate"}, "range": [-0.02, 1.02]},
        yaxis={"title": {"text": "True positive rate"}, "range": [-0.02, 1.02]},
        legend=_legend_inside("right", "bottom"),
    )
    return fig


def _precision_recall(series: list[_Series]) -> go.Figure | None:
    import plotly.graph_objects as go

    drawn = [s for s in series if "precision_recall_curve" in s.detail]
    if not drawn:
        return None
    fig = go.Figure()
    for s in drawn:
        curve = s.detail["precision_recall_curve"]
        fig.add_trace(
            go.Scatter(
                x=curve["recall"],
                y=curve["precision"],
                mode="lines",
                line={"color": s.colour, "width": 2},
                name=s.name,
                hovertemplate="recall %{x:.3f}<br>precision %{y:.3f}<extra>" + s.name + "</extra>",
            )
        )
    base = _positive_rate(drawn[0].detail)
    if base is not None:
        fig.add_trace(_reference_line([0, 1], [base, base], f"all positive ({base:.2f})"))
    fig.update_layout(
        title="Precision-recall curve",
        xaxis={"title": {"text": "Recall"}, "range": [-0.02, 1.02]},
        yaxis={"title": {"text": "Precision"}, "range": [-0.02, 1.02]},
        legend=_legend_inside("left", "bottom"),
    )
    return fig


def _positive_rate(detail: dict[str, Any]) -> float | None:
    """Share of actual positives (the precision of predicting every row positive), from the 2x2 matrix."""
    matrix = (detail.get("confusion_matrix") or {}).get("matrix")
    if not matrix or len(matrix) != 2:
        return None
    total = sum(sum(row) for row in matrix)
    return sum(matrix[1]) / total if total else None


def _confusion(series: list[_Series], title: str) -> go.Figure | None:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    drawn = [s for s in series if (s.detail.get("confusion_matrix") or {}).get("matrix")]
    if not drawn:
        return None
    if len(drawn) == 1:
        fig = go.Figure()
    else:
        fig = make_subplots(rows=1, cols=len(drawn), subplot_titles=[s.name for s in drawn], horizontal_spacing=0.16)
        fig.update_annotations(font={"size": 12, "color": TEXT}, yshift=4)
    for col, s in enumerate(drawn, start=1):
        cm = s.detail["confusion_matrix"]
        labels = [_label(v) for v in cm["labels"]]
        matrix = [[int(v) for v in row] for row in cm["matrix"]]
        shares = [[v / sum(row) if sum(row) else 0.0 for v in row] for row in matrix]
        annotate = len(labels) <= ANNOTATE_CELLS_UP_TO
        heat = go.Heatmap(
            z=matrix,
            x=labels,
            y=labels,
            customdata=shares,
            colorscale=[list(stop) for stop in HEAT],
            showscale=False,
            xgap=2,
            ygap=2,
            texttemplate="%{z:,}" if annotate else None,
            textfont={"size": 14 if len(labels) <= 4 else 11},
            name=s.name,
            hovertemplate="actual %{y}<br>predicted %{x}<br>%{z:,} rows (%{customdata:.1%} of actual %{y})"
            "<extra></extra>",
        )
        axes = {"row": 1, "col": col} if len(drawn) > 1 else {}
        fig.add_trace(heat, **axes)
        cells = {"type": "category", "showgrid": False, "showline": False, "ticks": ""}
        fig.update_xaxes(title={"text": "Predicted"}, **cells, **axes)
        fig.update_yaxes(title={"text": "Actual" if col == 1 else ""}, autorange="reversed", **cells, **axes)
    fig.update_layout(title=title, margin={"t": 64} if len(drawn) > 1 else {})
    return fig


def _by_threshold(series: list[_Series], values: dict[str, Any]) -> go.Figure | None:
    import plotly.graph_objects as go

    table = series[0].detail.get("threshold_table")
    if not table:
        return None
    thresholds = [row["threshold"] for row in table]
    fig = go.Figure()
    for metric, colour in zip(_THRESHOLD_METRICS, SERIES, strict=False):
        fig.add_trace(
            go.Scatter(
                x=thresholds,
                y=[row.get(metric) for row in table],
                mode="lines",
                line={"color": colour, "width": 2},
                name=metric,
                hovertemplate="threshold %{x:.2f}<br>" + metric + " %{y:.3f}<extra></extra>",
            )
        )
    chosen = _threshold(values)
    fig.add_vline(x=chosen, line={"color": NEUTRAL, "dash": "dash", "width": 1})
    suffix = f" ({series[0].name})" if len(series) > 1 else ""
    nearest = min(range(len(thresholds)), key=lambda i: abs(thresholds[i] - chosen))
    fig.update_layout(
        title=_at(table[nearest], suffix),
        xaxis={"title": {"text": "Threshold"}, "range": [0, 1]},
        yaxis={"title": {"text": "Score"}, "range": [-0.02, 1.02]},
        legend=_legend_inside("left", "bottom"),
        # The slider moves the line and recomputes the title from the table: every metric and count there.
        sliders=[
            {
                "active": nearest,
                "currentvalue": {"prefix": "threshold ", "font": {"size": 11}},
                "pad": {"t": 36},
                "len": 1.0,
                "steps": [
                    {
                        "label": f"{t:.2f}",
                        "method": "relayout",
                        "args": [{"shapes[0].x0": t, "shapes[0].x1": t, "title.text": _at(row, suffix)}],
                    }
                    for t, row in zip(thresholds, table, strict=True)
                ],
            }
        ],
        margin={"t": 84, "b": 110},
    )
    return fig


def _at(row: dict[str, Any], suffix: str) -> str:
    """The metrics and counts of one threshold-table row, as a chart title: the threshold, then the metrics
    and the counts on short lines of their own, so the title fits a panel a third of a screen wide (one
    line of all of it was cut off at the right edge)."""
    metrics = " · ".join(
        f"{_SHORT.get(m, m)} {_number(row.get(m))}" for m in _THRESHOLD_METRICS if row.get(m) is not None
    )
    counts = [row.get(k) for k in ("True Positives", "False Positives", "True Negatives", "False Negatives")]
    tally = (
        f"<br><sup>TP {counts[0]} · FP {counts[1]} · TN {counts[2]} · FN {counts[3]}</sup>"
        if None not in counts
        else ""
    )
    return f"At threshold {row['threshold']:.2f}{suffix}<br><sup>{metrics}</sup>{tally}"


def _lift(series: list[_Series]) -> go.Figure | None:
    """Lift against the share of rows targeted (highest scores first), from the ROC curve and base rate."""
    import plotly.graph_objects as go

    fig = go.Figure()
    drawn = 0
    for s in series:
        curve, base = s.detail.get("roc_curve"), _positive_rate(s.detail)
        if not curve or not base:
            continue
        points = []
        for fpr, tpr in zip(curve["fpr"], curve["tpr"], strict=True):
            targeted = tpr * base + fpr * (1 - base)
            if targeted > 0:
                points.append((targeted, tpr / targeted))
        if not points:
            continue
        drawn += 1
        fig.add_trace(
            go.Scatter(
                x=[p[0] for p in points],
                y=[p[1] for p in points],
                mode="lines",
                line={"color": s.colour, "width": 2},
                name=s.name,
                hovertemplate="%{x:.0%} of rows targeted<br>lift %{y:.2f}<extra></extra>",
            )
        )
    if not drawn:
        return None
    fig.add_trace(_reference_line([0, 1], [1, 1], "no model (lift 1)"))
    fig.update_layout(
        title="Lift",
        xaxis={
            "title": {"text": "Share of rows targeted (highest scores first)"},
            "range": [0, 1],
            "tickformat": ".0%",
        },
        yaxis={"title": {"text": "Lift over the base rate"}},
        legend=_legend_inside("right", "top"),
        showlegend=drawn > 1,
    )
    return fig


def _predicted_vs_actual(series: list[_Series]) -> go.Figure | None:
    import plotly.graph_objects as go

    drawn = [(s, _pairs(s.detail)) for s in series if (s.detail.get("sample") or {}).get("actual")]
    if not drawn:
        return None
    fig = go.Figure()
    for s, (actual, predicted) in drawn:
        fig.add_trace(
            go.Scatter(
                x=actual,
                y=predicted,
                mode="markers",
                marker={"color": s.colour, "size": 6, "opacity": 0.6},
                name=s.name,
                hovertemplate="actual %{x:.4~g}<br>predicted %{y:.4~g}<extra>" + s.name + "</extra>",
            )
        )
    every = [v for _, (a, p) in drawn for v in (*a, *p)]
    low, high = (min(every), max(every)) if every else (0.0, 1.0)
    fig.add_trace(_reference_line([low, high], [low, high], "y = x"))
    r2 = " vs ".join(_number(s.values.get("Coefficient of Determination")) for s, _ in drawn)
    first = drawn[0][0].detail
    note = ""
    if first.get("rows") and len(drawn[0][1][0]) < first["rows"]:
        note = f" ({len(drawn[0][1][0]):,} of {first['rows']:,} rows)"
    fig.update_layout(
        title=f"Predicted vs actual · R² {r2}{note}",
        xaxis={"title": {"text": "Actual"}},
        yaxis={"title": {"text": "Predicted"}},
        legend=_legend_inside("left", "top"),
    )
    return fig


def _residuals(series: list[_Series]) -> go.Figure | None:
    import numpy as np
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    drawn = [(s, _pairs(s.detail)) for s in series if (s.detail.get("sample") or {}).get("actual")]
    if not drawn:
        return None
    residuals = [np.asarray(a, dtype="float64") - np.asarray(p, dtype="float64") for _, (a, p) in drawn]
    edges = histogram_edges(np.concatenate(residuals), 30)
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, column_widths=[0.72, 0.28], horizontal_spacing=0.03)
    for (s, (_, predicted)), residual in zip(drawn, residuals, strict=True):
        fig.add_trace(
            go.Scatter(
                x=predicted,
                y=residual.tolist(),
                mode="markers",
                marker={"color": s.colour, "size": 6, "opacity": 0.6},
                name=s.name,
                legendgroup=s.name,
                hovertemplate="predicted %{x:.4~g}<br>residual %{y:.4~g}<extra>" + s.name + "</extra>",
            ),
            row=1,
            col=1,
        )
        counts = np.histogram(residual, bins=edges)[0] if edges.size else np.array([], dtype=int)
        fig.add_trace(
            go.Bar(
                x=counts.tolist(),
                y=((edges[:-1] + edges[1:]) / 2).tolist(),
                width=np.diff(edges).tolist(),
                orientation="h",
                marker={"color": s.colour, "opacity": 0.6 if len(drawn) > 1 else 1.0},
                name=s.name,
                legendgroup=s.name,
                showlegend=False,
                customdata=np.column_stack([edges[:-1], edges[1:]]).tolist() if edges.size else [],
                hovertemplate="residual %{customdata[0]:.4~g} to %{customdata[1]:.4~g}<br>%{x:,} rows"
                "<extra>" + s.name + "</extra>",
            ),
            row=1,
            col=2,
        )
    fig.add_hline(y=0, line={"color": NEUTRAL, "dash": "dash", "width": 1}, row=1, col=1)
    fig.update_xaxes(title={"text": "Predicted"}, row=1, col=1)
    fig.update_xaxes(title={"text": "Rows"}, row=1, col=2)
    fig.update_yaxes(title={"text": "Residual"}, row=1, col=1)
    fig.update_layout(
        title="Residuals (actual − predicted)",
        barmode="overlay",
        bargap=0.04,
        showlegend=len(drawn) > 1,
        legend=_legend_inside("left", "top"),
    )
    return fig


def _pairs(detail: dict[str, Any]) -> tuple[list[float], list[float]]:
    """The sample's (actual, predicted) pairs where both are finite numbers."""
    sample = detail.get("sample") or {}
    pairs = [
        (float(a), float(p))
        for a, p in zip(sample.get("actual") or [], sample.get("predicted") or [], strict=False)
        if _finite(a) and _finite(p)
    ]
    return [a for a, _ in pairs], [p for _, p in pairs]


# -- the house look -----------------------------------------------------------------------------------


def _template() -> go.layout.Template:
    import plotly.graph_objects as go

    axis = {
        "gridcolor": GRID,
        "linecolor": AXIS,
        "showline": True,
        "zeroline": False,
        "ticks": "outside",
        "tickcolor": AXIS,
        "ticklen": 4,
        "automargin": True,
        "title": {"standoff": 8, "font": {"size": 12}},
    }
    return go.layout.Template(
        layout={
            "font": {"family": FONT, "size": 12, "color": TEXT},
            "title": {"x": 0.01, "xanchor": "left", "font": {"size": 14}},
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
            "colorway": list(SERIES),
            "xaxis": axis,
            "yaxis": axis,
            "legend": {"bgcolor": "rgba(255,255,255,0.85)", "font": {"size": 11}},
            "hoverlabel": {"font": {"family": FONT, "size": 12}},
            "margin": {"l": 56, "r": 16, "t": 44, "b": 44, "pad": 0},
        }
    )


def _plain(fig: go.Figure) -> Figure:
    """The figure in the house look as plain JSON (NaN becomes null, arrays become lists)."""
    return house_figure(fig)


def house_figure(fig: go.Figure, height: int = PANEL_HEIGHT) -> Figure:
    """Any server-built figure in the app's look (font, white plot, light grid, series colours) as plain
    JSON: the evaluation and column charts use it, and so do other apps' charts (endpoint monitoring)."""
    import plotly.io as pio

    fig.update_layout(template=_template(), autosize=True, height=height)
    plain: Figure = json.loads(pio.to_json(fig, validate=False))
    return plain


def _bars_over_bins(edges: np.ndarray, counts: np.ndarray, *, hover: str, fill: float = 1.0) -> go.Figure:
    """A histogram drawn as bars over precomputed bins (each bar spans ``fill`` of its bin, centred)."""
    import numpy as np
    import plotly.graph_objects as go

    centers = ((edges[:-1] + edges[1:]) / 2).tolist() if edges.size else []
    return go.Figure(
        go.Bar(
            x=centers,
            y=[int(c) for c in counts],
            width=(np.diff(edges) * fill).tolist() if edges.size else [],
            customdata=np.column_stack([edges[:-1], edges[1:]]).tolist() if edges.size else [],
            marker={"color": ACCENT, "line": {"color": "white", "width": 0.5}},
            hovertemplate=hover + "<br>%{y:,} rows<extra></extra>",
        )
    )


def _reference_line(x: Sequence[float], y: Sequence[float], name: str) -> go.Scatter:
    import plotly.graph_objects as go

    return go.Scatter(
        x=list(x),
        y=list(y),
        mode="lines",
        line={"color": NEUTRAL, "dash": "dash", "width": 1},
        name=name,
        hoverinfo="skip",
    )


def _legend_inside(x: str, y: str) -> dict[str, Any]:
    return {
        "x": 0.98 if x == "right" else 0.02,
        "xanchor": x,
        "y": 0.02 if y == "bottom" else 0.98,
        "yanchor": y,
        "bordercolor": GRID,
        "borderwidth": 1,
    }


def _title(text: str, note: str) -> str:
    return f"{text} ({note})" if note else text


def _counted(parts: list[tuple[int, str]]) -> str:
    """``"3 missing, 1 infinite left out"`` for the non-zero counts, ``""`` when all are zero."""
    said = [f"{n:,} {what}" for n, what in parts if n]
    return f"{', '.join(said)} left out" if said else ""


def _label(value: Any) -> str:
    text = "(none)" if value is None else str(value.item() if hasattr(value, "item") else value)
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _number(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, int | float) and math.isfinite(value) else "n/a"


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# -- figures of special tables: sweeps, feature scores, cluster assignments -----------------------

ASSIGNMENTS = "Assignments"


def table_figures(df: pd.DataFrame, meta: dict[str, Any]) -> dict[str, Figure]:
    """The charts a table of a known kind has beyond per-column ones (empty for an ordinary table)."""
    figures: dict[str, Figure] = {}
    sweep = meta.get("sweep")
    if isinstance(sweep, dict) and sweep.get("metric") in df.columns:
        figures.update(sweep_figures(df, sweep))
    if list(df.columns[:2]) == ["Feature", "Score"]:
        figures["feature_scores"] = feature_score_figure(df)
    if ASSIGNMENTS in df.columns:
        projection = cluster_projection(df)
        if projection is not None:
            figures["clusters"] = projection
    return figures


def sweep_figures(df: pd.DataFrame, sweep: dict[str, Any]) -> dict[str, Figure]:
    """The ranking metric per trial with the best so far, and against each swept parameter."""
    import pandas as pd
    import plotly.graph_objects as go

    metric = str(sweep["metric"])
    higher = bool(sweep.get("higher_is_better", True))
    trial_column = str(sweep.get("trial_column", "Trial"))
    best = sweep.get("best_trial")
    ordered = df.sort_values(trial_column) if trial_column in df.columns else df
    trials = ordered[trial_column].tolist() if trial_column in ordered.columns else list(range(1, len(df) + 1))
    values = pd.to_numeric(ordered[metric], errors="coerce")
    running = values.cummax() if higher else values.cummin()
    note = "" if higher else " (lower is better)"
    figures: dict[str, Figure] = {}
    by_trial = go.Figure()
    colours = [ACCENT if t == best else MUTED for t in trials]
    by_trial.add_scatter(x=trials, y=values.tolist(), mode="markers", name=metric, marker={"color": colours, "size": 9})
    by_trial.add_scatter(
        x=trials, y=running.tolist(), mode="lines", name="best so far", line={"shape": "hv", "color": ACCENT}
    )
    by_trial.update_layout(
        title=f"{metric} by trial{note}",
        xaxis_title="trial",
        yaxis_title=metric,
        legend=_legend_inside("right", "bottom"),
    )
    figures["sweep_by_trial"] = _plain(by_trial)
    for parameter in sweep.get("parameters", []):
        if parameter not in df.columns:
            continue
        fig = go.Figure()
        x = ordered[parameter]
        categorical = not pd.api.types.is_numeric_dtype(x) or pd.api.types.is_bool_dtype(x)
        fig.add_scatter(
            x=[str(v) for v in x] if categorical else x.tolist(),
            y=values.tolist(),
            mode="markers",
            marker={"color": colours, "size": 9},
            name=metric,
            hovertext=[f"trial {t}" for t in trials],
        )
        fig.update_layout(
            title=f"{metric} by {parameter}{note}", xaxis_title=parameter, yaxis_title=metric, showlegend=False
        )
        if categorical:
            fig.update_xaxes(type="category")
        figures[f"sweep_{_key(str(parameter))}"] = _plain(fig)
    return figures


def feature_score_figure(df: pd.DataFrame, top: int = 40) -> Figure:
    """Horizontal bars of feature scores, best at the top (the table is already ordered best first)."""
    import pandas as pd
    import plotly.graph_objects as go

    shown = df.head(top)
    selected = shown["Selected"].tolist() if "Selected" in shown.columns else [True] * len(shown)
    fig = go.Figure()
    fig.add_bar(
        x=pd.to_numeric(shown["Score"], errors="coerce").tolist(),
        y=[_label(f) for f in shown["Feature"]],
        orientation="h",
        marker_color=[ACCENT if s else MUTED for s in selected],
    )
    more = f" (best {top} of {len(df)})" if len(df) > top else ""
    fig.update_layout(
        title=f"Feature scores{more}", xaxis_title="score", yaxis={"autorange": "reversed"}, showlegend=False
    )
    plain = _plain(fig)
    plain["layout"]["height"] = max(PANEL_HEIGHT, 24 * len(shown) + 90)
    return plain


def cluster_projection(df: pd.DataFrame, max_points: int = 5000) -> Figure | None:
    """The rows projected on their first two principal components, coloured by assigned cluster."""
    import numpy as np
    import plotly.graph_objects as go

    features = df.drop(
        columns=[c for c in df.columns if c == ASSIGNMENTS or str(c).startswith("DistancesToClusterCenter")]
    )
    numeric = features.select_dtypes("number")
    if numeric.shape[1] < 2 or len(df) < 3:
        return None
    sample = numeric.head(max_points).to_numpy(dtype="float64")
    sample = np.where(np.isnan(sample), np.nanmean(sample, axis=0), sample)
    centred = sample - sample.mean(axis=0)
    scale = centred.std(axis=0)
    centred = centred / np.where(scale > 0, scale, 1.0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    points = centred @ vt[:2].T
    clusters = df[ASSIGNMENTS].head(max_points).tolist()
    fig = go.Figure()
    for i, cluster in enumerate(sorted(set(clusters), key=str)):
        mask = np.array([c == cluster for c in clusters])
        fig.add_scatter(
            x=points[mask, 0].tolist(),
            y=points[mask, 1].tolist(),
            mode="markers",
            name=f"cluster {cluster} ({int(mask.sum())})",
            marker={"color": SERIES[i % len(SERIES)], "size": 6, "opacity": 0.75},
        )
    shown = f" ({max_points} of {len(df)} rows)" if len(df) > max_points else ""
    fig.update_layout(
        title=f"Clusters on the first two principal components{shown}", xaxis_title="PC1", yaxis_title="PC2"
    )
    return _plain(fig)


def _key(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text.lower()).strip("_")


_EPOCH_LINE = re.compile(r"^\s*(?:\[[^\]]*\]\s*)?epoch (\d+)/\d+:\s*(.+?)\s*$")  # "[12:00:01] " from the worker
_EPOCH_VALUE = re.compile(r"([a-z][a-z ]*?)\s+(-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|nan|inf|-inf)$")


def curve_from_log(text: str) -> list[dict[str, Any]]:
    """The per-epoch points of a training log, as ``training_figure`` draws them.

    Reads the lines ``epoch 3/12: train loss 0.4123, train accuracy 0.8500, ...`` that Train PyTorch
    Model logs after every epoch, bare or behind the worker's ``[HH:MM:SS]`` stamp; every other line
    (batch losses, warnings) is ignored. A value that
    is not finite is kept as ``None``; a later line for the same epoch replaces an earlier one.
    """
    points: dict[int, dict[str, Any]] = {}
    for line in (text or "").splitlines():
        match = _EPOCH_LINE.match(line)
        if match is None:
            continue
        point: dict[str, Any] = {"epoch": int(match.group(1))}
        for part in match.group(2).split(","):
            value = _EPOCH_VALUE.match(part.strip())
            if value is None:
                continue
            number = float(value.group(2))
            point[value.group(1).strip().replace(" ", "_")] = number if math.isfinite(number) else None
        if len(point) > 1:
            points[point["epoch"]] = point
    return [points[epoch] for epoch in sorted(points)]


# -- values a script logged (tessera.log_metric / log_image) ----------------------------------------------


def logged_figures(detail: dict[str, Any]) -> dict[str, Figure]:
    """A script's Logged values: a line chart per metric logged at two steps or more (``metric:<name>``),
    then each Plotly figure it logged as it was (``image:<name>``); PNG images are shown by the browser."""
    import plotly.graph_objects as go

    charts: dict[str, Figure] = {}
    for i, (name, points) in enumerate(sorted((detail.get("series") or {}).items())):
        if not isinstance(points, list) or len(points) < 2:
            continue
        fig = go.Figure(
            go.Scatter(
                x=[p[0] for p in points],
                y=[p[1] for p in points],
                mode="lines+markers" if len(points) <= 50 else "lines",
                name=name,
                line={"color": SERIES[i % len(SERIES)]},
            )
        )
        fig.update_layout(title=name, showlegend=False)
        fig.update_xaxes(title_text="step")
        charts[f"metric:{name}"] = _plain(fig)
    for name, image in sorted((detail.get("images") or {}).items()):
        if isinstance(image, dict) and image.get("format") == "plotly" and isinstance(image.get("figure"), dict):
            charts[f"image:{name}"] = image["figure"]
    return charts


def training_figure(training: dict[str, Any]) -> Figure | None:
    """Loss and accuracy per epoch of a trained network (training and validation), best epoch marked."""
    from plotly.subplots import make_subplots

    curve = training.get("curve") or []
    if not curve:
        return None
    epochs = [p["epoch"] for p in curve]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Loss", "Accuracy"))
    for column, key in ((1, "loss"), (2, "accuracy")):
        for part, colour in (("train", ACCENT), ("validation", COMPARE)):
            name = f"{part}_{key}"
            if name in curve[0]:
                fig.add_scatter(
                    x=epochs,
                    y=[p.get(name) for p in curve],
                    mode="lines+markers",
                    name=part,
                    line={"color": colour},
                    legendgroup=part,
                    showlegend=column == 1,
                    row=1,
                    col=column,
                )
    best = training.get("best_epoch")
    if best:
        fig.add_vline(x=best, line={"color": NEUTRAL, "dash": "dash", "width": 1})
    stop = " · stopped early" if training.get("stopped_early") else ""
    fig.update_layout(title=f"Training curve{f' · best epoch {best}' if best else ''}{stop}")
    fig.update_xaxes(title_text="epoch")
    return _plain(fig)
