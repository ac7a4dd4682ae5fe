/** Retrain and promote: an endpoint's retraining policy, its drift alarm, and the challengers to decide on. */
export { RetrainingTab } from "./RetrainingTab";
