/**
 * Where things go on the canvas without landing on each other: the box a node takes up (its card and
 * what hangs below it), whether boxes overlap, and the nearest free spot for a new node or a pasted group.
 * Pure geometry, synchronous; the full auto-layout (elkjs) is in arrange.ts and loaded only when used.
 */
import type { XYPosition } from "@xyflow/react";
import type { DesignerNode } from "./document";
import { NODE_WIDTH } from "./nodeSize";

/** A card with a one-line title and no parameter line (nodeSize.ts): what an unmeasured node is taken to be. */
export const DEFAULT_HEIGHT = 70;
/** The comment hangs under the card (canvas.css .mnode__comment: 16 px gap, one 11.5 px line, padding, border). */
export const COMMENT_SPACE = 16 + 24;
/** Space kept free around a node that is placed for the user. */
export const GAP = 32;

export interface Box {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The card's own box, as React Flow draws it (measured, else estimated, else a one-line card). */
export function cardBox(node: DesignerNode): Box {
  return {
    id: node.id,
    x: node.position.x,
    y: node.position.y,
    width: node.measured?.width ?? node.width ?? NODE_WIDTH,
    height: node.measured?.height ?? node.height ?? DEFAULT_HEIGHT,
  };
}

/** The box a node needs to itself: its card, and the comment below it when it has one. */
export function footprint(node: DesignerNode): Box {
  const box = cardBox(node);
  return node.data.comment ? { ...box, height: box.height + COMMENT_SPACE } : box;
}

export function intersects(a: Box, b: Box, gap = 0): boolean {
  return a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;
}

/** Pairs of boxes that overlap, by id (sweep over x, so a large pipeline is not n² when laid out). */
export function overlapping(boxes: readonly Box[], gap = 0): Array<[string, string]> {
  const sorted = [...boxes].sort((a, b) => a.x - b.x);
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i] as Box;
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j] as Box;
      if (b.x >= a.x + a.width + gap) break;
      if (intersects(a, b, gap)) pairs.push([a.id, b.id]);
    }
  }
  return pairs;
}

export function bounds(boxes: readonly Box[]): Box | null {
  if (!boxes.length) return null;
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  const right = Math.max(...boxes.map((b) => b.x + b.width));
  const bottom = Math.max(...boxes.map((b) => b.y + b.height));
  return { id: "", x, y, width: right - x, height: bottom - y };
}

const STEP = 24;
const RINGS = 60;

/**
 * The free position nearest to `want` (its top-left corner) for a box of `size`, keeping GAP from every
 * box in `taken`: `want` itself when it is free, else the closest free point on a 24-px grid around it,
 * looking below and to the right first (where a reader expects the next thing).
 */
export function freeSpot(want: XYPosition, size: { width: number; height: number }, taken: readonly Box[]): XYPosition {
  const free = (p: XYPosition) => !taken.some((b) => intersects({ id: "", ...p, ...size }, b, GAP));
  if (free(want)) return want;
  for (let ring = 1; ring <= RINGS; ring++) {
    const candidates: XYPosition[] = [];
    for (let i = -ring; i <= ring; i++) {
      candidates.push({ x: want.x + i * STEP, y: want.y + ring * STEP }); // below
      candidates.push({ x: want.x + ring * STEP, y: want.y + i * STEP }); // right
      candidates.push({ x: want.x + i * STEP, y: want.y - ring * STEP }); // above
      candidates.push({ x: want.x - ring * STEP, y: want.y + i * STEP }); // left
    }
    const dist = (p: XYPosition) => Math.hypot(p.x - want.x, p.y - want.y);
    // Nearest first; among equals, below before right before above before left (the order pushed).
    const found = candidates.map((p, i) => ({ p, i })).sort((a, b) => dist(a.p) - dist(b.p) || a.i - b.i).find(({ p }) => free(p));
    if (found) return found.p;
  }
  // Everything near is taken (a very dense canvas): below all of it.
  const all = bounds(taken);
  return all ? { x: want.x, y: all.y + all.height + GAP } : want;
}

/**
 * How far to move a pasted group so it lands clear of everything on the canvas, the copied originals
 * included: just below the group's own bounding box when that is free, else the nearest free spot.
 */
export function pasteOffset(group: readonly DesignerNode[], existing: readonly DesignerNode[]): XYPosition {
  const box = bounds(group.map(footprint));
  if (!box) return { x: 0, y: 0 };
  const spot = freeSpot({ x: box.x, y: box.y + box.height + GAP }, box, existing.map(footprint));
  return { x: Math.round(spot.x - box.x), y: Math.round(spot.y - box.y) };
}
