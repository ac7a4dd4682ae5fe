/** Create or change a schedule of a pipeline endpoint: when, how many runs at once, missed runs, values, version. */
import { useState } from "react";
import { Modal } from "../../app/Modal";
import { toast } from "../../app/toasts";
import { schedulesApi } from "./http";
import { parseValues, refusalOf, type Refusal } from "./problems";
import { useScheduleAction } from "./queries";
import { initialTiming, TimingFields, timingRequest, type TimingState } from "./TimingFields";
import type { Schedule, ScheduleInput } from "./types";

interface Props {
  endpointId: number;
  /** Published version numbers, for the version choice. */
  versions: number[];
  schedule?: Schedule;
  onClose(): void;
}

const NONE: Refusal = { detail: "", fields: {}, codes: {} };

export function ScheduleDialog({ endpointId, versions, schedule, onClose }: Props) {
  const [name, setName] = useState(schedule?.name ?? "");
  const [timing, setTiming] = useState<TimingState>(() => initialTiming(schedule));
  const [maxConcurrent, setMaxConcurrent] = useState(String(schedule?.max_concurrent ?? 1));
  const [missed, setMissed] = useState<string>(schedule?.missed ?? "run_once");
  const [version, setVersion] = useState(schedule?.version ? String(schedule.version) : "");
  const [values, setValues] = useState(schedule?.values && Object.keys(schedule.values as object).length ? JSON.stringify(schedule.values, null, 2) : "");
  const [refusal, setRefusal] = useState<Refusal>(NONE);
  const save = useScheduleAction(endpointId, (body: ScheduleInput) =>
    schedule ? schedulesApi.update(schedule.id, body) : schedulesApi.create(endpointId, body),
  );

  async function submit() {
    const parsed = parseValues(values);
    if (parsed.error) {
      setRefusal({ detail: "", fields: { values: parsed.error }, codes: {} });
      return;
    }
    setRefusal(NONE);
    const body: ScheduleInput = {
      ...timingRequest(timing),
      name: name.trim(),
      max_concurrent: Number(maxConcurrent) || 1,
      missed: missed as ScheduleInput["missed"],
      version: version ? Number(version) : null,
      values: parsed.values ?? {},
    };
    try {
      await save.mutateAsync(body);
      toast.success(schedule ? "Schedule changed." : "Schedule created.");
      onClose();
    } catch (error) {
      setRefusal(refusalOf(error));
    }
  }

  const known = ["cron", "interval_seconds", "timezone", "start_at", "end_at", "values", "version", "max_concurrent", "missed", "name"];
  const general = Object.entries(refusal.fields).filter(([f]) => !known.includes(f));

  return (
    <Modal
      title={schedule ? `Change schedule “${schedule.name || schedule.description}”` : "New schedule"}
      onClose={onClose}
      size="lg"
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn--primary" onClick={() => void submit()} disabled={save.isPending}>
            {save.isPending ? "Saving…" : schedule ? "Save" : "Create schedule"}
          </button>
        </>
      }
    >
      <form
        className="schedule-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="field">
          <label className="field__label" htmlFor="schedule-name">
            Name
          </label>
          <input id="schedule-name" className="input" value={name} maxLength={200} placeholder="Nightly retrain" onChange={(e) => setName(e.target.value)} />
        </div>
        <TimingFields state={timing} onChange={setTiming} errors={refusal.fields} idPrefix="schedule" />
        <div className="timing__row">
          <div className={`field${refusal.fields.max_concurrent ? " field--invalid" : ""}`}>
            <label className="field__label" htmlFor="schedule-max">
              Max concurrent runs
            </label>
            <input id="schedule-max" className="input" type="number" min={1} max={100} value={maxConcurrent} onChange={(e) => setMaxConcurrent(e.target.value)} />
            <p className={refusal.fields.max_concurrent ? "field__error" : "field__help"}>
              {refusal.fields.max_concurrent || "A tick while this many of its runs still run is skipped (and recorded)."}
            </p>
          </div>
          <div className="field">
            <label className="field__label" htmlFor="schedule-missed">
              Missed runs
            </label>
            <select id="schedule-missed" className="input" value={missed} onChange={(e) => setMissed(e.target.value)}>
              <option value="run_once">Run the latest once</option>
              <option value="skip">Skip them</option>
            </select>
            <p className="field__help">After downtime (beat or workers down), a tick more than a few minutes late.</p>
          </div>
          <div className={`field${refusal.fields.version ? " field--invalid" : ""}`}>
            <label className="field__label" htmlFor="schedule-version">
              Published version
            </label>
            <select id="schedule-version" className="input" value={version} onChange={(e) => setVersion(e.target.value)}>
              <option value="">The default (follows it)</option>
              {versions.map((n) => (
                <option key={n} value={n}>
                  v{n}
                </option>
              ))}
            </select>
            {refusal.fields.version && <p className="field__error">{refusal.fields.version}</p>}
          </div>
        </div>
        <div className={`field${refusal.fields.values ? " field--invalid" : ""}`}>
          <label className="field__label" htmlFor="schedule-values">
            Parameter values <span className="muted">(JSON; the rest take the version's defaults)</span>
          </label>
          <textarea
            id="schedule-values"
            className="input input--mono"
            rows={3}
            value={values}
            placeholder='{"fraction": 0.3}'
            onChange={(e) => setValues(e.target.value)}
            aria-invalid={refusal.fields.values ? true : undefined}
          />
          {refusal.fields.values && (
            <p className="field__error" role="alert">
              {refusal.fields.values}
            </p>
          )}
        </div>
        {(general.length > 0 || (refusal.detail && !Object.keys(refusal.fields).length)) && (
          <div className="callout callout--error" role="alert">
            <div className="callout__title">The schedule was not saved</div>
            {refusal.detail && <div>{refusal.detail}</div>}
            {general.map(([f, text]) => (
              <div key={f}>{text}</div>
            ))}
          </div>
        )}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </form>
    </Modal>
  );
}
