/** Which way is better for a metric, by its name, and what a difference between two runs means. */

export type Direction = "higher" | "lower";

const HIGHER = [/\bauc\b/, /accuracy/, /precision/, /recall/, /\bf1\b/, /f-score/, /f1 score/, /coefficient of determination/, /\br\^?2\b/, /\br²/];
const LOWER = [/mean absolute error/, /\bmae\b/, /root mean squared error/, /\brmse\b/, /\bmse\b/, /log ?loss/, /relative (absolute|squared) error/];

/** "higher" for AUC, accuracy, precision, recall, F1, R²; "lower" for MAE, RMSE, log loss; else unknown. */
export function metricDirection(name: string): Direction | null {
  const n = name.toLowerCase().replace(/_/g, " ");
  if (LOWER.some((r) => r.test(n))) return "lower";
  if (HIGHER.some((r) => r.test(n))) return "higher";
  return null;
}

export type Verdict = "better" | "worse" | "same" | "unknown";

/** Whether run b did better than run a on this metric. */
export function verdict(name: string, delta: number | null): Verdict {
  if (delta === null || !Number.isFinite(delta)) return "unknown";
  if (Math.abs(delta) < 1e-12) return "same";
  const direction = metricDirection(name);
  if (!direction) return "unknown";
  return (delta > 0) === (direction === "higher") ? "better" : "worse";
}

export function formatNumber(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value !== "number") return String(value);
  if (Number.isInteger(value)) return value.toLocaleString();
  return Math.abs(value) >= 1000 ? value.toFixed(1) : value.toFixed(4);
}

export function formatDelta(delta: number | null): string {
  if (delta === null) return "—";
  if (Math.abs(delta) < 1e-12) return "0";
  return `${delta > 0 ? "+" : "−"}${formatNumber(Math.abs(delta))}`;
}
