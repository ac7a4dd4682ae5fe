/** How a dataset reads in lists (the palette, the workspace home, the datasets page): its kind and size. */
import type { Dataset } from "../../api/types";
import { formatBytes, formatCount } from "../inspector/format";

/** "150 rows × 5 cols" for a table, "Zip file · 2.1 KB" for a file dataset. */
export function datasetShape(d: Dataset): string {
  const latest = d.latest_version;
  if (latest.kind === "file") return `Zip file · ${formatBytes(latest.size_bytes)}`;
  return `${formatCount(latest.rows)} rows × ${formatCount(latest.columns)} cols`;
}

/** The glyph beside a dataset's name: a grid for a table, lines (a list of files) for a zip. */
export function datasetIcon(kind: string | undefined): string {
  return kind === "file" ? "▤" : "▦";
}
