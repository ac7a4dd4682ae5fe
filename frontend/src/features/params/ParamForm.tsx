/**
 * The parameter form of one node, generated entirely from the module's params schema: numbers with
 * their limits, choices, booleans, text, datasets and column pickers fed by schema inference.
 * Every invalid value is flagged at its field, whether the browser or the server found it.
 * A top-level field bound to a pipeline parameter shows what `binding` renders instead of its input.
 */
import { createContext, memo, useContext, useEffect, useId, useRef, useState, type ReactNode } from "react";
import type { ColumnSchema, Problem } from "../../api/types";
import { ColumnsField } from "./ColumnsField";
import { fieldsOf, type FieldSpec, type JsonSchema } from "./schema";
import { checkValue, isEmpty, problemsFor, problemText } from "./validate";
import "./params.css";

export interface DatasetOption {
  id: number;
  name: string;
  detail?: string;
}

/** One environment version a script can run in; `choice` is the parameter's value that pins it. */
export interface EnvironmentOption {
  label: string;
  choice: { name: string; version: number; hash: string } & Record<string, unknown>;
}

/** How the form shows pipeline parameters; the form itself knows nothing about them. */
export interface FieldBinding {
  /** The parameter a top-level field is bound to, if any. */
  boundTo(field: string): string | undefined;
  /** What a bound field shows instead of its input (a chip with the parameter's name). */
  renderBound(field: FieldSpec, parameter: string): ReactNode;
  /** Actions next to a field's label ("Add to pipeline parameter"); none when read-only. */
  renderActions?(field: FieldSpec, value: unknown): ReactNode;
}

export interface ParamFormProps {
  schema: JsonSchema;
  values: Record<string, unknown>;
  /** `undefined` removes the parameter (the module's default applies). */
  onChange(name: string, value: unknown): void;
  /** Columns of the table reaching an input port; `null`/`undefined` while unknown. */
  columnsFor?(port: string): readonly ColumnSchema[] | null | undefined;
  datasets?: readonly DatasetOption[];
  /** The workspace's environment versions, for an `environment` parameter; undefined while unknown. */
  environments?: readonly EnvironmentOption[];
  problems?: readonly Problem[];
  readOnly?: boolean;
  binding?: FieldBinding;
}

interface FormContext {
  root: JsonSchema;
  columnsFor: (port: string) => readonly ColumnSchema[] | null | undefined;
  datasets: readonly DatasetOption[];
  environments?: readonly EnvironmentOption[];
  problems: readonly Problem[];
  readOnly: boolean;
  binding?: FieldBinding;
}

const Ctx = createContext<FormContext>({
  root: {},
  columnsFor: () => undefined,
  datasets: [],
  problems: [],
  readOnly: false,
});

export const useFormContext = () => useContext(Ctx);

export function ParamForm({ schema, values, onChange, columnsFor, datasets = [], environments, problems = [], readOnly = false, binding }: ParamFormProps) {
  const fields = fieldsOf(schema);
  const ctx: FormContext = { root: schema, columnsFor: columnsFor ?? (() => undefined), datasets, environments, problems, readOnly, binding };
  if (!fields.length) {
    return <p className="params__none">This module has no parameters.</p>;
  }
  return (
    <Ctx.Provider value={ctx}>
      <div className="params">
        {fields.map((field) => (
          <Field key={field.name} field={field} value={values[field.name]} onChange={(v) => onChange(field.name, v)} top />
        ))}
      </div>
    </Ctx.Provider>
  );
}

interface FieldProps {
  field: FieldSpec;
  value: unknown;
  onChange(value: unknown): void;
  /** A field of the params root (only those can be bound to a pipeline parameter). */
  top?: boolean;
}

