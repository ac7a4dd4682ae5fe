/** The model registry page. */
export { ModelsPage, useModels } from "./ModelsPage";
