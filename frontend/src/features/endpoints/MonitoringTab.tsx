/**
 * Monitoring: totals, the server's traffic and latency figures (Plotly, loaded on first use) and the
 * latest calls. Refreshes every 5 s while this tab is shown and the browser tab is visible.
 */
import { useMemo, useState } from "react";
import { messageOf } from "../../api/errors";
import { formatWhen } from "../../app/status";
import { EmptyState, ErrorState, Loading } from "../../app/States";
import { PlotlyFigure } from "../inspector/PlotlyFigure";
import { DriftSection } from "./DriftSection";
import { useMonitoring } from "./queries";
import type { Endpoint, MonitoringTotals, PlotlyFigureJson } from "./types";

const WINDOWS = [
  { minutes: 15, label: "15 min" },
  { minutes: 60, label: "1 h" },
  { minutes: 360, label: "6 h" },
  { minutes: 1440, label: "24 h" },
];

/** A server-built Plotly figure, if `value` is one (the schema types figures as free-form). */
function asFigure(value: unknown): PlotlyFigureJson | undefined {
  if (!value || typeof value !== "object") return undefined;
  const { data, layout } = value as { data?: unknown; layout?: unknown };
  if (!Array.isArray(data)) return undefined;
  return { data: data as Record<string, unknown>[], layout: layout && typeof layout === "object" ? (layout as Record<string, unknown>) : {} };
}

