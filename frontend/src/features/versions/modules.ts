/** The module catalogue indexed for the read-only views (they do not fill the designer's stores). */
import { useMemo } from "react";
import { useModules } from "../../api/queries";
import type { Module, PipelineDocument } from "../../api/types";
import { registerCategories } from "../palette/group";

export interface ModuleIndex {
  get(id: string, version?: number): Module | undefined;
}

export function useModuleIndex(): ModuleIndex {
  const modules = useModules().data;
  return useMemo(() => {
    // The same category colours as the designer, whichever page registers them first.
    registerCategories((modules ?? []).map((m) => m.category));
    const exact = new Map<string, Module>();
    const latest = new Map<string, Module>();
    for (const m of modules ?? []) {
      exact.set(`${m.id}@${m.version}`, m);
      const seen = latest.get(m.id);
      if (!seen || seen.version < m.version) latest.set(m.id, m);
    }
    return {
      get: (id: string, version?: number) => (version !== undefined ? exact.get(`${id}@${version}`) : undefined) ?? latest.get(id),
    };
  }, [modules]);
}

/** The name a person knows a node by: "Split Data (split_data_1)". */
export function nodeLabel(index: ModuleIndex, nodeId: string, docs: readonly (PipelineDocument | undefined)[]): { name: string; module?: Module } {
  for (const doc of docs) {
    const node = doc?.nodes.find((n) => n.id === nodeId);
    if (node) {
      const module = index.get(node.module, node.version);
      return { name: module?.name ?? node.module, module };
    }
  }
  return { name: nodeId };
}
