import type { NodeSpread } from "./runStore";

/** "6 trials on 2 workers: host:101 (5, this module's worker), host:102 (1)". */
export function describeSpread(spread: NodeSpread): string {
  const workers = Object.entries(spread.workers).sort(([a], [b]) => a.localeCompare(b));
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const each = workers
    .map(([name, count]) => `${name} (${count}${name === spread.node_worker ? ", this module's worker" : ""})`)
    .join(", ");
  return `${plural(spread.parts, spread.what)} on ${plural(workers.length, "worker")}: ${each}`;
}
