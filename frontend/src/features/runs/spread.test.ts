import { beforeEach, describe, expect, it } from "vitest";
import { useRunStatus } from "./runStore";
import { describeSpread } from "./spread";

const s = () => useRunStatus.getState();

describe("how a node's parts spread over workers", () => {
  beforeEach(() =>
    s().attach({
      run: { id: 3, pipeline: 1, version: 1, status: "running", error: "", elapsed: 0 },
      nodes: [{ node: "tune", status: "running", worker: "cpu1@a" }],
      last_seq: 1,
    }),
  );

  it("arrives with the node's finished event and keeps its worker", () => {
    expect(s().nodes.tune).toMatchObject({ worker: "cpu1@a", spread: null });
    const spread = { what: "trial", parts: 6, workers: { "a:11": 5, "b:12": 1 }, node_worker: "a:11" };
    s().apply({ seq: 2, type: "node_finished", node: "tune", status: "completed", spread });
    expect(s().nodes.tune).toMatchObject({ worker: "cpu1@a", spread });
  });

  it("ignores a node that split nothing", () => {
    s().apply({ seq: 2, type: "node_finished", node: "tune", status: "completed", spread: {} });
    expect(s().nodes.tune?.spread).toBeNull();
  });

  it("is described with counts per worker, the module's own worker named", () => {
    const text = describeSpread({ what: "trial", parts: 6, workers: { "b:12": 1, "a:11": 5 }, node_worker: "a:11" });
    expect(text).toBe("6 trials on 2 workers: a:11 (5, this module's worker), b:12 (1)");
    expect(describeSpread({ what: "part", parts: 1, workers: { "a:11": 1 } })).toBe("1 part on 1 worker: a:11 (1)");
  });
});
