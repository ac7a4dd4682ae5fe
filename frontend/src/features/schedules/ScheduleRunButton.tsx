/**
 * "Schedule this run" on the run page: a schedule of the pipeline endpoint that publishes this run's
 * version, with this run's parameter values. When no endpoint publishes it, the server says so and the
 * dialog offers publishing first (the run page's "Publish from this run").
 */
import { useState } from "react";
import { useNavigate } from "react-router";
import { Modal } from "../../app/Modal";
import { toast } from "../../app/toasts";
import { usePipelineEndpoints } from "../published/queries";
import { schedulesApi } from "./http";
import { refusalOf, type Refusal } from "./problems";
import { initialTiming, TimingFields, timingRequest, type TimingState } from "./TimingFields";

interface Props {
  runId: number;
  workspace: number;
  parameterValues: Record<string, unknown>;
  canEdit: boolean;
}

const NONE: Refusal = { detail: "", fields: {}, codes: {} };

export function ScheduleRunButton({ canEdit, ...run }: Props) {
  const [open, setOpen] = useState(false);
  if (!canEdit) return null;
  return (
    <>
      <button className="btn" onClick={() => setOpen(true)} data-testid="schedule-run" title="Run this run's published version on a schedule, with its parameter values">
        Schedule this run
      </button>
      {open && <ScheduleRunDialog {...run} onClose={() => setOpen(false)} />}
    </>
  );
}

function ScheduleRunDialog({ runId, workspace, parameterValues, onClose }: Omit<Props, "canEdit"> & { onClose(): void }) {
  const navigate = useNavigate();
  const endpoints = usePipelineEndpoints(workspace);
  const [timing, setTiming] = useState<TimingState>(() => initialTiming());
  const [endpoint, setEndpoint] = useState("");
  const [refusal, setRefusal] = useState<Refusal>(NONE);
  const [busy, setBusy] = useState(false);
  const values = Object.entries(parameterValues);

  async function submit() {
    setBusy(true);
    setRefusal(NONE);
    try {
      const created = await schedulesApi.scheduleRun(runId, {
        ...timingRequest(timing),
        ...(endpoint ? { endpoint: Number(endpoint) } : {}),
      });
      toast.success(`Scheduled on “${created.endpoint_name}”: ${created.description}.`);
      onClose();
      navigate(`/w/${workspace}/pipeline-endpoints/${created.endpoint}`);
    } catch (error) {
      setRefusal(refusalOf(error));
    } finally {
      setBusy(false);
    }
  }

  const notPublished = refusal.codes.run === "not_published";
  const ambiguous = refusal.codes.endpoint === "ambiguous" || Boolean(endpoint);
  return (
    <Modal
      title={`Schedule run #${runId}`}
      onClose={onClose}
      size="lg"
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn--primary" onClick={() => void submit()} disabled={busy}>
            {busy ? "Scheduling…" : "Create schedule"}
          </button>
        </>
      }
    >
      <p className="muted">
        Runs the published version this run ran, with its values:{" "}
        {values.length ? values.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ") : "the defaults"}.
      </p>
      <TimingFields state={timing} onChange={setTiming} errors={refusal.fields} idPrefix="schedule-run" />
      {ambiguous && (
        <div className={`field${refusal.fields.endpoint ? " field--invalid" : ""}`}>
          <label className="field__label" htmlFor="schedule-run-endpoint">
            Pipeline endpoint
          </label>
          <select id="schedule-run-endpoint" className="input" value={endpoint} onChange={(e) => setEndpoint(e.target.value)}>
            <option value="">Choose…</option>
            {(endpoints.data ?? []).map((e) => (
              <option key={e.id} value={e.id}>
                {e.name}
              </option>
            ))}
          </select>
          {refusal.fields.endpoint && <p className="field__error">{refusal.fields.endpoint}</p>}
        </div>
      )}
      {notPublished ? (
        <div className="callout callout--warning" role="alert" data-testid="schedule-run-not-published">
          <div className="callout__title">Publish this run first</div>
          <div>{refusal.detail}</div>
          <div>Close this dialog and use “Publish from this run”: it publishes this version with these values. Then schedule it.</div>
        </div>
      ) : (
        refusal.detail &&
        !refusal.fields.cron &&
        !refusal.fields.endpoint && (
          <div className="callout callout--error" role="alert">
            {refusal.detail}
            {Object.entries(refusal.fields)
              .filter(([f]) => !["interval_seconds", "timezone", "end_at"].includes(f))
              .map(([f, text]) => (
                <div key={f}>{text}</div>
              ))}
          </div>
        )
      )}
    </Modal>
  );
}
