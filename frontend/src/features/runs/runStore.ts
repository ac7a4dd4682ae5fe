/**
 * Live state of the run shown on the canvas, fed by the WebSocket (snapshot, then events).
 * Node states are keyed by node id and replaced one at a time, so a status event re-renders
 * only the node it is about.
 */
import { create } from "zustand";
import type { NodeStatus, RunStatus } from "../../api/types";
import { useScopedId } from "../components/scopeStore";

/** How the parts of a node's work (Tune Model Hyperparameters' trials) ran on workers. */
export interface NodeSpread {
  what: string;
  parts: number;
  workers: Record<string, number>;
  node_worker?: string;
}

/** Where a node ran (NodeRun.compute): its compute target, and once it ran, the path and the Dask cluster. */
export interface NodeComputeState {
  target: string;
  path?: "pandas" | "dask";
  scheduler?: string;
  dashboard?: string | null;
  partitions?: number;
}

export interface NodeRunState {
  status: NodeStatus;
  progress: number;
  message: string;
  reason: string;
  error: { message?: string; code?: string; [key: string]: unknown } | null;
  outputs: Record<string, unknown>;
  startedAt: string | null;
  finishedAt: string | null;
  elapsed: number | null;
  attempt: number;
  worker: string;
  spread: NodeSpread | null;
  compute: NodeComputeState | null;
  /** Records the node sent with its progress since the socket attached, by key, latest of each (an AutoML
   * node's trials); what came before is read from `/api/runs/<id>/nodes/<node>/live/`. */
  live: Record<string, unknown>;
}

export interface RunSummary {
  id: number;
  pipeline: number;
  version: number;
  status: RunStatus;
  error: string;
  /** Seconds elapsed at `measuredAt` (client clock, ms). */
  elapsed: number | null;
  measuredAt: number;
}

/** The WebSocket's messages (designer/runs/consumers.py); not part of the OpenAPI document. */
export interface SnapshotNode {
  node: string;
  status: NodeStatus;
  progress?: number;
  progress_message?: string;
  reason?: string;
  error?: unknown;
  outputs?: unknown;
  attempt?: number;
  worker?: string;
  spread?: unknown;
  compute?: unknown;
  started_at?: string | null;
  finished_at?: string | null;
}
export interface RunSnapshot {
  type: "snapshot";
  run: { id: number; pipeline: number; version: number; status: RunStatus; error: string; elapsed: number | null };
  nodes: SnapshotNode[];
  last_seq: number;
}
export interface RunEvent {
  seq: number;
  type: string;
  run?: number;
  at?: string | null;
  node?: string;
  status?: string;
  progress?: number;
  message?: string;
  reason?: string;
  error?: unknown;
  elapsed?: number;
  attempt?: number;
  worker?: string;
  spread?: unknown;
  compute?: unknown;
  /** `node_progress`: records added or changed since the node's last progress event, by key. */
  detail?: Record<string, unknown>;
}

interface RunState {
  run: RunSummary | null;
  nodes: Record<string, NodeRunState>;
  lastSeq: number;
  attach(snapshot: Omit<RunSnapshot, "type">): void;
  apply(event: RunEvent): void;
  clear(): void;
}

const EVENT_STATUS: Record<string, NodeStatus> = {
  node_queued: "queued",
  node_started: "running",
  node_reused: "reused",
  node_finished: "completed",
  node_failed: "failed",
  node_skipped: "skipped",
  node_cancelled: "cancelled",
  node_retrying: "queued",
};

function asError(value: unknown): NodeRunState["error"] {
  if (!value) return null;
  if (typeof value === "string") return { message: value };
  if (typeof value === "object") return value as NodeRunState["error"];
  return { message: String(value) };
}

function asSpread(value: unknown): NodeSpread | null {
  if (!value || typeof value !== "object") return null;
  const spread = value as Partial<NodeSpread>;
  if (typeof spread.parts !== "number" || !spread.parts || !spread.workers) return null;
  return { what: spread.what ?? "part", parts: spread.parts, workers: spread.workers, node_worker: spread.node_worker };
}

