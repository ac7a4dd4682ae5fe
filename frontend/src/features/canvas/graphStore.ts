/**
 * The pipeline being edited: nodes and edges in React Flow's shape, with an undo/redo history.
 * Only the graph lives here; selection comes with the nodes, run statuses and validation problems
 * have stores of their own, so a status update never re-renders the whole canvas.
 *
 * `revision` counts every change worth autosaving (moves included); `semanticRevision` counts the
 * changes that can alter validation (not moves, not comments).
 *
 * `revision` counts the user's own edits only: a teammate's edit (live co-editing) comes in through
 * `applyRemote`, which leaves it alone, so whoever subscribes to `revision` sees exactly the local edits.
 */
import {
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type XYPosition,
} from "@xyflow/react";
import { create } from "zustand";
import type { NodeSize } from "./nodeSize";
import { pasteOffset } from "./placement";
import type { PipelineDocument } from "../../api/types";
import { bindingTo, declarationsOf, hasDefault, referenceOf, withoutParameter, type ParameterSpec } from "../parameters/model";
import {
  edgeId,
  fromDocument,
  newNodeId,
  toDocument,
  type DesignerEdge,
  type DesignerNode,
  type ModuleNodeData,
} from "./document";

export interface Snapshot {
  nodes: DesignerNode[];
  edges: DesignerEdge[];
  /** Pipeline parameters (the document's "parameters"): declared, edited and removed with undo like the rest. */
  parameters: Record<string, unknown>;
}

export interface Clipboard {
  nodes: DesignerNode[];
  edges: DesignerEdge[];
}

const HISTORY_LIMIT = 100;
const COALESCE_MS = 1200;

export interface GraphState {
  nodes: DesignerNode[];
  edges: DesignerEdge[];
  parameters: Record<string, unknown>;
  past: Snapshot[];
  future: Snapshot[];
  revision: number;
  semanticRevision: number;
  /** The revision last loaded from the server: a higher one means unsaved local edits. */
  loadedRevision: number;
  readOnly: boolean;
  /** Nodes of the last loaded document that had no position (an imported file may have none): arranged on open. */
  unplaced: number;
  dragging: boolean;
  lastEdit: { key: string; at: number } | null;

  load(doc: PipelineDocument, options?: { readOnly?: boolean }): void;
  /**
   * Give every node its size and ports before the canvas first draws them (nodeSize.ts), so React Flow
   * shows them at once. All or nothing: a node without an estimate would hold back the first fit.
   */
  presize(sizeOf: (node: DesignerNode) => NodeSize | undefined): boolean;
  document(): PipelineDocument;
  onNodesChange(changes: NodeChange<DesignerNode>[]): void;
  onEdgesChange(changes: EdgeChange<DesignerEdge>[]): void;
  connect(connection: Connection): void;
  addNode(
    module: { id: string; version: number },
    position: XYPosition,
    params?: Record<string, unknown>,
    extra?: Pick<ModuleNodeData, "link">,
  ): string;
  /**
   * The canvas becomes `doc` (a document the server rewrote: grouped into a component, ungrouped) in one
   * undoable edit, saved and shared like any other; nodes kept from before keep their place on screen.
   * `select` are the ids selected afterwards.
   */
  replaceDocument(doc: PipelineDocument, select?: readonly string[]): void;
  updateNodeData(id: string, patch: Partial<ModuleNodeData>, coalesceKey?: string): void;
  removeSelected(): void;
  removeNodes(ids: string[]): void;
  removeEdge(id: string): void;
  /** Declare a pipeline parameter, and bind `bind`'s field to it in the same step ("Add to pipeline parameter"). */
  addParameter(name: string, spec: ParameterSpec, bind?: { node: string; field: string }): void;
  /** Change some of a parameter's fields; `removeDefault` makes it required. Typing into one field coalesces. */
  updateParameter(name: string, changes: Partial<ParameterSpec>, options?: { removeDefault?: boolean; coalesce?: string }): void;
  /** Remove a parameter; the fields it drove keep its default. False (nothing changes) when it has none and drives a field. */
  removeParameter(name: string): boolean;
  /** Bind a node field to a declared parameter (`{"$param": name}`). */
  bindField(node: string, field: string, name: string): void;
  /** Give a bound field back a value of its own: the parameter's default, or the module's when it has none. */
  unbindField(node: string, field: string): void;
  selectOnly(ids: string[]): void;
  selectAll(): void;
  copySelection(): Clipboard | null;
  /** Paste copies, by default clear of everything on the canvas (below the copied group, else the nearest free spot). */
  paste(clipboard: Clipboard, offset?: XYPosition): void;
  /** Move several nodes in one undoable step (Arrange): saved and shared as ordinary moves. */
  moveNodes(positions: ReadonlyMap<string, XYPosition>): void;
  undo(): void;
  redo(): void;
  /** A teammate's edit: the canvas becomes `current` and every undo step is rewritten by `history`, so undo only takes back your own edits. */
  applyRemote(current: Snapshot, history: (step: Snapshot) => Snapshot, semantic: boolean): void;
}

