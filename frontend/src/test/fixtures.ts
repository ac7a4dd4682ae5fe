/** Catalogue fixtures shaped like /api/modules/ and /api/port-types/ answers (trimmed). */
import type { Module, PortType } from "../api/types";

export const portTypes: PortType[] = [
  { name: "table", label: "Data table", accepts_subtypes_of: ["table"], accepts: ["table"] },
  { name: "untrained_model", label: "Untrained model", accepts_subtypes_of: ["untrained_model"], accepts: ["untrained_model"] },
  { name: "trained_model", label: "Trained model", accepts_subtypes_of: ["trained_model"], accepts: ["trained_model"] },
];

const port = (name: string, label: string, type: string, optional = false) => ({ name, label, type, optional, doc: "" });

export function module(id: string, partial: Partial<Module>): Module {
  return {
    id,
    version: 1,
    name: id,
    category: "Test",
    description: "",
    queue: "cpu",
    inputs: [],
    outputs: [],
    params_schema: { type: "object", properties: {} },
    column_params: [],
    ...partial,
  } as Module;
}

export const modules: Module[] = [
  module("dataset", {
    name: "Dataset",
    category: "Data Input and Output",
    outputs: [port("dataset", "Dataset", "table")],
    params_schema: {
      $defs: {
        DatasetRef: {
          type: "object",
          properties: {
            dataset_id: { title: "Dataset", type: "integer", "x-tessera-widget": "dataset" },
            version: { anyOf: [{ minimum: 1, type: "integer" }, { type: "null" }], default: null, title: "Version" },
          },
          required: ["dataset_id"],
        },
      },
      properties: { dataset: { $ref: "#/$defs/DatasetRef", title: "Dataset" } },
      required: ["dataset"],
      type: "object",
    },
  }),
  module("split_data", {
    name: "Split Data",
    category: "Data Transformation",
    inputs: [port("dataset", "Dataset", "table")],
    outputs: [port("results_dataset1", "Results dataset1", "table"), port("results_dataset2", "Results dataset2", "table")],
  }),
  module("two_class_logistic_regression", {
    name: "Two-Class Logistic Regression",
    category: "Machine Learning Algorithms",
    outputs: [port("untrained_model", "Untrained model", "untrained_model")],
  }),
  module("train_model", {
    name: "Train Model",
    category: "Model Training",
    inputs: [port("untrained_model", "Untrained model", "untrained_model"), port("dataset", "Dataset", "table")],
    outputs: [port("trained_model", "Trained model", "trained_model")],
  }),
  module("score_model", {
    name: "Score Model",
    category: "Model Scoring & Evaluation",
    inputs: [port("trained_model", "Trained model", "trained_model"), port("dataset", "Dataset", "table")],
    outputs: [port("scored_dataset", "Scored dataset", "table")],
  }),
];

export const byId = new Map(modules.map((m) => [m.id, m]));
