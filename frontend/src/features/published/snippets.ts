/**
 * Ready-to-paste client code for a pipeline endpoint: curl and Python `requests`, with a JSON body of
 * parameter values, or a multipart form that sends a file for a dataset parameter; both then poll the
 * run until it finishes.
 */
import type { PublishedParameter } from "./types";

export type Language = "curl" | "python";
export type BodyKind = "json" | "file";

export const KEY_PLACEHOLDER = "<your-endpoint-key>";

/** The example values: each parameter at its default, one without a default at a placeholder of its type. */
export function exampleValues(parameters: readonly PublishedParameter[]): Record<string, unknown> {
  const placeholders: Record<string, unknown> = { string: "", integer: 0, number: 0.0, boolean: false, json: null };
  const out: Record<string, unknown> = {};
  for (const p of parameters) {
    if (p.default !== undefined) out[p.name] = p.default;
    else if (p.type === "dataset") out[p.name] = { dataset_id: 1, version: null };
    else out[p.name] = placeholders[p.type] ?? null;
  }
  return out;
}

/** The dataset parameter a file goes to in the file example (the first one), if the version has one. */
export function fileParameter(parameters: readonly PublishedParameter[]): PublishedParameter | undefined {
  return parameters.find((p) => p.type === "dataset");
}

/** A JSON value written as a Python literal (True/False/None, dicts and lists). */
export function pythonLiteral(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${pythonLiteral(v)}`).join(", ")}}`;
}

/** A value as a form field's text: strings as they are, everything else as JSON. */
export function formText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

interface Target {
  url: string;
  parameters: readonly PublishedParameter[];
  key: string | null;
}

export function snippet(target: Target, kind: BodyKind, language: Language): string {
  const key = target.key ?? KEY_PLACEHOLDER;
  const values = exampleValues(target.parameters);
  const file = fileParameter(target.parameters);
  if (kind === "file" && !file) return "";
  const others = Object.entries(values).filter(([name]) => name !== file?.name);
  if (language === "curl") {
    const head = [`curl -X POST ${shellQuote(target.url)}`, `  -H ${shellQuote(`Authorization: Bearer ${key}`)}`];
    if (kind === "json") {
      const body = JSON.stringify({ parameters: values });
      return [...head, `  -H 'Content-Type: application/json'`, `  -d ${shellQuote(body)}`].join(" \\\n") + FOLLOW_CURL(key);
    }
    const fields = others.map(([name, value]) => `  -F ${shellQuote(`${name}=${formText(value)}`)}`);
    return [...head, `  -F ${shellQuote(`${file!.name}=@new-data.csv`)}`, ...fields].join(" \\\n") + FOLLOW_CURL(key);
  }
  const lines = ["import time", "", "import requests", "", `URL = ${JSON.stringify(target.url)}`, `HEADERS = {"Authorization": "Bearer ${key}"}`, ""];
  if (kind === "json") {
    lines.push(`run = requests.post(URL, headers=HEADERS, json={"parameters": ${pythonLiteral(values)}}).json()`);
  } else {
    const data = Object.fromEntries(others.map(([name, value]) => [name, formText(value)]));
    lines.push(
      `with open("new-data.csv", "rb") as f:  # the columns of the parameter's default dataset`,
      `    run = requests.post(URL, headers=HEADERS, data=${pythonLiteral(data)}, files={${JSON.stringify(file!.name)}: f}).json()`,
    );
  }
  lines.push(
    `print("run", run["id"], "started with", run["parameters"])`,
    "",
    "while True:",
    `    state = requests.get(run["urls"]["status"], headers=HEADERS).json()`,
    `    if state["status"] in ("completed", "failed", "cancelled"):`,
    "        break",
    "    time.sleep(2)",
    `print(state["status"], state["error"])`,
    `for table in state["outputs"]:  # download_url gives CSV; add ?format=parquet for Parquet`,
    `    if table["final"]:`,
    `        print(table["node"], table["port"], table["rows"], "rows:", table["download_url"])`,
  );
  return lines.join("\n");
}

const FOLLOW_CURL = (key: string) =>
  `\n\n# then poll the "status" URL the answer gives until "status" is completed or failed:\n` +
  `# curl -H 'Authorization: Bearer ${key}' <urls.status>`;