function asCompute(value: unknown): NodeComputeState | null {
  if (!value || typeof value !== "object") return null;
  const where = value as Partial<NodeComputeState>;
  if (typeof where.target !== "string" || !where.target) return null;
  return {
    target: where.target,
    ...(where.path === "pandas" || where.path === "dask" ? { path: where.path } : {}),
    ...(typeof where.scheduler === "string" ? { scheduler: where.scheduler } : {}),
    ...(typeof where.dashboard === "string" ? { dashboard: where.dashboard } : {}),
    ...(typeof where.partitions === "number" ? { partitions: where.partitions } : {}),
  };
}

function fromSnapshot(n: SnapshotNode): NodeRunState {
  return {
    status: n.status,
    progress: n.progress ?? 0,
    message: n.progress_message ?? "",
    reason: n.reason ?? "",
    error: asError(n.error),
    outputs: (n.outputs && typeof n.outputs === "object" ? n.outputs : {}) as Record<string, unknown>,
    startedAt: n.started_at ?? null,
    finishedAt: n.finished_at ?? null,
    elapsed: n.started_at && n.finished_at ? (Date.parse(n.finished_at) - Date.parse(n.started_at)) / 1000 : null,
    attempt: n.attempt ?? 0,
    worker: n.worker ?? "",
    spread: asSpread(n.spread),
    compute: asCompute(n.compute),
    live: {},
  };
}

export const useRunStatus = create<RunState>((set, get) => ({
  run: null,
  nodes: {},
  lastSeq: 0,

  attach(snapshot) {
    const nodes: Record<string, NodeRunState> = {};
    for (const n of snapshot.nodes) nodes[n.node] = fromSnapshot(n);
    set({
      run: { ...snapshot.run, measuredAt: Date.now() },
      nodes,
      lastSeq: snapshot.last_seq,
    });
  },

  apply(event) {
    const { run, nodes, lastSeq } = get();
    if (!run || event.seq <= lastSeq) return;
    if (event.run !== undefined && event.run !== run.id) return;
    if (event.type === "run_started") {
      set({ lastSeq: event.seq, run: { ...run, status: (event.status as RunStatus) ?? "running" } });
      return;
    }
    if (event.type === "run_finished") {
      set({
        lastSeq: event.seq,
        run: {
          ...run,
          status: (event.status as RunStatus) ?? run.status,
          error: typeof event.error === "string" ? event.error : run.error,
          elapsed: event.elapsed ?? run.elapsed,
          measuredAt: Date.now(),
        },
      });
      return;
    }
    const id = event.node;
    if (!id) {
      set({ lastSeq: event.seq });
      return;
    }
    const before = nodes[id] ?? fromSnapshot({ node: id, status: "pending" });
    const status = EVENT_STATUS[event.type] ?? (event.status as NodeStatus | undefined) ?? before.status;
    const now = event.at ?? new Date().toISOString();
    const next: NodeRunState = {
      ...before,
      status,
      progress: event.type === "node_finished" || event.type === "node_reused" ? 1 : (event.progress ?? before.progress),
      message: event.type === "node_progress" ? (event.message ?? "") : before.message,
      reason: event.reason ?? before.reason,
      error: event.error !== undefined ? asError(event.error) : before.error,
      attempt: event.attempt ?? before.attempt,
      worker: event.worker ?? before.worker,
      spread: event.spread !== undefined ? asSpread(event.spread) : before.spread,
      compute: event.compute !== undefined ? asCompute(event.compute) : before.compute,
      startedAt: event.type === "node_started" ? now : before.startedAt,
      finishedAt: ["node_finished", "node_failed", "node_cancelled", "node_reused"].includes(event.type) ? now : before.finishedAt,
      elapsed: event.elapsed ?? before.elapsed,
      live:
        event.type === "node_started"
          ? {}
          : event.detail && typeof event.detail === "object"
            ? { ...before.live, ...event.detail }
            : before.live,
    };
    set({ lastSeq: event.seq, nodes: { ...nodes, [id]: next } });
  },

  clear() {
    set({ run: null, nodes: {}, lastSeq: 0 });
  },
}));

/** The run state of node `nodeId` of the level shown (inside an open component, runs name it `outer/inner`). */
export function useNodeRun(nodeId: string): NodeRunState | undefined {
  const full = useScopedId(nodeId);
  return useRunStatus((s) => s.nodes[full]);
}
