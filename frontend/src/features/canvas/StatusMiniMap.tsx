/**
 * The minimap: every module as a box coloured by its run status, and the part of the pipeline in view.
 *
 * Drawn on a <canvas>, not React Flow's SVG minimap: with 500 modules, repainting the SVG's 500 boxes on every
 * frame of a pan or a node drag cost a frame in every two to four (make bench-canvas: pan p95 33 → 17 ms without
 * it). The bitmap is redrawn at most once per animation frame, from React Flow's store, with no DOM per module.
 * Click or drag in it to move the view there; scroll in it to zoom.
 */
import { Panel, useReactFlow, useStoreApi, type InternalNode, type Node, type ReactFlowState } from "@xyflow/react";
import { useCallback, useEffect, useRef, type PointerEvent as ReactPointerEvent, type WheelEvent } from "react";

export const MINIMAP_WIDTH = 200;
export const MINIMAP_HEIGHT = 150;
const PADDING = 8;
const MASK = "rgba(240, 243, 248, 0.7)";
const VIEW_OUTLINE = "#98a2b3";

/** How minimap pixels map to flow coordinates (kept from the last drawing, for clicks). */
interface Mapping {
  scale: number; // flow units per minimap pixel
  x: number; // flow x at minimap pixel 0
  y: number;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The flow area the minimap shows: every node and the view, and where each node lies. */
export function layout(state: Pick<ReactFlowState, "nodeLookup" | "transform" | "width" | "height">): {
  mapping: Mapping;
  view: Box;
  boxes: { node: InternalNode; box: Box }[];
} {
  const [tx, ty, zoom] = state.transform;
  const view = { x: -tx / zoom, y: -ty / zoom, width: state.width / zoom, height: state.height / zoom };
  let [minX, minY, maxX, maxY] = [view.x, view.y, view.x + view.width, view.y + view.height];
  const boxes: { node: InternalNode; box: Box }[] = [];
  for (const node of state.nodeLookup.values()) {
    if (node.hidden) continue;
    const { x, y } = node.internals.positionAbsolute;
    const width = node.measured.width ?? node.width ?? 0;
    const height = node.measured.height ?? node.height ?? 0;
    boxes.push({ node, box: { x, y, width, height } });
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x + width);
    maxY = Math.max(maxY, y + height);
  }
  const inner = [MINIMAP_WIDTH - 2 * PADDING, MINIMAP_HEIGHT - 2 * PADDING] as const;
  const scale = Math.max((maxX - minX) / inner[0], (maxY - minY) / inner[1], 1e-9);
  // Centred: the unused side is split evenly.
  const x = minX - PADDING * scale - (inner[0] * scale - (maxX - minX)) / 2;
  const y = minY - PADDING * scale - (inner[1] * scale - (maxY - minY)) / 2;
  return { mapping: { scale, x, y }, view, boxes };
}

function paint(canvas: HTMLCanvasElement, state: ReactFlowState, colour: (node: Node) => string): Mapping | null {
  const ctx = canvas.getContext("2d");
  if (!ctx) return null;
  const ratio = window.devicePixelRatio || 1;
  if (canvas.width !== MINIMAP_WIDTH * ratio) {
    canvas.width = MINIMAP_WIDTH * ratio;
    canvas.height = MINIMAP_HEIGHT * ratio;
  }
  const { mapping, view, boxes } = layout(state);
  const px = (value: number, origin: number) => (value - origin) / mapping.scale;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, MINIMAP_WIDTH, MINIMAP_HEIGHT);
  for (const { node, box } of boxes) {
    ctx.fillStyle = colour(node.internals.userNode);
    ctx.fillRect(px(box.x, mapping.x), px(box.y, mapping.y), Math.max(box.width / mapping.scale, 1), Math.max(box.height / mapping.scale, 1));
  }
  // Everything outside the view is veiled; the view is outlined.
  const vx = px(view.x, mapping.x);
  const vy = px(view.y, mapping.y);
  const vw = view.width / mapping.scale;
  const vh = view.height / mapping.scale;
  ctx.beginPath();
  ctx.rect(0, 0, MINIMAP_WIDTH, MINIMAP_HEIGHT);
  ctx.rect(vx, vy, vw, vh);
  ctx.fillStyle = MASK;
  ctx.fill("evenodd");
  ctx.strokeStyle = VIEW_OUTLINE;
  ctx.lineWidth = 1;
  ctx.strokeRect(vx + 0.5, vy + 0.5, Math.max(vw - 1, 0), Math.max(vh - 1, 0));
  return mapping;
}

export function StatusMiniMap({ colour }: { colour: (node: Node) => string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const mapping = useRef<Mapping | null>(null);
  const store = useStoreApi();
  const flow = useReactFlow();

  useEffect(() => {
    let frame = 0;
    const draw = () => {
      frame = 0;
      if (canvas.current) mapping.current = paint(canvas.current, store.getState(), colour);
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(draw);
    };
    schedule();
    const unsubscribe = store.subscribe(schedule);
    return () => {
      unsubscribe();
      cancelAnimationFrame(frame);
    };
  }, [store, colour]);

  const centreOn = useCallback(
    (e: ReactPointerEvent<HTMLCanvasElement>) => {
      const m = mapping.current;
      if (!m) return;
      const rect = e.currentTarget.getBoundingClientRect();
      const x = m.x + (e.clientX - rect.left) * m.scale;
      const y = m.y + (e.clientY - rect.top) * m.scale;
      void flow.setCenter(x, y, { zoom: flow.getZoom() });
    },
    [flow],
  );

  const onPointerDown = useCallback(
    (e: ReactPointerEvent<HTMLCanvasElement>) => {
      e.currentTarget.setPointerCapture(e.pointerId);
      centreOn(e);
    },
    [centreOn],
  );
  const onPointerMove = useCallback(
    (e: ReactPointerEvent<HTMLCanvasElement>) => {
      if (e.currentTarget.hasPointerCapture(e.pointerId)) centreOn(e);
    },
    [centreOn],
  );
  const onWheel = useCallback(
    (e: WheelEvent<HTMLCanvasElement>) => {
      void flow.zoomTo(flow.getZoom() * (e.deltaY < 0 ? 1.2 : 1 / 1.2));
    },
    [flow],
  );

  return (
    <Panel position="bottom-right" className="react-flow__minimap status-minimap">
      <canvas
        ref={canvas}
        style={{ width: MINIMAP_WIDTH, height: MINIMAP_HEIGHT, display: "block" }}
        role="img"
        aria-label="Mini map: the whole pipeline and the part in view; click or drag to move the view there"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onWheel={onWheel}
      />
    </Panel>
  );
}
