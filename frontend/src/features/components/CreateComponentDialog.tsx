/**
 * "Create component" from the selected nodes: a name, the ports it will have (proposed from the edges
 * crossing the selection, renamable) and the inner parameters to expose. The server groups the nodes
 * (POST /api/components/group/) and the canvas becomes the document it returns, as one undoable edit.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { messageOf } from "../../api/errors";
import type { DocNode, PortRef } from "../../api/types";
import { Modal } from "../../app/Modal";
import { toast } from "../../app/toasts";
import { useCurrentWorkspace } from "../../app/workspaceStore";
import { moduleKey, useCatalogue } from "../canvas/catalogueStore";
import { useGraph } from "../canvas/graphStore";
import { formatValue } from "./format";
import { defaultInterface, exposedParameters, type ParameterCandidate } from "./defaults";
import { groupIntoComponent, refreshComponentCatalogue } from "./queries";

interface Props {
  nodeIds: string[];
  onClose(): void;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function CreateComponentDialog({ nodeIds, onClose }: Props) {
  const client = useQueryClient();
  const workspace = useCurrentWorkspace((s) => s.current);
  const modules = useCatalogue((s) => s.modules);
  // The document and the proposal are taken once, when the dialog opens.
  const [doc] = useState(() => useGraph.getState().document());
  const selection = useMemo(() => new Set(nodeIds), [nodeIds]);
  const moduleOf = (n: DocNode) => modules.get(moduleKey(n.module, n.version));
  const [proposal] = useState(() => defaultInterface(doc, selection, moduleOf));
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [inputNames, setInputNames] = useState(() => proposal.inputs.map((i) => i.name));
  const [outputNames, setOutputNames] = useState(() => proposal.outputs.map((o) => o.name));
  const [exposed, setExposed] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const label = (ref: PortRef) => {
    const node = doc.nodes.find((n) => n.id === ref.node);
    const module = node ? moduleOf(node) : undefined;
    const port = [...(module?.inputs ?? []), ...(module?.outputs ?? [])].find((p) => p.name === ref.port);
    return `${module?.name ?? ref.node} · ${port?.label ?? ref.port}`;
  };
  const key = (c: ParameterCandidate) => `${c.node}\u0000${c.param}`;

  const names = [...inputNames, ...outputNames];
  const invalid = names.find((n) => !NAME.test(n));
  const duplicateInput = inputNames.find((n, i) => inputNames.indexOf(n) !== i);
  const duplicateOutput = outputNames.find((n, i) => outputNames.indexOf(n) !== i);
  const parameterNames = Object.values(exposed);
  const duplicateParameter = parameterNames.find((n, i) => parameterNames.indexOf(n) !== i);
  const badParameter = parameterNames.find((n) => !NAME.test(n));
  const problem = !name.trim()
    ? "Give the component a name."
    : invalid !== undefined
      ? `“${invalid}” cannot be a port name: letters, digits and _ only, not starting with a digit.`
      : duplicateInput
        ? `Two inputs are named “${duplicateInput}”.`
        : duplicateOutput
          ? `Two outputs are named “${duplicateOutput}”.`
          : badParameter !== undefined
            ? `“${badParameter}” cannot be a parameter name: letters, digits and _ only.`
            : duplicateParameter
              ? `Two parameters are named “${duplicateParameter}”.`
              : null;

  const create = async () => {
    if (problem || workspace === undefined) return;
    setBusy(true);
    setError(null);
    try {
      const chosen = proposal.parameters.filter((c) => key(c) in exposed).map((c) => ({ ...c, name: exposed[key(c)] as string }));
      const result = await groupIntoComponent({
        workspace,
        document: doc,
        node_ids: nodeIds,
        name: name.trim(),
        description: description.trim(),
        message: "Created from the canvas",
        inputs: proposal.inputs.map((i, n) => ({ name: inputNames[n] as string, targets: i.targets })),
        outputs: proposal.outputs.map((o, n) => ({ name: outputNames[n] as string, source: o.source })),
        parameters: exposedParameters(chosen),
      });
      // Its catalogue entry first, so the new node is drawn with its ports at once.
      await refreshComponentCatalogue(client, workspace).catch(() => undefined);
      const before = new Set(doc.nodes.map((n) => n.id));
      const added = result.document.nodes.filter((n) => !before.has(n.id)).map((n) => n.id);
      useGraph.getState().replaceDocument(result.document, added);
      toast.success(`Component “${name.trim()}” created (version ${result.version}).`);
      onClose();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title={`Create a component from ${nodeIds.length} module${nodeIds.length === 1 ? "" : "s"}`}
      onClose={onClose}
      size="lg"
      footer={
        <>
          {problem && name.trim() && <span className="form-error cdialog__problem">{problem}</span>}
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn--primary" onClick={() => void create()} disabled={busy || Boolean(problem)} title={problem ?? undefined}>
            {busy ? "Creating…" : "Create component"}
          </button>
        </>
      }
    >
      <form
        className="cdialog"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <div className="cdialog__head">
          <label className="field">
            <span className="field__label">Name</span>
            <input className="input" value={name} maxLength={120} placeholder="e.g. Clean and normalize" onChange={(e) => setName(e.target.value)} aria-label="Component name" />
          </label>
          <label className="field">
            <span className="field__label">Description</span>
            <input className="input" value={description} maxLength={500} placeholder="What it does, for teammates" onChange={(e) => setDescription(e.target.value)} />
          </label>
        </div>
        <p className="muted cdialog__intro">
          The selected modules become one node. It is saved as a component of the workspace, so other pipelines can use it
          too; each save is a version.
        </p>

        <section className="cdialog__section" aria-label="Inputs">
          <h3 className="cdialog__title">Inputs <span className="cdialog__count">{proposal.inputs.length}</span></h3>
          {proposal.inputs.length === 0 && <p className="muted">None: nothing outside the selection feeds it.</p>}
          {proposal.inputs.map((input, i) => (
            <div className="cdialog__row" key={i} data-testid="component-input">
              <input
                className="input input--sm input--mono"
                value={inputNames[i]}
                aria-label={`Input ${i + 1} name`}
                onChange={(e) => setInputNames(inputNames.map((n, j) => (j === i ? e.target.value : n)))}
              />
              <span className="cdialog__arrow" aria-hidden>→</span>
              <span className="cdialog__what">
                {input.targets.map(label).join(", ")}
                <span className="muted"> {input.from ? `· now fed by ${label(input.from)}` : "· not connected"}</span>
              </span>
            </div>
          ))}
        </section>

        <section className="cdialog__section" aria-label="Outputs">
          <h3 className="cdialog__title">Outputs <span className="cdialog__count">{proposal.outputs.length}</span></h3>
          {proposal.outputs.length === 0 && <p className="muted">None: every result of the selection is used inside it.</p>}
          {proposal.outputs.map((output, i) => (
            <div className="cdialog__row" key={i} data-testid="component-output">
              <input
                className="input input--sm input--mono"
                value={outputNames[i]}
                aria-label={`Output ${i + 1} name`}
                onChange={(e) => setOutputNames(outputNames.map((n, j) => (j === i ? e.target.value : n)))}
              />
              <span className="cdialog__arrow" aria-hidden>←</span>
              <span className="cdialog__what">
                {label(output.source)}
                <span className="muted">
                  {output.consumers ? ` · used by ${output.consumers} port${output.consumers === 1 ? "" : "s"} outside` : " · not used yet"}
                </span>
              </span>
            </div>
          ))}
        </section>

        <section className="cdialog__section" aria-label="Parameters">
          <h3 className="cdialog__title">
            Parameters to expose <span className="cdialog__count">{Object.keys(exposed).length} of {proposal.parameters.length}</span>
          </h3>
          <p className="muted">The others keep the values they have now, fixed inside the component.</p>
          <div className="cdialog__params">
            {proposal.parameters.map((c) => {
              const k = key(c);
              const on = k in exposed;
              return (
                <div className={`cdialog__param${on ? " cdialog__param--on" : ""}`} key={k}>
                  <label className="cdialog__check">
                    <input
                      type="checkbox"
                      checked={on}
                      onChange={(e) => {
                        const next = { ...exposed };
                        if (e.target.checked) next[k] = uniqueParameterName(c.param, Object.values(exposed));
                        else delete next[k];
                        setExposed(next);
                      }}
                    />
                    <span className="cdialog__what">
                      {c.label} <span className="muted">= {formatValue(c.value)}</span>
                    </span>
                  </label>
                  {on && (
                    <input
                      className="input input--sm input--mono cdialog__pname"
                      value={exposed[k]}
                      aria-label={`Name of the exposed ${c.label}`}
                      onChange={(e) => setExposed({ ...exposed, [k]: e.target.value })}
                    />
                  )}
                </div>
              );
            })}
          </div>
        </section>
        {error && <p className="form-error" role="alert">{error}</p>}
      </form>
    </Modal>
  );
}

function uniqueParameterName(name: string, taken: string[]): string {
  let candidate = name;
  for (let i = 2; taken.includes(candidate); i++) candidate = `${name}_${i}`;
  return candidate;
}
