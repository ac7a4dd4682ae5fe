/**
 * An AutoML node's leaderboard while it searches: its trials (algorithm, hyperparameters, metric, duration,
 * worker, status), the best metric so far over elapsed time and the best of each algorithm. The rows so far
 * are read once from `/api/runs/<id>/nodes/<node>/live/` (and again when the node finishes); each round's
 * rows then arrive with the node's progress events (`detail`, kept in the run store's `live`).
 */
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { api, unwrap } from "../../api/client";
import { messageOf } from "../../api/errors";
import { PlotlyFigure } from "../inspector/PlotlyFigure";
import type { FigureSpec } from "../inspector/types";
import "./automl.css";

export const AUTOML_MODULES = new Set(["automl_classification", "automl_regression"]);
const SHOWN = new Set(["running", "completed", "failed", "cancelled"]);
// A trial ends completed, pruned (stopped early by the pruner) or failed.
const FINISHED = new Set(["completed", "pruned", "failed"]);

// The house chart look, as designer/engine/figures.py's template draws the server's figures.
const FONT = '"Segoe UI", system-ui, -apple-system, Roboto, "Helvetica Neue", Arial, sans-serif';
const AXIS = {
  gridcolor: "#edebe9",
  linecolor: "#8a8886",
  showline: true,
  zeroline: false,
  ticks: "outside",
  tickcolor: "#8a8886",
  ticklen: 4,
  automargin: true,
};
const SERIES = ["#1f62d0", "#d9730d", "#107c10", "#8764b8", "#c50f1f", "#038387"];
const LAYOUT = {
  font: { family: FONT, size: 12, color: "#242424" },
  paper_bgcolor: "white",
  plot_bgcolor: "white",
  colorway: SERIES,
  legend: { bgcolor: "rgba(255,255,255,0.85)", font: { size: 11 } },
  hoverlabel: { font: { family: FONT, size: 12 } },
  margin: { l: 48, r: 12, t: 36, b: 40, pad: 0 },
  autosize: true,
};

export interface Trial {
  trial: number;
  algorithm: string;
  settings: Record<string, unknown>;
  status: string;
  value: number | null;
  duration_s: number | null;
  worker: string;
  error: string;
  elapsed_s: number;
}

export interface Search {
  metric: string;
  higher_is_better: boolean;
  budget: number;
}

/** The search and its trials in `live` (records by key: "search", then one per trial number). */
export function readLive(live: Record<string, unknown>): { search: Search | null; trials: Trial[] } {
  const search = (live.search as Search | undefined) ?? null;
  const trials = Object.entries(live)
    .filter(([key, row]) => key !== "search" && row && typeof row === "object")
    .map(([, row]) => row as Trial)
    .sort((a, b) => a.trial - b.trial);
  return { search, trials };
}

/** The fetched records and the socket's, key by key: a finished trial is never replaced by its running row. */
export function mergeLive(fetched: Record<string, unknown>, streamed: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...fetched };
  for (const [key, row] of Object.entries(streamed)) {
    const before = merged[key] as { status?: string } | undefined;
    const status = (row as { status?: string } | undefined)?.status;
    if (before && FINISHED.has(before.status ?? "") && !FINISHED.has(status ?? "")) continue;
    merged[key] = row;
  }
  return merged;
}

function better(search: Search, a: number, b: number): boolean {
  return search.higher_is_better ? a > b : a < b;
}

