export { EndpointOnnxButton, ModelFormats } from "./OnnxExport";
export type { ModelFormat } from "./api";
