/**
 * What a script logged with `tessera.log_metric` / `log_table` / `log_image`, as the run streams it (progress
 * detail records keyed `log:metric:<name>:<chunk>`, `log:table:<name>`, `log:image:<name>`) and as the node's
 * Logged values output holds it (a metrics value of task "logged"), turned into charts.
 */
import type { FigureSpec } from "../inspector/types";

export type Point = [number, number];

export interface LoggedTable {
  name: string;
  columns: string[];
  rows: unknown[][];
  total: number;
}

export interface LoggedImage {
  name: string;
  format: "png" | "plotly";
  bytes: number;
}

export interface Logged {
  /** Each metric's points so far, by step. */
  metrics: Record<string, Point[]>;
  tables: LoggedTable[];
  images: LoggedImage[];
}

interface MetricChunk {
  kind: "metric";
  name: string;
  chunk: number;
  points: Point[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** True when the records hold something a script logged (the node panel then shows them). */
export function hasLogged(live: Record<string, unknown>): boolean {
  return Object.keys(live).some((key) => key.startsWith("log:"));
}

/** The records fetched from `/live/` and those the socket brought: a chunk keeps whichever holds more points. */
export function mergeLogged(fetched: Record<string, unknown>, streamed: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...fetched };
  for (const [key, record] of Object.entries(streamed)) {
    const before = merged[key];
    const morePoints =
      isRecord(before) && isRecord(record) && Array.isArray(before.points) && Array.isArray(record.points) && before.points.length > record.points.length;
    if (!morePoints) merged[key] = record;
  }
  return merged;
}

/** The live records as metrics (chunks joined, by step), tables and images, each in name order. */
export function readLogged(live: Record<string, unknown>): Logged {
  const chunks: Record<string, MetricChunk[]> = {};
  const tables: LoggedTable[] = [];
  const images: LoggedImage[] = [];
  for (const [key, record] of Object.entries(live)) {
    if (!key.startsWith("log:") || !isRecord(record)) continue;
    if (record.kind === "metric" && Array.isArray(record.points)) {
      const chunk = record as unknown as MetricChunk;
      (chunks[chunk.name] ??= []).push(chunk);
    } else if (record.kind === "table") {
      tables.push(record as unknown as LoggedTable);
    } else if (record.kind === "image") {
      images.push(record as unknown as LoggedImage);
    }
  }
  const metrics: Record<string, Point[]> = {};
  for (const name of Object.keys(chunks).sort()) {
    metrics[name] = (chunks[name] ?? []).sort((a, b) => a.chunk - b.chunk).flatMap((c) => c.points);
  }
  const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
  return { metrics, tables: tables.sort(byName), images: images.sort(byName) };
}

const FONT = '"Segoe UI", system-ui, -apple-system, Roboto, "Helvetica Neue", Arial, sans-serif';
export const SERIES: readonly string[] = ["#1f62d0", "#d9730d", "#107c10", "#8764b8", "#c50f1f", "#038387"];
const AXIS = { gridcolor: "#edebe9", linecolor: "#8a8886", zeroline: false, tickfont: { size: 11 } };
const LAYOUT = {
  font: { family: FONT, size: 12, color: "#242424" },
  paper_bgcolor: "#ffffff",
  plot_bgcolor: "#ffffff",
  margin: { l: 52, r: 12, t: 36, b: 40 },
  height: 240,
  showlegend: false,
};

/** One metric over its steps: a line (with markers while there are few points). */
export function metricFigure(name: string, points: readonly Point[], colour = "#1f62d0"): FigureSpec {
  return {
    data: [
      {
        type: "scatter",
        mode: points.length <= 50 ? "lines+markers" : "lines",
        name,
        x: points.map((p) => p[0]),
        y: points.map((p) => p[1]),
        line: { color: colour, width: 2 },
        hovertemplate: `step %{x}<br>${name} %{y:.5g}<extra></extra>`,
      },
    ],
    layout: {
      ...LAYOUT,
      title: { text: name, x: 0.01, xanchor: "left", font: { size: 13 } },
      xaxis: { ...AXIS, title: { text: "step", standoff: 6, font: { size: 11 } } },
      yaxis: { ...AXIS },
    },
  };
}

/** A metric two runs logged over steps, overlaid: run a in blue, run b in orange (run comparison). */
export function comparisonFigure(
  metric: string,
  a: { id: number; points: readonly Point[] | null | undefined },
  b: { id: number; points: readonly Point[] | null | undefined },
): FigureSpec {
  const trace = (run: { id: number; points: readonly Point[] | null | undefined }, colour: string) => ({
    type: "scatter",
    mode: (run.points?.length ?? 0) <= 50 ? "lines+markers" : "lines",
    name: `Run #${run.id}`,
    x: (run.points ?? []).map((p) => p[0]),
    y: (run.points ?? []).map((p) => p[1]),
    line: { color: colour, width: 2 },
    hovertemplate: `Run #${run.id}<br>step %{x}<br>${metric} %{y:.5g}<extra></extra>`,
  });
  return {
    data: [a, b].filter((run) => run.points?.length).map((run) => trace(run, run === a ? "#1f62d0" : "#d9730d")),
    layout: {
      ...LAYOUT,
      showlegend: true,
      legend: { orientation: "h", x: 1, xanchor: "right", y: 1.12, yanchor: "bottom", font: { size: 11 } },
      margin: { ...LAYOUT.margin, t: 56 },
      title: { text: metric, x: 0.01, xanchor: "left", font: { size: 13 } },
      xaxis: { ...AXIS, title: { text: "step", standoff: 6, font: { size: 11 } } },
      yaxis: { ...AXIS },
    },
  };
}
