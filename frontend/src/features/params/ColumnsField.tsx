/**
 * The multi-column picker: the real columns reaching the port (from schema inference), picked by
 * name (include or exclude the checked ones) or with rules by name and type, like Azure's
 * "Edit column" dialog. The rule vocabulary (ops, starts, types) is read from the schema.
 */
import { useId, useMemo, useState } from "react";
import type { ColumnSchema } from "../../api/types";
import { applySelection, isByName, toSelection, unknownNames, type ColumnRule, type ColumnSelection } from "./columns";
import { enumAt, type FieldSpec, type JsonSchema } from "./schema";

interface Props {
  field: FieldSpec;
  root: JsonSchema;
  value: unknown;
  columns: readonly ColumnSchema[] | null | undefined;
  onChange(value: unknown): void;
  readOnly: boolean;
  labelledBy: string;
  invalid: boolean;
}

const START_LABEL: Record<string, string> = { none: "No columns", all: "All columns" };

export function ColumnsField({ field, root, value, columns, onChange, readOnly, labelledBy, invalid }: Props) {
  const selection = toSelection(value, field.default);
  const [mode, setMode] = useState<"names" | "rules">(isByName(selection) ? "names" : "rules");
  const [open, setOpen] = useState(false);
  const chosen = columns ? applySelection(selection, columns) : null;
  const missing = columns ? unknownNames(selection, columns) : [];

  const summary = !columns
    ? describeRules(selection)
    : chosen && chosen.length === columns.length
      ? `All ${columns.length} columns`
      : `${chosen?.length ?? 0} of ${columns.length} columns`;

  const emit = (next: ColumnSelection) => onChange(next);

  return (
    <div className={`columns${invalid ? " columns--invalid" : ""}`} role="group" aria-labelledby={labelledBy} data-widget="columns">
      <div className="columns__summary">
        <span className="columns__count">{summary}</span>
        {chosen && chosen.length > 0 && chosen.length < (columns?.length ?? 0) && (
          <span className="columns__preview" title={chosen.join(", ")}>
            {chosen.slice(0, 4).join(", ")}
            {chosen.length > 4 ? ` +${chosen.length - 4}` : ""}
          </span>
        )}
        <button type="button" className="btn btn--sm" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? "Done" : "Edit columns"}
        </button>
      </div>
      {missing.length > 0 && !open && <div className="columns__missing">Unknown: {missing.join(", ")}</div>}
      {open && (
        <div className="columns__editor">
          <div className="segmented" role="tablist" aria-label="How to pick columns">
            <button type="button" role="tab" aria-selected={mode === "names"} onClick={() => setMode("names")} disabled={readOnly}>
              By name
            </button>
            <button type="button" role="tab" aria-selected={mode === "rules"} onClick={() => setMode("rules")} disabled={readOnly}>
              With rules
            </button>
          </div>
          {mode === "names" ? (
            <ByName selection={selection} columns={columns} onChange={emit} readOnly={readOnly} />
          ) : (
            <Rules field={field} root={root} selection={selection} columns={columns} onChange={emit} readOnly={readOnly} />
          )}
        </div>
      )}
    </div>
  );
}

function describeRules(selection: ColumnSelection): string {
  if (!selection.rules.length) return selection.start === "all" ? "All columns" : "No columns";
  return selection.rules
    .map((r) => `${r.op} ${[...r.names, ...r.types.map((t) => `${t} columns`)].join(", ") || "nothing"}`)
    .join("; ")
    .replace(/^./, (c) => c.toUpperCase());
}

/**
 * Checked = in the selection. How it is stored is the user's choice: "only the checked columns"
 * (include by name) or "all columns except the unchecked ones" (exclude by name, which also takes
 * columns that appear upstream later).
 */
