/**
 * What the server's validator said about the current document: problems keyed by node (so each
 * node subscribes to its own), pipeline-wide problems, and the inferred table schema of every
 * output port (the column pickers read these before anything has run).
 */
import { useMemo } from "react";
import { create } from "zustand";
import type { Problem, TableSchema, ValidationResult } from "../../api/types";
import { outerNodeOf, problemsAt } from "../components/problems";
import { scopedId, useScope } from "../components/scopeStore";

export const NO_PROBLEMS: readonly Problem[] = Object.freeze([]);

export interface ValidationState {
  checked: boolean;
  pending: boolean;
  /** Revision of the graph the result describes. */
  revision: number;
  ok: boolean;
  problems: Problem[];
  byNode: Record<string, Problem[]>;
  general: Problem[];
  schemas: Record<string, Record<string, TableSchema | null>>;
  error: string | null;
  setPending(pending: boolean): void;
  setResult(result: ValidationResult, revision: number): void;
  setProblems(problems: Problem[]): void;
  setError(message: string | null): void;
  reset(): void;
}

function group(problems: Problem[]) {
  const byNode: Record<string, Problem[]> = {};
  const general: Problem[] = [];
  for (const p of problems) {
    // A problem inside a component (`prep/clean`) is the component node's too.
    if (p.node) (byNode[outerNodeOf(p.node)] ??= []).push(p);
    else general.push(p);
  }
  return { byNode, general };
}

export const useValidation = create<ValidationState>((set) => ({
  checked: false,
  pending: false,
  revision: -1,
  ok: true,
  problems: [],
  byNode: {},
  general: [],
  schemas: {},
  error: null,
  setPending(pending) {
    set({ pending });
  },
  setResult(result, revision) {
    set({
      checked: true,
      pending: false,
      revision,
      ok: result.ok,
      problems: result.problems,
      ...group(result.problems),
      schemas: result.schemas as Record<string, Record<string, TableSchema | null>>,
      error: null,
    });
  },
  setProblems(problems) {
    set({ ok: problems.length === 0, problems, ...group(problems), checked: true });
  },
  setError(error) {
    set({ error, pending: false });
  },
  reset() {
    set({ checked: false, pending: false, revision: -1, ok: true, problems: [], byNode: {}, general: [], schemas: {}, error: null });
  },
}));

/**
 * Problems of one node of the level shown (the pipeline, or the component open on the canvas): a stable
 * empty list when there are none, so subscribers do not re-render. A closed component node gets every
 * problem inside it; an inner node of an open component its own.
 */
export function useNodeProblems(nodeId: string): readonly Problem[] {
  const full = useScope((s) => scopedId(s.frames, nodeId));
  const chain = useMemo(() => full.split("/"), [full]);
  const listed = useValidation((s) => s.byNode[chain[0] as string] ?? NO_PROBLEMS);
  return useMemo(() => {
    if (!listed.length) return NO_PROBLEMS;
    const mine = problemsAt(listed, chain);
    if (mine.length === listed.length) return listed;
    return mine.length ? mine : NO_PROBLEMS;
  }, [listed, chain]);
}

/** The inferred schemas of one output of a node of the level shown (`outer/inner` ids inside a component). */
export function schemaOf(nodeId: string, port: string): TableSchema | null | undefined {
  return useValidation.getState().schemas[scopedId(useScope.getState().frames, nodeId)]?.[port];
}
