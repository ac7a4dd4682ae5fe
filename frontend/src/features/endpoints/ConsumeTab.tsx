/**
 * Consume: the URL and key to paste, then curl and Python `requests` code for the Azure ML designer body
 * and the MLflow bodies (so existing clients of either keep working). The code carries a placeholder where
 * the key goes until the user asks for the real key in it, so a screenshot or a screen share of this tab
 * leaks nothing the Keys tab keeps masked.
 */
import { useState } from "react";
import { CopyButton } from "./CopyButton";
import { mask } from "./KeyRow";
import { absoluteUrl, KEY_PLACEHOLDER, snippet, type BodyFormat, type Language } from "./snippets";
import type { Endpoint } from "./types";

const FORMATS: { id: BodyFormat; label: string; help: string }[] = [
  { id: "azure", label: "Azure body", help: "POST to the scoring URL: {\"Inputs\": {…}, \"GlobalParameters\": {}} → {\"Results\": {…}}" },
  { id: "mlflow", label: "MLflow JSON", help: "POST to the invocations URL: dataframe_split (dataframe_records works too) → {\"predictions\": […]}" },
  { id: "csv", label: "MLflow CSV", help: "POST a CSV file with a header row to the invocations URL → {\"predictions\": […]}" },
];

const LANGUAGES: { id: Language; label: string }[] = [
  { id: "curl", label: "curl" },
  { id: "python", label: "Python (requests)" },
];

export function ConsumeTab({ endpoint }: { endpoint: Endpoint }) {
  const [format, setFormat] = useState<BodyFormat>("azure");
  const key = endpoint.keys?.primary ?? null;
  const [keyInCode, setKeyInCode] = useState(false);
  const current = FORMATS.find((f) => f.id === format) ?? FORMATS[0]!;
  const url = absoluteUrl(format === "azure" ? endpoint.scoring_url : endpoint.invocations_url);
  return (
    <div className="ep-consume">
      <section className="card" aria-labelledby="ep-basics">
        <h2 id="ep-basics" className="card__title ep-card-title">
          Basic consumption info
        </h2>
        <div className="ep-url">
          <div className="ep-url__label">REST endpoint</div>
          <div className="ep-url__row">
            <code className="ep-url__value">{absoluteUrl(endpoint.scoring_url)}</code>
            <CopyButton text={absoluteUrl(endpoint.scoring_url)} what="REST endpoint" />
          </div>
        </div>
        <div className="ep-url">
          <div className="ep-url__label">
            Authentication <span className="muted">· header <code>Authorization: Bearer &lt;key&gt;</code></span>
          </div>
          {key ? (
            <>
              <div className="ep-url__row">
                <code className="ep-url__value ep-key" aria-label="Primary key">
                  {keyInCode ? key : mask(key)}
                </code>
                <CopyButton text={key} what="primary key" />
              </div>
              <label className="ep-key-toggle">
                <input type="checkbox" checked={keyInCode} onChange={(e) => setKeyInCode(e.target.checked)} /> Put the primary key in the
                code below (otherwise it reads <code>{KEY_PLACEHOLDER}</code>)
              </label>
            </>
          ) : (
            <p className="muted ep-help">
              Only editors and owners can see the keys; the code below has <code>{KEY_PLACEHOLDER}</code> where the key
              goes. Ask one of them for it.
            </p>
          )}
        </div>
      </section>

      <section className="card" aria-labelledby="ep-code">
        <div className="card__head">
          <h2 id="ep-code" className="card__title">
            Consumption code
          </h2>
          <div className="segmented" role="tablist" aria-label="Request format">
            {FORMATS.map((f) => (
              <button key={f.id} role="tab" aria-selected={format === f.id} onClick={() => setFormat(f.id)}>
                {f.label}
              </button>
            ))}
          </div>
        </div>
        <p className="muted ep-help">
          {current.help} — <code>{url}</code>
        </p>
        {LANGUAGES.map((l) => {
          const code = snippet(endpoint, format, l.id, keyInCode ? key : null);
          return (
            <div key={l.id} className="ep-snippet">
              <div className="ep-snippet__head">
                <span className="ep-snippet__lang">{l.label}</span>
                <CopyButton text={code} what={`${l.label} code`} />
              </div>
              <pre className="ep-code-block" data-testid={`snippet-${l.id}`} aria-label={`${l.label} code`}>
                {code}
              </pre>
            </div>
          );
        })}
      </section>
    </div>
  );
}
