export { RunPage } from "./RunPage";
export { PipelineRunsPage, WorkspaceRunsPage } from "./RunsPages";
export { RunsTable } from "./RunsTable";
export { useRunStatus } from "./runStore";
