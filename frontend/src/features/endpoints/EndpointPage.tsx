/**
 * One endpoint, in the tabs Azure ML designer users know: Details, Test, Consume, Keys, Monitoring, and
 * Retraining (features/retraining).
 * The tab lives in the address (?tab=test), so a link can open the one it means.
 */
import { useEffect, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { messageOf } from "../../api/errors";
import { Modal } from "../../app/Modal";
import { ErrorState, Loading } from "../../app/States";
import { toast } from "../../app/toasts";
import { useCurrentWorkspace } from "../../app/workspaceStore";
import { BundleButton } from "./BundleButton";
import { ConsumeTab } from "./ConsumeTab";
import { DetailsTab } from "./DetailsTab";
import { KeysTab } from "./KeysTab";
import { MonitoringTab } from "./MonitoringTab";
import { useDeleteEndpoint, useEndpoint, useRole } from "./queries";
import { EndpointStatus } from "./status";
import { EndpointOnnxButton } from "../onnx";
import { RetrainingTab } from "../retraining";
import { TestTab } from "./TestTab";
import type { Endpoint } from "./types";
import "./endpoints.css";

const TABS = [
  { id: "details", label: "Details" },
  { id: "test", label: "Test" },
  { id: "consume", label: "Consume" },
  { id: "keys", label: "Keys" },
  { id: "monitoring", label: "Monitoring" },
  { id: "retraining", label: "Retraining" },
] as const;
type TabId = (typeof TABS)[number]["id"];

export function EndpointPage() {
  const id = Number(useParams().endpointId);
  const endpoint = useEndpoint(id);
  if (endpoint.isPending) return <Loading label="Opening the endpoint…" />;
  if (endpoint.isError) {
    return (
      <div className="page">
        <ErrorState title="This endpoint cannot be opened" message={messageOf(endpoint.error)} onRetry={() => endpoint.refetch()} />
      </div>
    );
  }
  return <EndpointView endpoint={endpoint.data} />;
}

function EndpointView({ endpoint }: { endpoint: Endpoint }) {
  const [params, setParams] = useSearchParams();
  const requested = params.get("tab");
  const tab: TabId = TABS.some((t) => t.id === requested) ? (requested as TabId) : "details";
  const { canEdit, role } = useRole(endpoint.workspace);
  const setWorkspace = useCurrentWorkspace((s) => s.setCurrent);
  const [confirmDelete, setConfirmDelete] = useState(false);

  useEffect(() => setWorkspace(endpoint.workspace), [endpoint.workspace, setWorkspace]);

  const select = (next: TabId) =>
    setParams(
      (p) => {
        const copy = new URLSearchParams(p);
        if (next === "details") copy.delete("tab");
        else copy.set("tab", next);
        return copy;
      },
      { replace: true },
    );

  return (
    <div className="page page--wide endpoint-page" data-testid="endpoint-page">
      <div className="page__head">
        <div>
          <div className="page__crumbs">
            <Link to={`/w/${endpoint.workspace}/endpoints`}>Endpoints</Link> / {endpoint.name}
          </div>
          <h1 className="page__title endpoint-title">
            {endpoint.name} <EndpointStatus status={endpoint.status} />
          </h1>
          {endpoint.description && <p className="endpoint-desc">{endpoint.description}</p>}
        </div>
        <div className="endpoint-actions">
          <BundleButton endpoint={endpoint} />
          <EndpointOnnxButton endpoint={endpoint.id} />
          {canEdit && (
            <button className="btn btn--danger-ghost" onClick={() => setConfirmDelete(true)}>
              Delete endpoint
            </button>
          )}
        </div>
      </div>

      <div className="ep-tabs" role="tablist" aria-label="Endpoint">
        {TABS.map((t) => (
          <button
            key={t.id}
            id={`ep-tab-${t.id}`}
            role="tab"
            className="ep-tab"
            aria-selected={tab === t.id}
            aria-controls={`ep-panel-${t.id}`}
            onClick={() => select(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`ep-panel-${tab}`} aria-labelledby={`ep-tab-${tab}`} className="ep-panel">
        {tab === "details" && <DetailsTab endpoint={endpoint} canEdit={canEdit} />}
        {tab === "test" && <TestTab endpoint={endpoint} />}
        {tab === "consume" && <ConsumeTab endpoint={endpoint} />}
        {tab === "keys" && <KeysTab endpoint={endpoint} canEdit={canEdit} role={role} />}
        {tab === "monitoring" && <MonitoringTab endpoint={endpoint} />}
        {tab === "retraining" && <RetrainingTab endpoint={endpoint} canEdit={canEdit} />}
      </div>
      {confirmDelete && <DeleteDialog endpoint={endpoint} onClose={() => setConfirmDelete(false)} />}
    </div>
  );
}

function DeleteDialog({ endpoint, onClose }: { endpoint: Endpoint; onClose(): void }) {
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
                  toast.success(`Endpoint “${endpoint.name}” deleted.`);
                  navigate(`/w/${endpoint.workspace}/endpoints`);
                },
              })
            }
          >
            {remove.isPending ? "Deleting…" : "Delete endpoint"}
          </button>
        </>
      }
    >
      <p>
        Clients calling <code>{endpoint.scoring_url}</code> get errors from now on, and both keys stop working. The
        pipeline and its versions stay.
      </p>
      {remove.isError && (
        <p className="form-error" role="alert">
          {messageOf(remove.error)}
        </p>
      )}
    </Modal>
  );
}
