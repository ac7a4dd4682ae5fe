import { describe, expect, it } from "vitest";
import { crumbs, scopedId } from "./scopeStore";

describe("the breadcrumb", () => {
  it("is the pipeline alone, current, when no component is open", () => {
    expect(crumbs("Churn", [])).toEqual([{ label: "Churn", depth: 0, current: true }]);
  });

  it("reads Pipeline › Component › Inner component, the last one current, each going back to its depth", () => {
    const frames = [
      { nodeId: "prep", title: "Prepare" },
      { nodeId: "clean", title: "Clean" },
    ];
    expect(crumbs("Churn", frames)).toEqual([
      { label: "Churn", depth: 0, current: false },
      { label: "Prepare", depth: 1, current: false },
      { label: "Clean", depth: 2, current: true },
    ]);
  });
});

describe("node ids inside components", () => {
  it("are the open components' node ids, then the node's: outer/inner", () => {
    expect(scopedId([], "split")).toBe("split");
    expect(scopedId([{ nodeId: "prep", title: "P" }], "clean")).toBe("prep/clean");
    expect(scopedId([{ nodeId: "a", title: "A" }, { nodeId: "b", title: "B" }], "c")).toBe("a/b/c");
  });
});
