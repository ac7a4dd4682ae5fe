/** Schedules and data triggers of pipeline endpoints, and "Schedule this run" on the run page. */
export { ScheduleRunButton } from "./ScheduleRunButton";
export { SchedulesSection } from "./SchedulesSection";
export type { DataTrigger, Schedule, ScheduleTick, TriggerFiring } from "./types";
