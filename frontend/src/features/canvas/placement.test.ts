import { describe, expect, it } from "vitest";
import { freeSpot, GAP, intersects, overlapping, type Box } from "./placement";

const box = (id: string, x: number, y: number, width = 232, height = 70): Box => ({ id, x, y, width, height });

describe("placing a module where nothing is", () => {
  it("keeps the wanted spot when it is free", () => {
    expect(freeSpot({ x: 0, y: 0 }, { width: 232, height: 70 }, [box("a", 400, 0)])).toEqual({ x: 0, y: 0 });
  });

  it("moves a module added on top of others to the nearest spot a gap away from all of them", () => {
    const taken = [box("a", 0, 0), box("b", 0, 102), box("c", 264, 0)];
    const spot = freeSpot({ x: 0, y: 0 }, { width: 232, height: 70 }, taken);
    expect(taken.filter((b) => intersects({ id: "new", ...spot, width: 232, height: 70 }, b, GAP))).toEqual([]);
    expect(Math.hypot(spot.x, spot.y)).toBeLessThan(300); // near, not thrown far away
  });

  it("adds modules one after another without stacking them", () => {
    const taken: Box[] = [];
    for (let i = 0; i < 12; i++) taken.push({ id: `n${i}`, ...freeSpot({ x: 100, y: 100 }, { width: 232, height: 70 }, taken), width: 232, height: 70 });
    expect(overlapping(taken, GAP - 1)).toEqual([]);
  });
});
