/**
 * The connection rule, the same one the server applies: an input of type T accepts an output of
 * type S when S is in T's `accepts` list (from /api/port-types/). Also refused: a second edge into
 * an input, a module wired to itself, and loops. Every refusal comes with a sentence for the user.
 */
import type { Module, PortType } from "../../api/types";

export interface ConnectionLike {
  source: string | null;
  target: string | null;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

export interface EdgeLike {
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

export interface ConnectionContext {
  moduleOf(nodeId: string): Module | undefined;
  portTypes: Map<string, PortType>;
  edges: readonly EdgeLike[];
}

export type ConnectionCheck = { ok: true } | { ok: false; reason: string };

const label = (types: Map<string, PortType>, name: string) => types.get(name)?.label ?? name;

export function checkConnection(conn: ConnectionLike, ctx: ConnectionContext): ConnectionCheck {
  const { source, target, sourceHandle, targetHandle } = conn;
  if (!source || !target || !sourceHandle || !targetHandle) {
    return { ok: false, reason: "Drop the connection on a port." };
  }
  if (source === target) {
    return { ok: false, reason: "A module can't be connected to itself." };
  }
  const from = ctx.moduleOf(source);
  const to = ctx.moduleOf(target);
  if (!from || !to) {
    return { ok: false, reason: "This module is not in the catalogue, so its ports are unknown." };
  }
  const out = from.outputs.find((p) => p.name === sourceHandle);
  const input = to.inputs.find((p) => p.name === targetHandle);
  if (!out || !input) {
    return { ok: false, reason: "Connect an output port (bottom) to an input port (top)." };
  }
  const accepts = ctx.portTypes.get(input.type)?.accepts ?? [input.type];
  if (!accepts.includes(out.type)) {
    return {
      ok: false,
      reason: `${label(ctx.portTypes, out.type)} can't connect to ${input.label} (expects ${label(ctx.portTypes, input.type)})`,
    };
  }
  if (ctx.edges.some((e) => e.target === target && e.targetHandle === targetHandle)) {
    return { ok: false, reason: `${input.label} of ${to.name} is already connected. Delete that connection first.` };
  }
  if (reaches(ctx.edges, target, source)) {
    return { ok: false, reason: "That connection would make a loop: data must flow one way." };
  }
  return { ok: true };
}

/** Whether `to` can be reached from `from` along the edges. */
function reaches(edges: readonly EdgeLike[], from: string, to: string): boolean {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    const list = next.get(e.source);
    if (list) list.push(e.target);
    else next.set(e.source, [e.target]);
  }
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop() as string;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(next.get(id) ?? []));
  }
  return false;
}
