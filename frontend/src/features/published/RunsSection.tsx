/** The runs an endpoint started, newest first: why each ran, with which values, how it went. */
import { Link } from "react-router";
import { messageOf } from "../../api/errors";
import { formatDuration, formatWhen } from "../../app/status";
import { StatusPill } from "../../app/StatusPill";
import { EmptyState, ErrorState, Loading } from "../../app/States";
import { formatParameterValue } from "../parameters";
import { useEndpointRuns } from "./queries";
import { TriggerBadge } from "./TriggerBadge";
import type { PublishedRun } from "./types";

export function RunsSection({ endpointId, datasetName }: { endpointId: number; datasetName(id: number): string | undefined }) {
  const runs = useEndpointRuns(endpointId);
  return (
    <section className="card" aria-labelledby="pe-runs">
      <h2 id="pe-runs" className="card__title ep-card-title">
        Runs
      </h2>
      {runs.isPending ? (
        <Loading label="Loading runs…" />
      ) : runs.isError ? (
        <ErrorState title="The runs could not be loaded" message={messageOf(runs.error)} onRetry={() => runs.refetch()} />
      ) : runs.data.length === 0 ? (
        <EmptyState title="No runs yet">Start one with Run now, or call the trigger URL with a key.</EmptyState>
      ) : (
        <table className="table table--compact" data-testid="pe-runs">
          <thead>
            <tr>
              <th>Run</th>
              <th>Trigger</th>
              <th>Version</th>
              <th>Values</th>
              <th>Status</th>
              <th>Started</th>
              <th>Took</th>
            </tr>
          </thead>
          <tbody>
            {runs.data.map((r) => (
              <tr key={r.id} data-testid={`pe-run-${r.id}`}>
                <td>
                  <Link to={`/runs/${r.id}`}>#{r.id}</Link>
                </td>
                <td>
                  <TriggerBadge kind={r.kind} />
                  {r.created_by && <div className="muted ep-row-desc">by {r.created_by}</div>}
                </td>
                <td>v{r.version}</td>
                <td>
                  <Values run={r} datasetName={datasetName} />
                </td>
                <td>
                  <StatusPill status={r.status} />
                  {r.error && <div className="ep-error-kind ep-row-desc" title={r.error}>{r.error}</div>}
                </td>
                <td title={r.created_at}>{formatWhen(r.created_at)}</td>
                <td>{formatDuration(r.elapsed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Values({ run, datasetName }: { run: PublishedRun; datasetName(id: number): string | undefined }) {
  const values = Object.entries((run.parameters as Record<string, unknown> | null) ?? {});
  const uploads = new Set(((run.trigger as { uploads?: string[] } | null)?.uploads ?? []) as string[]);
  if (!values.length) return <span className="muted">—</span>;
  return (
    <div className="pe-values">
      {values.map(([name, value]) => (
        <span key={name}>
          {name}={formatParameterValue(value, datasetName)}
          {uploads.has(name) ? " (uploaded)" : ""}
        </span>
      ))}
    </div>
  );
}
