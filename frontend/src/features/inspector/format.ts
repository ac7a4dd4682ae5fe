/** How values read in grids and statistics: short numbers, visible nulls, counts with separators. */

const COUNT = new Intl.NumberFormat("en-US");

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? "—" : COUNT.format(n);
}

/** ``digits`` significant digits, but whole numbers in full (with separators) and tiny/huge ones in e-notation. */
export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return COUNT.format(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e9)) return value.toExponential(2);
  return Number(value.toPrecision(digits)).toLocaleString("en-US", { maximumFractionDigits: 8 });
}

/** Any cell value as text; ``null`` when there is nothing to show (the grid draws a muted dash). */
export function formatCell(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  // The grid shows data, not a summary: every digit that matters (float noise like 0.1 + 0.2 trimmed).
  if (typeof value === "number") return Number.isFinite(value) ? String(Number(value.toPrecision(12))) : formatNumber(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** A statistic that may be a number or (for dates and text) a string; ``digits`` for numbers. */
export function formatStat(value: unknown, digits = 4): string {
  if (typeof value === "number") return formatNumber(value, digits);
  if (value === null || value === undefined) return "—";
  return String(value);
}

export function formatPercent(part: number, whole: number): string {
  if (!whole) return "0%";
  const share = (100 * part) / whole;
  return share > 0 && share < 0.1 ? "<0.1%" : `${share.toFixed(share < 10 ? 1 : 0)}%`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export const NUMERIC_TYPES = new Set(["integer", "number"]);
