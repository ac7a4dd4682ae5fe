import { describe, expect, it } from "vitest";
import { exampleValues, pythonLiteral, snippet } from "./snippets";
import { PARAMETERS } from "./testing/fixtures";

const target = { url: "http://tessera.test/pipeline-endpoints/nightly/runs", parameters: PARAMETERS, key: "k3y" };

describe("pipeline endpoint snippets", () => {
  it("fills the example with each parameter's default", () => {
    expect(exampleValues(PARAMETERS)).toEqual({
      training_data: { dataset_id: 4, version: null },
      fraction: 0.25,
      label: "diagnosis",
    });
    expect(pythonLiteral({ a: true, b: null, c: [1, 2.5, "x"] })).toBe('{"a": True, "b": None, "c": [1, 2.5, "x"]}');
  });

  it("writes curl with a JSON body and with a file for the dataset parameter", () => {
    const json = snippet(target, "json", "curl");
    expect(json).toContain("curl -X POST 'http://tessera.test/pipeline-endpoints/nightly/runs'");
    expect(json).toContain("-H 'Authorization: Bearer k3y'");
    expect(json).toContain(
      `-d '{"parameters":{"training_data":{"dataset_id":4,"version":null},"fraction":0.25,"label":"diagnosis"}}'`,
    );
    const file = snippet(target, "file", "curl");
    expect(file).toContain("-F 'training_data=@new-data.csv'");
    expect(file).toContain("-F 'fraction=0.25'");
    expect(file).toContain("-F 'label=diagnosis'");
    expect(file).not.toContain("Content-Type");
  });

  it("writes Python that starts the run and polls it", () => {
    const json = snippet(target, "json", "python");
    expect(json).toContain(
      'run = requests.post(URL, headers=HEADERS, json={"parameters": {"training_data": {"dataset_id": 4, "version": None}, "fraction": 0.25, "label": "diagnosis"}}).json()',
    );
    expect(json).toContain('state = requests.get(run["urls"]["status"], headers=HEADERS).json()');
    const file = snippet(target, "file", "python");
    expect(file).toContain('data={"fraction": "0.25", "label": "diagnosis"}, files={"training_data": f}');
  });

  it("has no file example without a dataset parameter, and a placeholder without a key", () => {
    const plain = { ...target, parameters: PARAMETERS.filter((p) => p.type !== "dataset"), key: null };
    expect(snippet(plain, "file", "curl")).toBe("");
    expect(snippet(plain, "json", "curl")).toContain("Bearer <your-endpoint-key>");
  });
});
