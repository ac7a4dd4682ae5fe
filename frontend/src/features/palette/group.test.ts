import { describe, expect, it } from "vitest";
import { modules } from "../../test/fixtures";
import { groupModules } from "./group";

describe("the palette", () => {
  it("groups modules by the catalogue's categories in catalogue order", () => {
    expect(groupModules(modules).map((g) => g.category)).toEqual([
      "Data Input and Output",
      "Data Transformation",
      "Machine Learning Algorithms",
      "Model Training",
      "Model Scoring & Evaluation",
    ]);
  });

  it("searches names, descriptions and categories, every word", () => {
    expect(groupModules(modules, "train").flatMap((g) => g.modules.map((m) => m.name))).toEqual(["Train Model"]);
    expect(groupModules(modules, "model scoring").flatMap((g) => g.modules.map((m) => m.name))).toEqual(["Score Model"]);
    expect(groupModules(modules, "nothing like this")).toEqual([]);
  });

  it("keeps only the newest version of a module and can hide one", () => {
    const newer = { ...modules[1], version: 2, name: "Split Data v2" } as (typeof modules)[number];
    const names = groupModules([...modules, newer], "", new Set(["dataset"])).flatMap((g) => g.modules.map((m) => m.name));
    expect(names).toContain("Split Data v2");
    expect(names).not.toContain("Split Data");
    expect(names).not.toContain("Dataset");
  });
});
