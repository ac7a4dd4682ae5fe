/** Real-time endpoints: list, the endpoint page (Details, Test, Consume, Keys, Monitoring) and Deploy. */
export { DeployButton, DeployDialog, isServable, WEB_SERVICE_IMAGE_INPUT, WEB_SERVICE_INPUT, WEB_SERVICE_OUTPUT } from "./DeployDialog";
export { EndpointPage } from "./EndpointPage";
export { EndpointsPage } from "./EndpointsPage";
export { servingApi } from "./http";
export { useRole } from "./queries";
export type { DerivationProblem, Endpoint, InferencePipelineResult, RegisteredModel } from "./types";