/** Label, control, help text and the error under it. */
const Field = memo(function Field({ field, value, onChange, top = false }: FieldProps) {
  const ctx = useFormContext();
  const id = useId();
  const [localError, setLocalError] = useState<string | undefined>();
  const bound = top ? ctx.binding?.boundTo(field.name) : undefined;
  if (bound !== undefined && ctx.binding) return <BoundField field={field} parameter={bound} />;
  const columns = field.port ? ctx.columnsFor(field.port) : undefined;
  const effective = value === undefined ? field.default : value;
  const ruleError = localError ?? checkValue(field, effective, columns);
  const serverError = problemsFor(ctx.problems, field)[0];
  const error = ruleError ?? (serverError ? problemText(serverError, ctx.root) : undefined);
  const errorId = `${id}-error`;
  const helpId = `${id}-help`;
  const describedBy = [error ? errorId : null, field.description ? helpId : null].filter(Boolean).join(" ") || undefined;
  const common = {
    id,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy,
    disabled: ctx.readOnly,
  } as const;
  const actions = top && !ctx.readOnly ? ctx.binding?.renderActions?.(field, effective) : undefined;

  let control: React.ReactNode;
  switch (field.kind) {
    case "boolean": {
      const check = (
        <label className="check">
          <input type="checkbox" {...common} checked={Boolean(effective)} onChange={(e) => onChange(e.target.checked)} />
          <span>{field.title}</span>
        </label>
      );
      return (
        <div className={`field field--check${error ? " field--invalid" : ""}`} data-param={field.path}>
          {actions ? (
            <div className="field__head">
              {check}
              {actions}
            </div>
          ) : (
            check
          )}
          {field.description && (
            <p className="field__help" id={helpId}>
              {field.description}
            </p>
          )}
          {error && (
            <p className="field__error" id={errorId}>
              {error}
            </p>
          )}
        </div>
      );
    }
    case "integer":
    case "number":
      control = <NumberInput field={field} value={value} onChange={onChange} onLocalError={setLocalError} inputProps={common} />;
      break;
    case "enum":
      control = (
        <select className="input" {...common} value={effective === undefined || effective === null ? "" : String(effective)} onChange={(e) => {
          const picked = field.options?.find((o) => String(o) === e.target.value);
          onChange(e.target.value === "" ? (field.nullable ? null : undefined) : picked);
        }}>
          {(effective === undefined || effective === null) && <option value="">{field.nullable ? "(none)" : "Choose…"}</option>}
          {field.options?.map((o) => (
            <option key={String(o)} value={String(o)}>
              {String(o)}
            </option>
          ))}
        </select>
      );
      break;
    case "const":
      control = <input className="input" {...common} readOnly disabled value={String(field.schema.const)} />;
      break;
    case "textarea":
      control = (
        <textarea
          className="input input--mono"
          rows={8}
          {...common}
          spellCheck={false}
          value={typeof effective === "string" ? effective : ""}
          onChange={(e) => onChange(e.target.value === "" && field.nullable ? null : e.target.value)}
        />
      );
      break;
    case "text":
      control = (
        <input
          className="input"
          {...common}
          value={typeof effective === "string" ? effective : ""}
          onChange={(e) => onChange(e.target.value === "" ? (field.nullable ? null : undefined) : e.target.value)}
        />
      );
      break;
    case "column":
      control = <ColumnSelect field={field} value={effective} columns={columns} onChange={onChange} inputProps={common} />;
      break;
    case "columns":
      control = (
        <ColumnsField
          field={field}
          root={ctx.root}
          value={value}
          columns={columns}
          onChange={onChange}
          readOnly={ctx.readOnly}
          labelledBy={`${id}-label`}
          invalid={Boolean(error)}
        />
      );
      break;
    case "dataset":
      control = <DatasetField field={field} value={value} onChange={onChange} inputProps={common} />;
      break;
    case "environment":
      control = <EnvironmentSelect value={value} onChange={onChange} inputProps={common} />;
      break;
    case "object":
      control = <ObjectField field={field} value={value} onChange={onChange} />;
      break;
    case "list":
      control = <ListInput field={field} value={effective} onChange={onChange} inputProps={common} />;
      break;
    default:
      control = <JsonInput value={effective} onChange={onChange} onLocalError={setLocalError} inputProps={common} />;
  }

  const label = (
    <label className="field__label" htmlFor={id} id={`${id}-label`}>
      {field.title}
      {field.required && !field.hasDefault && <span className="field__required" aria-label="required"> *</span>}
    </label>
  );
  return (
    <div className={`field${error ? " field--invalid" : ""}`} data-param={field.path}>
      {actions ? (
        <div className="field__head">
          {label}
          {actions}
        </div>
      ) : (
        label
      )}
      {control}
      {error && (
        <p className="field__error" id={errorId}>
          {error}
        </p>
      )}
      {field.description && (
        <p className="field__help" id={helpId}>
          {field.description}
        </p>
      )}
    </div>
  );
});

/** A field bound to a pipeline parameter: its title, what the binding shows, and the server's word on it. */
function BoundField({ field, parameter }: { field: FieldSpec; parameter: string }) {
  const ctx = useFormContext();
  const serverError = problemsFor(ctx.problems, field)[0];
  return (
    <div className={`field field--bound${serverError ? " field--invalid" : ""}`} data-param={field.path} data-bound={parameter}>
      <span className="field__label">{field.title}</span>
      {ctx.binding?.renderBound(field, parameter)}
      {serverError && <p className="field__error">{problemText(serverError, ctx.root)}</p>}
      {field.description && <p className="field__help">{field.description}</p>}
    </div>
  );
}

