/**
 * Run and node statuses: one colour, label and symbol each, used by the canvas, the run lists and
 * the run header alike, so a colour means the same thing everywhere. Colours live in theme.css.
 */
import type { NodeStatus, RunStatus } from "../api/types";

export type AnyStatus = NodeStatus | RunStatus;

interface StatusStyle {
  label: string;
  /** CSS variable with the colour. */
  colour: string;
  symbol: string;
  /** Still changing: show a spinner / live timer. */
  active: boolean;
}

export const STATUS: Record<AnyStatus, StatusStyle> = {
  pending: { label: "Not started", colour: "var(--status-pending)", symbol: "○", active: false },
  queued: { label: "Queued", colour: "var(--status-queued)", symbol: "◷", active: true },
  running: { label: "Running", colour: "var(--status-running)", symbol: "▶", active: true },
  completed: { label: "Finished", colour: "var(--status-completed)", symbol: "✓", active: false },
  reused: { label: "Reused", colour: "var(--status-reused)", symbol: "↺", active: false },
  failed: { label: "Failed", colour: "var(--status-failed)", symbol: "✕", active: false },
  skipped: { label: "Skipped", colour: "var(--status-skipped)", symbol: "–", active: false },
  cancelled: { label: "Cancelled", colour: "var(--status-cancelled)", symbol: "⊘", active: false },
};

export function statusStyle(status: string | undefined | null): StatusStyle {
  return (status && STATUS[status as AnyStatus]) || STATUS.pending;
}

/** Outputs of a node in one of these states can be inspected. */
export function hasOutputs(status: string | undefined | null): boolean {
  return status === "completed" || status === "reused";
}

export function isFinal(status: string | undefined | null): boolean {
  return status === "completed" || status === "failed" || status === "cancelled";
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h) return `${h} h ${String(m).padStart(2, "0")} min`;
  if (m) return `${m} min ${String(rest).padStart(2, "0")} s`;
  return `${rest} s`;
}

export function formatWhen(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  const diff = (Date.now() - date.getTime()) / 1000;
  if (diff < 45) return "just now";
  if (diff < 3600) return `${Math.round(diff / 60)} min ago`;
  if (diff < 86400) return `${Math.round(diff / 3600)} h ago`;
  return date.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
}

/** A stopwatch reading: 0:07, 1:05, 1:02:03. */
export function formatClock(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}
