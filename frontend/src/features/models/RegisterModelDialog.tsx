/**
 * Register a trained model a run produced: pick a completed run, then its node with a trained model;
 * the same name again becomes the next version. Field errors from the server are shown at their fields.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { ApiError, messageOf } from "../../api/errors";
import { useRun, useRuns } from "../../api/queries";
import type { RunDetail } from "../../api/types";
import { Modal } from "../../app/Modal";
import { toast } from "../../app/toasts";

type Field = "name" | "run" | "node" | "tags" | "description";

/** Nodes of a run with a trained model among their outputs ({port: {type, digest}}). */
export function trainedNodes(run: RunDetail | undefined): { node: string; label: string }[] {
  if (!run) return [];
  return run.nodes
    .filter((n) => {
      const outputs = n.outputs as Record<string, { type?: unknown }> | null | undefined;
      return !!outputs && typeof outputs === "object" && Object.values(outputs).some((o) => o && o.type === "trained_model");
    })
    .map((n) => ({ node: n.node, label: `${n.module_name} (${n.node})` }));
}

/** "stage=prod, owner=ml" -> {stage: "prod", owner: "ml"}, or what is wrong with the text. */
export function parseTags(text: string): { tags: Record<string, string>; error: string | null } {
  const tags: Record<string, string> = {};
  for (const part of text.split(",")) {
    const item = part.trim();
    if (!item) continue;
    const at = item.indexOf("=");
    const key = at < 0 ? item : item.slice(0, at).trim();
    const value = at < 0 ? "" : item.slice(at + 1).trim();
    if (!key || !value) return { tags, error: `“${item}” needs a key and a value, like stage=prod.` };
    tags[key] = value;
  }
  return { tags, error: null };
}

