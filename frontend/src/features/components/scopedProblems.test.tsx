import { renderHook } from "@testing-library/react";
import { act } from "react";
import { beforeEach, describe, expect, it } from "vitest";
import type { Problem } from "../../api/types";
import { useNodeProblems, useValidation } from "../canvas/validationStore";
import { useScope } from "./scopeStore";

const problem = (node: string, message: string): Problem => ({ code: "x", message, node, port: null, param: null, column: null, path: null });

describe("validation problems inside a component, on the canvas", () => {
  beforeEach(() => {
    useScope.getState().setFrames([]);
    useValidation.getState().setProblems([problem("prep/clean", "inner"), problem("split", "outer")]);
  });

  it("are the closed component node's, and the inner node's once the component is open", () => {
    const closed = renderHook(() => useNodeProblems("prep"));
    expect(closed.result.current.map((p) => p.message)).toEqual(["inner"]);
    const outer = renderHook(() => useNodeProblems("split"));
    expect(outer.result.current.map((p) => p.message)).toEqual(["outer"]);

    act(() => useScope.getState().setFrames([{ nodeId: "prep", title: "Prepare" }]));
    const clean = renderHook(() => useNodeProblems("clean"));
    expect(clean.result.current.map((p) => p.message)).toEqual(["inner"]);
    const innerSplit = renderHook(() => useNodeProblems("split")); // an inner node named like an outer one
    expect(innerSplit.result.current).toEqual([]);
  });
});
