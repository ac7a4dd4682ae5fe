/** Run lists: one pipeline's runs, and all runs of a workspace. */
import { Link, useParams } from "react-router";
import { messageOf } from "../../api/errors";
import { usePipeline, useRuns } from "../../api/queries";
import { ErrorState, Loading } from "../../app/States";
import { RunsTable } from "./RunsTable";
import { CompareRunsBar } from "./compare";
import "./runs.css";

export function PipelineRunsPage() {
  const pipelineId = Number(useParams().pipelineId);
  const pipeline = usePipeline(pipelineId);
  const runs = useRuns({ pipeline: pipelineId }, 100);
  return (
    <div className="page">
      <div className="page__head">
        <div>
          <div className="page__crumbs">
            {pipeline.data && <Link to={`/w/${pipeline.data.workspace}`}>Pipelines</Link>} / Runs
          </div>
          <h1 className="page__title">Runs of {pipeline.data?.name ?? "…"}</h1>
        </div>
        <Link className="btn btn--primary" to={`/pipelines/${pipelineId}`}>
          Open in designer
        </Link>
      </div>
      <div className="card">
        {runs.isPending ? (
          <Loading label="Loading runs…" />
        ) : runs.isError ? (
          <ErrorState title="Runs could not be loaded" message={messageOf(runs.error)} onRetry={() => runs.refetch()} />
        ) : (
          <>
          <CompareRunsBar runs={runs.data} />
          <RunsTable runs={runs.data} emptyText="This pipeline has not been run yet. Open it in the designer and press Submit." />
          </>
        )}
      </div>
    </div>
  );
}

export function WorkspaceRunsPage() {
  const workspace = Number(useParams().workspaceId);
  const runs = useRuns({ workspace }, 100);
  return (
    <div className="page">
      <div className="page__head">
        <h1 className="page__title">Runs</h1>
      </div>
      <div className="card">
        {runs.isPending ? (
          <Loading label="Loading runs…" />
        ) : runs.isError ? (
          <ErrorState title="Runs could not be loaded" message={messageOf(runs.error)} onRetry={() => runs.refetch()} />
        ) : (
          <RunsTable runs={runs.data} showPipeline />
        )}
      </div>
    </div>
  );
}
