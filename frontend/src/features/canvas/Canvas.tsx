/**
 * The React Flow surface: controlled by the graph store, drop target for the palette, keyboard
 * shortcuts (delete, undo/redo, copy/paste, select all, arrange; `?` lists them), a context menu on
 * modules, connections and the canvas, zoom controls and a minimap.
 */
import {
  Background,
  BackgroundVariant,
  Controls,
  ReactFlow,
  useReactFlow,
  useStore,
  useStoreApi,
  type Edge,
  type FinalConnectionState,
  type Node,
  type XYPosition,
} from "@xyflow/react";
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type DragEvent, type MouseEvent as ReactMouseEvent, type RefObject } from "react";
import { statusStyle } from "../../app/status";
import { DND_MIME, readItem, type PaletteItem } from "../palette/dnd";
import { useRunStatus } from "../runs/runStore";
import { ConnectionLine } from "./ConnectionLine";
import type { DesignerNode } from "./document";
import { arrangeAll, copySelected, pasteClipboard } from "./actions";
import { menuItems, menuLabel, type MenuTarget } from "./canvasMenu";
import { ContextMenu } from "./ContextMenu";
import { useGraph } from "./graphStore";
import { ShortcutHelp } from "./ShortcutHelp";
import { StatusMiniMap } from "./StatusMiniMap";
import { NODE_WIDTH } from "./nodeSize";
import { checkLive, isValidConnection } from "./rules";
import { toast } from "../../app/toasts";
import { edgeTypes, nodeTypes } from "./types";
import { openComponentNode } from "../components/actions";
import { isComponentModule } from "../components/types";
import { scopedId, useScope } from "../components/scopeStore";
import { aggregate } from "../components/status";

interface CanvasProps {
  readOnly: boolean;
  onDropItem?(item: PaletteItem, position: XYPosition): void;
  /** Submit a run that re-runs `nodeId` and everything after it (the context menu's "Run from here"). */
  onRunFrom?(nodeId: string): void;
}

interface OpenMenu {
  target: MenuTarget;
  x: number;
  y: number;
}

const DEFAULT_EDGE = { type: "status" } as const;
const FIT_OPTIONS = { padding: 0.2, maxZoom: 1.1 } as const;
const PRO_OPTIONS = { hideAttribution: false } as const;

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
}

