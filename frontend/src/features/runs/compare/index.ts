/** Comparing two runs: design diff and metric differences. */
export { CompareRunsBar } from "./CompareRunsBar";
export { RunComparePage } from "./RunComparePage";
