/**
 * Consume: the trigger URL of the chosen version, the OpenAPI document, and code to paste (curl and Python)
 * with a JSON body of values, or with a file for a dataset parameter. The code has a placeholder where the
 * key goes until the user asks for the real key in it (the Keys section keeps it masked).
 */
import { useState } from "react";
import { absoluteUrl } from "../endpoints/snippets";
import { CopyButton } from "../endpoints/CopyButton";
import { fileParameter, KEY_PLACEHOLDER, snippet, type BodyKind, type Language } from "./snippets";
import type { PipelineEndpointDetail, PublishedVersion } from "./types";

const LANGUAGES: { id: Language; label: string }[] = [
  { id: "curl", label: "curl" },
  { id: "python", label: "Python (requests)" },
];

export function triggerUrl(endpoint: PipelineEndpointDetail, version: PublishedVersion): string {
  return absoluteUrl(version.is_default ? endpoint.runs_url : version.runs_url);
}

export function ConsumeSection({ endpoint, version }: { endpoint: PipelineEndpointDetail; version: PublishedVersion }) {
  const [kind, setKind] = useState<BodyKind>("json");
  const [keyInCode, setKeyInCode] = useState(false);
  const key = endpoint.keys?.primary ?? null;
  const url = triggerUrl(endpoint, version);
  const file = fileParameter(version.parameters);
  const shown: BodyKind = kind === "file" && !file ? "json" : kind;
  return (
    <section className="card" aria-labelledby="pe-consume">
      <div className="card__head">
        <h2 id="pe-consume" className="card__title">
          Consume
        </h2>
        <div className="segmented" role="tablist" aria-label="Request body">
          <button role="tab" aria-selected={shown === "json"} onClick={() => setKind("json")}>
            JSON values
          </button>
          <button role="tab" aria-selected={shown === "file"} onClick={() => setKind("file")} disabled={!file} title={file ? undefined : "This version has no dataset parameter."}>
            File for a dataset
          </button>
        </div>
      </div>
      <div className="ep-url">
        <div className="ep-url__label">
          Start a run <span className="muted">· POST, answers 202 with the run id and the URLs to follow it</span>
        </div>
        <div className="ep-url__row">
          <code className="ep-url__value" data-testid="trigger-url">
            {url}
          </code>
          <CopyButton text={url} what="trigger URL" />
        </div>
      </div>
      <div className="ep-url">
        <div className="ep-url__label">
          OpenAPI document <span className="muted">· GET with a key</span>
        </div>
        <div className="ep-url__row">
          <code className="ep-url__value">{absoluteUrl(endpoint.swagger_url)}</code>
          <CopyButton text={absoluteUrl(endpoint.swagger_url)} what="OpenAPI URL" />
        </div>
      </div>
      {key && (
        <label className="ep-key-toggle">
          <input type="checkbox" checked={keyInCode} onChange={(e) => setKeyInCode(e.target.checked)} /> Put the primary key in the code
          below (otherwise it reads <code>{KEY_PLACEHOLDER}</code>)
        </label>
      )}
      <p className="muted ep-help">
        {shown === "json" ? (
          <>
            Values by parameter name; those left out take the defaults below. Follow the run by polling <code>urls.status</code>, or
            over the WebSocket <code>urls.websocket</code> with the same key.
          </>
        ) : (
          <>
            The file (CSV, TSV or Parquet, with the columns of the default dataset) becomes a new version of the dataset “
            {endpoint.name} · {file?.name}” in this workspace, and the run reads it.
          </>
        )}
      </p>
      {LANGUAGES.map((l) => {
        const code = snippet({ url, parameters: version.parameters, key: keyInCode ? key : null }, shown, l.id);
        return (
          <div key={l.id} className="ep-snippet">
            <div className="ep-snippet__head">
              <span className="ep-snippet__lang">{l.label}</span>
              <CopyButton text={code} what={`${l.label} code`} />
            </div>
            <pre className="ep-code-block" data-testid={`pe-snippet-${l.id}`} aria-label={`${l.label} code`}>
              {code}
            </pre>
          </div>
        );
      })}
    </section>
  );
}