type InputProps = {
  id: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
  disabled: boolean;
};

function formatNumber(value: unknown): string {
  return typeof value === "number" && Number.isFinite(value) ? String(value) : "";
}

/** Keeps what is typed (e.g. "0." on the way to "0.5") and sends numbers only. */
function NumberInput({
  field,
  value,
  onChange,
  onLocalError,
  inputProps,
}: {
  field: FieldSpec;
  value: unknown;
  onChange(value: unknown): void;
  onLocalError(error: string | undefined): void;
  inputProps: InputProps;
}) {
  const shown = value === undefined ? field.default : value;
  const [text, setText] = useState(formatNumber(shown));
  const sent = useRef<unknown>(shown);
  useEffect(() => {
    // Changed from outside (undo, another node): show it.
    if (shown !== sent.current) {
      sent.current = shown;
      setText(formatNumber(shown));
      onLocalError(undefined);
    }
  }, [shown, onLocalError]);

  function change(next: string) {
    setText(next);
    const trimmed = next.trim();
    if (trimmed === "") {
      const empty = field.nullable ? null : undefined;
      sent.current = empty === undefined ? field.default : empty;
      onLocalError(field.required && !field.hasDefault && !field.nullable ? "This parameter is required." : undefined);
      onChange(empty);
      return;
    }
    const n = Number(trimmed);
    if (!Number.isFinite(n)) {
      onLocalError("Enter a number.");
      return;
    }
    if (field.kind === "integer" && !Number.isInteger(n)) {
      onLocalError("Enter a whole number.");
      return;
    }
    onLocalError(undefined);
    sent.current = n;
    onChange(n);
  }

  const s = field.schema;
  const min = s.minimum ?? s.exclusiveMinimum;
  const max = s.maximum ?? s.exclusiveMaximum;
  const range =
    min !== undefined && max !== undefined
      ? `${min} – ${max}`
      : min !== undefined
        ? `≥ ${s.exclusiveMinimum !== undefined && s.minimum === undefined ? "> " : ""}${min}`.replace("≥ > ", "> ")
        : max !== undefined
          ? `≤ ${max}`
          : undefined;
  return (
    <div className="number-input">
      <input
        className="input"
        inputMode={field.kind === "integer" ? "numeric" : "decimal"}
        {...inputProps}
        value={text}
        placeholder={field.nullable ? "(none)" : undefined}
        onChange={(e) => change(e.target.value)}
      />
      {range && <span className="number-input__range">{range}</span>}
    </div>
  );
}

function ColumnSelect({
  field,
  value,
  columns,
  onChange,
  inputProps,
}: {
  field: FieldSpec;
  value: unknown;
  columns: readonly ColumnSchema[] | null | undefined;
  onChange(value: unknown): void;
  inputProps: InputProps;
}) {
  const current = typeof value === "string" ? value : "";
  if (!columns) {
    return (
      <>
        <input
          className="input"
          {...inputProps}
          placeholder="Column name"
          value={current}
          onChange={(e) => onChange(e.target.value === "" ? (field.nullable ? null : undefined) : e.target.value)}
        />
        <p className="field__hint">Connect the {field.port ? `“${field.port.replace(/_/g, " ")}”` : ""} input to pick from its columns.</p>
      </>
    );
  }
  const missing = current && !columns.some((c) => c.name === current);
  return (
    <select
      className="input"
      {...inputProps}
      data-widget="column"
      value={current}
      onChange={(e) => onChange(e.target.value === "" ? (field.nullable ? null : undefined) : e.target.value)}
    >
      <option value="">{field.nullable || !field.required ? "(none)" : "Select a column…"}</option>
      {missing && <option value={current}>{current} (not in the input)</option>}
      {columns.map((c) => (
        <option key={c.name} value={c.name}>
          {c.name} · {c.type}
        </option>
      ))}
    </select>
  );
}

