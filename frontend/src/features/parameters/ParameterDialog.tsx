/**
 * "Add to pipeline parameter" (Azure's wording): promote a module's field to a pipeline parameter,
 * with its name made from the field's, its type from the field's schema, its default the field's
 * current value and its description the field's; or declare a new parameter from the panel. The
 * default is checked against the type and against the field it will drive before anything is sent.
 */
import { useId, useState } from "react";
import { Modal } from "../../app/Modal";
import type { FieldSpec } from "../params/schema";
import { checkValue } from "../params/validate";
import {
  fits,
  nameProblem,
  PARAMETER_TYPES,
  TYPE_LABELS,
  typeProblem,
  type ParameterSpec,
  type ParameterType,
} from "./model";
import { ValueInput } from "./ValueInput";

export interface ParameterDraft {
  name: string;
  spec: ParameterSpec;
}

interface Props {
  /** The field being promoted (its module's name for the title), or none for a parameter of its own. */
  field?: FieldSpec;
  moduleName?: string;
  initial: { name: string; type: ParameterType; default?: unknown; description: string };
  taken: readonly string[];
  onCancel(): void;
  onSave(draft: ParameterDraft): void;
}

export function ParameterDialog({ field, moduleName, initial, taken, onCancel, onSave }: Props) {
  const id = useId();
  const [name, setName] = useState(initial.name);
  const [type, setType] = useState<ParameterType>(initial.type);
  const [withDefault, setWithDefault] = useState(initial.default !== undefined || field === undefined);
  const [value, setValue] = useState<unknown>(initial.default);
  const [description, setDescription] = useState(initial.description);
  const [inputError, setInputError] = useState<string | undefined>();
  const [tried, setTried] = useState(false);

  const nameError = nameProblem(name.trim(), taken);
  const typeError = field && !fits(type, field) ? `A ${TYPE_LABELS[type].toLowerCase()} parameter cannot drive “${field.title}”.` : undefined;
  let defaultError: string | undefined;
  if (withDefault) {
    defaultError = inputError ?? (value === undefined ? "Enter a default, or untick “Default”." : typeProblem(type, value));
    if (!defaultError && field && fits(type, field)) defaultError = checkValue(field, value);
  }
  const ok = !nameError && !typeError && !defaultError;

  function save() {
    setTried(true);
    if (!ok) return;
    const spec: ParameterSpec = { type, description: description.trim() };
    if (withDefault) spec.default = value;
    onSave({ name: name.trim(), spec });
  }

  const show = (error: string | undefined) => (tried || name !== initial.name ? error : undefined);
  const showDefault = Boolean(defaultError) && (tried || Boolean(inputError) || value !== initial.default);
  const title = field ? "Add to pipeline parameter" : "New pipeline parameter";
  return (
    <Modal
      title={title}
      onClose={onCancel}
      size="sm"
      footer={
        <>
          <button className="btn" onClick={onCancel}>
            Cancel
          </button>
          <button className="btn btn--primary" onClick={save} disabled={tried && !ok}>
            {field ? "Add and bind" : "Add parameter"}
          </button>
        </>
      }
    >
      <form
        className="pdialog"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        {field && (
          <p className="muted">
            “{field.title}”{moduleName ? ` of ${moduleName}` : ""} will take its value from this parameter. Runs can
            then set it without editing the pipeline.
          </p>
        )}
        <div className={`field${show(nameError) ? " field--invalid" : ""}`}>
          <label className="field__label" htmlFor={`${id}-name`}>
            Name
          </label>
          <input
            id={`${id}-name`}
            className="input input--mono"
            value={name}
            maxLength={64}
            aria-invalid={Boolean(show(nameError)) || undefined}
            onChange={(e) => setName(e.target.value)}
          />
          {show(nameError) && <p className="field__error">{nameError}</p>}
        </div>
        <div className={`field${typeError ? " field--invalid" : ""}`}>
          <label className="field__label" htmlFor={`${id}-type`}>
            Type
          </label>
          <select
            id={`${id}-type`}
            className="input"
            value={type}
            onChange={(e) => {
              const next = e.target.value as ParameterType;
              setType(next);
              setInputError(undefined);
              if (typeProblem(next, value)) setValue(undefined);
            }}
          >
            {PARAMETER_TYPES.map((t) => (
              <option key={t} value={t} disabled={field !== undefined && !fits(t, field)}>
                {TYPE_LABELS[t]}
              </option>
            ))}
          </select>
          {typeError && <p className="field__error">{typeError}</p>}
        </div>
        <div className={`field${showDefault ? " field--invalid" : ""}`}>
          <label className="check">
            <input type="checkbox" checked={withDefault} onChange={(e) => setWithDefault(e.target.checked)} />
            <span>Default</span>
          </label>
          {withDefault ? (
            <ValueInput
              key={type}
              type={type}
              id={`${id}-default`}
              label="Default value"
              value={value}
              invalid={showDefault}
              onChange={setValue}
              onError={setInputError}
            />
          ) : (
            <p className="field__help">No default: whoever submits the pipeline must give a value.</p>
          )}
          {withDefault && showDefault && <p className="field__error">{defaultError}</p>}
        </div>
        <div className="field">
          <label className="field__label" htmlFor={`${id}-description`}>
            Description
          </label>
          <textarea
            id={`${id}-description`}
            className="input"
            rows={2}
            maxLength={1000}
            placeholder="What it controls, shown to whoever submits"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </form>
    </Modal>
  );
}
