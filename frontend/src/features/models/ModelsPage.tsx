/**
 * Registered models of a workspace: each trained model a run produced and someone registered (or an
 * endpoint pinned), with its version, tags, the run it came from and the endpoints using it.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { ApiError, messageOf } from "../../api/errors";
import { Modal } from "../../app/Modal";
import { formatWhen } from "../../app/status";
import { EmptyState, ErrorState, Loading } from "../../app/States";
import { toast } from "../../app/toasts";
import { useCurrentWorkspace } from "../../app/workspaceStore";
import { servingApi, useRole, type RegisteredModel } from "../endpoints";
import { ModelFormats } from "../onnx";
import { RegisterModelDialog } from "./RegisterModelDialog";
import "../endpoints/endpoints.css";

export const modelKeys = { list: (workspace: number) => ["models", workspace] as const };

export function useModels(workspace: number | undefined) {
  return useQuery({
    queryKey: modelKeys.list(workspace ?? 0),
    enabled: workspace !== undefined,
    queryFn: async (): Promise<RegisteredModel[]> => (await servingApi.listModels(workspace ?? 0)).results,
  });
}

function tagList(tags: RegisteredModel["tags"]): string[] {
  if (Array.isArray(tags)) return tags.map(String);
  if (tags && typeof tags === "object") return Object.entries(tags).map(([k, v]) => (v === "" || v === null ? k : `${k}: ${String(v)}`));
  return [];
}

export function ModelsPage() {
  const workspace = Number(useParams().workspaceId);
  const { role, canEdit, workspaceName } = useRole(workspace);
  const setCurrent = useCurrentWorkspace((s) => s.setCurrent);
  const models = useModels(role ? workspace : undefined);
  const [deleting, setDeleting] = useState<RegisteredModel | null>(null);
  const [registering, setRegistering] = useState(false);

  useEffect(() => {
    if (role) setCurrent(workspace);
  }, [role, workspace, setCurrent]);

  return (
    <div className="page" data-testid="models-page">
      <div className="page__head">
        <div>
          <div className="page__crumbs">{workspaceName ?? "Workspace"} · model registry</div>
          <h1 className="page__title">Models</h1>
        </div>
        {canEdit && (
          <button className="btn btn--primary" onClick={() => setRegistering(true)}>
            Register model
          </button>
        )}
      </div>
      <div className="card">
        {!role ? (
          <EmptyState title="You are not a member of this workspace">Ask one of its owners to add you.</EmptyState>
        ) : models.isPending ? (
          <Loading label="Loading models…" />
        ) : models.isError ? (
          <ErrorState title="Models could not be loaded" message={messageOf(models.error)} onRetry={() => models.refetch()} />
        ) : models.data.length === 0 ? (
          <EmptyState title="No registered models yet">
            Register the trained model of a completed run to give it a name, versions and tags
            {canEdit ? ": press Register model." : "; editors and owners can do it."}
          </EmptyState>
        ) : (
          <table className="table" data-testid="models-table">
            <thead>
              <tr>
                <th>Name</th>
                <th className="num">Version</th>
                <th>Tags</th>
                <th>From</th>
                <th>In use by</th>
                <th>Formats</th>
                <th>Registered</th>
                {canEdit && <th aria-label="Actions" />}
              </tr>
            </thead>
            <tbody>
              {models.data.map((m) => (
                <tr key={m.id} data-model-id={m.id}>
                  <td>
                    <span className="strong">{m.name}</span>
                    {m.description && <div className="muted ep-row-desc">{m.description}</div>}
                  </td>
                  <td className="num">v{m.version}</td>
                  <td>
                    <div className="chips">
                      {tagList(m.tags).map((t) => (
                        <span key={t} className="type-badge">
                          {t}
                        </span>
                      ))}
                    </div>
                  </td>
                  <td>
                    {m.run !== null && m.run !== undefined ? (
                      <Link to={`/runs/${m.run}`}>Run #{m.run}</Link>
                    ) : (
                      <span className="muted">—</span>
                    )}
                    {m.node && <span className="muted"> · {m.node}</span>}
                  </td>
                  <td>{m.in_use_by.length ? m.in_use_by.join(", ") : <span className="muted">—</span>}</td>
                  <td>
                    <ModelFormats model={m.id} formats={m.formats ?? []} canEdit={canEdit} />
                  </td>
                  <td title={m.created_at}>
                    {formatWhen(m.created_at)} <span className="muted">by {m.created_by ?? "—"}</span>
                  </td>
                  {canEdit && (
                    <td className="actions">
                      <button className="btn btn--sm btn--danger-ghost" onClick={() => setDeleting(m)} aria-label={`Delete ${m.name} v${m.version}`}>
                        Delete
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {deleting && <DeleteModelDialog model={deleting} onClose={() => setDeleting(null)} />}
      {registering && <RegisterModelDialog workspace={workspace} onClose={() => setRegistering(false)} />}
    </div>
  );
}

/** The server's own sentence (for a 409 it says which endpoints and what to do). */
function detailOf(error: unknown): string {
  const detail = error instanceof ApiError ? (error.body as { detail?: unknown } | null)?.detail : undefined;
  return typeof detail === "string" ? detail : messageOf(error);
}

function DeleteModelDialog({ model, onClose }: { model: RegisteredModel; onClose(): void }) {
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: () => servingApi.deleteModel(model.id),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["models"] });
      toast.success(`Model “${model.name}” v${model.version} deleted.`);
      onClose();
    },
  });
  const inUse = remove.error instanceof ApiError && remove.error.status === 409;
  return (
    <Modal
      title={`Delete “${model.name}” v${model.version}?`}
      onClose={onClose}
      size="sm"
      footer={
        <>
          <button className="btn" onClick={onClose}>
            {inUse ? "Close" : "Keep it"}
          </button>
          {!inUse && (
            <button className="btn btn--danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
              {remove.isPending ? "Deleting…" : "Delete model"}
            </button>
          )}
        </>
      }
    >
      <p>This version of the registered model is removed. The run that trained it keeps its outputs.</p>
      {model.in_use_by.length > 0 && !remove.isError && (
        <p className="field__hint">In use by {model.in_use_by.join(", ")}: a model a live endpoint serves cannot be deleted.</p>
      )}
      {remove.isError && (
        <div className="callout callout--error" role="alert">
          <div className="callout__title">{inUse ? "This model is in use" : "The model was not deleted"}</div>
          {inUse ? detailOf(remove.error) : messageOf(remove.error)}
        </div>
      )}
    </Modal>
  );
}
