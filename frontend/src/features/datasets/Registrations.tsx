/**
 * Uploads a worker is registering (or failed to), above the list of datasets: each says whether it waits for a
 * worker or is being read, a failed one says why (the refusal the upload would have got) and can be dismissed.
 * The list is asked again every two seconds while any registration is under way; when one ends, the datasets
 * list is asked again too, so a dataset registered after its dialog was closed appears without a reload.
 */
import { useEffect, useRef } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ensureCsrf, unwrap } from "../../api/client";
import { describeFailure, messageOf } from "../../api/errors";
import { keys } from "../../api/queries";
import { toast } from "../../app/toasts";
import type { Registration } from "./queries";
import { registrationKeys } from "./queries";
import { uploadProblems } from "./UploadDataset";

const ACTIVE = new Set(["queued", "running"]);

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

export function Registrations({ workspace, canDismiss }: { workspace: number; canDismiss: boolean }) {
  const client = useQueryClient();
  const registrations = useQuery({
    queryKey: registrationKeys.list(workspace),
    queryFn: async () =>
      (
        await unwrap(
          api.GET("/api/dataset-registrations/", {
            params: { query: { workspace, status: ["queued", "running", "failed"], limit: 50 } },
          }),
          "list the uploads being registered",
        )
      ).results,
    refetchInterval: (query) => ((query.state.data ?? []).some((r) => ACTIVE.has(r.status)) ? 2000 : false),
  });
  const active = (registrations.data ?? []).filter((r) => ACTIVE.has(r.status)).map((r) => r.id);
  const previous = useRef<number[]>([]);
  const activeKey = active.join(",");
  useEffect(() => {
    const now = activeKey ? activeKey.split(",").map(Number) : [];
    if (previous.current.some((id) => !now.includes(id))) void client.invalidateQueries({ queryKey: keys.datasets(workspace) });
    previous.current = now;
  }, [activeKey, client, workspace]);
  const dismiss = useMutation({
    mutationFn: async (registration: Registration) => {
      await ensureCsrf();
      const { error, response } = await api.DELETE("/api/dataset-registrations/{id}/", {
        params: { path: { id: registration.id } },
      });
      if (!response.ok) throw describeFailure(response.status, error, `dismiss “${registration.name}”`);
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: registrationKeys.list(workspace) }),
    onError: (error) => toast.error(messageOf(error)),
  });

  const rows = registrations.data ?? [];
  if (rows.length === 0) return null;
  return (
    <section className="registrations" aria-label="Uploads being registered">
      <h2 className="registrations__title">Uploads</h2>
      <ul className="registrations__items">
        {rows.map((r) => (
          <li key={r.id} className={`registrations__item is-${r.status}`} data-testid="registration">
            <span className="registrations__name">{r.name}</span>
            <span className="registrations__meta">
              {r.source_name} · {megabytes(r.size_bytes)} ·{" "}
              {r.status === "queued" ? "waiting for a worker" : r.status === "running" ? "a worker is reading it…" : "not registered"}
            </span>
            {r.status === "failed" && (
              <>
                <span className="registrations__error" role="alert">
                  {uploadProblems(describeFailure(r.error_status ?? 500, r.error)).join(" ")}
                </span>
                {canDismiss && (
                  <button
                    type="button"
                    className="btn btn--ghost btn--sm"
                    onClick={() => dismiss.mutate(r)}
                    disabled={dismiss.isPending}
                  >
                    Dismiss
                  </button>
                )}
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