/** A node without the ports estimated before it was drawn (nodeSize.ts): React Flow's own measurement rules. */
function unestimated(node: DesignerNode): DesignerNode {
  if (!node.handles) return node;
  const { handles: _estimated, ...rest } = node;
  return rest;
}

/**
 * Nodes as history keeps them: selection included (undo restores what was selected), no drag state, no
 * estimated ports (undo must not bring back ports estimated for a size the card no longer has).
 */
const settled = (nodes: DesignerNode[]): DesignerNode[] =>
  nodes.map((n) => (n.dragging || n.handles ? { ...unestimated(n), dragging: false } : n));
const strip = (nodes: DesignerNode[]): DesignerNode[] =>
  nodes.map((n) => (n.selected || n.dragging ? { ...n, selected: false, dragging: false } : n));
const stripEdges = (edges: DesignerEdge[]): DesignerEdge[] =>
  edges.map((e) => (e.selected ? { ...e, selected: false } : e));

export const useGraph = create<GraphState>((set, get) => {
  /** Record the current graph for undo, unless this edit continues the previous one (typing). */
  function remember(coalesceKey?: string) {
    const { nodes, edges, parameters, past, lastEdit } = get();
    const now = Date.now();
    if (coalesceKey && lastEdit && lastEdit.key === coalesceKey && now - lastEdit.at < COALESCE_MS) {
      set({ lastEdit: { key: coalesceKey, at: now } });
      return;
    }
    const snapshot = { nodes: settled(nodes), edges, parameters };
    set({
      past: [...past, snapshot].slice(-HISTORY_LIMIT),
      future: [],
      lastEdit: coalesceKey ? { key: coalesceKey, at: now } : null,
    });
  }

  /** Set (or with `undefined`, reset) one field of one node, without recording history. */
  function setField(nodeId: string, field: string, value: unknown) {
    set({
      nodes: get().nodes.map((n) => {
        if (n.id !== nodeId) return n;
        const params = { ...n.data.params };
        if (value === undefined) delete params[field];
        else params[field] = value;
        return { ...n, data: { ...n.data, params } };
      }),
    });
  }

  function changed(semantic: boolean) {
    const { revision, semanticRevision } = get();
    set({ revision: revision + 1, semanticRevision: semantic ? semanticRevision + 1 : semanticRevision });
  }

  return {
    nodes: [],
    edges: [],
    parameters: {},
    past: [],
    future: [],
    revision: 0,
    semanticRevision: 0,
    loadedRevision: 0,
    readOnly: false,
    unplaced: 0,
    dragging: false,
    lastEdit: null,

    load(doc, options = {}) {
      const { nodes, edges } = fromDocument(doc);
      const revision = get().revision + 1;
      set({
        nodes,
        edges,
        parameters: doc.parameters ?? {},
        past: [],
        future: [],
        revision,
        loadedRevision: revision,
        semanticRevision: get().semanticRevision + 1,
        readOnly: Boolean(options.readOnly),
        unplaced: doc.nodes.filter((n) => typeof doc.layout?.[n.id]?.x !== "number" || typeof doc.layout?.[n.id]?.y !== "number").length,
        dragging: false,
        lastEdit: null,
      });
    },

    presize(sizeOf) {
      const nodes = get().nodes;
      const sizes = nodes.map(sizeOf);
      if (!nodes.length || sizes.some((size) => size === undefined)) return false;
      set({ nodes: nodes.map((n, i) => ({ ...n, ...(sizes[i] as NodeSize) })) });
      return true;
    },

    document() {
      const { nodes, edges, parameters } = get();
      return toDocument(nodes, edges, parameters);
    },

    onNodesChange(changes) {
      const { readOnly, dragging } = get();
      let moved = false;
      let dragEnded = false;
      let removed = false;
      const allowed = changes.filter((c) => {
        if (c.type === "position") {
          if (readOnly) return false;
          if (c.dragging && !dragging) {
            remember();
            set({ dragging: true });
          }
          if (c.dragging === false) dragEnded = true;
          moved = true;
          return true;
        }
        if (c.type === "remove") {
          if (readOnly) return false;
          removed = true;
          return true;
        }
        return c.type === "select" || c.type === "dimensions";
      });
      if (!allowed.length) return;
      if (removed) remember();
      let nodes = applyNodeChanges(allowed, get().nodes);
      // Measured at another size than estimated: the estimated ports are off too, let React Flow measure them.
      const resized = new Set(allowed.flatMap((c) => (c.type === "dimensions" ? [c.id] : [])));
      if (resized.size) nodes = nodes.map((n) => (resized.has(n.id) ? unestimated(n) : n));
      set({ nodes });
      if (removed) {
        const ids = new Set(changes.flatMap((c) => (c.type === "remove" ? [c.id] : [])));
        set({ edges: get().edges.filter((e) => !ids.has(e.source) && !ids.has(e.target)) });
        changed(true);
      }
      if (dragEnded) {
        set({ dragging: false });
        changed(false);
      } else if (moved && !get().dragging) {
        changed(false); // moved with the keyboard
      }
    },

    onEdgesChange(changes) {
      const { readOnly } = get();
      const allowed = changes.filter((c) => c.type === "select" || (c.type === "remove" && !readOnly));
      if (!allowed.length) return;
      const removed = allowed.some((c) => c.type === "remove");
      if (removed) remember();
      set({ edges: applyEdgeChanges(allowed, get().edges) });
      if (removed) changed(true);
    },

    connect(connection) {
      const { source, target, sourceHandle, targetHandle } = connection;
      if (get().readOnly || !sourceHandle || !targetHandle) return;
      remember();
      const edge: DesignerEdge = {
        id: edgeId(source, sourceHandle, target, targetHandle),
        source,
        target,
        sourceHandle,
        targetHandle,
      };
      set({ edges: [...get().edges.filter((e) => e.id !== edge.id), edge] });
      changed(true);
    },

    addNode(module, position, params = {}, extra = {}) {
      const { nodes } = get();
      const id = newNodeId(module.id, new Set(nodes.map((n) => n.id)));
      remember();
      const node: DesignerNode = {
        id,
        type: "module",
        position,
        selected: true,
        data: { module: module.id, version: module.version, params, regenerate: false, comment: "", ...extra },
      };
      set({ nodes: [...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node] });
      changed(true);
      return id;
    },

    replaceDocument(doc, select = []) {
      if (get().readOnly) return;
      remember();
      const chosen = new Set(select);
      const { nodes, edges } = fromDocument(doc);
      set({
        nodes: nodes.map((n) => (chosen.has(n.id) ? { ...n, selected: true } : n)),
        edges,
        parameters: doc.parameters ?? get().parameters,
      });
      changed(true);
    },

    updateNodeData(id, patch, coalesceKey) {
      if (get().readOnly) return;
      remember(coalesceKey ? `${id}:${coalesceKey}` : undefined);
      set({ nodes: get().nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...patch } } : n)) });
      const semantic = "params" in patch || "regenerate" in patch || "module" in patch || "version" in patch || "link" in patch || "compute" in patch;
      changed(semantic);
    },

    removeSelected() {
      const { nodes, edges } = get();
      const nodeIds = nodes.filter((n) => n.selected).map((n) => n.id);
      const edgeIds = new Set(edges.filter((e) => e.selected).map((e) => e.id));
      if (!nodeIds.length && !edgeIds.size) return;
      if (get().readOnly) return;
      remember();
      const gone = new Set(nodeIds);
      set({
        nodes: nodes.filter((n) => !gone.has(n.id)),
        edges: edges.filter((e) => !edgeIds.has(e.id) && !gone.has(e.source) && !gone.has(e.target)),
      });
      changed(true);
    },

    removeNodes(ids) {
      if (get().readOnly || !ids.length) return;
      remember();
      const gone = new Set(ids);
      set({
        nodes: get().nodes.filter((n) => !gone.has(n.id)),
        edges: get().edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)),
      });
      changed(true);
    },

    removeEdge(id) {
      if (get().readOnly) return;
      remember();
      set({ edges: get().edges.filter((e) => e.id !== id) });
      changed(true);
    },

    addParameter(name, spec, bind) {
      if (get().readOnly || name in get().parameters) return;
      remember();
      set({ parameters: { ...get().parameters, [name]: { ...spec } } });
      if (bind) setField(bind.node, bind.field, bindingTo(name));
      changed(true);
    },

    updateParameter(name, changes, options = {}) {
      const current = get().parameters[name];
      if (get().readOnly || !current || typeof current !== "object") return;
      remember(options.coalesce ? `parameter:${name}:${options.coalesce}` : undefined);
      const next: Record<string, unknown> = { ...(current as Record<string, unknown>), ...changes };
      if (options.removeDefault) delete next.default;
      set({ parameters: { ...get().parameters, [name]: next } });
      changed(true);
    },

    removeParameter(name) {
      if (get().readOnly || !(name in get().parameters)) return false;
      const doc = get().document();
      const after = withoutParameter(doc, name);
      if (!after) return false;
      remember();
      const params = new Map(after.nodes.map((n) => [n.id, n.params ?? {}]));
      set({
        parameters: after.parameters ?? {},
        nodes: get().nodes.map((n) =>
          Object.values(n.data.params).some((v) => referenceOf(v) === name)
            ? { ...n, data: { ...n.data, params: params.get(n.id) ?? n.data.params } }
            : n,
        ),
      });
      changed(true);
      return true;
    },

    bindField(node, field, name) {
      if (get().readOnly || !(name in get().parameters)) return;
      remember();
      setField(node, field, bindingTo(name));
      changed(true);
    },

    unbindField(node, field) {
      const target = get().nodes.find((n) => n.id === node);
      const name = referenceOf(target?.data.params[field]);
      if (get().readOnly || name === undefined) return;
      remember();
      const spec = declarationsOf(get().parameters)[name];
      setField(node, field, spec && hasDefault(spec) ? structuredClone(spec.default) : undefined);
      changed(true);
    },

    selectOnly(ids) {
      const wanted = new Set(ids);
      set({
        nodes: get().nodes.map((n) => (Boolean(n.selected) === wanted.has(n.id) ? n : { ...n, selected: wanted.has(n.id) })),
        edges: stripEdges(get().edges),
      });
    },

    selectAll() {
      set({ nodes: get().nodes.map((n) => (n.selected ? n : { ...n, selected: true })) });
    },

    copySelection() {
      const { nodes, edges } = get();
      const picked = nodes.filter((n) => n.selected);
      if (!picked.length) return null;
      const ids = new Set(picked.map((n) => n.id));
      return {
        nodes: structuredClone(strip(picked)),
        edges: structuredClone(stripEdges(edges.filter((e) => ids.has(e.source) && ids.has(e.target)))),
      };
    },

    paste(clipboard, at) {
      if (get().readOnly || !clipboard.nodes.length) return;
      const offset = at ?? pasteOffset(clipboard.nodes, get().nodes);
      remember();
      const taken = new Set(get().nodes.map((n) => n.id));
      const renamed = new Map<string, string>();
      const fresh: DesignerNode[] = clipboard.nodes.map((n) => {
        const id = newNodeId(n.data.module, taken);
        taken.add(id);
        renamed.set(n.id, id);
        return {
          ...structuredClone(n),
          id,
          selected: true,
          position: { x: n.position.x + offset.x, y: n.position.y + offset.y },
        };
      });
      const freshEdges: DesignerEdge[] = clipboard.edges.map((e) => {
        const source = renamed.get(e.source) as string;
        const target = renamed.get(e.target) as string;
        return { ...e, id: edgeId(source, e.sourceHandle ?? "", target, e.targetHandle ?? ""), source, target, selected: false };
      });
      set({
        nodes: [...get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...fresh],
        edges: [...stripEdges(get().edges), ...freshEdges],
      });
      changed(true);
    },

    moveNodes(positions) {
      if (get().readOnly) return;
      const nodes = get().nodes;
      const moved = nodes.some((n) => {
        const p = positions.get(n.id);
        return p !== undefined && (p.x !== n.position.x || p.y !== n.position.y);
      });
      if (!moved) return;
      remember();
      set({
        nodes: nodes.map((n) => {
          const p = positions.get(n.id);
          return p && (p.x !== n.position.x || p.y !== n.position.y) ? { ...n, position: { x: p.x, y: p.y } } : n;
        }),
      });
      changed(false);
    },

    undo() {
      const { past, future, nodes, edges, parameters, readOnly } = get();
      const previous = past[past.length - 1];
      if (readOnly || !previous) return;
      set({
        past: past.slice(0, -1),
        future: [{ nodes: settled(nodes), edges, parameters }, ...future],
        nodes: previous.nodes,
        edges: previous.edges,
        parameters: previous.parameters,
        lastEdit: null,
      });
      changed(true);
    },

    redo() {
      const { past, future, nodes, edges, parameters, readOnly } = get();
      const next = future[0];
      if (readOnly || !next) return;
      set({
        past: [...past, { nodes: settled(nodes), edges, parameters }],
        future: future.slice(1),
        nodes: next.nodes,
        edges: next.edges,
        parameters: next.parameters,
        lastEdit: null,
      });
      changed(true);
    },

    applyRemote(current, history, semantic) {
      const { past, future, semanticRevision } = get();
      set({
        nodes: current.nodes,
        edges: current.edges,
        parameters: current.parameters,
        past: past.map(history),
        future: future.map(history),
        semanticRevision: semantic ? semanticRevision + 1 : semanticRevision,
      });
    },
  };
});
