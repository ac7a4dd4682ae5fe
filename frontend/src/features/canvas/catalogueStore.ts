/**
 * The module catalogue and port types, as the server describes them, indexed for the canvas.
 * Filled from the query hooks once; read by nodes, the connection rule and the forms.
 */
import { create } from "zustand";
import type { ComputeTarget, Dataset, Module, PortType } from "../../api/types";
import { registerCategories } from "../palette/group";

export interface CatalogueState {
  /** Built-in modules and the workspace's components (`component:<id>`), every version, by moduleKey. */
  modules: Map<string, Module>;
  latest: Map<string, Module>;
  portTypes: Map<string, PortType>;
  datasets: Map<number, Dataset>;
  /** The operator's compute targets, the default first (empty until loaded). */
  computeTargets: ComputeTarget[];
  builtIns: Module[];
  /** The workspace's components as module-shaped entries (GET /api/components/catalogue/?versions=all). */
  components: Module[];
  setModules(modules: Module[]): void;
  setComponents(components: Module[]): void;
  setPortTypes(types: PortType[]): void;
  setDatasets(datasets: Dataset[]): void;
  setComputeTargets(targets: ComputeTarget[]): void;
}

export const moduleKey = (id: string, version: number) => `${id}@${version}`;

function indexed(modules: readonly Module[]) {
  const all = new Map<string, Module>();
  const latest = new Map<string, Module>();
  for (const m of modules) {
    all.set(moduleKey(m.id, m.version), m);
    const seen = latest.get(m.id);
    if (!seen || seen.version < m.version) latest.set(m.id, m);
  }
  registerCategories(modules.map((m) => m.category));
  return { modules: all, latest };
}

export const useCatalogue = create<CatalogueState>((set, get) => ({
  modules: new Map(),
  latest: new Map(),
  portTypes: new Map(),
  datasets: new Map(),
  computeTargets: [],
  builtIns: [],
  components: [],
  setModules(modules) {
    set({ builtIns: modules, ...indexed([...modules, ...get().components]) });
  },
  setComponents(components) {
    set({ components, ...indexed([...get().builtIns, ...components]) });
  },
  setPortTypes(types) {
    set({ portTypes: new Map(types.map((t) => [t.name, t])) });
  },
  setDatasets(datasets) {
    set({ datasets: new Map(datasets.map((d) => [d.id, d])) });
  },
  setComputeTargets(computeTargets) {
    set({ computeTargets });
  },
}));

export function findModule(id: string, version: number): Module | undefined {
  return useCatalogue.getState().modules.get(moduleKey(id, version));
}

export function portTypeLabel(types: Map<string, PortType>, name: string): string {
  return types.get(name)?.label ?? name.replace(/_/g, " ");
}