/** The best metric so far at each finished trial's time, and each algorithm's best: the two charts. */
export function leaderboardFigures(search: Search, trials: Trial[]): { progress: FigureSpec; algorithms: FigureSpec } {
  const finished = trials
    .filter((t) => t.status === "completed" && t.value !== null)
    .sort((a, b) => a.elapsed_s - b.elapsed_s || a.trial - b.trial);
  const stepX: number[] = [];
  const stepY: number[] = [];
  let best: number | null = null;
  for (const t of finished) {
    if (best === null || better(search, t.value as number, best)) best = t.value as number;
    stepX.push(t.elapsed_s);
    stepY.push(best);
  }
  const algorithms = [...new Set(trials.map((t) => t.algorithm))].sort();
  const bestOf = algorithms.map((a) => {
    const values = finished.filter((t) => t.algorithm === a).map((t) => t.value as number);
    if (!values.length) return null;
    return values.reduce((x, y) => (better(search, y, x) ? y : x));
  });
  const points = algorithms.map((a, i) => {
    const own = finished.filter((t) => t.algorithm === a);
    return {
      type: "scatter",
      mode: "markers",
      name: a,
      x: own.map((t) => t.elapsed_s),
      y: own.map((t) => t.value),
      customdata: own.map((t) => t.trial),
      marker: { color: SERIES[i % SERIES.length], size: 8, opacity: 0.75 },
      hovertemplate: `trial %{customdata}<br>${search.metric} %{y:.4f}<br>%{x:.1f} s<extra>${a}</extra>`,
    };
  });
  const progress: FigureSpec = {
    data: [
      {
        type: "scatter",
        mode: "lines",
        name: `best ${search.metric}`,
        x: stepX,
        y: stepY,
        line: { shape: "hv", color: "#242424", width: 2 },
        hovertemplate: `best ${search.metric} %{y:.4f}<br>%{x:.1f} s<extra></extra>`,
      },
      ...points,
    ],
    layout: {
      ...LAYOUT,
      title: { text: `Best ${search.metric} so far`, x: 0.01, xanchor: "left", font: { size: 14 } },
      xaxis: { ...AXIS, title: { text: "Elapsed (s)", standoff: 8, font: { size: 12 } }, rangemode: "tozero" },
      yaxis: { ...AXIS, title: { text: search.metric, standoff: 8, font: { size: 12 } } },
      legend: { ...LAYOUT.legend, orientation: "h", x: 0, y: -0.3, yanchor: "top" },
    },
  };
  const shown = algorithms.map((a, i) => ({ a, v: bestOf[i], c: SERIES[i % SERIES.length] })).filter((r) => r.v !== null);
  const algorithmsFigure: FigureSpec = {
    data: [
      {
        // dots, not bars: the algorithms' bests are often a few thousandths apart near 1
        type: "scatter",
        mode: "markers+text",
        x: shown.map((r) => r.v),
        y: shown.map((r) => r.a),
        marker: { color: shown.map((r) => r.c), size: 11 },
        text: shown.map((r) => (r.v as number).toFixed(4)),
        textposition: "top center",
        cliponaxis: false,
        hovertemplate: `%{y}<br>best ${search.metric} %{x:.4f}<extra></extra>`,
      },
    ],
    layout: {
      ...LAYOUT,
      title: { text: `Best ${search.metric} by algorithm`, x: 0.01, xanchor: "left", font: { size: 14 } },
      xaxis: { ...AXIS, title: { text: search.metric, standoff: 8, font: { size: 12 } } },
      yaxis: { ...AXIS, type: "category", autorange: "reversed", range: [-0.7, shown.length - 0.3] },
      showlegend: false,
    },
  };
  return { progress, algorithms: algorithmsFigure };
}

function hyperparameters(settings: Record<string, unknown>): string {
  return Object.entries(settings)
    .map(([k, v]) => `${k.replace(/_/g, " ")}=${typeof v === "number" && !Number.isInteger(v) ? v.toPrecision(3) : String(v)}`)
    .join(", ");
}

interface Props {
  runId: number;
  nodeId: string;
  /** The node's status as the run's event stream reports it. */
  status: string;
  /** The records the socket brought since it attached (`NodeRunState.live`). */
  streamed: Record<string, unknown>;
}