export function Canvas({ readOnly, onDropItem, onRunFrom }: CanvasProps) {
  const nodes = useGraph((s) => s.nodes);
  const edges = useGraph((s) => s.edges);
  const onNodesChange = useGraph((s) => s.onNodesChange);
  const onEdgesChange = useGraph((s) => s.onEdgesChange);
  const connect = useGraph((s) => s.connect);
  const flow = useReactFlow();
  const wrapper = useRef<HTMLDivElement>(null);
  // Fit a pipeline that opens with nodes; an empty canvas keeps 100 % zoom while it is built.
  const fitOnOpen = useRef(nodes.length > 0).current;
  // Sized up front (nodeSize.ts): drawn at once, so fit at once. React Flow fits once it has measured the
  // nodes, and nodes estimated right are never measured again; its store takes them before this effect runs.
  const presized = useRef(nodes.length > 0 && nodes.every((n) => n.measured && n.handles)).current;
  const store = useStoreApi<DesignerNode>();
  useEffect(() => {
    if (!fitOnOpen || !presized) return;
    const { fitViewQueued, nodes: current, setNodes } = store.getState();
    if (fitViewQueued) setNodes(current);
  }, [fitOnOpen, presized, store]);

  const [menu, setMenu] = useState<OpenMenu | null>(null);
  const [help, setHelp] = useState(false);
  const closeMenu = useCallback(() => setMenu(null), []);
  const closeHelp = useCallback(() => setHelp(false), []);
  const openMenu = useCallback((e: ReactMouseEvent | MouseEvent, target: MenuTarget) => {
    e.preventDefault();
    if (target.kind === "node" && !useGraph.getState().nodes.find((n) => n.id === target.id)?.selected) {
      useGraph.getState().selectOnly([target.id]); // the menu acts on what it was opened on
    }
    setMenu({ target, x: e.clientX, y: e.clientY });
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || document.querySelector(".modal-backdrop, .ctxmenu")) return;
      const mod = e.ctrlKey || e.metaKey;
      const graph = useGraph.getState();
      const key = e.key.toLowerCase();
      if (!readOnly && (e.key === "Delete" || e.key === "Backspace")) {
        e.preventDefault();
        graph.removeSelected();
      } else if (!readOnly && mod && key === "z" && !e.shiftKey) {
        e.preventDefault();
        graph.undo();
      } else if (!readOnly && mod && (key === "y" || (key === "z" && e.shiftKey))) {
        e.preventDefault();
        graph.redo();
      } else if (mod && key === "c") {
        copySelected();
      } else if (!readOnly && mod && key === "v") {
        if (pasteClipboard()) e.preventDefault();
      } else if (mod && key === "a") {
        e.preventDefault();
        graph.selectAll();
      } else if (e.key === "?" && !mod) {
        e.preventDefault();
        setHelp(true);
      } else if (!readOnly && !mod && e.shiftKey && key === "l") {
        e.preventDefault();
        void arrangeAll(flow);
      } else if (e.key === "ContextMenu" || (e.shiftKey && e.key === "F10")) {
        e.preventDefault();
        const chosen = graph.nodes.find((n) => n.selected);
        const element = chosen && document.querySelector(`.react-flow__node[data-id="${CSS.escape(chosen.id)}"]`);
        const box = (element ?? wrapper.current)?.getBoundingClientRect();
        if (!box) return;
        setMenu({ target: chosen ? { kind: "node", id: chosen.id } : { kind: "pane" }, x: box.left + 24, y: box.top + 24 });
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [readOnly, flow]);

  const onDragOver = useCallback((e: DragEvent) => {
    if (readOnly) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
  }, [readOnly]);

  const onDrop = useCallback(
    (e: DragEvent) => {
      if (readOnly || !onDropItem) return;
      e.preventDefault();
      const item = readItem(e.dataTransfer.getData(DND_MIME));
      if (!item) return;
      const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      onDropItem(item, { x: Math.round(p.x - NODE_WIDTH / 2), y: Math.round(p.y - 30) });
    },
    [flow, onDropItem, readOnly],
  );

  // A component node opens on the canvas (its inner graph, with a breadcrumb back).
  // Handlers that keep their identity: React Flow hands them to every node and edge wrapper, so a new function on
  // each render (the canvas renders on every frame of a drag) made all 500 cards and edges render again.
  const onNodeContextMenu = useCallback((e: ReactMouseEvent, n: DesignerNode) => openMenu(e, { kind: "node", id: n.id }), [openMenu]);
  const onSelectionContextMenu = useCallback(
    (e: ReactMouseEvent, picked: DesignerNode[]) => picked[0] && openMenu(e, { kind: "node", id: picked[0].id }),
    [openMenu],
  );
  const onEdgeContextMenu = useCallback((e: ReactMouseEvent, edge: Edge) => openMenu(e, { kind: "edge", id: edge.id }), [openMenu]);
  const onPaneContextMenu = useCallback((e: ReactMouseEvent | MouseEvent) => openMenu(e, { kind: "pane" }), [openMenu]);
  const onNodeDoubleClick = useCallback((_: ReactMouseEvent, node: DesignerNode) => {
    if (isComponentModule(node.data.module)) void openComponentNode(node.id);
  }, []);

  const onConnectEnd = useCallback((_: MouseEvent | TouchEvent, state: FinalConnectionState) => {
    if (state.isValid || !state.fromHandle || !state.toHandle || !state.fromNode || !state.toNode) return;
    const forward = state.fromHandle.type === "source";
    const check = checkLive({
      source: forward ? state.fromNode.id : state.toNode.id,
      sourceHandle: forward ? state.fromHandle.id : state.toHandle.id,
      target: forward ? state.toNode.id : state.fromNode.id,
      targetHandle: forward ? state.toHandle.id : state.fromHandle.id,
    });
    if (!check.ok) toast.error(`Not connected: ${check.reason}`);
  }, []);

  return (
    <div className="canvas" ref={wrapper} onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<DesignerNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        defaultEdgeOptions={DEFAULT_EDGE}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={connect}
        onConnectEnd={onConnectEnd}
        onNodeContextMenu={onNodeContextMenu}
        onNodeDoubleClick={onNodeDoubleClick}
        onSelectionContextMenu={onSelectionContextMenu}
        onEdgeContextMenu={onEdgeContextMenu}
        onPaneContextMenu={onPaneContextMenu}
        onMoveStart={closeMenu}
        isValidConnection={isValidConnection}
        connectionLineComponent={ConnectionLine}
        connectionRadius={28}
        connectOnClick={false}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        edgesReconnectable={false}
        deleteKeyCode={null}
        multiSelectionKeyCode={["Meta", "Control"]}
        selectionKeyCode="Shift"
        minZoom={0.1}
        maxZoom={2}
        snapToGrid
        snapGrid={[8, 8]}
        proOptions={PRO_OPTIONS}
        fitView={fitOnOpen}
        fitViewOptions={FIT_OPTIONS}
      >
        <Background variant={BackgroundVariant.Dots} gap={18} size={1.2} color="#c9d0db" />
        <Controls showInteractive={false} position="bottom-left" />
        <RunMiniMap />
        <FarZoom canvas={wrapper} />
      </ReactFlow>
      {menu && (
        <ContextMenu
          x={menu.x}
          y={menu.y}
          label={menuLabel(menu.target)}
          items={menuItems(menu.target, { readOnly, runFrom: onRunFrom, flow })}
          onClose={closeMenu}
        />
      )}
      {help && <ShortcutHelp onClose={closeHelp} />}
      {!nodes.length && (
        <div className="canvas__empty">
          {readOnly ? (
            <p>This version of the pipeline has no modules.</p>
          ) : (
            <>
              <div className="canvas__empty-title">Start building your pipeline</div>
              <p>
                Drag a dataset and modules from the library on the left onto the canvas, then connect an output port
                (bottom of a module) to an input port (top of the next one).
              </p>
            </>
          )}
        </div>
      )}
    </div>
  );
}

/** Below this zoom a module's text is under 5 px tall: unreadable, and most of what a frame costs to paint. */
export const FAR_ZOOM = 0.4;

/**
 * Marks the canvas `canvas--far` while zoomed out below FAR_ZOOM: the modules' text is then drawn as
 * plain bars (canvas.css), so panning and dragging a large pipeline repaint boxes, not thousands of
 * tiny glyph runs. A class on the wrapper, not a prop, so crossing the threshold re-renders no node.
 */
function FarZoom({ canvas }: { canvas: RefObject<HTMLDivElement | null> }) {
  const far = useStore((s) => s.transform[2] < FAR_ZOOM);
  // Before the browser paints: a pipeline that opens zoomed out is styled once, not drawn with text first.
  useLayoutEffect(() => {
    canvas.current?.classList.toggle("canvas--far", far);
  }, [canvas, far]);
  return null;
}

/** The minimap (StatusMiniMap.tsx) colours nodes by run status: drawn again when any status changes. */
function RunMiniMap() {
  const statuses = useRunStatus((s) => s.nodes);
  const frames = useScope((s) => s.frames);
  const colour = useCallback(
    (node: Node) => {
      // Inside an open component runs name nodes `outer/inner`; a component node has its inner nodes' status.
      const id = scopedId(frames, node.id);
      const status = statuses[id]?.status ?? aggregate(statuses, id)?.status;
      return status ? resolveColour(statusStyle(status).colour) : "#cfd6e2";
    },
    [statuses, frames],
  );
  return <StatusMiniMap colour={colour} />;
}

const colourCache = new Map<string, string>();
function resolveColour(cssVar: string): string {
  const cached = colourCache.get(cssVar);
  if (cached) return cached;
  const name = cssVar.match(/var\((--[^)]+)\)/)?.[1];
  const value = name ? getComputedStyle(document.documentElement).getPropertyValue(name).trim() : "";
  const resolved = value || "#98a2b3";
  colourCache.set(cssVar, resolved);
  return resolved;
}
