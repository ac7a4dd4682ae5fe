/** Schedules' and data triggers' types: the generated OpenAPI schema's, under friendly names. */
import type { components } from "../../api/generated/schema";

type S = components["schemas"];
export type Schedule = S["Schedule"];
export type ScheduleTick = S["ScheduleTick"];
export type ScheduleInput = S["ScheduleInputRequest"];
export type ScheduleRunInput = S["ScheduleRunInputRequest"];
export type Timing = S["ScheduleTimingRequest"];
export type Preview = S["SchedulePreview"];
export type DataTrigger = S["DataTrigger"];
export type DataTriggerInput = S["DataTriggerInputRequest"];
export type TriggerFiring = S["TriggerFiring"];
