/** The sample pipeline gallery: open a ready-made pipeline as an editable copy in a workspace. */
export { SamplesPage } from "./SamplesPage";
export { taskLabel, useOpenSample, useSamplePipelines } from "./queries";
