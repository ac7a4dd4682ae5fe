import { describe, expect, it } from "vitest";
import type { Dataset, Module } from "../../api/types";
import { datasetKindOf, type JsonSchema } from "../params";
import { datasetModulesByKind, nodeForDataset } from "./datasetModules";

/** A DatasetRef parameter as pydantic publishes it; `kind` adds File Dataset's x-tessera-dataset-kind. */
function datasetSchema(kind?: "file"): JsonSchema {
  return {
    $defs: {
      DatasetRef: {
        properties: {
          dataset_id: { title: "Dataset", type: "integer", "x-tessera-widget": "dataset" },
          version: { anyOf: [{ minimum: 1, type: "integer" }, { type: "null" }], default: null, title: "Version" },
        },
        required: ["dataset_id"],
        type: "object",
      },
    },
    properties: { dataset: { $ref: "#/$defs/DatasetRef", title: "Dataset", ...(kind ? { "x-tessera-dataset-kind": kind } : {}) } },
    required: ["dataset"],
    type: "object",
  };
}

function module(id: string, params_schema: JsonSchema, version = 1): Module {
  return { id, version, name: id, category: "Data Input and Output", params_schema } as unknown as Module;
}

function dataset(id: number, kind: "table" | "file"): Dataset {
  return { id, name: `d${id}`, latest_version: { version: 1, kind, rows: 0, columns: 0, size_bytes: 10 } } as unknown as Dataset;
}

const MODULES = [
  module("split_data", { properties: { fraction: { type: "number" } }, type: "object" }),
  module("file_dataset", datasetSchema("file")),
  module("dataset", datasetSchema(), 1),
  module("dataset", datasetSchema(), 2),
];

describe("datasetKindOf", () => {
  it("reads a table unless the dataset parameter says file, and nothing without one", () => {
    expect(datasetKindOf(datasetSchema())).toBe("table");
    expect(datasetKindOf(datasetSchema("file"))).toBe("file");
    expect(datasetKindOf({ properties: { n: { type: "integer" } }, type: "object" })).toBeUndefined();
  });
});

describe("a dataset dropped on the canvas", () => {
  const byKind = datasetModulesByKind(MODULES);

  it("finds the latest module reading each kind", () => {
    expect([...byKind.entries()].map(([kind, m]) => [kind, m.id, m.version])).toEqual([
      ["file", "file_dataset", 1],
      ["table", "dataset", 2],
    ]);
  });

  it("becomes a File Dataset node for a zip and a Dataset node for a table", () => {
    const datasets = [dataset(5, "table"), dataset(6, "file")];

    const table = nodeForDataset(byKind, datasets, 5);
    const file = nodeForDataset(byKind, datasets, 6);

    expect([table?.module.id, table?.params]).toEqual(["dataset", { dataset: { dataset_id: 5 } }]);
    expect([file?.module.id, file?.params]).toEqual(["file_dataset", { dataset: { dataset_id: 6 } }]);
  });

  it("becomes nothing when no module reads its kind", () => {
    const onlyTables = datasetModulesByKind(MODULES.filter((m) => m.id !== "file_dataset"));

    expect(nodeForDataset(onlyTables, [dataset(6, "file")], 6)).toBeUndefined();
  });
});
