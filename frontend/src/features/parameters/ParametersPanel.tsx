/**
 * The "Pipeline parameters" panel: every parameter the pipeline declares, with its type, an editable
 * default and description, the node fields it drives (a click shows the node), what validation says
 * about it, and Remove. Every change is an edit of the graph, so co-editing carries it to teammates.
 */
import { useMemo, useState } from "react";
import type { Module } from "../../api/types";
import { toast } from "../../app/toasts";
import { moduleKey, useCatalogue } from "../canvas/catalogueStore";
import { useGraph } from "../canvas/graphStore";
import { useValidation } from "../canvas/validationStore";
import { fieldsOf, type JsonSchema } from "../params/schema";
import {
  bindingsOf,
  declarationsOf,
  hasDefault,
  parameterProblemText,
  problemsByParameter,
  TYPE_LABELS,
  typeProblem,
  type Binding,
  type ParameterSpec,
} from "./model";
import { ParameterDialog } from "./ParameterDialog";
import { fieldNamer } from "./namer";
import { ValueInput } from "./ValueInput";
import "./parameters.css";

interface Props {
  readOnly: boolean;
  onShowNode?(id: string): void;
}

export function ParametersPanel({ readOnly, onShowNode }: Props) {
  const raw = useGraph((s) => s.parameters);
  const nodes = useGraph((s) => s.nodes);
  const add = useGraph((s) => s.addParameter);
  const problems = useValidation((s) => s.problems);
  const declarations = useMemo(() => declarationsOf(raw), [raw]);
  const bindings = useMemo(() => bindingsOf(nodes.map((n) => ({ id: n.id, params: n.data.params }))), [nodes]);
  const byParameter = useMemo(() => problemsByParameter(problems), [problems]);
  const [adding, setAdding] = useState(false);
  const names = Object.keys(declarations).sort();

  return (
    <section className="panel__section pparams" aria-label="Pipeline parameters" data-testid="parameters-panel">
      <div className="pparams__head">
        <h3 className="panel__label">Pipeline parameters{names.length ? ` (${names.length})` : ""}</h3>
        {!readOnly && (
          <button className="btn btn--sm" onClick={() => setAdding(true)}>
            + Add
          </button>
        )}
      </div>
      {names.length === 0 ? (
        <p className="muted pparams__empty">
          None yet. Promote a module's field with <strong>Add to pipeline parameter</strong> (the ⋯ next to it) so
          each run can set it.
        </p>
      ) : (
        <ul className="pparams__list">
          {names.map((name) => (
            <ParameterRow
              key={name}
              name={name}
              spec={declarations[name] as ParameterSpec}
              bound={bindings.get(name) ?? []}
              problems={(byParameter.get(name) ?? []).map((p) => parameterProblemText(p, name, fieldNamer))}
              readOnly={readOnly}
              onShowNode={onShowNode}
            />
          ))}
        </ul>
      )}
      {adding && (
        <ParameterDialog
          initial={{ name: "", type: "number", default: undefined, description: "" }}
          taken={Object.keys(raw)}
          onCancel={() => setAdding(false)}
          onSave={({ name, spec }) => {
            add(name, spec);
            setAdding(false);
          }}
        />
      )}
    </section>
  );
}

interface RowProps {
  name: string;
  spec: ParameterSpec;
  bound: Binding[];
  problems: string[];
  readOnly: boolean;
  onShowNode?(id: string): void;
}

function ParameterRow({ name, spec, bound, problems, readOnly, onShowNode }: RowProps) {
  const update = useGraph((s) => s.updateParameter);
  const remove = useGraph((s) => s.removeParameter);
  const [inputError, setInputError] = useState<string | undefined>();
  const required = !hasDefault(spec);
  const errors = [...(inputError ? [inputError] : []), ...problems];
  const id = `pparam-${name}`;

  return (
    <li className={`pparam${errors.length ? " pparam--invalid" : ""}`} data-parameter={name}>
      <div className="pparam__head">
        <code className="pparam__name">{name}</code>
        <span className="type-badge">{TYPE_LABELS[spec.type]}</span>
        <span className="toolbar__spacer" />
        {!readOnly && (
          <button
            className="btn btn--sm btn--danger-ghost"
            aria-label={`Remove parameter ${name}`}
            title={bound.length ? "Remove it; the fields it drives keep its default" : "Remove it"}
            onClick={() => {
              if (!remove(name)) {
                toast.error(`“${name}” has no default to leave in the fields it drives: give it a default or unbind them first.`);
              }
            }}
          >
            Remove
          </button>
        )}
      </div>
      <div className="pparam__grid">
        <label className="pparam__key" htmlFor={`${id}-default`}>
          Default
        </label>
        <div className="pparam__value">
          {required ? (
            <div className="pparam__required">
              <span>None: asked for at submit</span>
              {!readOnly && spec.type !== "dataset" && (
                <button className="link-btn" onClick={() => update(name, { default: starter(spec) })}>
                  Set one
                </button>
              )}
            </div>
          ) : (
            <ValueInput
              type={spec.type}
              id={`${id}-default`}
              label={`Default of ${name}`}
              value={spec.default}
              disabled={readOnly}
              invalid={Boolean(inputError)}
              onError={setInputError}
              onChange={(value) => {
                if (value === undefined || typeProblem(spec.type, value)) return;
                update(name, { default: value }, { coalesce: "default" });
              }}
            />
          )}
        </div>
        <label className="pparam__key" htmlFor={`${id}-description`}>
          Description
        </label>
        <input
          id={`${id}-description`}
          className="input input--sm"
          disabled={readOnly}
          placeholder="What it controls"
          value={spec.description}
          maxLength={1000}
          onChange={(e) => update(name, { description: e.target.value }, { coalesce: "description" })}
        />
        <span className="pparam__key">Drives</span>
        <div className="pparam__drives">
          {bound.length === 0 ? (
            <span className="muted">No field yet</span>
          ) : (
            bound.map((b) => <DrivenField key={`${b.node}.${b.field}`} binding={b} onShowNode={onShowNode} />)
          )}
        </div>
      </div>
      {errors.length > 0 && (
        <ul className="pparam__problems" aria-label={`Problems with ${name}`}>
          {errors.map((e, i) => (
            <li key={i} className="field__error">
              {e}
            </li>
          ))}
        </ul>
      )}
      {!readOnly && !required && (
        <button className="link-btn pparam__make-required" onClick={() => update(name, {}, { removeDefault: true })}>
          Make it required (no default)
        </button>
      )}
    </li>
  );
}

/** A value to start a required parameter's default from. */
function starter(spec: ParameterSpec): unknown {
  return { string: "", integer: 0, number: 0, boolean: false, dataset: undefined, json: null }[spec.type];
}

function DrivenField({ binding, onShowNode }: { binding: Binding; onShowNode?(id: string): void }) {
  const data = useGraph((s) => s.nodes.find((n) => n.id === binding.node)?.data);
  const module: Module | undefined = useCatalogue((s) => (data ? s.modules.get(moduleKey(data.module, data.version)) : undefined));
  const title = module ? fieldsOf(module.params_schema as JsonSchema).find((f) => f.name === binding.field)?.title : undefined;
  const text = `${module?.name ?? binding.node} › ${title ?? binding.field}`;
  return onShowNode ? (
    <button className="link-btn pparam__field" onClick={() => onShowNode(binding.node)} title={`Show ${binding.node} on the canvas`}>
      {text}
    </button>
  ) : (
    <span className="pparam__field">{text}</span>
  );
}
