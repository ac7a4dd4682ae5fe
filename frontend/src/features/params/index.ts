export { ParamForm, type DatasetOption, type ParamFormProps } from "./ParamForm";
export { datasetIdOf, datasetParam, datasetParams, fieldsOf, type JsonSchema } from "./schema";
export { problemText, shortMessage, withoutNodePrefix } from "./validate";
