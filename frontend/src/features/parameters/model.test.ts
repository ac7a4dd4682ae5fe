import { describe, expect, it } from "vitest";
import type { PipelineDocument } from "../../api/types";
import { fieldsOf, type JsonSchema } from "../params/schema";
import {
  bindingsOf,
  fits,
  nameProblem,
  parameterOfProblem,
  parameterProblemText,
  referenceOf,
  suggestName,
  typeForField,
  typeProblem,
  withoutParameter,
} from "./model";

const schema: JsonSchema = {
  $defs: { DatasetRef: { type: "object", properties: { dataset_id: { type: "integer", "x-tessera-widget": "dataset" } } } },
  properties: {
    fraction: { type: "number", minimum: 0, maximum: 1 },
    seed: { type: "integer" },
    randomized: { type: "boolean" },
    label: { type: "string", "x-tessera-widget": "column", "x-tessera-port": "dataset" },
    mode: { enum: ["a", "b"], type: "string" },
    dataset: { $ref: "#/$defs/DatasetRef" },
    columns: { type: "object" },
  },
  type: "object",
};
const field = (name: string) => fieldsOf(schema).find((f) => f.name === name)!;

describe("pipeline parameters in the document", () => {
  it("reads a binding only when it is exactly {$param: name}", () => {
    expect(referenceOf({ $param: "fraction" })).toBe("fraction");
    expect(referenceOf({ $param: "fraction", other: 1 })).toBeUndefined();
    expect(referenceOf({ $param: 3 })).toBeUndefined();
    expect(referenceOf(0.5)).toBeUndefined();
  });

  it("suggests a type from the field's schema, and says which types can drive it", () => {
    expect(["fraction", "seed", "randomized", "label", "mode", "dataset", "columns"].map((n) => typeForField(field(n)))).toEqual([
      "number",
      "integer",
      "boolean",
      "string",
      "string",
      "dataset",
      "json",
    ]);
    expect(fits("integer", field("fraction"))).toBe(true);
    expect(fits("string", field("fraction"))).toBe(false);
    expect(fits("json", field("dataset"))).toBe(true);
  });

  it("names a parameter after its field without taking a used name, and checks names as the server does", () => {
    expect(suggestName("random_seed", [])).toBe("random_seed");
    expect(suggestName("random_seed", ["random_seed", "random_seed_2"])).toBe("random_seed_3");
    expect(suggestName("2nd-try", [])).toBe("p_2nd_try");
    expect(nameProblem("bad name", [])).toMatch(/letters, digits and _/);
    expect(nameProblem("seed", ["seed"])).toBe("There is already a parameter “seed”.");
    expect(nameProblem("seed", [])).toBeUndefined();
  });

  it("checks a value's type as the server does", () => {
    expect(typeProblem("integer", 2.5)).toBe("Enter a whole number.");
    expect(typeProblem("number", "0.5")).toBe("Enter a number.");
    expect(typeProblem("boolean", 1)).toBe("Choose true or false.");
    expect(typeProblem("dataset", { dataset_id: 3, version: 0 })).toMatch(/whole number from 1/);
    expect(typeProblem("dataset", { dataset_id: 3, version: null })).toBeUndefined();
    expect(typeProblem("json", { anything: [1] })).toBeUndefined();
  });

  it("finds the parameter a problem names, and words it for the parameter's row", () => {
    expect(parameterOfProblem({ path: "values.seed" })).toBe("seed");
    expect(parameterOfProblem({ path: "parameters.fraction.default" })).toBe("fraction");
    expect(parameterOfProblem({ path: "nodes[0].params" })).toBeUndefined();
    expect(
      parameterProblemText({ message: "Pipeline parameter 'fraction' (= 1.5) does not fit a field it drives: too big" }, "fraction"),
    ).toBe("Does not fit a field it drives: too big");
  });

  it("removes a parameter as the server does: its fields keep the default, and a required one in use stays", () => {
    const doc: PipelineDocument = {
      nodes: [
        { id: "a", module: "m", version: 1, params: { x: { $param: "p" }, y: 1 } },
        { id: "b", module: "m", version: 1, params: { x: { $param: "q" } } },
      ],
      edges: [],
      parameters: { p: { type: "number", default: 0.5, description: "" }, q: { type: "integer", description: "" } },
    };
    const removed = withoutParameter(doc, "p")!;
    expect(removed.parameters).toEqual({ q: { type: "integer", description: "" } });
    expect(removed.nodes[0]!.params).toEqual({ x: 0.5, y: 1 });
    expect(removed.nodes[1]).toBe(doc.nodes[1]);
    expect(withoutParameter(doc, "q")).toBeUndefined();
    expect(bindingsOf(doc.nodes).get("q")).toEqual([{ node: "b", field: "x" }]);
  });
});
