export { WorkspaceHome } from "./WorkspaceHome";
