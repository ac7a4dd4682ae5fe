/** Components (issue 19): reusable, versioned sub-pipelines on the canvas. */
import "./components.css";
export { ComponentBreadcrumb } from "./Breadcrumb";
export { ComponentDialogs } from "./ComponentDialogs";
export { ComponentIcon } from "./ComponentIcon";
export { resetEditor } from "./editor";
export { useComponentCatalogue } from "./queries";
export { openNewScriptComponent } from "./ScriptComponentDialog";
export { isComponentModule } from "./types";