function ByName({
  selection,
  columns,
  onChange,
  readOnly,
}: {
  selection: ColumnSelection;
  columns: readonly ColumnSchema[] | null | undefined;
  onChange(next: ColumnSelection): void;
  readOnly: boolean;
}) {
  const simple = isByName(selection);
  const op: ColumnRule["op"] = simple && selection.start === "all" ? "exclude" : "include";
  const named = simple ? (selection.rules[0]?.names ?? []) : [];
  const [filter, setFilter] = useState("");

  const make = (nextOp: ColumnRule["op"], names: string[]): ColumnSelection => ({
    start: nextOp === "include" ? "none" : "all",
    rules: names.length || nextOp === "include" ? [{ op: nextOp, names, types: [] }] : [],
  });

  if (!columns) {
    return (
      <div className="columns__names">
        <OpSwitch op={op} onChange={(o) => onChange(make(o, named))} readOnly={readOnly} known={false} />
        <input
          className="input"
          aria-label="Column names, separated by commas"
          placeholder="Column names, separated by commas"
          disabled={readOnly}
          defaultValue={named.join(", ")}
          onChange={(e) => onChange(make(op, e.target.value.split(",").map((s) => s.trim()).filter(Boolean)))}
        />
        <p className="field__hint">Connect the input to pick from the real columns.</p>
      </div>
    );
  }

  const known = new Set(columns.map((c) => c.name));
  const unknown = named.filter((n) => !known.has(n));
  const selected = new Set(applySelection(selection, columns));
  /** Store a set of selected columns the way `as` says; names not in the table are kept (and flagged). */
  const store = (chosen: Set<string>, as: ColumnRule["op"] = op) => {
    const names =
      as === "include"
        ? columns.map((c) => c.name).filter((n) => chosen.has(n))
        : columns.map((c) => c.name).filter((n) => !chosen.has(n));
    onChange(make(as, [...names, ...unknown]));
  };
  const toggle = (name: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(name);
    else next.delete(name);
    store(next);
  };
  const visible = columns.filter((c) => c.name.toLowerCase().includes(filter.trim().toLowerCase()));

  return (
    <div className="columns__names">
      <OpSwitch op={op} onChange={(o) => store(selected, o)} readOnly={readOnly} known />
      <div className="columns__tools">
        <input
          className="input input--sm"
          type="search"
          placeholder="Filter columns"
          aria-label="Filter columns"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <button type="button" className="link-btn" disabled={readOnly} onClick={() => store(new Set(columns.map((c) => c.name)))}>
          Check all
        </button>
        <button type="button" className="link-btn" disabled={readOnly} onClick={() => store(new Set())}>
          Clear
        </button>
      </div>
      <ul className="columns__list" aria-label="Columns">
        {visible.map((c) => (
          <li key={c.name}>
            <label className="check">
              <input type="checkbox" disabled={readOnly} checked={selected.has(c.name)} onChange={(e) => toggle(c.name, e.target.checked)} />
              <span className="columns__name">{c.name}</span>
              <span className="type-badge">{c.type}</span>
            </label>
          </li>
        ))}
        {!visible.length && <li className="columns__empty">No column matches “{filter}”.</li>}
      </ul>
      {unknown.map((n) => (
        <div key={n} className="columns__missing">
          “{n}” is not in the input.{" "}
          <button
            type="button"
            className="link-btn"
            disabled={readOnly}
            onClick={() => onChange(make(op, named.filter((x) => x !== n)))}
          >
            Remove
          </button>
        </div>
      ))}
    </div>
  );
}

function OpSwitch({ op, onChange, readOnly, known }: { op: ColumnRule["op"]; onChange(op: ColumnRule["op"]): void; readOnly: boolean; known: boolean }) {
  const name = useId();
  return (
    <div className="columns__op" role="radiogroup" aria-label="Include or exclude by name">
      <label className="check">
        <input type="radio" name={name} checked={op === "include"} disabled={readOnly} onChange={() => onChange("include")} />
        <span>{known ? "Only the checked columns (include by name)" : "Include these columns"}</span>
      </label>
      <label className="check">
        <input type="radio" name={name} checked={op === "exclude"} disabled={readOnly} onChange={() => onChange("exclude")} />
        <span>{known ? "All columns except the unchecked ones (exclude by name)" : "Exclude these columns"}</span>
      </label>
    </div>
  );
}

