import { describe, expect, it } from "vitest";
import type { Module } from "../../api/types";
import { module } from "../../test/fixtures";
import { runOutputPort } from "./types";

const outputs = [{ name: "top" }, { name: "rest" }] as Module["outputs"];

describe("runOutputPort", () => {
  it("maps a script component's named outputs onto the positional ports its run stores", () => {
    const script = { ...module("component:4", { outputs }), component: { id: 4, kind: "script", latest_version: 1 } } as Module;
    expect(runOutputPort(script, "top")).toBe("output_1");
    expect(runOutputPort(script, "rest")).toBe("output_2");
  });

  it("keeps the names of modules and graph components", () => {
    const graph = { ...module("component:5", { outputs }), component: { id: 5, kind: "graph", latest_version: 1 } } as Module;
    expect(runOutputPort(graph, "rest")).toBe("rest");
    expect(runOutputPort(module("split_data", { outputs }), "top")).toBe("top");
  });
});
