/**
 * Test: a request body prefilled with the endpoint's example; Send calls the scoring URL with the primary
 * key, exactly as a client would, and shows the status, the latency and the answer (rows as a table too).
 */
import { useState } from "react";
import { score, type ScoreResult } from "./score";
import { azureBody } from "./snippets";
import type { Endpoint } from "./types";

function initialBody(endpoint: Endpoint): string {
  return JSON.stringify(azureBody(endpoint), null, 2);
}

export function TestTab({ endpoint }: { endpoint: Endpoint }) {
  const [text, setText] = useState(() => initialBody(endpoint));
  const [parseError, setParseError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<ScoreResult | null>(null);
  const key = endpoint.keys?.primary ?? null;

  async function send() {
    try {
      JSON.parse(text);
    } catch (e) {
      setParseError(`The request body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (!key) return;
    setParseError(null);
    setSending(true);
    try {
      setResult(await score(endpoint.scoring_url, key, text));
    } finally {
      setSending(false);
    }
  }

  return (
    <div className="ep-test">
      <section className="card ep-test__input" aria-labelledby="ep-test-in">
        <div className="card__head">
          <h2 id="ep-test-in" className="card__title">
            Request body
          </h2>
          <button className="btn btn--sm btn--ghost" onClick={() => { setText(initialBody(endpoint)); setParseError(null); }}>
            Reset to example
          </button>
        </div>
        <p className="muted ep-help">
          Rows for each Web Service Input under <code>Inputs</code>, one object per row. Sent to the scoring URL with the
          primary key.
        </p>
        <textarea
          className="input input--mono ep-editor"
          aria-label="Request body (JSON)"
          spellCheck={false}
          value={text}
          aria-invalid={parseError ? true : undefined}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void send();
          }}
        />
        {parseError && (
          <p className="field__error" role="alert">
            {parseError}
          </p>
        )}
        <div className="ep-test__actions">
          {key ? (
            <span className="muted">Ctrl+Enter sends</span>
          ) : (
            <span className="muted">Testing needs the endpoint's key, which only editors and owners can see.</span>
          )}
          <button className="btn btn--primary" onClick={() => void send()} disabled={!key || sending}>
            {sending ? "Sending…" : "Send"}
          </button>
        </div>
      </section>
      <section className="card ep-test__output" aria-labelledby="ep-test-out" aria-live="polite">
        <h2 id="ep-test-out" className="card__title ep-card-title">
          Response
        </h2>
        {!result ? (
          <p className="muted">{sending ? "Waiting for the endpoint…" : "Press Send to call the endpoint."}</p>
        ) : (
          <ResultView result={result} outputs={endpoint.outputs} />
        )}
      </section>
    </div>
  );
}

function ResultView({ result, outputs }: { result: ScoreResult; outputs: string[] }) {
  const rows = resultRows(result.body, outputs);
  return (
    <div className="ep-result" data-testid="test-result">
      <div className="ep-result__meta">
        <span className={`ep-code ${result.ok ? "ep-code--ok" : "ep-code--bad"}`} data-testid="test-status">
          {result.status ? `HTTP ${result.status}${result.statusText ? ` ${result.statusText}` : ""}` : "No answer"}
        </span>
        <span className="muted" data-testid="test-latency">
          {result.latencyMs} ms
        </span>
        {rows && <span className="muted">{rows.rows.length} row{rows.rows.length === 1 ? "" : "s"}</span>}
      </div>
      {result.error && (
        <div className="callout callout--error" role="alert">
          <div className="callout__title">
            {result.error.message} <span className="muted">({result.error.code})</span>
          </div>
          {result.error.details && <pre className="ep-error-details">{result.error.details}</pre>}
        </div>
      )}
      {rows && rows.rows.length > 0 && <RowsTable name={rows.name} rows={rows.rows} />}
      <pre className="ep-json" data-testid="test-response">
        {typeof result.body === "string" ? result.body : JSON.stringify(result.body, null, 2)}
      </pre>
    </div>
  );
}

function resultRows(body: unknown, outputs: string[]): { name: string; rows: Record<string, unknown>[] } | null {
  if (!body || typeof body !== "object") return null;
  const results = (body as { Results?: unknown }).Results;
  if (!results || typeof results !== "object") return null;
  const record = results as Record<string, unknown>;
  const name = outputs.find((o) => Array.isArray(record[o])) ?? Object.keys(record).find((k) => Array.isArray(record[k]));
  if (!name) return null;
  const rows = (record[name] as unknown[]).filter((r): r is Record<string, unknown> => !!r && typeof r === "object");
  return { name, rows };
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toPrecision(4);
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function RowsTable({ name, rows }: { name: string; rows: Record<string, unknown>[] }) {
  const all: string[] = [];
  for (const r of rows.slice(0, 100)) for (const k of Object.keys(r)) if (!all.includes(k)) all.push(k);
  // What the model added (Scored Labels, Scored Probabilities, Assignments…) first, then the inputs echoed back.
  const scored = (c: string) => /^scored |^assignments$|^distances/i.test(c);
  const columns = [...all.filter(scored), ...all.filter((c) => !scored(c))];
  return (
    <div className="ep-rows">
      <table className="table table--compact" aria-label={`Rows of ${name}`}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, 100).map((r, i) => (
            <tr key={i}>
              {columns.map((c) => (
                <td key={c} className={typeof r[c] === "number" ? "num" : undefined}>
                  {cell(r[c])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
