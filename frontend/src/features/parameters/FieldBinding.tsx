/**
 * What a module's field shows about pipeline parameters in the inspector: a "⋯" menu with "Add to
 * pipeline parameter" and "Bind to existing parameter", and, once bound, the parameter's name as a
 * chip in place of the input, with "Unbind".
 */
import { useId, useRef, useState } from "react";
import { useDismiss } from "../../app/useDismiss";
import type { FieldSpec } from "../params/schema";
import { fits, formatParameterValue, hasDefault, TYPE_LABELS, type Declarations, type ParameterSpec } from "./model";
import "./parameters.css";

interface ActionsProps {
  field: FieldSpec;
  parameters: Declarations;
  onPromote(): void;
  onBind(name: string): void;
}

export function FieldActions({ field, parameters, onPromote, onBind }: ActionsProps) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const ref = useRef<HTMLDivElement>(null);
  useDismiss(open, setOpen, ref);
  const names = Object.keys(parameters).sort();
  return (
    <div className="field-actions" ref={ref}>
      <button
        type="button"
        className="icon-btn field-actions__toggle"
        aria-label={`Pipeline parameter actions for ${field.title}`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        title="Add to pipeline parameter…"
        onClick={() => setOpen(!open)}
      >
        ⋯
      </button>
      {open && (
        <div className="field-actions__menu" role="menu" id={menuId}>
          <button
            type="button"
            role="menuitem"
            className="field-actions__item"
            onClick={() => {
              setOpen(false);
              onPromote();
            }}
          >
            Add to pipeline parameter
          </button>
          <div className="field-actions__heading">Bind to existing parameter</div>
          {names.length === 0 && <div className="field-actions__none">No pipeline parameters yet</div>}
          {names.map((name) => {
            const spec = parameters[name] as ParameterSpec;
            const ok = fits(spec.type, field);
            return (
              <button
                key={name}
                type="button"
                role="menuitem"
                className="field-actions__item"
                disabled={!ok}
                title={ok ? undefined : `A ${TYPE_LABELS[spec.type].toLowerCase()} parameter cannot drive this field`}
                onClick={() => {
                  setOpen(false);
                  onBind(name);
                }}
              >
                <code>{name}</code> <span className="muted">{TYPE_LABELS[spec.type]}</span>
              </button>
            );
          })}
        </div>
      )}
    </div>
  );
}

interface ChipProps {
  name: string;
  spec: ParameterSpec | undefined;
  readOnly: boolean;
  onUnbind(): void;
  onShow?(): void;
  datasetName?(id: number): string | undefined;
}

/** A bound field: the parameter's name (a link to the parameters panel), its default, and Unbind. */
export function BoundChip({ name, spec, readOnly, onUnbind, onShow, datasetName }: ChipProps) {
  return (
    <div className={`param-chip${spec ? "" : " param-chip--missing"}`} data-testid="bound-chip" data-parameter={name}>
      <span className="param-chip__icon" aria-hidden>
        ⚙
      </span>
      <span className="param-chip__text">
        {onShow ? (
          <button type="button" className="link-btn param-chip__name" onClick={onShow} title="Show the pipeline parameters">
            {name}
          </button>
        ) : (
          <code className="param-chip__name">{name}</code>
        )}
        <span className="param-chip__value">
          {spec === undefined
            ? "not declared"
            : hasDefault(spec)
              ? `= ${formatParameterValue(spec.default, datasetName)}`
              : "no default: set at submit"}
        </span>
      </span>
      {!readOnly && (
        <button type="button" className="btn btn--sm param-chip__unbind" onClick={onUnbind} aria-label={`Unbind from ${name}`}>
          Unbind
        </button>
      )}
    </div>
  );
}