export function AutomlLeaderboard({ runId, nodeId, status, streamed }: Props) {
  const shown = SHOWN.has(status);
  const [byMetric, setByMetric] = useState(true);
  const fetched = useQuery({
    // read again once the node has finished: the whole leaderboard, whatever the socket missed
    queryKey: ["automl-live", runId, nodeId, status === "running" ? "running" : "done"],
    enabled: shown,
    queryFn: async () =>
      unwrap(
        api.GET("/api/runs/{id}/nodes/{node_id}/live/", { params: { path: { id: String(runId), node_id: nodeId } } }),
        "read the AutoML leaderboard",
      ) as Promise<{ live?: Record<string, unknown> }>,
  });
  const { search, trials } = useMemo(
    () => readLive(mergeLive(fetched.data?.live ?? {}, streamed)),
    [fetched.data, streamed],
  );
  const figures = useMemo(() => (search ? leaderboardFigures(search, trials) : null), [search, trials]);
  if (!shown) return null;
  if (fetched.isError) {
    return (
      <div className="panel__section" aria-label="AutoML leaderboard">
        <h3 className="panel__label">AutoML leaderboard</h3>
        <p className="muted" role="alert">{messageOf(fetched.error)}</p>
      </div>
    );
  }
  if (!search) {
    if (status !== "running") return null; // a reused node: its Leaderboard output has the trials
    return (
      <div className="panel__section" aria-label="AutoML leaderboard">
        <h3 className="panel__label">AutoML leaderboard (live)</h3>
        <p className="muted">Checking the data; the trials appear as they finish.</p>
      </div>
    );
  }
  const done = trials.filter((t) => FINISHED.has(t.status));
  const scored = trials.filter((t) => t.status === "completed" && t.value !== null);
  const best = scored.reduce<Trial | null>((b, t) => (b === null || better(search, t.value as number, b.value as number) ? t : b), null);
  const rows = [...trials].sort((a, b) => {
    if (!byMetric) return a.trial - b.trial;
    if (a.value === null || b.value === null) return (a.value === null ? 1 : 0) - (b.value === null ? 1 : 0) || a.trial - b.trial;
    return (search.higher_is_better ? b.value - a.value : a.value - b.value) || a.trial - b.trial;
  });
  const live = status === "running";
  return (
    <div className="panel__section" aria-label="AutoML leaderboard">
      <h3 className="panel__label">AutoML leaderboard{live ? " (live)" : ""}</h3>
      <p className="muted" aria-label="AutoML summary">
        {done.length} of {search.budget} trials done
        {best ? `, best ${search.metric} ${(best.value as number).toFixed(4)} (trial ${best.trial}, ${best.algorithm})` : ""}
      </p>
      {figures && scored.length > 0 && (
        <>
          <PlotlyFigure figure={figures.progress} label="AutoML best metric over time" height={260} />
          <PlotlyFigure figure={figures.algorithms} label="AutoML best metric by algorithm" height={80 + 34 * new Set(scored.map((t) => t.algorithm)).size} />
        </>
      )}
      <div className="automl-board">
        <table className="table table--compact" aria-label="AutoML trials">
          <thead>
            <tr>
              <th aria-sort={byMetric ? "none" : "ascending"}>
                <button type="button" className="link-btn" onClick={() => setByMetric(false)}>
                  Trial
                </button>
              </th>
              <th>Algorithm</th>
              <th aria-sort={byMetric ? (search.higher_is_better ? "descending" : "ascending") : "none"}>
                <button type="button" className="link-btn" onClick={() => setByMetric(true)}>
                  {search.metric}
                  {byMetric ? (search.higher_is_better ? " ▼" : " ▲") : ""}
                </button>
              </th>
              <th>Duration</th>
              <th>Worker</th>
              <th>Status</th>
              <th>Hyperparameters</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => (
              <tr key={t.trial} className={best && t.trial === best.trial ? "automl-board__best" : undefined}>
                <td>{t.trial}</td>
                <td>{t.algorithm}</td>
                <td>{t.value === null ? "—" : t.value.toFixed(4)}</td>
                <td>{t.duration_s === null ? "—" : `${t.duration_s.toFixed(1)} s`}</td>
                <td>
                  <code>{t.worker || "—"}</code>
                </td>
                <td title={t.error || undefined}>{t.status}</td>
                <td className="automl-board__settings" title={hyperparameters(t.settings)}>
                  {hyperparameters(t.settings)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
