/** Why a run ran: a REST call, a schedule's tick, a new dataset version, a drift alarm, or someone pressing Run now. */
import type { TriggerKind } from "./types";

export const TRIGGER_LABELS: Record<TriggerKind, string> = {
  rest: "REST call",
  schedule: "Schedule",
  data: "New data",
  drift: "Drift alarm",
  manual: "Run now",
};

export function TriggerBadge({ kind }: { kind: string }) {
  const label = TRIGGER_LABELS[kind as TriggerKind] ?? kind;
  return (
    <span className={`pe-trigger pe-trigger--${kind}`} data-kind={kind}>
      {label}
    </span>
  );
}
