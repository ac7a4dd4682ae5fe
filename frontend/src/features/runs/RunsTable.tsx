/** Runs with status, duration and key metrics; open one read-only, or clone it into a new draft. */
import { useNavigate } from "react-router";
import type { Run } from "../../api/types";
import { formatDuration, formatWhen } from "../../app/status";
import { StatusPill } from "../../app/StatusPill";
import { EmptyState } from "../../app/States";
import { useCloneRun } from "./clone";

/** How the runs table heads a metric: R² for the coefficient of determination, the rest as Evaluate Model names them. */
const SHORT_NAMES: Record<string, string> = { "Coefficient of Determination": "R²" };

export interface MetricColumn {
  key: string;
  title: string;
  /** The metric's full name (a tooltip), when the title shortens it. */
  full: string;
  /** The learner of the model it measures, when runs evaluate more than one model. */
  model?: string;
  value(run: Run): unknown;
}

/**
 * The task's main metric of each model (AUC, Overall Accuracy, R², ...), a column per model named by
 * its learner; with one model only, its other metrics fill the remaining columns.
 */
export function metricColumns(runs: readonly Run[], limit = 4): MetricColumn[] {
  const main: MetricColumn[] = [];
  for (const r of runs) {
    for (const m of r.main_metrics ?? []) {
      const key = `${m.metric}\u0000${m.label}`;
      if (main.some((c) => c.key === key)) continue;
      main.push({
        key,
        title: SHORT_NAMES[m.metric] ?? m.metric,
        full: m.metric,
        model: m.label,
        value: (run) => run.main_metrics?.find((x) => x.metric === m.metric && x.label === m.label)?.value,
      });
    }
  }
  const models = new Set(main.map((c) => c.model));
  if (models.size > 1) return main.slice(0, limit);
  const shown = new Set(main.map((c) => c.full));
  const others: MetricColumn[] = [];
  for (const r of runs) {
    for (const name of Object.keys(r.metrics ?? {})) {
      if (shown.has(name)) continue;
      shown.add(name);
      others.push({ key: name, title: SHORT_NAMES[name] ?? name, full: name, value: (run) => (run.metrics as Record<string, unknown>)[name] });
    }
  }
  return [...main, ...others].slice(0, limit);
}

function formatMetric(value: unknown): string {
  if (typeof value !== "number") return "—";
  if (Number.isInteger(value)) return value.toLocaleString();
  return Math.abs(value) >= 1000 ? value.toFixed(0) : value.toPrecision(3);
}

export function RunsTable({ runs, showPipeline = false, emptyText }: { runs: readonly Run[]; showPipeline?: boolean; emptyText?: string }) {
  const navigate = useNavigate();
  const clone = useCloneRun();
  const metrics = metricColumns(runs);
  if (!runs.length) {
    return <EmptyState title="No runs yet">{emptyText ?? "Open a pipeline and press Submit: its runs are listed here."}</EmptyState>;
  }
  return (
    <table className="table table--hover" data-testid="runs-table">
      <thead>
        <tr>
          <th>Run</th>
          {showPipeline && <th>Pipeline</th>}
          <th>Status</th>
          <th>Submitted</th>
          <th className="num">Duration</th>
          {metrics.map((m) => (
            <th key={m.key} className="num" title={m.model ? `${m.full} of ${m.model}` : m.full} data-metric={m.full}>
              {m.title}
              {m.model && <span className="runs-table__model">{m.model}</span>}
            </th>
          ))}
          <th aria-label="Actions" />
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id} onClick={() => navigate(`/runs/${r.id}`)} data-run-id={r.id}>
            <td>
              <span className="strong">#{r.id}</span> <span className="muted">v{r.version}</span>
            </td>
            {showPipeline && <td>{r.pipeline_name}</td>}
            <td>
              <StatusPill status={r.status ?? "queued"} />
            </td>
            <td title={r.created_at}>
              {formatWhen(r.created_at)} <span className="muted">by {r.created_by ?? "—"}</span>
            </td>
            <td className="num">{formatDuration(r.elapsed)}</td>
            {metrics.map((m) => (
              <td key={m.key} className="num">
                {formatMetric(m.value(r))}
              </td>
            ))}
            <td className="actions" onClick={(e) => e.stopPropagation()}>
              <button className="btn btn--sm btn--ghost" onClick={() => navigate(`/runs/${r.id}`)}>
                Open
              </button>
              <button className="btn btn--sm btn--ghost" disabled={clone.isPending} onClick={() => clone.mutate(r)}>
                Clone
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
