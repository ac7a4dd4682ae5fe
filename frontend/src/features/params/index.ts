export { ParamForm, type DatasetOption, type ParamFormProps } from "./ParamForm";
export {
  datasetIdOf,
  datasetKindOf,
  datasetParam,
  datasetParams,
  fieldsOf,
  type DatasetKind,
  type JsonSchema,
} from "./schema";
export { problemText, shortMessage, withoutNodePrefix } from "./validate";
