/**
 * Which card a validation problem belongs on. A problem inside a component names the component node
 * and the inner node: by an expanded id (`prep/clean`), by its path (`nodes/prep/inner/clean/params/…`),
 * or at least in its message ("Component 'Prep' (node prep) › Clean Missing Data (clean): …"). The chain
 * of node ids it names is matched against the card's own chain (the open components' node ids, then the
 * card's id): a closed component node shows every problem inside it, an open one's inner node its own.
 */
import type { Problem } from "../../api/types";

/** The inner node ids a problem's path names after its node: `nodes/a/inner/b/inner/c/...` → [b, c]. */
function innerFromPath(path: string | null | undefined): string[] {
  if (!path) return [];
  const tokens = path.split(/[/.[\]]+/).filter(Boolean);
  const inner: string[] = [];
  for (let i = 0; i < tokens.length - 1; i++) if (tokens[i] === "inner") inner.push(tokens[i + 1] as string);
  return inner;
}

/** "… › Clean Missing Data (clean) › Normalize (norm): …" → [clean, norm]. */
function innerFromMessage(message: string): string[] {
  const parts = message.split(" › ").slice(1);
  const ids: string[] = [];
  for (const part of parts) {
    const match = part.match(/\(([A-Za-z0-9_-]{1,64})\)(?::|$)/);
    if (!match) break;
    ids.push(match[1] as string);
  }
  return ids;
}

/** The node ids a problem names, outermost first; empty for a pipeline-wide problem. */
export function problemChain(p: Pick<Problem, "node" | "path" | "message">): string[] {
  if (!p.node) return [];
  if (p.node.includes("/")) return p.node.split("/");
  const inner = innerFromPath(p.path);
  return [p.node, ...(inner.length ? inner : innerFromMessage(p.message))];
}

/** The problems that belong on the card whose chain is `chain` (open components' node ids, then its own). */
export function problemsAt<P extends Pick<Problem, "node" | "path" | "message">>(problems: readonly P[], chain: readonly string[]): P[] {
  return problems.filter((p) => {
    const named = problemChain(p);
    return named.length >= chain.length && chain.every((id, i) => named[i] === id);
  });
}

/** The outermost node a problem names (what the validation store groups problems by). */
export const outerNodeOf = (node: string): string => node.split("/")[0] as string;
