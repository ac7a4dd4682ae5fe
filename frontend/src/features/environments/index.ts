/** Environments: the workspace page, the form, and the picker's options. */
export { EnvironmentsPage } from "./EnvironmentsPage";
export { EnvironmentForm } from "./EnvironmentForm";
export { choicesOf, useEnvironments, type EnvironmentChoice } from "./api";
