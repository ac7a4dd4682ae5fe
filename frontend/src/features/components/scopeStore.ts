/**
 * Where the canvas is: the pipeline itself, or inside a component node (and maybe inside a component
 * inside that). Each open level is a frame; the breadcrumb reads them, and whatever addresses a node
 * of the run or of validation (`outer/inner` ids) prefixes the open frames' node ids.
 *
 * Only the path lives here (no imports of the canvas), so the stores that need to know "are we inside a
 * component?" (autosave, co-editing, validation) can ask without depending on the component editor.
 */
import { create } from "zustand";

export interface ScopeFrame {
  /** The component node's id in the level above. */
  nodeId: string;
  /** What the breadcrumb says: the component's name. */
  title: string;
}

interface ScopeState {
  frames: ScopeFrame[];
  setFrames(frames: ScopeFrame[]): void;
}

export const useScope = create<ScopeState>((set) => ({
  frames: [],
  setFrames(frames) {
    set({ frames });
  },
}));

export const insideComponent = (): boolean => useScope.getState().frames.length > 0;

/** The full id (`outer/inner`) of node `id` of the level shown, as runs and validation name it. */
export function scopedId(frames: readonly ScopeFrame[], id: string): string {
  return frames.length ? `${frames.map((f) => f.nodeId).join("/")}/${id}` : id;
}

/** Full ids of the nodes of the level shown, from the current scope. */
export function useScopedId(id: string): string {
  return useScope((s) => scopedId(s.frames, id));
}

export interface Crumb {
  label: string;
  /** How many frames stay open when this crumb is clicked (0: back to the pipeline). */
  depth: number;
  current: boolean;
}

/** The breadcrumb: Pipeline › Component › Inner component; the last one is where you are. */
export function crumbs(pipelineName: string, frames: readonly ScopeFrame[]): Crumb[] {
  return [
    { label: pipelineName, depth: 0, current: frames.length === 0 },
    ...frames.map((f, i) => ({ label: f.title, depth: i + 1, current: i === frames.length - 1 })),
  ];
}

/** The graph state of a level a component was opened from, as co-editing and validation reach it. */
export interface OuterGraphState {
  nodes: unknown[];
  edges: unknown[];
  parameters: Record<string, unknown>;
}

/**
 * The pipeline (the outermost level) while a component is open on the canvas. Co-editing applies
 * teammates' ops to it (not to the inner graph on the canvas), validation checks it, and the
 * autosave leaves the draft alone until the canvas shows the pipeline again.
 */
export interface OuterGraph<S extends OuterGraphState = OuterGraphState, D = unknown> {
  snapshot(): S;
  document(): D;
  applyRemote(current: S, history: (step: S) => S, semantic: boolean): void;
}

let outer: OuterGraph | null = null;

export function setOuterGraph(graph: OuterGraph | null): void {
  outer = graph;
}

export function outerGraph(): OuterGraph | null {
  return outer;
}
