/**
 * Two runs side by side: what changed in the design from run a's pipeline version to run b's, next
 * to how each metric moved (b − a), coloured better or worse where the metric's direction is known.
 */
import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { api, unwrap } from "../../../api/client";
import { messageOf } from "../../../api/errors";
import type { components } from "../../../api/generated/schema";
import type { PipelineDocument } from "../../../api/types";
import { formatWhen } from "../../../app/status";
import { StatusPill } from "../../../app/StatusPill";
import { EmptyState, ErrorState, Loading } from "../../../app/States";
import { DiffView } from "../../versions";
import { formatDelta, formatNumber, metricDirection, verdict } from "./metrics";
import "../../canvas/canvas.css";
import "./compare.css";

type Comparison = components["schemas"]["RunComparison"];
type Side = components["schemas"]["ComparedRun"];
type MetricRow = components["schemas"]["MetricDifference"];

export function useRunComparison(a: number, b: number) {
  return useQuery({
    queryKey: ["run-compare", a, b] as const,
    enabled: a > 0 && b > 0,
    queryFn: (): Promise<Comparison> => unwrap(api.GET("/api/runs/compare/", { params: { query: { a, b } } }), "compare the runs"),
  });
}

export function RunComparePage() {
  const [search] = useSearchParams();
  const a = Number(search.get("a"));
  const b = Number(search.get("b"));
  const compare = useRunComparison(a, b);

  if (!a || !b) {
    return (
      <div className="page">
        <EmptyState title="Pick two runs to compare">Open a pipeline's runs, choose two, and press Compare.</EmptyState>
      </div>
    );
  }
  if (compare.isError) return <ErrorState title="These runs cannot be compared" message={messageOf(compare.error)} onRetry={() => compare.refetch()} />;
  if (!compare.data) return <Loading label={`Comparing run #${a} with run #${b}…`} />;
  const c = compare.data;

  return (
    <div className="run-compare" data-testid="run-compare">
      <div className="run-compare__head">
        <div>
          <div className="page__crumbs">
            <Link to={`/pipelines/${c.b.run.pipeline}/runs`}>Runs of {c.b.run.pipeline_name}</Link> / Compare
          </div>
          <h1 className="page__title">
            Run #{c.a.run.id} → run #{c.b.run.id}
          </h1>
        </div>
        <div className="run-compare__sides">
          <RunCard side={c.a} label="a" />
          <span className="run-compare__arrow" aria-hidden>
            →
          </span>
          <RunCard side={c.b} label="b" />
        </div>
      </div>
      {!c.same_pipeline && (
        <p className="callout callout--warning run-compare__note">These runs belong to different pipelines: the design diff matches their modules by node id.</p>
      )}
      <section className="card run-compare__metrics" aria-labelledby="metrics-title">
        <div className="card__head">
          <h2 id="metrics-title" className="card__title">
            Metrics
          </h2>
          <span className="muted">delta = b − a; green is better, red worse (where the metric's direction is known)</span>
        </div>
        <MetricsTable rows={c.metrics} a={c.a.run.id} b={c.b.run.id} />
      </section>
      <section className="card run-compare__design" aria-labelledby="design-title">
        <div className="card__head">
          <h2 id="design-title" className="card__title">
            Design: version {c.a.version.number} → version {c.b.version.number}
          </h2>
        </div>
        <div className="run-compare__diff">
          <DiffView
            diff={c.diff}
            oldDoc={c.a.version.document as PipelineDocument}
            newDoc={c.b.version.document as PipelineDocument}
            canvasLabel={`Run #${c.b.run.id}'s design (version ${c.b.version.number}), changes since run #${c.a.run.id} marked`}
          />
        </div>
      </section>
    </div>
  );
}

function RunCard({ side, label }: { side: Side; label: string }) {
  const r = side.run;
  return (
    <Link to={`/runs/${r.id}`} className="run-card" data-side={label}>
      <span className="run-card__label">{label}</span>
      <span className="run-card__main">
        <span className="strong">Run #{r.id}</span> <span className="muted">v{side.version.number}</span>
        <span className="run-card__meta">
          {formatWhen(r.created_at)} by {r.created_by ?? "—"}
        </span>
      </span>
      <StatusPill status={r.status ?? "queued"} />
    </Link>
  );
}

export function MetricsTable({ rows, a, b }: { rows: readonly MetricRow[]; a: number; b: number }) {
  if (!rows.length) {
    return <EmptyState title="No metrics to compare">Neither run has an Evaluate Model result. Add Evaluate Model after Score Model to compare metrics.</EmptyState>;
  }
  const groups = [...new Set(rows.map((r) => `${r.node}\u0000${r.port}`))];
  return (
    <table className="table metric-table" data-testid="metric-table">
      <thead>
        <tr>
          <th>Metric</th>
          <th className="num">Run #{a}</th>
          <th className="num">Run #{b}</th>
          <th className="num">Delta</th>
        </tr>
      </thead>
      {groups.map((g) => {
        const [node, port] = g.split("\u0000");
        const group = rows.filter((r) => r.node === node && r.port === port);
        return (
          <tbody key={g}>
            {groups.length > 1 && (
              <tr className="metric-table__group">
                <th colSpan={4}>
                  {node} <span className="muted">· {port}</span>
                </th>
              </tr>
            )}
            {group.map((r) => {
              const v = verdict(r.metric, r.delta);
              const direction = metricDirection(r.metric);
              return (
                <tr key={r.metric} data-metric={r.metric} data-verdict={v}>
                  <td>
                    {r.metric}
                    {direction && (
                      <span className="metric-table__dir" title={direction === "higher" ? "Higher is better" : "Lower is better"}>
                        {direction === "higher" ? " ↑" : " ↓"}
                      </span>
                    )}
                  </td>
                  <td className="num">{formatNumber(r.a)}</td>
                  <td className="num">{formatNumber(r.b)}</td>
                  <td className={`num delta delta--${v}`}>
                    {formatDelta(r.delta)}
                    {v === "better" || v === "worse" ? <span className="visually-hidden"> ({v})</span> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        );
      })}
    </table>
  );
}
