/** The datasets page: list, upload and profile the datasets of the current workspace. */
export { DatasetsPage } from "./DatasetsPage";
