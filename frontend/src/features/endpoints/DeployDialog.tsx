/**
 * Deploy from the designer: shown when the pipeline has a Web Service Input and a Web Service Output.
 * Publishes a saved version as a real-time endpoint and opens its page; the server's field errors are
 * shown at their fields.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { ApiError, messageOf } from "../../api/errors";
import { Modal } from "../../app/Modal";
import { toast } from "../../app/toasts";
import { servingApi } from "./http";
import type { DerivationProblem } from "./types";

export const WEB_SERVICE_INPUT = "web_service_input";
export const WEB_SERVICE_IMAGE_INPUT = "web_service_image_input";
export const WEB_SERVICE_OUTPUT = "web_service_output";

/** Whether a pipeline's modules make it deployable as a real-time endpoint. */
export function isServable(modules: Iterable<string>): boolean {
  const found = new Set(modules);
  return (found.has(WEB_SERVICE_INPUT) || found.has(WEB_SERVICE_IMAGE_INPUT)) && found.has(WEB_SERVICE_OUTPUT);
}

interface Props {
  pipelineId: number;
  pipelineName: string;
  workspace: number;
  /** The saved version the canvas is based on (null: never saved). */
  version: number | null;
  /** The canvas has edits that are not in that version. */
  unsaved: boolean;
  onClose(): void;
}

type FieldName = "name" | "description" | "version" | "pipeline";

function fieldErrors(error: unknown): { fields: Partial<Record<FieldName, string>>; general: string[] } {
  const fields: Partial<Record<FieldName, string>> = {};
  const general: string[] = [];
  if (!(error instanceof ApiError)) return { fields, general: [messageOf(error)] };
  const body = (error.body ?? {}) as { detail?: unknown; fields?: unknown; problems?: unknown };
  const detail = typeof body.detail === "string" ? body.detail : error.message;
  const put = (name: string, text: string) => {
    const key = name === "pipeline_version" ? "version" : name;
    if (key === "name" || key === "description" || key === "version") fields[key] = text;
    else general.push(name === "non_field_errors" ? text : `${name.replace(/_/g, " ")}: ${text}`);
  };
  // 400: {"detail", "fields": {name: [messages]}}
  if (body.fields && typeof body.fields === "object") {
    for (const [name, messages] of Object.entries(body.fields as Record<string, unknown>)) {
      put(name, Array.isArray(messages) ? messages.map(String).join(" ") : String(messages));
    }
  } else if (error.status === 409) {
    fields.name = detail; // the name was taken meanwhile
  } else if (error.status === 422) {
    // {"detail", "problems": [{code, message, node} | {field}]}
    const problems = (Array.isArray(body.problems) ? body.problems : []) as DerivationProblem[];
    for (const p of problems) {
      if (p.field && !p.message) put(p.field, detail);
      else if (p.message) general.push(p.node ? `${p.node}: ${p.message}` : p.message);
    }
    if (!problems.length && /\bno (saved )?version\b/i.test(detail)) fields.version = detail;
    else if (!general.length && !Object.keys(fields).length) general.push(detail);
    else if (general.length && detail) general.unshift(detail);
  }
  if (!Object.keys(fields).length && !general.length) general.push(error.message);
  return { fields, general };
}

