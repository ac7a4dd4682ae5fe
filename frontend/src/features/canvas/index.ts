export { Canvas } from "./Canvas";
export { useCatalogue } from "./catalogueStore";
export { checkConnection, type ConnectionContext } from "./connection";
export { DesignerPage, useCatalogueSync } from "./DesignerPage";
export { fromDocument, toDocument } from "./document";
export { useGraph } from "./graphStore";
export { NodePanel } from "./NodePanel";
export { useValidationSync } from "./useDraftSync";
export { useValidation } from "./validationStore";
