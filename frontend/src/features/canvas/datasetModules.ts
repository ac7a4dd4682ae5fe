/**
 * Which module a dataset dragged from the palette becomes on the canvas: the module whose dataset
 * parameter reads that kind of dataset (Dataset for a table, File Dataset for a zip). Nothing here
 * names a module: the kind comes from each module's parameter schema.
 */
import type { Dataset, Module } from "../../api/types";
import { datasetKindOf, datasetParams, type DatasetKind, type JsonSchema } from "../params";

/** The latest version of each module that reads a dataset, by the kind of dataset it reads (first one wins). */
export function datasetModulesByKind(modules: readonly Module[]): Map<DatasetKind, Module> {
  const latest = new Map<string, Module>();
  for (const m of modules) if ((latest.get(m.id)?.version ?? 0) < m.version) latest.set(m.id, m);
  const byKind = new Map<DatasetKind, Module>();
  for (const m of latest.values()) {
    const kind = datasetKindOf(m.params_schema as JsonSchema);
    if (kind && !byKind.has(kind)) byKind.set(kind, m);
  }
  return byKind;
}

/** The node a dropped dataset becomes: its module and starting params; undefined when no module reads its kind. */
export function nodeForDataset(
  byKind: ReadonlyMap<DatasetKind, Module>,
  datasets: readonly Dataset[],
  datasetId: number,
): { module: Module; params: Record<string, unknown> } | undefined {
  const kind: DatasetKind = datasets.find((d) => d.id === datasetId)?.latest_version.kind === "file" ? "file" : "table";
  const module = byKind.get(kind);
  if (!module) return undefined;
  return { module, params: datasetParams(module.params_schema as JsonSchema, datasetId) ?? {} };
}
