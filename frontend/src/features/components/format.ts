/** A parameter value as one short line ("zscore", 0.5, [a, b], —). */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null || value === "") return "—";
  if (typeof value === "string") return value.length > 40 ? `${value.slice(0, 39)}…` : value;
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
