/** Sharing pipelines between workspaces and servers: clone, export to a file, import a file. */
export { CloneDialog } from "./CloneDialog";
export { ExportCodeButton } from "./ExportCodeButton";
export { ImportDialog } from "./ImportDialog";
export { DesignerShareButtons, ImportButton, PipelineRowActions } from "./PipelineActions";