function Rules({
  field,
  root,
  selection,
  columns,
  onChange,
  readOnly,
}: {
  field: FieldSpec;
  root: JsonSchema;
  selection: ColumnSelection;
  columns: readonly ColumnSchema[] | null | undefined;
  onChange(next: ColumnSelection): void;
  readOnly: boolean;
}) {
  const vocab = useMemo(
    () => ({
      starts: enumAt(root, field.schema, ["start"]),
      ops: enumAt(root, field.schema, ["rules", "[]", "op"]),
      types: enumAt(root, field.schema, ["rules", "[]", "types", "[]"]),
    }),
    [root, field.schema],
  );
  const setRule = (i: number, rule: ColumnRule) =>
    onChange({ ...selection, rules: selection.rules.map((r, j) => (i === j ? rule : r)) });

  return (
    <div className="columns__rules">
      <label className="columns__start">
        <span>Begin with</span>
        <select
          className="input input--sm"
          value={selection.start}
          disabled={readOnly}
          onChange={(e) => onChange({ ...selection, start: e.target.value === "all" ? "all" : "none" })}
        >
          {(vocab.starts.length ? vocab.starts : ["none", "all"]).map((s) => (
            <option key={s} value={s}>
              {START_LABEL[s] ?? s}
            </option>
          ))}
        </select>
      </label>
      {selection.rules.map((rule, i) => (
        <div className="rule" key={i} data-rule={i}>
          <div className="rule__head">
            <select
              className="input input--sm"
              aria-label={`Rule ${i + 1}: include or exclude`}
              value={rule.op}
              disabled={readOnly}
              onChange={(e) => setRule(i, { ...rule, op: e.target.value === "exclude" ? "exclude" : "include" })}
            >
              {(vocab.ops.length ? vocab.ops : ["include", "exclude"]).map((o) => (
                <option key={o} value={o}>
                  {o === "include" ? "Include" : o === "exclude" ? "Exclude" : o}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="icon-btn"
              aria-label={`Remove rule ${i + 1}`}
              disabled={readOnly}
              onClick={() => onChange({ ...selection, rules: selection.rules.filter((_, j) => j !== i) })}
            >
              ×
            </button>
          </div>
          {vocab.types.length > 0 && (
            <div className="chips" aria-label="Column types">
              {vocab.types.map((t) => {
                const on = rule.types.includes(t);
                return (
                  <button
                    type="button"
                    key={t}
                    className={`chip${on ? " chip--on" : ""}`}
                    aria-pressed={on}
                    disabled={readOnly}
                    onClick={() => setRule(i, { ...rule, types: on ? rule.types.filter((x) => x !== t) : [...rule.types, t] })}
                  >
                    {t}
                  </button>
                );
              })}
            </div>
          )}
          {columns ? (
            <select
              multiple
              className="input rule__names"
              aria-label={`Rule ${i + 1}: column names`}
              disabled={readOnly}
              value={rule.names}
              size={Math.min(6, Math.max(3, columns.length))}
              onChange={(e) => setRule(i, { ...rule, names: [...e.target.selectedOptions].map((o) => o.value) })}
            >
              {columns.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name}
                </option>
              ))}
              {rule.names
                .filter((n) => !columns.some((c) => c.name === n))
                .map((n) => (
                  <option key={n} value={n}>
                    {n} (not in the input)
                  </option>
                ))}
            </select>
          ) : (
            <input
              className="input input--sm"
              aria-label={`Rule ${i + 1}: column names`}
              placeholder="Column names, separated by commas"
              disabled={readOnly}
              defaultValue={rule.names.join(", ")}
              onChange={(e) => setRule(i, { ...rule, names: e.target.value.split(",").map((s) => s.trim()).filter(Boolean) })}
            />
          )}
        </div>
      ))}
      <button
        type="button"
        className="btn btn--sm"
        disabled={readOnly}
        onClick={() => onChange({ ...selection, rules: [...selection.rules, { op: "include", names: [], types: [] }] })}
      >
        + Add rule
      </button>
    </div>
  );
}
