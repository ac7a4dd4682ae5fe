/**
 * When a schedule fires: a cron expression (with the server's reading of it in words and its next three
 * fire times, as you type) or an interval, a time zone and an optional window. Shared by the schedule
 * dialog and "Schedule this run". Problems the server finds are shown at their fields.
 */
import type { Timing } from "./types";
import { usePreview } from "./queries";

export interface TimingState {
  mode: "cron" | "interval";
  cron: string;
  minutes: string;
  timezone: string;
  start: string; // datetime-local, the browser's time
  end: string;
}

export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export function initialTiming(from?: Partial<Timing>): TimingState {
  const seconds = from?.interval_seconds ?? null;
  return {
    mode: seconds ? "interval" : "cron",
    cron: from?.cron ?? "0 6 * * *",
    minutes: seconds ? String(Math.round(seconds / 60)) : "60",
    timezone: from?.timezone ?? browserZone(),
    start: toLocalInput(from?.start_at ?? null),
    end: toLocalInput(from?.end_at ?? null),
  };
}

function toLocalInput(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The request fields for a timing (cron and interval are exclusive: the other is cleared). */
export function timingRequest(state: TimingState): Timing {
  const minutes = Number(state.minutes);
  return {
    cron: state.mode === "cron" ? state.cron.trim() : "",
    interval_seconds: state.mode === "interval" && state.minutes.trim() ? Math.round(minutes * 60) : null,
    timezone: state.timezone.trim() || "UTC",
    start_at: state.start ? new Date(state.start).toISOString() : null,
    end_at: state.end ? new Date(state.end).toISOString() : null,
  };
}

/** A time as the schedule's zone reads it: "Mon, Dec 7, 06:00" (the year when it is not this one). */
export function formatIn(iso: string, zone = "UTC"): string {
  const date = new Date(iso);
  const options: Intl.DateTimeFormatOptions = {
    weekday: "short",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    ...(date.getFullYear() !== new Date().getFullYear() ? { year: "numeric" } : {}),
  };
  try {
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone: zone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone: "UTC" }).format(date) + " UTC";
  }
}

const EXAMPLES = [
  ["0 6 * * *", "every day at 06:00"],
  ["0 6 * * 1-5", "weekdays at 06:00"],
  ["*/15 * * * *", "every 15 minutes"],
  ["0 2 1 * *", "the 1st of each month at 02:00"],
] as const;

interface Props {
  state: TimingState;
  onChange(next: TimingState): void;
  /** Refusals from saving, by field (cron, interval_seconds, timezone, start_at, end_at). */
  errors: Record<string, string>;
  idPrefix: string;
}

