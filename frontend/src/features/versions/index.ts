/** Versions of a pipeline: the designer's panel, read-only versions, comparing and restoring. */
export { ComparePage } from "./ComparePage";
export { DiffCanvas } from "./DiffCanvas";
export { DiffList } from "./DiffList";
export { DiffView, VersionCompare } from "./DiffView";
export { RestoreDialog } from "./RestoreDialog";
export { VersionPage } from "./VersionPage";
export { VersionsButton, VersionsPanel, VersionsPanelHost } from "./VersionsPanel";
