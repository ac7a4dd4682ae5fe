/** What a run's scripts logged (tessera.log_*), live and compared, and where the run's code came from. */
export { LOGGING_MODULES, LoggedLive } from "./LoggedLive";
export { ProvenanceStrip } from "./Provenance";
export { CommitFlag, SeriesCharts } from "./Compare";
export { hasLogged } from "./logged";
