/**
 * Publish a saved pipeline version as a pipeline endpoint, or as the next version of one that publishes
 * the same pipeline. From a run ("Publish from this run") it publishes the version the run ran, and the
 * run's parameter values become that published version's defaults.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { ApiError, messageOf } from "../../api/errors";
import { Modal } from "../../app/Modal";
import { toast } from "../../app/toasts";
import { useCatalogue } from "../canvas/catalogueStore";
import { formatParameterValue } from "../parameters";
import { publishedApi } from "./http";
import { usePipelineEndpoints } from "./queries";
import type { PipelineEndpointDetail } from "./types";

export interface PublishSource {
  workspace: number;
  pipelineId: number;
  pipelineName: string;
  /** The saved version to publish (null: never saved). */
  version: number | null;
  /** The canvas has edits that are not in that version. */
  unsaved?: boolean;
  /** Publishing from this run: its version, and its values as the defaults. */
  run?: { id: number; parameterValues: Record<string, unknown> };
}

type Mode = "new" | "existing";
interface Errors {
  fields: Partial<Record<"name" | "description" | "endpoint", string>>;
  general: string[];
}
const NO_ERRORS: Errors = { fields: {}, general: [] };

export function suggestEndpointName(pipeline: string): string {
  let name = pipeline.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  if (name.length > 40) name = name.slice(0, 40).replace(/-[^-]*$/, "") || name.slice(0, 40);
  return name.length >= 2 ? name : "pipeline-endpoint";
}

function errorsOf(error: unknown): Errors {
  if (!(error instanceof ApiError)) return { fields: {}, general: [messageOf(error)] };
  const body = (error.body ?? {}) as { detail?: unknown; fields?: Record<string, unknown> };
  const out: Errors = { fields: {}, general: [] };
  for (const [name, messages] of Object.entries(body.fields ?? {})) {
    const text = Array.isArray(messages) ? messages.map(String).join(" ") : String(messages);
    if (name === "name" || name === "description") out.fields[name] = text;
    else out.general.push(`${name.replace(/_/g, " ")}: ${text}`);
  }
  if (error.status === 409) out.fields.name = typeof body.detail === "string" ? body.detail : error.message;
  for (const p of error.problems) out.general.push(p.message ?? JSON.stringify(p));
  if (!Object.keys(out.fields).length && !out.general.length) out.general.push(error.message);
  else if (out.general.length && typeof body.detail === "string" && !Object.keys(body.fields ?? {}).length) out.general.unshift(body.detail);
  return out;
}

