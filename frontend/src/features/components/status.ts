/**
 * A component node's run status, aggregated from its inner nodes (their ids are `<outer>/<inner>`,
 * nested `a/b/c`): failed if any failed, running while any runs (or while some are done and others
 * wait), reused if all were reused, done when all are done (finished or reused).
 */
import type { NodeStatus } from "../../api/types";
import type { NodeRunState } from "../runs/runStore";

export interface AggregateStatus {
  status: NodeStatus;
  progress: number;
  /** Inner nodes counted, and how many of them are done. */
  total: number;
  done: number;
  /** The first failed inner node's id (full, `outer/inner`), to point at. */
  failed: string | null;
}

const DONE = new Set<NodeStatus>(["completed", "reused"]);

export function aggregateStatus(statuses: readonly NodeStatus[]): NodeStatus | undefined {
  if (!statuses.length) return undefined;
  const has = (s: NodeStatus) => statuses.includes(s);
  const all = (pred: (s: NodeStatus) => boolean) => statuses.every(pred);
  if (has("failed")) return "failed";
  if (has("running")) return "running";
  if (all((s) => s === "reused")) return "reused";
  if (all((s) => DONE.has(s))) return "completed";
  if (has("cancelled")) return "cancelled";
  if (all((s) => s === "skipped" || DONE.has(s))) return statuses.some((s) => DONE.has(s)) ? "completed" : "skipped";
  // Some done and the rest waiting: the component as a whole is under way.
  if (statuses.some((s) => DONE.has(s))) return "running";
  if (has("queued")) return "queued";
  return "pending";
}

/** The run states of the inner nodes of component node `nodeId` (all depths), by full id. */
export function innerRuns(nodes: Readonly<Record<string, NodeRunState>>, nodeId: string): [string, NodeRunState][] {
  const prefix = `${nodeId}/`;
  return Object.entries(nodes).filter(([id]) => id.startsWith(prefix));
}

export function aggregate(nodes: Readonly<Record<string, NodeRunState>>, nodeId: string): AggregateStatus | undefined {
  const inner = innerRuns(nodes, nodeId);
  const status = aggregateStatus(inner.map(([, n]) => n.status));
  if (!status) return undefined;
  const done = inner.filter(([, n]) => DONE.has(n.status)).length;
  const progress = inner.reduce((sum, [, n]) => sum + (DONE.has(n.status) ? 1 : n.progress), 0) / inner.length;
  const failed = inner.find(([, n]) => n.status === "failed")?.[0] ?? null;
  return { status, progress, total: inner.length, done, failed };
}