export function DeployDialog({ pipelineId, pipelineName, workspace, version: saved, unsaved, onClose }: Props) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [name, setName] = useState(() => suggestName(pipelineName));
  const [description, setDescription] = useState("");
  const [version, setVersion] = useState<string>(saved === null ? "" : String(saved));
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ fields: Partial<Record<FieldName, string>>; general: string[] }>({ fields: {}, general: [] });

  async function deploy() {
    if (!name.trim()) {
      setErrors({ fields: { name: "Give the endpoint a name." }, general: [] });
      return;
    }
    setBusy(true);
    setErrors({ fields: {}, general: [] });
    try {
      const endpoint = await servingApi.createEndpoint({
        workspace,
        name: name.trim(),
        description: description.trim(),
        pipeline: pipelineId,
        version: version === "" ? null : Number(version),
      });
      void client.invalidateQueries({ queryKey: ["endpoints"] });
      toast.success(`Endpoint “${endpoint.name}” deployed.`);
      onClose();
      navigate(`/w/${endpoint.workspace}/endpoints/${endpoint.id}`);
    } catch (error) {
      setErrors(fieldErrors(error));
    } finally {
      setBusy(false);
    }
  }

  const field = (key: FieldName) => ({
    "aria-invalid": errors.fields[key] ? true : undefined,
    "aria-describedby": errors.fields[key] ? `deploy-${key}-error` : undefined,
  });

  return (
    <Modal
      title="Deploy a real-time endpoint"
      onClose={onClose}
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn--primary" onClick={() => void deploy()} disabled={busy}>
            {busy ? "Deploying…" : "Deploy"}
          </button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void deploy();
        }}
      >
        <div className={`field${errors.fields.name ? " field--invalid" : ""}`}>
          <label className="field__label" htmlFor="deploy-name">
            Name <span className="field__required">*</span>
          </label>
          <input id="deploy-name" className="input" value={name} maxLength={64} onChange={(e) => setName(e.target.value)} {...field("name")} />
          {errors.fields.name ? (
            <p className="field__error" id="deploy-name-error">
              {errors.fields.name}
            </p>
          ) : (
            <p className="field__help">Part of the scoring URL: lower-case letters, digits and hyphens read best.</p>
          )}
        </div>
        <div className={`field${errors.fields.description ? " field--invalid" : ""}`}>
          <label className="field__label" htmlFor="deploy-description">
            Description
          </label>
          <textarea
            id="deploy-description"
            className="input"
            rows={2}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            {...field("description")}
          />
          {errors.fields.description && (
            <p className="field__error" id="deploy-description-error">
              {errors.fields.description}
            </p>
          )}
        </div>
        <div className={`field${errors.fields.version ? " field--invalid" : ""}`}>
          <label className="field__label" htmlFor="deploy-version">
            Pipeline version
          </label>
          <input
            id="deploy-version"
            className="input"
            type="number"
            min={1}
            value={version}
            placeholder="newest"
            onChange={(e) => setVersion(e.target.value)}
            {...field("version")}
          />
          {errors.fields.version ? (
            <p className="field__error" id="deploy-version-error">
              {errors.fields.version}
            </p>
          ) : unsaved ? (
            <p className="field__hint">
              The canvas has changes that are not saved in version {saved ?? "—"}. Save a version first to deploy them.
            </p>
          ) : (
            <p className="field__help">The endpoint serves this saved version; you can switch versions later on its page.</p>
          )}
        </div>
        {errors.general.length > 0 && (
          <div className="callout callout--error" role="alert">
            <div className="callout__title">The endpoint was not deployed</div>
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

function suggestName(pipeline: string): string {
  let name = pipeline.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  // Azure keeps endpoint names to 32 characters; cut at a word where possible.
  if (name.length > 32) {
    const cut = name.slice(0, 33).lastIndexOf("-");
    name = name.slice(0, cut > 8 ? cut : 32).replace(/-+$/, "");
  }
  return name || "endpoint";
}

/** The Deploy button for the designer's toolbar; renders nothing unless the pipeline is servable. */
export function DeployButton(props: Omit<Props, "onClose"> & { servable: boolean; canEdit: boolean }) {
  const [open, setOpen] = useState(false);
  const { servable, canEdit, ...dialog } = props;
  if (!canEdit || !servable) return null;
  const never = dialog.version === null;
  return (
    <>
      <button
        className="btn"
        onClick={() => setOpen(true)}
        disabled={never}
        title={never ? "Save a version first: an endpoint serves a saved version." : "Publish this pipeline as a REST scoring service"}
        data-testid="deploy"
      >
        Deploy
      </button>
      {open && <DeployDialog {...dialog} onClose={() => setOpen(false)} />}
    </>
  );
}
