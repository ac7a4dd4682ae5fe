/**
 * Opening a component node on the canvas. The level shown is swapped out whole: the graph store takes
 * the component's inner graph, and what it held (the pipeline, or the component one level up, with its
 * undo history) waits in a frame until the breadcrumb brings it back. While the pipeline waits, co-editing
 * applies teammates' ops to it (scopeStore's outer graph), validation checks it and the autosave leaves
 * the draft alone, so nothing of the inner graph ever reaches the pipeline's draft.
 *
 * Edits inside are saved as a new component version (asking for a message); going back with a new
 * version saved rewrites the component node's version as an ordinary edit (undo, co-editing and
 * autosave see it like any other).
 */
import { create } from "zustand";
import type { PipelineDocument } from "../../api/types";
import { toDocument } from "../canvas/document";
import { useGraph, type GraphState, type Snapshot } from "../canvas/graphStore";
import { setOuterGraph, useScope, type ScopeFrame } from "./scopeStore";
import type { GraphComponentDocument } from "./types";

type Stash = Pick<
  GraphState,
  "nodes" | "edges" | "parameters" | "past" | "future" | "revision" | "loadedRevision" | "semanticRevision" | "readOnly" | "unplaced"
>;

export interface EditorFrame extends ScopeFrame {
  component: number;
  /** The version shown (after a save inside: the one saved). */
  version: number;
  /** The version the node used when it was opened. */
  openedVersion: number;
  document: GraphComponentDocument;
  /** The level this one was opened from, as it was. */
  below: Stash;
}

interface EditorState {
  frames: EditorFrame[];
  /** A click on the breadcrumb that waits for the user: unsaved edits at the top level. */
  leaving: { depth: number } | null;
  setLeaving(leaving: { depth: number } | null): void;
}

export const useComponentEditor = create<EditorState>((set) => ({
  frames: [],
  leaving: null,
  setLeaving(leaving) {
    set({ leaving });
  },
}));

function stash(): Stash {
  const g = useGraph.getState();
  return {
    nodes: g.nodes.map((n) => (n.selected || n.dragging ? { ...n, selected: false, dragging: false } : n)),
    edges: g.edges,
    parameters: g.parameters,
    past: g.past,
    future: g.future,
    revision: g.revision,
    loadedRevision: g.loadedRevision,
    semanticRevision: g.semanticRevision,
    readOnly: g.readOnly,
    unplaced: g.unplaced,
  };
}

function publish(frames: EditorFrame[]): void {
  useComponentEditor.setState({ frames });
  useScope.getState().setFrames(frames.map((f) => ({ nodeId: f.nodeId, title: f.title })));
  const pipeline = frames[0]?.below;
  if (!pipeline) {
    setOuterGraph(null);
    return;
  }
  // The pipeline behind the open components, for co-editing and validation to reach.
  setOuterGraph({
    snapshot: () => {
      const p = (useComponentEditor.getState().frames[0] as EditorFrame).below;
      return { nodes: p.nodes, edges: p.edges, parameters: p.parameters };
    },
    document: () => {
      const p = (useComponentEditor.getState().frames[0] as EditorFrame).below;
      return toDocument(p.nodes, p.edges, p.parameters);
    },
    applyRemote: (current, history, semantic) => {
      const all = useComponentEditor.getState().frames;
      const first = all[0] as EditorFrame;
      const c = current as Snapshot;
      const h = history as (s: Snapshot) => Snapshot;
      const below: Stash = {
        ...first.below,
        nodes: c.nodes,
        edges: c.edges,
        parameters: c.parameters,
        past: first.below.past.map(h),
        future: first.below.future.map(h),
        semanticRevision: first.below.semanticRevision + (semantic ? 1 : 0),
      };
      useComponentEditor.setState({ frames: [{ ...first, below }, ...all.slice(1)] });
    },
  });
}

/** Show the inner graph of component node `nodeId` (of the level shown) on the canvas. */
export function openFrame(frame: Omit<EditorFrame, "below">): void {
  const below = stash();
  const frames = [...useComponentEditor.getState().frames, { ...frame, below }];
  // The scope first: the stores that follow the graph see "inside a component" before it changes.
  publish(frames);
  useGraph.getState().load(frame.document.graph, { readOnly: below.readOnly });
}

/** Has the level shown edits not saved as a component version? */
export function hasUnsavedEdits(): boolean {
  const { frames } = useComponentEditor.getState();
  if (!frames.length) return false;
  const g = useGraph.getState();
  return !g.readOnly && g.revision > g.loadedRevision;
}

/** The component document of the level shown, with the canvas's inner graph in it. */
export function currentComponentDocument(): GraphComponentDocument | null {
  const top = useComponentEditor.getState().frames.at(-1);
  if (!top) return null;
  const graph: PipelineDocument = useGraph.getState().document();
  return { ...top.document, graph };
}

/** A version was saved from the level shown: it is now the one shown, with nothing unsaved. */
export function markSaved(version: number, document: GraphComponentDocument): void {
  const frames = useComponentEditor.getState().frames;
  const top = frames.at(-1);
  if (!top) return;
  publish([...frames.slice(0, -1), { ...top, version, document }]);
  useGraph.setState({ loadedRevision: useGraph.getState().revision });
}

/**
 * Close the level shown (its unsaved edits are dropped: ask first), bring back the one below, and when a
 * version was saved inside, move the component node to it. Returns the node and version to set, if any.
 */
export function closeFrame(): { nodeId: string; version: number } | null {
  const frames = useComponentEditor.getState().frames;
  const top = frames.at(-1);
  if (!top) return null;
  const g = useGraph.getState();
  const b = top.below;
  // Still "inside" while the level below comes back, so autosave and co-editing take it as no edit.
  const revision = Math.max(g.revision, b.revision) + 1;
  useGraph.setState({
    nodes: b.nodes.map((n) => (n.id === top.nodeId ? { ...n, selected: true } : n)),
    edges: b.edges,
    parameters: b.parameters,
    past: b.past,
    future: b.future,
    revision,
    loadedRevision: b.revision > b.loadedRevision ? Math.min(b.loadedRevision, revision - 1) : revision,
    semanticRevision: Math.max(g.semanticRevision, b.semanticRevision) + 1,
    readOnly: b.readOnly,
    unplaced: 0,
    dragging: false,
    lastEdit: null,
  });
  publish(frames.slice(0, -1));
  return top.version !== top.openedVersion ? { nodeId: top.nodeId, version: top.version } : null;
}

/** Forget every open level without bringing anything back (the page is closing). */
export function resetEditor(): void {
  publish([]);
  useComponentEditor.setState({ leaving: null });
}

/**
 * Inside an open component, what feeds inner input `port` of `nodeId` from outside: the output wired,
 * one level up, into the component input it belongs to, by its full id (as validation names schemas).
 * Column pickers inside read the columns that flow in from the pipeline through it.
 */
export function outerSourceOf(nodeId: string, port: string): { node: string; port: string } | null {
  const frames = useComponentEditor.getState().frames;
  const top = frames.at(-1);
  if (!top) return null;
  const input = top.document.inputs.find((i) => i.targets.some((t) => t.node === nodeId && t.port === port));
  if (!input) return null;
  const edge = top.below.edges.find((e) => e.target === top.nodeId && e.targetHandle === input.name);
  if (!edge?.sourceHandle) return null;
  return { node: [...frames.slice(0, -1).map((f) => f.nodeId), edge.source].join("/"), port: edge.sourceHandle };
}