/** Built-in (no value) or one environment version; a pinned version this workspace does not list stays shown. */
function EnvironmentSelect({ value, onChange, inputProps }: { value: unknown; onChange(value: unknown): void; inputProps: InputProps }) {
  const { environments } = useFormContext();
  const current = value && typeof value === "object" ? (value as EnvironmentOption["choice"]) : undefined;
  const options = environments ?? [];
  const index = current ? options.findIndex((o) => o.choice.hash === current.hash && o.choice.name === current.name) : -1;
  return (
    <select
      className="input"
      {...inputProps}
      value={current ? (index >= 0 ? String(index) : "pinned") : ""}
      onChange={(e) => {
        if (e.target.value === "") onChange(undefined);
        else if (e.target.value !== "pinned") onChange(options[Number(e.target.value)]?.choice);
      }}
    >
      <option value="">Built-in (the worker's own packages)</option>
      {current && index < 0 && (
        <option value="pinned">
          {current.name} v{current.version} ({environments ? "not in this workspace" : "loading…"})
        </option>
      )}
      {options.map((o, i) => (
        <option key={`${o.choice.name}-${o.choice.version}`} value={String(i)}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

function DatasetField({
  field,
  value,
  onChange,
  inputProps,
}: {
  field: FieldSpec;
  value: unknown;
  onChange(value: unknown): void;
  inputProps: InputProps;
}) {
  const { datasets, readOnly } = useFormContext();
  const idChild = field.children?.find((c) => c.kind === "dataset");
  const others = field.children?.filter((c) => c !== idChild) ?? [];
  const obj = value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  const current = idChild ? obj[idChild.name] : value;
  const set = (id: number | undefined) => {
    if (!idChild) onChange(id);
    else onChange(id === undefined ? undefined : { ...obj, [idChild.name]: id });
  };
  const known = typeof current === "number" && datasets.some((d) => d.id === current);
  return (
    <div className="dataset-field">
      <select
        className="input"
        {...inputProps}
        value={typeof current === "number" ? String(current) : ""}
        onChange={(e) => set(e.target.value ? Number(e.target.value) : undefined)}
      >
        <option value="">Select a dataset…</option>
        {typeof current === "number" && !known && <option value={String(current)}>Dataset #{current} (not in this workspace)</option>}
        {datasets.map((d) => (
          <option key={d.id} value={String(d.id)}>
            {d.name}
            {d.detail ? ` — ${d.detail}` : ""}
          </option>
        ))}
      </select>
      {others.length > 0 && (
        <div className="params params--nested">
          {others.map((child) => (
            <Field
              key={child.name}
              field={{ ...child, title: child.kind === "integer" && child.nullable ? `${child.title} (empty: latest)` : child.title }}
              value={obj[child.name]}
              onChange={(v) => {
                if (readOnly) return;
                const next = { ...obj };
                if (v === undefined) delete next[child.name];
                else next[child.name] = v;
                onChange(next);
              }}
            />
          ))}
        </div>
      )}
    </div>
  );
}

function ObjectField({ field, value, onChange }: FieldProps) {
  const obj = value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  return (
    <fieldset className="params params--nested">
      {field.children?.map((child) => (
        <Field
          key={child.name}
          field={child}
          value={obj[child.name]}
          onChange={(v) => {
            const next = { ...obj };
            if (v === undefined) delete next[child.name];
            else next[child.name] = v;
            onChange(Object.keys(next).length ? next : undefined);
          }}
        />
      ))}
    </fieldset>
  );
}

function ListInput({ field, value, onChange, inputProps }: FieldProps & { inputProps: InputProps }) {
  const list = Array.isArray(value) ? value.map(String) : [];
  const numeric = field.schema.items?.type === "number" || field.schema.items?.type === "integer";
  return (
    <input
      className="input"
      {...inputProps}
      placeholder="Comma-separated values"
      defaultValue={list.join(", ")}
      onChange={(e) => {
        const parts = e.target.value.split(",").map((p) => p.trim()).filter(Boolean);
        onChange(parts.length ? (numeric ? parts.map(Number) : parts) : undefined);
      }}
    />
  );
}

function JsonInput({
  value,
  onChange,
  onLocalError,
  inputProps,
}: {
  value: unknown;
  onChange(value: unknown): void;
  onLocalError(error: string | undefined): void;
  inputProps: InputProps;
}) {
  const [text, setText] = useState(isEmpty(value) ? "" : JSON.stringify(value, null, 2));
  return (
    <textarea
      className="input input--mono"
      rows={4}
      {...inputProps}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        if (!e.target.value.trim()) {
          onLocalError(undefined);
          onChange(undefined);
          return;
        }
        try {
          onChange(JSON.parse(e.target.value));
          onLocalError(undefined);
        } catch {
          onLocalError("This is not valid JSON.");
        }
      }}
    />
  );
}
