export { BoundChip, FieldActions } from "./FieldBinding";
export {
  bindingsOf,
  declarationsOf,
  formatParameterValue,
  referenceOf,
  suggestName,
  typeForField,
  type Declarations,
  type ParameterSpec,
} from "./model";
export { ParameterDialog } from "./ParameterDialog";
export { ParametersPanel } from "./ParametersPanel";
export { describeTrigger, RunParameters } from "./RunParameters";
export { SubmitDialog } from "./SubmitDialog";
