import { describe, expect, it } from "vitest";
import type { PipelineDocument } from "../../api/types";
import { byId, module } from "../../test/fixtures";
import { defaultInterface, exposedParameters, uniqueName } from "./defaults";

const withParams = module("normalize", {
  name: "Normalize Data",
  inputs: [{ name: "dataset", label: "Dataset", type: "table", optional: false, doc: "" } as never],
  outputs: [{ name: "transformed_dataset", label: "Transformed dataset", type: "table", optional: false, doc: "" } as never],
  params_schema: {
    type: "object",
    properties: { method: { title: "Method", type: "string", default: "zscore" }, clip: { title: "Clip", type: "boolean", default: false } },
  },
});
const catalogue = new Map([...byId, ["normalize", withParams]]);
const moduleOf = (n: { module: string }) => catalogue.get(n.module);

// ds → split → (first half) train ← lr ; split's second half → score ; train → score
const doc: PipelineDocument = {
  nodes: [
    { id: "ds", module: "dataset", version: 1, params: {} },
    { id: "norm", module: "normalize", version: 1, params: { method: "minmax" } },
    { id: "split", module: "split_data", version: 1, params: {} },
    { id: "lr", module: "two_class_logistic_regression", version: 1, params: {} },
    { id: "train", module: "train_model", version: 1, params: {} },
    { id: "score", module: "score_model", version: 1, params: {} },
  ],
  edges: [
    { source: { node: "ds", port: "dataset" }, target: { node: "norm", port: "dataset" } },
    { source: { node: "norm", port: "transformed_dataset" }, target: { node: "split", port: "dataset" } },
    { source: { node: "split", port: "results_dataset1" }, target: { node: "train", port: "dataset" } },
    { source: { node: "lr", port: "untrained_model" }, target: { node: "train", port: "untrained_model" } },
    { source: { node: "split", port: "results_dataset2" }, target: { node: "score", port: "dataset" } },
    { source: { node: "train", port: "trained_model" }, target: { node: "score", port: "trained_model" } },
  ],
};

describe("the interface proposed for a new component", () => {
  it("takes an input per outside source feeding the selection and an output per inner port used outside", () => {
    const draft = defaultInterface(doc, new Set(["norm", "split"]), moduleOf);
    expect(draft.inputs).toEqual([{ name: "dataset", targets: [{ node: "norm", port: "dataset" }], from: { node: "ds", port: "dataset" } }]);
    expect(draft.outputs).toEqual([
      { name: "results_dataset1", source: { node: "split", port: "results_dataset1" }, consumers: 1 },
      { name: "results_dataset2", source: { node: "split", port: "results_dataset2" }, consumers: 1 },
    ]);
  });

  it("feeds several inner ports from one input when one outside output feeds them all", () => {
    const fanned: PipelineDocument = {
      ...doc,
      edges: [...doc.edges.filter((e) => e.target.node !== "score"), { source: { node: "ds", port: "dataset" }, target: { node: "score", port: "dataset" } }],
    };
    const draft = defaultInterface(fanned, new Set(["norm", "score"]), moduleOf);
    expect(draft.inputs.map((i) => [i.name, i.targets])).toEqual([
      ["dataset", [{ node: "norm", port: "dataset" }, { node: "score", port: "dataset" }]],
      ["trained_model", [{ node: "score", port: "trained_model" }]],
    ]);
  });

  it("names an unconnected required input after its port, made unique; optional ones are left out", () => {
    const lone: PipelineDocument = { nodes: doc.nodes.filter((n) => n.id === "train" || n.id === "score"), edges: [] };
    const draft = defaultInterface(lone, new Set(["train", "score"]), moduleOf);
    expect(draft.inputs.map((i) => i.name)).toEqual(["untrained_model", "dataset", "trained_model", "dataset_2"]);
    expect(draft.inputs.every((i) => i.from === null)).toBe(true);
    // nothing outside uses it: every output nothing inside uses is proposed
    expect(draft.outputs).toEqual([
      { name: "trained_model", source: { node: "train", port: "trained_model" }, consumers: 0 },
      { name: "scored_dataset", source: { node: "score", port: "scored_dataset" }, consumers: 0 },
    ]);
  });

  it("offers every inner parameter with its current value, none exposed yet", () => {
    const draft = defaultInterface(doc, new Set(["norm", "split"]), moduleOf);
    expect(draft.parameters).toEqual([
      { node: "norm", param: "method", label: "Normalize Data · Method", value: "minmax" },
      { node: "norm", param: "clip", label: "Normalize Data · Clip", value: false },
    ]);
    expect(exposedParameters([{ ...draft.parameters[0]!, name: "how" }])).toEqual([
      { name: "how", description: "", targets: [{ node: "norm", param: "method" }] },
    ]);
  });

  it("makes names unique and safe", () => {
    const taken = new Set<string>();
    expect([uniqueName("dataset", taken), uniqueName("dataset", taken), uniqueName("my port", taken)]).toEqual(["dataset", "dataset_2", "my_port"]);
  });
});
