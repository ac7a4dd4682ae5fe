/** A data trigger: run the endpoint whenever a dataset of its workspace gets a new version (upload, Import
 * Data refresh, a run's Register Dataset); the new version goes to one of the pipeline's dataset parameters. */
import { useState } from "react";
import { useDatasets } from "../../api/queries";
import { Modal } from "../../app/Modal";
import { toast } from "../../app/toasts";
import type { PublishedVersion } from "../published";
import { schedulesApi } from "./http";
import { parseValues, refusalOf, type Refusal } from "./problems";
import { useScheduleAction } from "./queries";
import type { DataTriggerInput } from "./types";

interface Props {
  endpointId: number;
  workspace: number;
  versions: PublishedVersion[];
  defaultVersion: number;
  onClose(): void;
}

const NONE: Refusal = { detail: "", fields: {}, codes: {} };

export function TriggerDialog({ endpointId, workspace, versions, defaultVersion, onClose }: Props) {
  const datasets = useDatasets(workspace);
  const [version, setVersion] = useState("");
  const chosen = versions.find((v) => v.number === (version ? Number(version) : defaultVersion));
  const parameters = (chosen?.parameters ?? []).filter((p) => p.type === "dataset").map((p) => p.name);
  const [parameter, setParameter] = useState(parameters[0] ?? "");
  const [dataset, setDataset] = useState("");
  const [name, setName] = useState("");
  const [values, setValues] = useState("");
  const [refusal, setRefusal] = useState<Refusal>(NONE);
  const save = useScheduleAction(endpointId, (body: DataTriggerInput) => schedulesApi.createTrigger(endpointId, body));

  async function submit() {
    const parsed = parseValues(values);
    if (parsed.error || !dataset) {
      setRefusal({ detail: "", fields: parsed.error ? { values: parsed.error } : { dataset: "Choose the dataset to watch." }, codes: {} });
      return;
    }
    setRefusal(NONE);
    try {
      await save.mutateAsync({
        name: name.trim(),
        dataset: Number(dataset),
        parameter,
        values: parsed.values ?? {},
        version: version ? Number(version) : null,
      });
      toast.success("Data trigger created.");
      onClose();
    } catch (error) {
      setRefusal(refusalOf(error));
    }
  }

  const err = (field: string) => refusal.fields[field];
  return (
    <Modal
      title="New data trigger"
      onClose={onClose}
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn--primary" onClick={() => void submit()} disabled={save.isPending || !parameter}>
            {save.isPending ? "Saving…" : "Create trigger"}
          </button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className={`field${err("dataset") ? " field--invalid" : ""}`}>
          <label className="field__label" htmlFor="trigger-dataset">
            When this dataset gets a new version
          </label>
          <select id="trigger-dataset" className="input" value={dataset} onChange={(e) => setDataset(e.target.value)}>
            <option value="">Choose a dataset…</option>
            {(datasets.data ?? []).map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
          {err("dataset") && <p className="field__error">{err("dataset")}</p>}
        </div>
        <div className={`field${err("parameter") ? " field--invalid" : ""}`}>
          <label className="field__label" htmlFor="trigger-parameter">
            Pass the new version as
          </label>
          {parameters.length ? (
            <select id="trigger-parameter" className="input" value={parameter} onChange={(e) => setParameter(e.target.value)}>
              {parameters.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          ) : (
            <p className="field__hint">This version has no dataset parameter: promote the Dataset node's dataset to a pipeline parameter, publish, then add a trigger.</p>
          )}
          {err("parameter") && <p className="field__error">{err("parameter")}</p>}
        </div>
        <div className={`field${err("version") ? " field--invalid" : ""}`}>
          <label className="field__label" htmlFor="trigger-version">
            Published version
          </label>
          <select id="trigger-version" className="input" value={version} onChange={(e) => setVersion(e.target.value)}>
            <option value="">The default (follows it)</option>
            {versions.map((v) => (
              <option key={v.number} value={v.number}>
                v{v.number}
              </option>
            ))}
          </select>
          {err("version") && <p className="field__error">{err("version")}</p>}
        </div>
        <div className={`field${err("values") ? " field--invalid" : ""}`}>
          <label className="field__label" htmlFor="trigger-values">
            Other values <span className="muted">(JSON)</span>
          </label>
          <textarea id="trigger-values" className="input input--mono" rows={2} value={values} placeholder='{"fraction": 0.3}' onChange={(e) => setValues(e.target.value)} />
          {err("values") && <p className="field__error">{err("values")}</p>}
        </div>
        <div className="field">
          <label className="field__label" htmlFor="trigger-name">
            Name
          </label>
          <input id="trigger-name" className="input" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
        </div>
        {refusal.detail && !Object.keys(refusal.fields).length && (
          <div className="callout callout--error" role="alert">
            {refusal.detail}
          </div>
        )}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </form>
    </Modal>
  );
}
