import { beforeEach, describe, expect, it } from "vitest";
import { useRunStatus } from "./runStore";

const s = () => useRunStatus.getState();

describe("the run status store", () => {
  beforeEach(() =>
    s().attach({
      run: { id: 7, pipeline: 1, version: 2, status: "running", error: "", elapsed: 0.5 },
      nodes: [
        { node: "ds", status: "reused" },
        { node: "split", status: "queued" },
        { node: "train", status: "pending" },
      ],
      last_seq: 10,
    }),
  );

  it("applies node events in order and ignores ones already seen", () => {
    s().apply({ seq: 11, type: "node_started", node: "split", status: "running" });
    s().apply({ seq: 12, type: "node_progress", node: "split", progress: 0.4, message: "splitting" });
    expect(s().nodes.split).toMatchObject({ status: "running", progress: 0.4, message: "splitting" });
    s().apply({ seq: 12, type: "node_failed", node: "split" });
    expect(s().nodes.split?.status).toBe("running");
    s().apply({ seq: 13, type: "node_failed", node: "split", error: { code: "x", message: "boom" } });
    expect(s().nodes.split).toMatchObject({ status: "failed", error: { message: "boom" } });
  });

  it("replaces only the node an event is about", () => {
    const before = s().nodes;
    s().apply({ seq: 11, type: "node_finished", node: "split", status: "completed" });
    expect(s().nodes.ds).toBe(before.ds);
    expect(s().nodes.train).toBe(before.train);
    expect(s().nodes.split).not.toBe(before.split);
  });

  it("keeps the latest record of each key a node's progress events carry, afresh for each attempt", () => {
    s().apply({ seq: 11, type: "node_started", node: "split", status: "running" });
    s().apply({ seq: 12, type: "node_progress", node: "split", progress: 0, message: "", detail: { "1": "running" } });
    s().apply({ seq: 13, type: "node_progress", node: "split", progress: 0.5, message: "", detail: { "1": "done", "2": "running" } });
    s().apply({ seq: 14, type: "node_progress", node: "split", progress: 0.6, message: "no detail" });
    expect(s().nodes.split?.live).toEqual({ "1": "done", "2": "running" });
    s().apply({ seq: 15, type: "node_started", node: "split", status: "running", attempt: 2 });
    expect(s().nodes.split?.live).toEqual({});
  });

  it("finishes the run with its elapsed time", () => {
    s().apply({ seq: 20, type: "run_finished", status: "completed", elapsed: 3.25 });
    expect(s().run).toMatchObject({ status: "completed", elapsed: 3.25 });
  });

  it("ignores events of another run", () => {
    s().apply({ seq: 11, run: 8, type: "node_started", node: "split" });
    expect(s().nodes.split?.status).toBe("queued");
  });
});
