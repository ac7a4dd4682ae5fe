/** Palette contents: the catalogue grouped by its own categories, filtered by a search. */
import type { Dataset, Module } from "../../api/types";

export interface ModuleGroup {
  category: string;
  modules: Module[];
}

function matches(query: string, ...texts: (string | undefined)[]): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const haystack = texts.filter(Boolean).join(" ").toLowerCase();
  return words.every((w) => haystack.includes(w));
}

/** Latest version of each module, grouped by category in catalogue order, sorted by name inside. */
export function groupModules(modules: readonly Module[], query = "", hide: ReadonlySet<string> = new Set()): ModuleGroup[] {
  const latest = new Map<string, Module>();
  for (const m of modules) {
    const seen = latest.get(m.id);
    if (!seen || seen.version < m.version) latest.set(m.id, m);
  }
  const groups = new Map<string, Module[]>();
  for (const m of latest.values()) {
    if (hide.has(m.id)) continue;
    if (query && !matches(query, m.name, m.description, m.category, m.id)) continue;
    const list = groups.get(m.category);
    if (list) list.push(m);
    else groups.set(m.category, [m]);
  }
  return [...groups.entries()].map(([category, list]) => ({
    category,
    modules: list.sort((a, b) => a.name.localeCompare(b.name)),
  }));
}

/** The category graph components are listed under (the server's catalogue names it). */
export const COMPONENTS_CATEGORY = "Components";

/** The "Components" group first: the workspace's own building blocks, above the library. */
export function componentsFirst(groups: ModuleGroup[]): ModuleGroup[] {
  const own = groups.filter((g) => g.category === COMPONENTS_CATEGORY);
  return own.length ? [...own, ...groups.filter((g) => g.category !== COMPONENTS_CATEGORY)] : groups;
}

export function filterDatasets(datasets: readonly Dataset[], query = ""): Dataset[] {
  return datasets.filter((d) => !query || matches(query, d.name, d.description));
}

/**
 * A colour per category, given in the catalogue's category order (so the first few are always
 * distinct); a category nobody registered falls back to a hash of its name.
 */
const PALETTE = ["#2f6fde", "#c2772a", "#7a5af8", "#22a06b", "#d1435b", "#0f8b8d", "#8a6d1f", "#5b6b8c", "#b04fc4"];
const categoryOrder: string[] = [];

export function registerCategories(categories: Iterable<string>): void {
  for (const c of categories) if (!categoryOrder.includes(c)) categoryOrder.push(c);
}

export function categoryColour(category: string): string {
  const index = categoryOrder.indexOf(category);
  if (index >= 0) return PALETTE[index % PALETTE.length] as string;
  let h = 0;
  for (const ch of category) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length] as string;
}

export function initials(name: string): string {
  const words = name.replace(/[^A-Za-z0-9 ]/g, " ").split(/\s+/).filter(Boolean);
  return ((words[0]?.[0] ?? "") + (words[1]?.[0] ?? "")).toUpperCase() || "?";
}
