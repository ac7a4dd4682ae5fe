import { describe, expect, it } from "vitest";
import type { InternalNode } from "@xyflow/react";
import { MINIMAP_HEIGHT, MINIMAP_WIDTH, layout } from "./StatusMiniMap";

function node(id: string, x: number, y: number, width: number, height: number, hidden = false): InternalNode {
  return { id, hidden, measured: { width, height }, internals: { positionAbsolute: { x, y } } } as unknown as InternalNode;
}

describe("the minimap's layout", () => {
  it("fits every node and the view, centred, with the view where the transform puts it", () => {
    const nodeLookup = new Map([
      ["a", node("a", 0, 0, 100, 50)],
      ["b", node("b", 900, 400, 100, 50)],
      ["gone", node("gone", 5000, 5000, 10, 10, true)],
    ]);
    // a pane of 400 x 300 at zoom 2, translated so the view starts at flow (100, 50)
    const { mapping, view, boxes } = layout({ nodeLookup, transform: [-200, -100, 2], width: 400, height: 300 } as never);

    expect(view).toEqual({ x: 100, y: 50, width: 200, height: 150 });
    expect(boxes.map((b) => b.node.id)).toEqual(["a", "b"]); // hidden nodes are not drawn
    // the area 0..1000 x 0..450 fits the 184 x 134 inner box: width decides, 1000 / 184 flow units a pixel
    expect(mapping.scale).toBeCloseTo(1000 / (MINIMAP_WIDTH - 16));
    const px = (fx: number, fy: number): [number, number] => [(fx - mapping.x) / mapping.scale, (fy - mapping.y) / mapping.scale];
    const [left, top] = px(0, 0);
    const [right, bottom] = px(1000, 450);
    expect(left).toBeCloseTo(8);
    expect(right).toBeCloseTo(MINIMAP_WIDTH - 8);
    expect(top - 0).toBeCloseTo(MINIMAP_HEIGHT - bottom); // centred vertically
  });

  it("takes the view into the area when it lies beyond every node", () => {
    const nodeLookup = new Map([["a", node("a", 0, 0, 100, 100)]]);
    const { mapping } = layout({ nodeLookup, transform: [-1900, 0, 1], width: 100, height: 100 } as never);
    // nodes at 0..100, the view at 1900..2000: 2000 flow units across the inner width
    expect(mapping.scale).toBeCloseTo(2000 / (MINIMAP_WIDTH - 16));
  });
});
