export { ParamForm, type DatasetOption, type EnvironmentOption, type FieldBinding, type ParamFormProps } from "./ParamForm";
export {
  datasetIdOf,
  datasetKindOf,
  datasetParam,
  datasetParams,
  fieldsOf,
  type DatasetKind,
  type FieldSpec,
  type JsonSchema,
} from "./schema";
export { checkValue, problemText, shortMessage, withoutNodePrefix } from "./validate";
