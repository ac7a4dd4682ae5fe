import { describe, expect, it } from "vitest";
import { csvBody, mlflowBody, pythonLiteral, shellQuote, snippet } from "./snippets";
import { endpointFixture } from "./testing/fixtures";

describe("snippets", () => {
  it("turns JSON into a Python literal", () => {
    expect(pythonLiteral({ a: [1, true, null], b: "x\"y" })).toBe('{\n    "a": [\n        1,\n        True,\n        None,\n    ],\n    "b": "x\\"y",\n}');
    expect(pythonLiteral({})).toBe("{}");
  });

  it("quotes for a POSIX shell", () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  it("builds the MLflow bodies from the example rows, in schema order", () => {
    const endpoint = endpointFixture({
      example: { Inputs: { WebServiceInput0: [{ site: "a,b", radius_mean: 1, texture_mean: 2 }] }, GlobalParameters: {} },
    });
    expect(mlflowBody(endpoint)).toEqual({ dataframe_split: { columns: ["radius_mean", "texture_mean", "site"], data: [[1, 2, "a,b"]] } });
    expect(csvBody(endpoint)).toBe('radius_mean,texture_mean,site\n1,2,"a,b"\n');
  });

  it("builds an example from the schema when the server sent none", () => {
    const endpoint = endpointFixture({ example: {} });
    const code = snippet(endpoint, "azure", "python", null);
    expect(code).toContain('"radius_mean": 0');
    expect(code).toContain('"site": ""');
    expect(code).toContain('API_KEY = "<your-endpoint-key>"');
  });
});
