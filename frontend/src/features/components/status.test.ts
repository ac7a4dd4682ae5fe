import { describe, expect, it } from "vitest";
import type { NodeStatus } from "../../api/types";
import type { NodeRunState } from "../runs/runStore";
import { aggregate, aggregateStatus } from "./status";

const state = (status: NodeStatus, progress = 0): NodeRunState => ({
  status,
  progress,
  message: "",
  reason: "",
  error: null,
  outputs: {},
  startedAt: null,
  finishedAt: null,
  elapsed: null,
  attempt: 0,
  worker: "",
  spread: null,
  compute: null,
  live: {},
});

describe("a component node's aggregate status", () => {
  it.each<[NodeStatus[], NodeStatus]>([
    [["completed", "running", "pending"], "running"],
    [["completed", "failed", "running"], "failed"],
    [["reused", "reused"], "reused"],
    [["reused", "completed"], "completed"],
    [["completed", "completed"], "completed"],
    [["completed", "pending"], "running"],
    [["queued", "pending"], "queued"],
    [["pending", "pending"], "pending"],
    [["completed", "cancelled"], "cancelled"],
    [["skipped", "skipped"], "skipped"],
  ])("%j → %s", (inner, expected) => {
    expect(aggregateStatus(inner)).toBe(expected);
  });

  it("has none while no inner node has a status", () => {
    expect(aggregateStatus([])).toBeUndefined();
    expect(aggregate({ other: state("running") }, "prep")).toBeUndefined();
  });

  it("gathers the inner nodes by their `outer/inner` ids, nested ones too, and nothing else", () => {
    const nodes = {
      prep: state("completed"), // a node named like the prefix is not inside it
      "prep-2/x": state("failed"), // nor one whose id only starts with the same letters
      "prep/clean": state("completed", 1),
      "prep/norm": state("running", 0.5),
      "prep/inner/deep": state("pending"),
    };
    expect(aggregate(nodes, "prep")).toEqual({ status: "running", progress: 0.5, total: 3, done: 1, failed: null });
    expect(aggregate(nodes, "prep/inner")).toMatchObject({ status: "pending", total: 1 });
  });

  it("points at the first failed inner node", () => {
    expect(aggregate({ "c/a": state("completed"), "c/b": state("failed") }, "c")?.failed).toBe("c/b");
  });
});
