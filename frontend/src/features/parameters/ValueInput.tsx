/**
 * One input for a pipeline parameter value of a given type: text, a number kept as typed until it
 * parses, true/false, a dataset and version, or JSON. It reports a value only when it is one, and
 * says what is wrong otherwise (`onError`); a value changed from outside (a teammate) is shown.
 */
import { useEffect, useRef, useState } from "react";
import { useCatalogue } from "../canvas/catalogueStore";
import { same } from "../collab/ops";
import type { ParameterType } from "./model";

interface Props {
  type: ParameterType;
  value: unknown;
  onChange(value: unknown): void;
  onError?(error: string | undefined): void;
  id?: string;
  label?: string;
  disabled?: boolean;
  invalid?: boolean;
  describedBy?: string;
  /** Shown in an empty input (e.g. the default a submit falls back to). */
  placeholder?: string;
}

const formatNumber = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? String(v) : "");
const formatJson = (v: unknown) => (v === undefined ? "" : JSON.stringify(v, null, 2));

export function ValueInput(props: Props) {
  switch (props.type) {
    case "integer":
    case "number":
      return <TextBacked {...props} format={formatNumber} parse={(t) => parseNumber(t, props.type === "integer")} mono={false} />;
    case "json":
      return <TextBacked {...props} format={formatJson} parse={parseJson} mono />;
    case "boolean":
      return (
        <select
          className="input"
          id={props.id}
          aria-label={props.label}
          aria-invalid={props.invalid || undefined}
          aria-describedby={props.describedBy}
          disabled={props.disabled}
          value={typeof props.value === "boolean" ? String(props.value) : ""}
          onChange={(e) => {
            props.onError?.(undefined);
            props.onChange(e.target.value === "" ? undefined : e.target.value === "true");
          }}
        >
          {typeof props.value !== "boolean" && <option value="">{props.placeholder ?? "Choose…"}</option>}
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      );
    case "dataset":
      return <DatasetValue {...props} />;
    default:
      return (
        <input
          className="input"
          id={props.id}
          aria-label={props.label}
          aria-invalid={props.invalid || undefined}
          aria-describedby={props.describedBy}
          disabled={props.disabled}
          placeholder={props.placeholder}
          value={typeof props.value === "string" ? props.value : ""}
          onChange={(e) => {
            props.onError?.(undefined);
            props.onChange(e.target.value);
          }}
        />
      );
  }
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

function parseNumber(text: string, integer: boolean): Parsed {
  const trimmed = text.trim();
  if (!trimmed) return { ok: true, value: undefined };
  const n = Number(trimmed);
  if (!Number.isFinite(n)) return { ok: false, error: "Enter a number." };
  if (integer && !Number.isInteger(n)) return { ok: false, error: "Enter a whole number." };
  return { ok: true, value: n };
}

function parseJson(text: string): Parsed {
  if (!text.trim()) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, error: "This is not valid JSON." };
  }
}

/** Keeps what is typed ("0." on the way to "0.5"), sends values only, and follows outside changes. */
function TextBacked({
  value,
  onChange,
  onError,
  format,
  parse,
  mono,
  ...rest
}: Props & { format(v: unknown): string; parse(text: string): Parsed; mono: boolean }) {
  const [text, setText] = useState(() => format(value));
  const sent = useRef<unknown>(value);
  useEffect(() => {
    if (!same(value, sent.current)) {
      sent.current = value;
      setText(format(value));
      onError?.(undefined);
    }
  }, [value, format, onError]);
  const common = {
    className: mono ? "input input--mono" : "input",
    id: rest.id,
    "aria-label": rest.label,
    "aria-invalid": rest.invalid || undefined,
    "aria-describedby": rest.describedBy,
    disabled: rest.disabled,
    placeholder: rest.placeholder,
    value: text,
    onChange: (e: { target: { value: string } }) => {
      setText(e.target.value);
      const parsed = parse(e.target.value);
      if (!parsed.ok) {
        onError?.(parsed.error);
        return;
      }
      onError?.(undefined);
      sent.current = parsed.value;
      onChange(parsed.value);
    },
  };
  return mono ? <textarea rows={3} spellCheck={false} {...common} /> : <input inputMode="decimal" {...common} />;
}

/** A dataset of the workspace and a version (empty: the latest when the run is submitted). */
function DatasetValue({ value, onChange, onError, id, label, disabled, invalid, describedBy, placeholder }: Props) {
  const datasets = useCatalogue((s) => s.datasets);
  const current = value && typeof value === "object" ? (value as { dataset_id?: unknown; version?: unknown }) : {};
  const chosen = typeof current.dataset_id === "number" ? current.dataset_id : undefined;
  const version = typeof current.version === "number" ? current.version : null;
  const [versionText, setVersionText] = useState(version === null ? "" : String(version));
  useEffect(() => setVersionText(version === null ? "" : String(version)), [version]);
  return (
    <div className="pvalue-dataset">
      <select
        className="input"
        id={id}
        aria-label={label}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        disabled={disabled}
        value={chosen === undefined ? "" : String(chosen)}
        onChange={(e) => {
          onError?.(undefined);
          onChange(e.target.value ? { dataset_id: Number(e.target.value), version } : undefined);
        }}
      >
        <option value="">{placeholder ?? "Select a dataset…"}</option>
        {chosen !== undefined && !datasets.has(chosen) && <option value={String(chosen)}>Dataset #{chosen}</option>}
        {[...datasets.values()].map((d) => (
          <option key={d.id} value={String(d.id)}>
            {d.name}
          </option>
        ))}
      </select>
      <input
        className="input pvalue-dataset__version"
        aria-label={label ? `${label} version` : "Version"}
        placeholder="latest"
        inputMode="numeric"
        disabled={disabled || chosen === undefined}
        value={versionText}
        onChange={(e) => {
          setVersionText(e.target.value);
          const t = e.target.value.trim();
          const n = Number(t);
          if (t && (!Number.isInteger(n) || n < 1)) {
            onError?.("The version must be a whole number from 1, or empty for the latest.");
            return;
          }
          onError?.(undefined);
          if (chosen !== undefined) onChange({ dataset_id: chosen, version: t ? n : null });
        }}
      />
    </div>
  );
}
