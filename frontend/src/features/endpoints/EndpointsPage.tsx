/** A workspace's real-time endpoints: status, the pipeline version each serves, when it last changed. */
import { useEffect } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { messageOf } from "../../api/errors";
import { formatWhen } from "../../app/status";
import { EmptyState, ErrorState, Loading } from "../../app/States";
import { useCurrentWorkspace } from "../../app/workspaceStore";
import { useEndpoints, useRole } from "./queries";
import { EndpointStatus } from "./status";
import "./endpoints.css";

export function EndpointsPage() {
  const workspace = Number(useParams().workspaceId);
  const { role, workspaceName } = useRole(workspace);
  const setCurrent = useCurrentWorkspace((s) => s.setCurrent);
  const endpoints = useEndpoints(role ? workspace : undefined);
  const navigate = useNavigate();

  useEffect(() => {
    if (role) setCurrent(workspace);
  }, [role, workspace, setCurrent]);

  return (
    <div className="page" data-testid="endpoints-page">
      <div className="page__head">
        <div>
          <div className="page__crumbs">{workspaceName ?? "Workspace"} · real-time endpoints</div>
          <h1 className="page__title">Endpoints</h1>
        </div>
      </div>
      <div className="card">
        {!role ? (
          <EmptyState title="You are not a member of this workspace">Ask one of its owners to add you.</EmptyState>
        ) : endpoints.isPending ? (
          <Loading label="Loading endpoints…" />
        ) : endpoints.isError ? (
          <ErrorState title="Endpoints could not be loaded" message={messageOf(endpoints.error)} onRetry={() => endpoints.refetch()} />
        ) : endpoints.data.length === 0 ? (
          <EmptyState title="No endpoints yet">
            To publish a model as a REST service: open a completed training run and press <strong>Create inference
            pipeline</strong>, check it on the canvas, then press <strong>Deploy</strong> in the designer's toolbar.
          </EmptyState>
        ) : (
          <table className="table table--hover" data-testid="endpoints-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Status</th>
                <th>Pipeline</th>
                <th>Updated</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {endpoints.data.map((e) => (
                <tr key={e.id} onClick={() => navigate(`/w/${e.workspace}/endpoints/${e.id}`)}>
                  <td>
                    <Link to={`/w/${e.workspace}/endpoints/${e.id}`} className="strong" onClick={(ev) => ev.stopPropagation()}>
                      {e.name}
                    </Link>
                    {e.description && <div className="muted ep-row-desc">{e.description}</div>}
                  </td>
                  <td>
                    <EndpointStatus status={e.status} />
                  </td>
                  <td onClick={(ev) => ev.stopPropagation()}>
                    {e.pipeline ? <Link to={`/pipelines/${e.pipeline}`}>{e.pipeline_name}</Link> : <span className="muted">deleted pipeline</span>}{" "}
                    <span className="muted">v{e.pipeline_version}</span>
                  </td>
                  <td title={e.updated_at}>{formatWhen(e.updated_at)}</td>
                  <td title={e.created_at}>
                    {formatWhen(e.created_at)} <span className="muted">by {e.created_by ?? "—"}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
