/** A workspace's pipeline endpoints (published pipelines): the pipeline, the default version, the last run. */
import { useEffect } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { messageOf } from "../../api/errors";
import { formatWhen } from "../../app/status";
import { StatusPill } from "../../app/StatusPill";
import { EmptyState, ErrorState, Loading } from "../../app/States";
import { useCurrentWorkspace } from "../../app/workspaceStore";
import { useRole } from "../endpoints";
import { usePipelineEndpoints } from "./queries";
import { TriggerBadge } from "./TriggerBadge";
import "../endpoints/endpoints.css";
import "./published.css";

export function PipelineEndpointsPage() {
  const workspace = Number(useParams().workspaceId);
  const { role, workspaceName } = useRole(workspace);
  const setCurrent = useCurrentWorkspace((s) => s.setCurrent);
  const endpoints = usePipelineEndpoints(role ? workspace : undefined);
  const navigate = useNavigate();

  useEffect(() => {
    if (role) setCurrent(workspace);
  }, [role, workspace, setCurrent]);

  return (
    <div className="page" data-testid="pipeline-endpoints-page">
      <div className="page__head">
        <div>
          <div className="page__crumbs">{workspaceName ?? "Workspace"} · published pipelines</div>
          <h1 className="page__title">Pipeline endpoints</h1>
        </div>
      </div>
      <div className="card">
        {!role ? (
          <EmptyState title="You are not a member of this workspace">Ask one of its owners to add you.</EmptyState>
        ) : endpoints.isPending ? (
          <Loading label="Loading pipeline endpoints…" />
        ) : endpoints.isError ? (
          <ErrorState title="Pipeline endpoints could not be loaded" message={messageOf(endpoints.error)} onRetry={() => endpoints.refetch()} />
        ) : endpoints.data.length === 0 ? (
          <EmptyState title="No pipeline endpoints yet">
            A pipeline endpoint runs a pipeline when a program asks, with the parameter values it sends. Open a pipeline
            and press <strong>Publish</strong> in the designer's toolbar, or open a finished run and press{" "}
            <strong>Publish from this run</strong> to keep its values as the defaults.
          </EmptyState>
        ) : (
          <table className="table table--hover" data-testid="pipeline-endpoints-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Pipeline</th>
                <th>Default version</th>
                <th>Last run</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {endpoints.data.map((e) => {
                const href = `/w/${e.workspace}/pipeline-endpoints/${e.id}`;
                return (
                  <tr key={e.id} onClick={() => navigate(href)}>
                    <td>
                      <Link to={href} className="strong" onClick={(ev) => ev.stopPropagation()}>
                        {e.name}
                      </Link>
                      {e.description && <div className="muted ep-row-desc">{e.description}</div>}
                    </td>
                    <td onClick={(ev) => ev.stopPropagation()}>
                      <Link to={`/pipelines/${e.pipeline}`}>{e.pipeline_name}</Link>
                    </td>
                    <td>
                      v{e.default_version}{" "}
                      <span className="muted">
                        (pipeline v{e.default_pipeline_version ?? "?"}) · {e.version_count} version{e.version_count === 1 ? "" : "s"}
                      </span>
                    </td>
                    <td onClick={(ev) => ev.stopPropagation()}>
                      {e.last_run ? (
                        <span className="pe-last-run">
                          <Link to={`/runs/${e.last_run.id}`}>#{e.last_run.id}</Link>
                          <StatusPill status={e.last_run.status} />
                          <TriggerBadge kind={e.last_run.kind} />
                          <span className="muted" title={e.last_run.created_at}>
                            {formatWhen(e.last_run.created_at)}
                          </span>
                        </span>
                      ) : (
                        <span className="muted">never run</span>
                      )}
                    </td>
                    <td title={e.created_at}>
                      {formatWhen(e.created_at)} <span className="muted">by {e.created_by ?? "—"}</span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
