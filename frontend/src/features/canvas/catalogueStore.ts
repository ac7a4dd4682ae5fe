/**
 * The module catalogue and port types, as the server describes them, indexed for the canvas.
 * Filled from the query hooks once; read by nodes, the connection rule and the forms.
 */
import { create } from "zustand";
import type { Dataset, Module, PortType } from "../../api/types";
import { registerCategories } from "../palette/group";

export interface CatalogueState {
  modules: Map<string, Module>;
  latest: Map<string, Module>;
  portTypes: Map<string, PortType>;
  datasets: Map<number, Dataset>;
  setModules(modules: Module[]): void;
  setPortTypes(types: PortType[]): void;
  setDatasets(datasets: Dataset[]): void;
}

export const moduleKey = (id: string, version: number) => `${id}@${version}`;

export const useCatalogue = create<CatalogueState>((set) => ({
  modules: new Map(),
  latest: new Map(),
  portTypes: new Map(),
  datasets: new Map(),
  setModules(modules) {
    const all = new Map<string, Module>();
    const latest = new Map<string, Module>();
    for (const m of modules) {
      all.set(moduleKey(m.id, m.version), m);
      const seen = latest.get(m.id);
      if (!seen || seen.version < m.version) latest.set(m.id, m);
    }
    registerCategories(modules.map((m) => m.category));
    set({ modules: all, latest });
  },
  setPortTypes(types) {
    set({ portTypes: new Map(types.map((t) => [t.name, t])) });
  },
  setDatasets(datasets) {
    set({ datasets: new Map(datasets.map((d) => [d.id, d])) });
  },
}));

export function findModule(id: string, version: number): Module | undefined {
  return useCatalogue.getState().modules.get(moduleKey(id, version));
}

export function portTypeLabel(types: Map<string, PortType>, name: string): string {
  return types.get(name)?.label ?? name.replace(/_/g, " ");
}
