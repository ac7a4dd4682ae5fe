/**
 * Two runs side by side: what changed in the design from run a's pipeline version to run b's, next
 * to how each metric moved (b − a), coloured better or worse where the metric's direction is known.
 */
import { useQuery } from "@tanstack/react-query";
import { Fragment } from "react";
import { Link, useSearchParams } from "react-router";
import { api, unwrap } from "../../../api/client";
import { messageOf } from "../../../api/errors";
import type { components } from "../../../api/generated/schema";
import type { PipelineDocument } from "../../../api/types";
import { formatWhen } from "../../../app/status";
import { StatusPill } from "../../../app/StatusPill";
import { EmptyState, ErrorState, Loading } from "../../../app/States";
import { CommitFlag, SeriesCharts } from "../../runlog";
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
      <CommitFlag commits={c.commits} a={c.a.run.id} b={c.b.run.id} />
      <section className="card run-compare__metrics" aria-labelledby="metrics-title">
        <div className="card__head">
          <h2 id="metrics-title" className="card__title">
            Metrics
          </h2>
          <span className="muted">delta = b − a; green is better, red worse (where the metric's direction is known)</span>
        </div>
        <MetricsTable rows={c.metrics} a={c.a.run.id} b={c.b.run.id} />
      </section>
      <SeriesCharts series={c.series} a={c.a.run.id} b={c.b.run.id} />
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

/**
 * Every metric of each Evaluate Model node, run a beside run b with the delta. A node that measured two
 * models shows them side by side, each under its learner's name.
 */
export function MetricsTable({ rows, a, b }: { rows: readonly MetricRow[]; a: number; b: number }) {
  if (!rows.length) {
    return <EmptyState title="No metrics to compare">Neither run has an Evaluate Model result. Add Evaluate Model after Score Model to compare metrics.</EmptyState>;
  }
  const groups = [...new Set(rows.map((r) => `${r.node}\u0000${r.port}`))];
  return (
    <>
      {groups.map((g) => {
        const [node, port] = g.split("\u0000");
        const group = rows.filter((r) => r.node === node && r.port === port);
        const models = [...new Set(group.map((r) => r.model))];
        const metrics = [...new Set(group.map((r) => r.metric))];
        const cell = (model: string, metric: string) => group.find((r) => r.model === model && r.metric === metric);
        return (
          <table key={g} className="table metric-table" data-testid="metric-table" data-node={node}>
            <thead>
              {(groups.length > 1 || models.length > 1) && (
                <tr className="metric-table__group">
                  <th>
                    {groups.length > 1 && (
                      <>
                        {node} <span className="muted">· {port}</span>
                      </>
                    )}
                  </th>
                  {models.map((m) => (
                    <th key={m} colSpan={3} className="metric-table__model" data-model={m}>
                      {group.find((r) => r.model === m)?.learner}
                    </th>
                  ))}
                </tr>
              )}
              <tr>
                <th>Metric</th>
                {models.map((m) => (
                  <Fragment key={m}>
                    <th className="num metric-table__first">Run #{a}</th>
                    <th className="num">Run #{b}</th>
                    <th className="num">Delta</th>
                  </Fragment>
                ))}
              </tr>
            </thead>
            <tbody>
              {metrics.map((metric) => {
                const direction = metricDirection(metric);
                return (
                  <tr key={metric} data-metric={metric} data-verdict={models.length === 1 ? verdict(metric, cell(models[0] as string, metric)?.delta ?? null) : undefined}>
                    <td>
                      {metric}
                      {direction && (
                        <span className="metric-table__dir" title={direction === "higher" ? "Higher is better" : "Lower is better"}>
                          {direction === "higher" ? " ↑" : " ↓"}
                        </span>
                      )}
                    </td>
                    {models.map((m) => {
                      const r = cell(m, metric);
                      const v = verdict(metric, r?.delta ?? null);
                      return (
                        <Fragment key={m}>
                          <td className="num metric-table__first">{formatNumber(r?.a)}</td>
                          <td className="num">{formatNumber(r?.b)}</td>
                          <td className={`num delta delta--${v}`} data-model={m} data-verdict={v}>
                            {formatDelta(r?.delta ?? null)}
                            {v === "better" || v === "worse" ? <span className="visually-hidden"> ({v})</span> : null}
                          </td>
                        </Fragment>
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
        );
      })}
    </>
  );
}