export function PublishDialog({ source, onClose }: { source: PublishSource; onClose(): void }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const endpoints = usePipelineEndpoints(source.workspace);
  const same = (endpoints.data ?? []).filter((e) => e.pipeline === source.pipelineId);
  const [mode, setMode] = useState<Mode>("new");
  const [name, setName] = useState(() => suggestEndpointName(source.pipelineName));
  const [description, setDescription] = useState("");
  const [target, setTarget] = useState<number | "">("");
  const [makeDefault, setMakeDefault] = useState(true);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Errors>(NO_ERRORS);
  const chosen = target === "" ? same[0]?.id : target;
  const values = Object.entries(source.run?.parameterValues ?? {});
  const datasets = useCatalogue((s) => s.datasets); // filled by the page behind the dialog, when it shows datasets

  async function publish() {
    if (mode === "new" && !name.trim()) return setErrors({ ...NO_ERRORS, fields: { name: "Give the pipeline endpoint a name." } });
    if (mode === "existing" && chosen === undefined) return setErrors({ ...NO_ERRORS, fields: { endpoint: "Choose a pipeline endpoint." } });
    setBusy(true);
    setErrors(NO_ERRORS);
    const what = source.run ? { run: source.run.id } : { version: source.version };
    try {
      let endpoint: PipelineEndpointDetail;
      if (mode === "new") {
        const body = { workspace: source.workspace, name: name.trim(), description: description.trim(), ...what };
        endpoint = await publishedApi.create(source.run ? body : { ...body, pipeline: source.pipelineId });
        toast.success(`Published as “${endpoint.name}”.`);
      } else {
        endpoint = await publishedApi.publishVersion(chosen!, { ...what, make_default: makeDefault });
        const newest = Math.max(...endpoint.versions.map((v) => v.number));
        toast.success(`Published as version ${newest} of “${endpoint.name}”${makeDefault ? ", now the default" : ""}.`);
      }
      void client.invalidateQueries({ queryKey: ["pipeline-endpoints"] });
      onClose();
      navigate(`/w/${endpoint.workspace}/pipeline-endpoints/${endpoint.id}`);
    } catch (error) {
      setErrors(errorsOf(error));
    } finally {
      setBusy(false);
    }
  }

  const invalid = (key: keyof Errors["fields"]) => ({
    "aria-invalid": errors.fields[key] ? true : undefined,
    "aria-describedby": errors.fields[key] ? `publish-${key}-error` : undefined,
  });
  const fieldError = (key: keyof Errors["fields"]) =>
    errors.fields[key] && (
      <p className="field__error" id={`publish-${key}-error`}>
        {errors.fields[key]}
      </p>
    );

  return (
    <Modal
      title={source.run ? `Publish from run #${source.run.id}` : "Publish as a pipeline endpoint"}
      onClose={onClose}
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn--primary" onClick={() => void publish()} disabled={busy || source.version === null} data-testid="publish-confirm">
            {busy ? "Publishing…" : "Publish"}
          </button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void publish();
        }}
      >
        <p className="field__help">
          {source.run ? (
            <>
              Publishes version {source.version} of <strong>{source.pipelineName}</strong> as run #{source.run.id} ran it: its
              parameter values become this published version's defaults, and callers may still send their own.
            </>
          ) : (
            <>
              Publishes version {source.version ?? "—"} of <strong>{source.pipelineName}</strong>: programs start runs of it with a
              key, over REST, with their own parameter values.
            </>
          )}
        </p>
        {source.unsaved && (
          <p className="field__hint">The canvas has changes that are not saved in version {source.version ?? "—"}; save a version first to publish them.</p>
        )}
        {values.length > 0 && (
          <div className="pe-defaults" data-testid="publish-defaults">
            {values.map(([k, v]) => (
              <div key={k}>
                {k} = {formatParameterValue(v, (id) => datasets.get(id)?.name)}
              </div>
            ))}
          </div>
        )}
        <div className="pe-publish-mode" role="radiogroup" aria-label="Publish as">
          <label>
            <input type="radio" name="publish-mode" checked={mode === "new"} onChange={() => setMode("new")} /> A new pipeline endpoint
          </label>
          <label title={same.length ? undefined : "No pipeline endpoint publishes this pipeline yet."}>
            <input type="radio" name="publish-mode" checked={mode === "existing"} disabled={!same.length} onChange={() => setMode("existing")} /> A new
            version of an existing one
          </label>
        </div>
        {mode === "new" ? (
          <>
            <div className={`field${errors.fields.name ? " field--invalid" : ""}`}>
              <label className="field__label" htmlFor="publish-name">
                Name <span className="field__required">*</span>
              </label>
              <input id="publish-name" className="input" value={name} maxLength={63} onChange={(e) => setName(e.target.value)} {...invalid("name")} />
              {fieldError("name") ?? <p className="field__help">In the trigger URL: lower-case letters, digits and hyphens.</p>}
            </div>
            <div className={`field${errors.fields.description ? " field--invalid" : ""}`}>
              <label className="field__label" htmlFor="publish-description">
                Description
              </label>
              <textarea id="publish-description" className="input" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} {...invalid("description")} />
              {fieldError("description")}
            </div>
          </>
        ) : (
          <>
            <div className={`field${errors.fields.endpoint ? " field--invalid" : ""}`}>
              <label className="field__label" htmlFor="publish-endpoint">
                Pipeline endpoint
              </label>
              <select id="publish-endpoint" className="input" value={chosen ?? ""} onChange={(e) => setTarget(Number(e.target.value))} {...invalid("endpoint")}>
                {same.map((e) => (
                  <option key={e.id} value={e.id}>
                    {e.name} (default v{e.default_version}, {e.version_count} version{e.version_count === 1 ? "" : "s"})
                  </option>
                ))}
              </select>
              {fieldError("endpoint")}
            </div>
            <label className="check">
              <input type="checkbox" checked={makeDefault} onChange={(e) => setMakeDefault(e.target.checked)} /> Make it the default version
              (callers who name no version get it)
            </label>
          </>
        )}
        {errors.general.length > 0 && (
          <div className="callout callout--error" role="alert">
            <div className="callout__title">Nothing was published</div>
            {errors.general.map((g) => (
              <div key={g}>{g}</div>
            ))}
          </div>
        )}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </form>
    </Modal>
  );
}

/** The designer toolbar's Publish button (editors, once a version is saved). */
export function PublishButton({ canEdit, ...source }: PublishSource & { canEdit: boolean }) {
  const [open, setOpen] = useState(false);
  if (!canEdit) return null;
  const never = source.version === null;
  return (
    <>
      <button
        className="btn"
        onClick={() => setOpen(true)}
        disabled={never}
        title={never ? "Save a version first: a pipeline endpoint publishes a saved version." : "Publish as a pipeline endpoint started over REST"}
        data-testid="publish"
      >
        Publish
      </button>
      {open && <PublishDialog source={source} onClose={() => setOpen(false)} />}
    </>
  );
}

/** "Publish from this run" on the run page (editors, finished runs). */
export function PublishRunButton({ canEdit, ...source }: PublishSource & { canEdit: boolean }) {
  const [open, setOpen] = useState(false);
  if (!canEdit || !source.run) return null;
  return (
    <>
      <button className="btn" onClick={() => setOpen(true)} data-testid="publish-from-run" title="Publish the version this run ran, with its parameter values as the defaults">
        Publish from this run
      </button>
      {open && <PublishDialog source={source} onClose={() => setOpen(false)} />}
    </>
  );
}
