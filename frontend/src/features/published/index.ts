/** Published pipelines: the pipeline endpoints page, one endpoint's page, and Publish (designer and run page). */
export { PipelineEndpointPage } from "./PipelineEndpointPage";
export { PipelineEndpointsPage } from "./PipelineEndpointsPage";
export { PublishButton, PublishDialog, PublishRunButton, type PublishSource } from "./PublishDialog";
export type { PipelineEndpoint, PipelineEndpointDetail, PublishedRun, PublishedVersion } from "./types";
