/** Submitting and cancelling runs from the canvas. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { ApiError } from "../../api/errors";
import type { RunDetail } from "../../api/types";
import { toast } from "../../app/toasts";
import { useRunStatus } from "./runStore";

/** Show a run the server just returned on the canvas, before the WebSocket's snapshot arrives. */
export function attachRun(run: RunDetail) {
  useRunStatus.getState().attach({
    run: {
      id: run.id,
      pipeline: run.pipeline,
      version: run.version,
      status: run.status ?? "running",
      error: run.error ?? "",
      elapsed: run.elapsed,
    },
    nodes: run.nodes.map((n) => ({
      node: n.node,
      status: n.status ?? "pending",
      progress: n.progress ?? 0,
      progress_message: n.progress_message ?? "",
      reason: n.reason ?? "",
      error: n.error,
      outputs: n.outputs,
      attempt: n.attempt ?? 0,
      worker: n.worker ?? "",
      spread: n.spread,
      compute: n.compute,
      started_at: n.started_at ?? null,
      finished_at: n.finished_at ?? null,
    })),
    last_seq: 0,
  });
}

/** Submit a saved version; `parameters` are pipeline parameter values (the rest take their defaults). */
export async function submitRun(
  pipeline: number,
  version: number,
  regenerate: string[] = [],
  parameters?: Record<string, unknown>,
): Promise<RunDetail> {
  const body = { pipeline, version, regenerate, ...(parameters ? { parameters } : {}) };
  const run = await unwrap(api.POST("/api/runs/", { body }), "submit the run");
  attachRun(run);
  return run;
}

export function useCancelRun() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (runId: number) =>
      unwrap(api.POST("/api/runs/{id}/cancel/", { params: { path: { id: String(runId) } } }), "cancel the run"),
    onSuccess: (run) => {
      toast.info(`Run #${run.id} cancelled.`);
      client.invalidateQueries({ queryKey: ["runs"] });
    },
    onError: (error) => toast.error(error instanceof ApiError ? error.message : String(error)),
  });
}