/** A field's errors as the server words them: a list of sentences, or per key for a dict field. */
function sentence(value: unknown): string {
  if (Array.isArray(value)) return value.map(sentence).join(" ");
  if (value && typeof value === "object") {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${sentence(v)}`)
      .join(" ");
  }
  return String(value);
}

function errorsOf(error: unknown): { fields: Partial<Record<Field, string>>; general: string | null } {
  if (!(error instanceof ApiError)) return { fields: {}, general: messageOf(error) };
  const body = (error.body ?? {}) as { detail?: unknown; fields?: unknown; problems?: unknown };
  const fields: Partial<Record<Field, string>> = {};
  const known = (k: string): k is Field => ["name", "run", "node", "tags", "description"].includes(k);
  if (body.fields && typeof body.fields === "object") {
    for (const [k, v] of Object.entries(body.fields as Record<string, unknown>)) {
      const text = sentence(v);
      if (known(k)) fields[k] = text;
      else if (k === "port") fields.node = text;
    }
  }
  const detail = typeof body.detail === "string" ? body.detail : error.message;
  if (Array.isArray(body.problems)) {
    for (const p of body.problems as { field?: string }[]) if (p.field && known(p.field) && !fields[p.field]) fields[p.field] = detail;
  }
  return { fields, general: Object.keys(fields).length ? null : error.message };
}

export function RegisterModelDialog({ workspace, onClose }: { workspace: number; onClose(): void }) {
  const client = useQueryClient();
  const runs = useRuns({ workspace }, 50);
  const completed = (runs.data ?? []).filter((r) => r.status === "completed");
  const [runId, setRunId] = useState<number | null>(null);
  const chosenRun = runId ?? completed[0]?.id ?? null;
  const run = useRun(chosenRun ?? 0);
  const nodes = chosenRun !== null && run.data?.id === chosenRun ? trainedNodes(run.data) : [];
  const [node, setNode] = useState<string | null>(null);
  const chosenNode = node !== null && nodes.some((n) => n.node === node) ? node : (nodes[0]?.node ?? "");
  const [name, setName] = useState("");
  const [tags, setTags] = useState("");
  const [description, setDescription] = useState("");
  const [errors, setErrors] = useState<ReturnType<typeof errorsOf>>({ fields: {}, general: null });

  const register = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/models/", {
          // An empty `port`: the server picks the node's one trained-model output.
          body: {
            workspace,
            name: name.trim(),
            run: chosenRun ?? 0,
            node: chosenNode,
            port: "",
            tags: parseTags(tags).tags,
            description: description.trim(),
          },
        }),
        "register the model",
      ),
    onSuccess: (model) => {
      void client.invalidateQueries({ queryKey: ["models"] });
      toast.success(`Registered “${model.name}” as version ${model.version}.`);
      onClose();
    },
    onError: (error) => setErrors(errorsOf(error)),
  });

  function submit() {
    const missing: Partial<Record<Field, string>> = {};
    if (!name.trim()) missing.name = "Give the model a name.";
    if (chosenRun === null) missing.run = "Pick a completed run.";
    else if (!chosenNode) missing.node = "This run has no trained model.";
    const tagError = parseTags(tags).error;
    if (tagError) missing.tags = tagError;
    if (Object.keys(missing).length) {
      setErrors({ fields: missing, general: null });
      return;
    }
    setErrors({ fields: {}, general: null });
    register.mutate();
  }

  const describe = (f: Field) => (errors.fields[f] ? { "aria-invalid": true, "aria-describedby": `register-${f}-error` } : {});
  const fieldError = (f: Field) =>
    errors.fields[f] ? (
      <p className="field__error" id={`register-${f}-error`}>
        {errors.fields[f]}
      </p>
    ) : null;

  return (
    <Modal
      title="Register a model"
      onClose={onClose}
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn--primary" onClick={submit} disabled={register.isPending}>
            {register.isPending ? "Registering…" : "Register"}
          </button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="field">
          <label className="field__label" htmlFor="register-run">
            Run
          </label>
          <select
            id="register-run"
            className="input"
            value={chosenRun ?? ""}
            onChange={(e) => {
              setRunId(Number(e.target.value));
              setNode(null);
            }}
            disabled={!completed.length}
            {...describe("run")}
          >
            {!completed.length && <option value="">{runs.isPending ? "Loading runs…" : "No completed runs in this workspace"}</option>}
            {completed.map((r) => (
              <option key={r.id} value={r.id}>
                Run #{r.id} — {r.pipeline_name} v{r.version}
              </option>
            ))}
          </select>
          {fieldError("run")}
        </div>
        <div className="field">
          <label className="field__label" htmlFor="register-node">
            Trained model
          </label>
          <select id="register-node" className="input" value={chosenNode} onChange={(e) => setNode(e.target.value)} disabled={!nodes.length} {...describe("node")}>
            {!nodes.length && <option value="">{chosenRun !== null && run.isPending ? "Loading the run…" : "No trained model in this run"}</option>}
            {nodes.map((n) => (
              <option key={n.node} value={n.node}>
                {n.label}
              </option>
            ))}
          </select>
          {fieldError("node")}
        </div>
        <div className="field">
          <label className="field__label" htmlFor="register-name">
            Name <span className="field__required">*</span>
          </label>
          <input id="register-name" className="input" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} {...describe("name")} />
          {fieldError("name") ?? <p className="field__help">Registering a name again makes its next version.</p>}
        </div>
        <div className="field">
          <label className="field__label" htmlFor="register-tags">
            Tags
          </label>
          <input
            id="register-tags"
            className="input"
            value={tags}
            placeholder="stage=staging, owner=risk-team"
            onChange={(e) => setTags(e.target.value)}
            {...describe("tags")}
          />
          {fieldError("tags") ?? <p className="field__help">Comma-separated key=value pairs.</p>}
        </div>
        <div className="field">
          <label className="field__label" htmlFor="register-description">
            Description
          </label>
          <textarea id="register-description" className="input" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} {...describe("description")} />
          {fieldError("description")}
        </div>
        {errors.general && (
          <div className="callout callout--error" role="alert">
            {errors.general}
          </div>
        )}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </form>
    </Modal>
  );
}
