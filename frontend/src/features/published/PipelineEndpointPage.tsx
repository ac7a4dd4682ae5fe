/**
 * One pipeline endpoint: its versions (and the default), the parameters of the chosen version, how to call
 * it (URL, OpenAPI, curl and Python), its keys, Run now, the runs it started, and its schedules.
 * The chosen version lives in the address (?version=2), so a link can open the one it means.
 */
import { useEffect, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { useDatasets } from "../../api/queries";
import { messageOf } from "../../api/errors";
import { Modal } from "../../app/Modal";
import { ErrorState, Loading } from "../../app/States";
import { toast } from "../../app/toasts";
import { useCurrentWorkspace } from "../../app/workspaceStore";
import { useCatalogue } from "../canvas/catalogueStore";
import { useRole } from "../endpoints";
import { ConsumeSection } from "./ConsumeSection";
import { KeysSection } from "./KeysSection";
import { ParametersSection } from "./ParametersSection";
import { useDeleteEndpoint, usePipelineEndpoint } from "./queries";
import { RunNowSection } from "./RunNowSection";
import { RunsSection } from "./RunsSection";
import { SchedulesSlot } from "./SchedulesSlot";
import type { PipelineEndpointDetail } from "./types";
import { VersionsSection } from "./VersionsSection";
import "../endpoints/endpoints.css";
import "./published.css";

export function PipelineEndpointPage() {
  const id = Number(useParams().endpointId);
  const endpoint = usePipelineEndpoint(id);
  if (endpoint.isPending) return <Loading label="Opening the pipeline endpoint…" />;
  if (endpoint.isError) {
    return (
      <div className="page">
        <ErrorState title="This pipeline endpoint cannot be opened" message={messageOf(endpoint.error)} onRetry={() => endpoint.refetch()} />
      </div>
    );
  }
  return <EndpointView endpoint={endpoint.data} />;
}

function EndpointView({ endpoint }: { endpoint: PipelineEndpointDetail }) {
  const [params, setParams] = useSearchParams();
  const { canEdit, role } = useRole(endpoint.workspace);
  const setWorkspace = useCurrentWorkspace((s) => s.setCurrent);
  const datasets = useDatasets(endpoint.workspace);
  const known = useCatalogue((s) => s.datasets);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const wanted = Number(params.get("version") ?? endpoint.default_version);
  const version =
    endpoint.versions.find((v) => v.number === wanted) ?? endpoint.versions.find((v) => v.is_default) ?? endpoint.versions[0];

  useEffect(() => setWorkspace(endpoint.workspace), [endpoint.workspace, setWorkspace]);
  useEffect(() => {
    if (datasets.data) useCatalogue.getState().setDatasets(datasets.data); // the dataset pickers of Run now read it
  }, [datasets.data]);
  const datasetName = (id: number) => known.get(id)?.name;

  const choose = (number: number) =>
    setParams(
      (p) => {
        const copy = new URLSearchParams(p);
        if (number === endpoint.default_version) copy.delete("version");
        else copy.set("version", String(number));
        return copy;
      },
      { replace: true },
    );

  return (
    <div className="page page--wide" data-testid="pipeline-endpoint-page">
      <div className="page__head">
        <div>
          <div className="page__crumbs">
            <Link to={`/w/${endpoint.workspace}/pipeline-endpoints`}>Pipeline endpoints</Link> / {endpoint.name}
          </div>
          <h1 className="page__title endpoint-title">{endpoint.name}</h1>
          <p className="endpoint-desc">
            {endpoint.description ? `${endpoint.description} · ` : ""}Runs <Link to={`/pipelines/${endpoint.pipeline}`}>{endpoint.pipeline_name}</Link>
          </p>
        </div>
        <div className="pe-actions">
          {version && endpoint.versions.length > 1 && (
            <label className="pe-version-pick">
              Version
              <select className="input input--sm" value={version.number} onChange={(e) => choose(Number(e.target.value))} aria-label="Version shown">
                {endpoint.versions.map((v) => (
                  <option key={v.number} value={v.number}>
                    v{v.number}
                    {v.is_default ? " (default)" : ""} · pipeline v{v.pipeline_version}
                  </option>
                ))}
              </select>
            </label>
          )}
          {canEdit && (
            <button className="btn btn--danger-ghost" onClick={() => setConfirmDelete(true)}>
              Delete
            </button>
          )}
        </div>
      </div>

      <div className="pe-layout">
        <div className="pe-column">
          <VersionsSection endpoint={endpoint} canEdit={canEdit} />
          {version && <ParametersSection version={version} datasetName={datasetName} />}
          <RunsSection endpointId={endpoint.id} datasetName={datasetName} />
          <SchedulesSlot endpointId={endpoint.id} />
        </div>
        <div className="pe-column">
          {version && <ConsumeSection endpoint={endpoint} version={version} />}
          <KeysSection endpoint={endpoint} canEdit={canEdit} role={role} />
          {canEdit && version && <RunNowSection endpointId={endpoint.id} version={version} />}
        </div>
      </div>
      {confirmDelete && <DeleteDialog endpoint={endpoint} onClose={() => setConfirmDelete(false)} />}
    </div>
  );
}

function DeleteDialog({ endpoint, onClose }: { endpoint: PipelineEndpointDetail; onClose(): void }) {
  const remove = useDeleteEndpoint();
  const navigate = useNavigate();
  return (
    <Modal
      title={`Delete “${endpoint.name}”?`}
      onClose={onClose}
      size="sm"
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Keep it
          </button>
          <button
            className="btn btn--danger"
            disabled={remove.isPending}
            onClick={() =>
              remove.mutate(endpoint.id, {
                onSuccess: () => {
                  toast.success(`Pipeline endpoint “${endpoint.name}” deleted.`);
                  navigate(`/w/${endpoint.workspace}/pipeline-endpoints`);
                },
              })
            }
          >
            {remove.isPending ? "Deleting…" : "Delete"}
          </button>
        </>
      }
    >
      <p>
        Callers of <code>{endpoint.runs_url}</code> get errors from now on and both keys stop working; its schedules and triggers
        go with it. The runs it started stay, each still saying it was started by “{endpoint.name}”.
      </p>
      {remove.isError && (
        <p className="form-error" role="alert">
          {messageOf(remove.error)}
        </p>
      )}
    </Modal>
  );
}