export function TimingFields({ state, onChange, errors, idPrefix }: Props) {
  const preview = usePreview(timingRequest(state));
  const found: Record<string, string> = {};
  for (const p of preview.data?.problems ?? []) {
    const field = String((p as { field?: string }).field ?? "cron");
    found[field] = String((p as { message?: string }).message ?? "");
  }
  const error = (field: string) => errors[field] || found[field] || "";
  const set = (patch: Partial<TimingState>) => onChange({ ...state, ...patch });
  const id = (name: string) => `${idPrefix}-${name}`;
  const invalid = (field: string) =>
    error(field) ? { "aria-invalid": true as const, "aria-describedby": id(`${field}-error`) } : {};
  const cronError = error("cron");

  return (
    <fieldset className="timing">
      <legend className="field__label">When</legend>
      <div className="segmented" role="radiogroup" aria-label="Kind of timing">
        {(["cron", "interval"] as const).map((mode) => (
          <label key={mode} className={`segmented__option${state.mode === mode ? " segmented__option--on" : ""}`}>
            <input type="radio" name={id("mode")} checked={state.mode === mode} onChange={() => set({ mode })} />
            {mode === "cron" ? "Cron" : "Interval"}
          </label>
        ))}
      </div>
      {state.mode === "cron" ? (
        <div className={`field${cronError ? " field--invalid" : ""}`}>
          <label className="field__label" htmlFor={id("cron")}>
            Cron expression
          </label>
          <input
            id={id("cron")}
            className="input input--mono"
            value={state.cron}
            placeholder="minute hour day-of-month month day-of-week"
            onChange={(e) => set({ cron: e.target.value })}
            {...invalid("cron")}
          />
          {cronError ? (
            <p className="field__error" id={id("cron-error")} role="alert">
              {cronError}
            </p>
          ) : (
            <p className="field__help">
              Five fields: minute hour day-of-month month day-of-week, read in the time zone below. E.g.{" "}
              {EXAMPLES.map(([expr, words], i) => (
                <span key={expr}>
                  {i > 0 && ", "}
                  <button type="button" className="link-btn" onClick={() => set({ cron: expr })}>
                    <code>{expr}</code>
                  </button>{" "}
                  ({words})
                </span>
              ))}
              .
            </p>
          )}
        </div>
      ) : (
        <div className={`field${error("interval_seconds") ? " field--invalid" : ""}`}>
          <label className="field__label" htmlFor={id("minutes")}>
            Every (minutes)
          </label>
          <input
            id={id("minutes")}
            className="input"
            type="number"
            min={1}
            value={state.minutes}
            onChange={(e) => set({ minutes: e.target.value })}
            {...invalid("interval_seconds")}
          />
          {error("interval_seconds") && (
            <p className="field__error" id={id("interval_seconds-error")} role="alert">
              {error("interval_seconds")}
            </p>
          )}
        </div>
      )}
      <div className="timing__row">
        <div className={`field${error("timezone") ? " field--invalid" : ""}`}>
          <label className="field__label" htmlFor={id("timezone")}>
            Time zone
          </label>
          <input
            id={id("timezone")}
            className="input"
            value={state.timezone}
            list={id("zones")}
            onChange={(e) => set({ timezone: e.target.value })}
            {...invalid("timezone")}
          />
          <datalist id={id("zones")}>
            {zones().map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          {error("timezone") && (
            <p className="field__error" id={id("timezone-error")} role="alert">
              {error("timezone")}
            </p>
          )}
        </div>
        <div className={`field${error("start_at") ? " field--invalid" : ""}`}>
          <label className="field__label" htmlFor={id("start")}>
            Start <span className="muted">(optional)</span>
          </label>
          <input id={id("start")} className="input" type="datetime-local" value={state.start} onChange={(e) => set({ start: e.target.value })} />
        </div>
        <div className={`field${error("end_at") ? " field--invalid" : ""}`}>
          <label className="field__label" htmlFor={id("end")}>
            End <span className="muted">(optional)</span>
          </label>
          <input
            id={id("end")}
            className="input"
            type="datetime-local"
            value={state.end}
            onChange={(e) => set({ end: e.target.value })}
            {...invalid("end_at")}
          />
        </div>
      </div>
      {error("end_at") && (
        <p className="field__error" id={id("end_at-error")} role="alert">
          {error("end_at")}
        </p>
      )}
      <div className="timing__preview" data-testid="timing-preview" aria-live="polite">
        {preview.data && preview.data.problems.length === 0 && preview.data.description ? (
          <>
            <div className="timing__words">{preview.data.description}</div>
            <div className="muted">Next: {preview.data.next_fires.map((t) => formatIn(t, state.timezone)).join(" · ") || "never"}</div>
          </>
        ) : preview.isFetching ? (
          <span className="muted">Reading the timing…</span>
        ) : preview.data?.problems.length ? (
          <span className="muted">It would never fire as written.</span>
        ) : null}
      </div>
    </fieldset>
  );
}

function zones(): string[] {
  const supported = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
  try {
    return supported ? supported("timeZone") : ["UTC"];
  } catch {
    return ["UTC"];
  }
}
