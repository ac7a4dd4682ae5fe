/** Runs with status, duration and key metrics; open one read-only, or clone it into a new draft. */
import { useNavigate } from "react-router";
import type { Run } from "../../api/types";
import { formatDuration, formatWhen } from "../../app/status";
import { StatusPill } from "../../app/StatusPill";
import { EmptyState } from "../../app/States";
import { useCloneRun } from "./clone";

function metricNames(runs: readonly Run[], limit = 4): string[] {
  const names: string[] = [];
  for (const r of runs) {
    for (const k of Object.keys(r.metrics ?? {})) {
      if (!names.includes(k)) names.push(k);
    }
  }
  return names.slice(0, limit);
}

function formatMetric(value: unknown): string {
  if (typeof value !== "number") return "—";
  if (Number.isInteger(value)) return value.toLocaleString();
  return Math.abs(value) >= 1000 ? value.toFixed(0) : value.toPrecision(3);
}

export function RunsTable({ runs, showPipeline = false, emptyText }: { runs: readonly Run[]; showPipeline?: boolean; emptyText?: string }) {
  const navigate = useNavigate();
  const clone = useCloneRun();
  const metrics = metricNames(runs);
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
            <th key={m} className="num">
              {m}
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
              <td key={m} className="num">
                {formatMetric(r.metrics[m])}
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