function ms(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(1)} ms`;
}

export function MonitoringTab({ endpoint }: { endpoint: Endpoint }) {
  const [minutes, setMinutes] = useState(60);
  const monitoring = useMonitoring(endpoint.id, minutes);
  return (
    <div className="ep-monitoring">
      <div className="ep-monitoring__bar">
        <div className="segmented" role="tablist" aria-label="Time window">
          {WINDOWS.map((w) => (
            <button key={w.minutes} role="tab" aria-selected={minutes === w.minutes} onClick={() => setMinutes(w.minutes)}>
              {w.label}
            </button>
          ))}
        </div>
        <span className="muted ep-live">
          <span className={`pill__dot${monitoring.isFetching ? " pill__dot--live" : ""}`} aria-hidden /> Refreshes every 5 s
        </span>
      </div>
      {monitoring.isPending ? (
        <Loading label="Loading the endpoint's traffic…" />
      ) : monitoring.isError ? (
        <ErrorState title="Monitoring data could not be loaded" message={messageOf(monitoring.error)} onRetry={() => monitoring.refetch()} />
      ) : (
        <>
          <Totals totals={monitoring.data.totals} />
          <div className="ep-figures">
            <FigureCard title="Traffic" figure={monitoring.data.figures.traffic} label={`Requests and errors of ${endpoint.name}`} />
            <FigureCard title="Latency" figure={monitoring.data.figures.latency} label={`Latency percentiles of ${endpoint.name}`} />
          </div>
          <section className="card" aria-labelledby="ep-recent">
            <h2 id="ep-recent" className="card__title ep-card-title">
              Recent calls
            </h2>
            {monitoring.data.recent.length === 0 ? (
              <EmptyState title="No calls in this window">Send one from the Test tab, or with the code on the Consume tab.</EmptyState>
            ) : (
              <div className="ep-recent">
                <table className="table table--compact" aria-label="Recent calls">
                  <thead>
                    <tr>
                      <th>When</th>
                      <th>Status</th>
                      <th className="num" title="In the app: from the view's start to the answer">
                        Latency
                      </th>
                      <th className="num" title="From accept to answer, waiting for a free thread included (scoring servers)">
                        From accept
                      </th>
                      <th className="num">Rows</th>
                      <th>Format</th>
                      <th>Error</th>
                      <th>Notes</th>
                    </tr>
                  </thead>
                  <tbody>
                    {monitoring.data.recent.map((c, i) => (
                      <tr key={`${c.at}-${i}`}>
                        <td title={c.at}>{formatWhen(c.at)}</td>
                        <td>
                          <span className={`ep-code ${c.status < 400 ? "ep-code--ok" : "ep-code--bad"}`}>{c.status}</span>
                        </td>
                        <td className="num">{ms(c.latency_ms)}</td>
                        <td className="num">{c.total_ms === null || c.total_ms === undefined ? <span className="muted">—</span> : ms(c.total_ms)}</td>
                        <td className="num">{c.rows}</td>
                        <td>{c.format}</td>
                        <td>{c.error_kind ? <span className="ep-error-kind">{c.error_kind}</span> : <span className="muted">—</span>}</td>
                        <td>{callNotes(c.dropped_rows, c.warning_count) || <span className="muted">—</span>}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          <DriftSection endpointId={endpoint.id} endpointName={endpoint.name} minutes={minutes} />
        </>
      )}
    </div>
  );
}

function plural(count: number, word: string): string {
  return `${count.toLocaleString()} ${word}${count === 1 ? "" : "s"}`;
}

/** What a call's answer said beyond its rows: removed request rows and warnings (unseen values). */
export function callNotes(dropped: number, warnings: number): string {
  const notes = [];
  if (dropped) notes.push(`${plural(dropped, "row")} dropped`);
  if (warnings) notes.push(plural(warnings, "warning"));
  return notes.join(" · ");
}

/** "3 overloaded · 1 internal": failed calls by kind, most first. */
export function errorKinds(byKind: Record<string, number> | undefined): string {
  return Object.entries(byKind ?? {})
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([kind, n]) => `${n.toLocaleString()} ${kind.replace(/_/g, " ")}`)
    .join(" · ");
}

/** The same percentile from accept to answer (waiting for a thread included), where the server measured it. */
function fromAccept(value: number | null | undefined): string | undefined {
  return value === null || value === undefined ? undefined : `${ms(value)} from accept`;
}

function Totals({ totals }: { totals: MonitoringTotals }) {
  const rate = totals.requests ? (100 * totals.errors) / totals.requests : 0;
  const tiles = [
    { label: "Requests", value: totals.requests.toLocaleString() },
    {
      label: "Errors",
      value: totals.errors.toLocaleString(),
      sub: [totals.requests ? `${rate.toFixed(rate < 10 ? 1 : 0)} %` : "", errorKinds(totals.errors_by_kind)].filter(Boolean).join(" · ") || undefined,
      bad: totals.errors > 0,
    },
    { label: "Rows scored", value: totals.rows.toLocaleString() },
    {
      label: "Rows dropped",
      value: totals.rows_dropped.toLocaleString(),
      sub: totals.calls_with_dropped_rows ? `in ${plural(totals.calls_with_dropped_rows, "call")}` : undefined,
    },
    { label: "Calls with warnings", value: totals.calls_with_warnings.toLocaleString() },
    { label: "p50 latency", value: ms(totals.p50_ms), sub: fromAccept(totals.total_p50_ms) },
    { label: "p95 latency", value: ms(totals.p95_ms), sub: fromAccept(totals.total_p95_ms) },
    { label: "p99 latency", value: ms(totals.p99_ms), sub: fromAccept(totals.total_p99_ms) },
  ];
  return (
    <dl className="ep-tiles" aria-label="Totals">
      {tiles.map((t) => (
        <div key={t.label} className={`ep-tile${t.bad ? " ep-tile--bad" : ""}`}>
          <dt>{t.label}</dt>
          <dd>
            {t.value}
            {t.sub && <span className="ep-tile__sub"> {t.sub}</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function FigureCard({ title, figure: raw, label }: { title: string; figure: unknown; label: string }) {
  // Same server object, same figure: Plotly redraws only when a refresh brought a changed one.
  const figure = useMemo(() => asFigure(raw), [raw]);
  return (
    <section className="card ep-figure" aria-label={title}>
      <h2 className="card__title ep-card-title">{title}</h2>
      {figure ? <PlotlyFigure figure={figure} label={label} height={300} /> : <EmptyState title="Nothing to draw yet" />}
    </section>
  );
}
