/**
 * A workspace's home: its pipelines (create or open one), its datasets and its recent runs.
 * Every list says what to do when it is empty.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { messageOf } from "../../api/errors";
import { useDatasets, usePipelines, useRuns } from "../../api/queries";
import { Modal } from "../../app/Modal";
import { formatWhen } from "../../app/status";
import { EmptyState, ErrorState, Loading } from "../../app/States";
import { useCurrentWorkspace } from "../../app/workspaceStore";
import { useMe } from "../auth";
import { RunsTable } from "../runs";
import { datasetIcon, datasetShape } from "../datasets/shape";
import { ImportButton, PipelineRowActions } from "../pipelines-io";
import "./workspace.css";

export function WorkspaceHome() {
  const workspaceId = Number(useParams().workspaceId);
  const me = useMe().data;
  const setCurrent = useCurrentWorkspace((s) => s.setCurrent);
  const membership = me?.workspaces.find((w) => w.id === workspaceId);
  const pipelines = usePipelines(membership ? workspaceId : undefined);
  const datasets = useDatasets(membership ? workspaceId : undefined);
  const runs = useRuns({ workspace: membership ? workspaceId : undefined }, 8);
  const [creating, setCreating] = useState(false);
  const canEdit = membership?.role === "owner" || membership?.role === "editor";

  useEffect(() => {
    if (membership) setCurrent(membership.id);
  }, [membership, setCurrent]);

  if (!membership) {
    return (
      <div className="page">
        <EmptyState title="You are not a member of this workspace" action={<Link className="btn" to="/">Go to your workspace</Link>}>
          Ask one of its owners to add you.
        </EmptyState>
      </div>
    );
  }

  return (
    <div className="page" data-testid="workspace-home">
      <div className="page__head">
        <div>
          <div className="page__crumbs">Workspace · your role: {membership.role}</div>
          <h1 className="page__title">{membership.name}</h1>
        </div>
        <div className="page__actions">
          <ImportButton workspace={workspaceId} canEdit={canEdit} />
          {canEdit && (
            <button className="btn btn--primary" onClick={() => setCreating(true)}>
              + New pipeline
            </button>
          )}
        </div>
      </div>

      <div className="home-grid">
        <section className="card home-pipelines" aria-labelledby="pipelines-title">
          <div className="card__head">
            <h2 id="pipelines-title" className="card__title">
              Pipelines
            </h2>
            <span className="muted">{pipelines.data ? `${pipelines.data.length}` : ""}</span>
          </div>
          {pipelines.isPending ? (
            <Loading label="Loading pipelines…" />
          ) : pipelines.isError ? (
            <ErrorState title="Pipelines could not be loaded" message={messageOf(pipelines.error)} onRetry={() => pipelines.refetch()} />
          ) : pipelines.data.length === 0 ? (
            <EmptyState
              title="No pipelines yet"
              action={canEdit ? <button className="btn btn--primary" onClick={() => setCreating(true)}>Create your first pipeline</button> : undefined}
            >
              A pipeline is a graph of modules: drag a dataset onto the canvas, add a split, a model and a trainer, and
              submit it.
            </EmptyState>
          ) : (
            <ul className="pipeline-list">
              {pipelines.data.map((p) => (
                <li key={p.id} className="pipeline-row">
                  <Link to={`/pipelines/${p.id}`} className="pipeline-row__link" data-pipeline-id={p.id}>
                    <span className="pipeline-row__icon" aria-hidden>
                      ◇
                    </span>
                    <span className="pipeline-row__main">
                      <span className="pipeline-row__name">{p.name}</span>
                      <span className="pipeline-row__meta">
                        v{p.head_version}
                        {p.has_draft ? " · unsaved draft" : ""} · edited {formatWhen(p.updated_at)}
                        {p.created_by ? ` · by ${p.created_by}` : ""}
                      </span>
                    </span>
                  </Link>
                  <PipelineRowActions pipeline={p} />
                  <Link to={`/pipelines/${p.id}/runs`} className="link-btn pipeline-row__runs">
                    Runs
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </section>

        <section className="card home-datasets" aria-labelledby="datasets-title">
          <div className="card__head">
            <h2 id="datasets-title" className="card__title">
              Datasets
            </h2>
            <Link to="/datasets" className="link-btn">
              Upload a dataset
            </Link>
          </div>
          {datasets.isPending ? (
            <Loading label="Loading datasets…" />
          ) : datasets.isError ? (
            <ErrorState title="Datasets could not be loaded" message={messageOf(datasets.error)} onRetry={() => datasets.refetch()} />
          ) : datasets.data.length === 0 ? (
            <EmptyState title="No datasets yet" action={<Link className="btn" to="/datasets">Upload a CSV</Link>}>
              Upload a CSV file to use it in pipelines.
            </EmptyState>
          ) : (
            <ul className="dataset-list">
              {datasets.data.map((d) => (
                <li key={d.id} className="dataset-row" title={d.description}>
                  <span className="dataset-row__icon" aria-hidden>
                    {datasetIcon(d.latest_version.kind)}
                  </span>
                  <span className="dataset-row__main">
                    <span className="dataset-row__name">{d.name}</span>
                    <span className="dataset-row__meta">
                      {datasetShape(d)} · v{d.latest_version.version}
                    </span>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>

        <section className="card home-runs" aria-labelledby="runs-title">
          <div className="card__head">
            <h2 id="runs-title" className="card__title">
              Recent runs
            </h2>
            <Link to={`/w/${workspaceId}/runs`} className="link-btn">
              All runs
            </Link>
          </div>
          {runs.isPending ? (
            <Loading label="Loading runs…" />
          ) : runs.isError ? (
            <ErrorState title="Runs could not be loaded" message={messageOf(runs.error)} onRetry={() => runs.refetch()} />
          ) : (
            <RunsTable runs={runs.data} showPipeline emptyText="Runs appear here once a pipeline is submitted." />
          )}
        </section>
      </div>
      {creating && <CreatePipelineDialog workspace={workspaceId} onClose={() => setCreating(false)} />}
    </div>
  );
}

function CreatePipelineDialog({ workspace, onClose }: { workspace: number; onClose(): void }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [name, setName] = useState(`Pipeline-Created-on-${new Date().toISOString().slice(0, 10)}`);
  const create = useMutation({
    mutationFn: () => unwrap(api.POST("/api/pipelines/", { body: { workspace, name: name.trim(), description: "" } }), "create the pipeline"),
    onSuccess: (p) => {
      client.invalidateQueries({ queryKey: ["pipelines"] });
      navigate(`/pipelines/${p.id}`);
    },
  });
  return (
    <Modal
      title="New pipeline"
      size="sm"
      onClose={onClose}
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn--primary" disabled={!name.trim() || create.isPending} onClick={() => create.mutate()}>
            {create.isPending ? "Creating…" : "Create and open"}
          </button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) create.mutate();
        }}
      >
        <label className="field">
          <span className="field__label">Name</span>
          <input className="input" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
        </label>
        {create.isError && <p className="form-error">{messageOf(create.error)}</p>}
      </form>
    </Modal>
  );
}
