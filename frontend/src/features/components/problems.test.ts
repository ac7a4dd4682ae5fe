import { describe, expect, it } from "vitest";
import { problemChain, problemsAt } from "./problems";

const p = (node: string | null, path: string | null = null, message = "bad") => ({ node, path, message });

describe("which card a validation problem belongs on", () => {
  it("reads the chain of node ids from an expanded id, a path, or the message", () => {
    expect(problemChain(p("split"))).toEqual(["split"]);
    expect(problemChain(p("prep/clean"))).toEqual(["prep", "clean"]);
    expect(problemChain(p("prep", "nodes/prep/inner/clean/params/method"))).toEqual(["prep", "clean"]);
    expect(problemChain(p("a", "nodes.a.inner.b.inner.c.params"))).toEqual(["a", "b", "c"]);
    expect(problemChain(p("prep", null, "Component 'Prep' (node prep) › Clean Missing Data (clean): no column 'x'"))).toEqual(["prep", "clean"]);
    expect(problemChain(p(null))).toEqual([]);
  });

  it("puts a problem inside a component on the closed component node, and on the inner node once it is open", () => {
    const problems = [p("prep/clean"), p("prep", "nodes/prep/inner/norm/params/x"), p("prep"), p("split")];
    expect(problemsAt(problems, ["prep"])).toEqual(problems.slice(0, 3));
    expect(problemsAt(problems, ["prep", "clean"])).toEqual([problems[0]]);
    expect(problemsAt(problems, ["prep", "norm"])).toEqual([problems[1]]);
    expect(problemsAt(problems, ["split"])).toEqual([problems[3]]);
    expect(problemsAt(problems, ["prep", "split"])).toEqual([]); // an inner node named like an outer one
  });
});
