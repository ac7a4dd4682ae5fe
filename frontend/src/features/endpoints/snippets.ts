/**
 * Ready-to-paste client code for an endpoint: curl and Python `requests`, for the Azure ML designer body
 * (POST scoring_url) and the MLflow bodies (POST invocations_url: dataframe_split JSON, or CSV).
 */
import type { Endpoint } from "./types";

export type BodyFormat = "azure" | "mlflow" | "csv";
export type Language = "curl" | "python";

export const KEY_PLACEHOLDER = "<your-endpoint-key>";

type Row = Record<string, unknown>;

/** URLs as the server gave them; a path is made absolute against this page's origin. */
export function absoluteUrl(url: string): string {
  if (/^https?:\/\//i.test(url)) return url;
  const origin = typeof window !== "undefined" ? window.location.origin : "http://localhost";
  return new URL(url, origin).href;
}

/** The example request body from the server, or one built from the input schema. */
export function azureBody(endpoint: Pick<Endpoint, "example" | "inputs">): { Inputs: Record<string, Row[]>; GlobalParameters: Record<string, unknown> } {
  const example = endpoint.example as { Inputs?: unknown; GlobalParameters?: unknown } | null | undefined;
  if (example && typeof example.Inputs === "object" && example.Inputs !== null) {
    return {
      Inputs: example.Inputs as Record<string, Row[]>,
      GlobalParameters: (example.GlobalParameters as Record<string, unknown> | undefined) ?? {},
    };
  }
  const inputs: Record<string, Row[]> = {};
  for (const input of endpoint.inputs) {
    inputs[input.name] = [Object.fromEntries(input.columns.map((c) => [c.name, sampleValue(c.type)]))];
  }
  return { Inputs: inputs, GlobalParameters: {} };
}

function sampleValue(type: string): unknown {
  if (/int/i.test(type)) return 0;
  if (/float|double|number|decimal/i.test(type)) return 0.0;
  if (/bool/i.test(type)) return false;
  return "";
}

/** The rows of the first input of the example: what the MLflow bodies carry. */
export function exampleRows(endpoint: Pick<Endpoint, "example" | "inputs">): { columns: string[]; rows: Row[] } {
  const body = azureBody(endpoint);
  const first = endpoint.inputs[0]?.name ?? Object.keys(body.Inputs)[0];
  const rows = (first ? body.Inputs[first] : undefined) ?? [];
  const schema = endpoint.inputs[0]?.columns.map((c) => c.name) ?? [];
  const columns = [...schema];
  for (const row of rows) for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
  return { columns, rows };
}

export function mlflowBody(endpoint: Pick<Endpoint, "example" | "inputs">) {
  const { columns, rows } = exampleRows(endpoint);
  return { dataframe_split: { columns, data: rows.map((r) => columns.map((c) => r[c] ?? null)) } };
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvBody(endpoint: Pick<Endpoint, "example" | "inputs">): string {
  const { columns, rows } = exampleRows(endpoint);
  return [columns.map(csvCell).join(","), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(","))].join("\n") + "\n";
}

/** A value in single quotes for a POSIX shell. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** JSON as a Python literal (True/False/None), indented like json.dumps(indent=4). */
export function pythonLiteral(value: unknown, indent = 0): string {
  const pad = "    ".repeat(indent + 1);
  const end = "    ".repeat(indent);
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "None";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (!value.length) return "[]";
    return `[\n${value.map((v) => pad + pythonLiteral(v, indent + 1)).join(",\n")},\n${end}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.length) return "{}";
  return `{\n${entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${pythonLiteral(v, indent + 1)}`).join(",\n")},\n${end}}`;
}

export function snippet(endpoint: Endpoint, format: BodyFormat, language: Language, key: string | null): string {
  const apiKey = key ?? KEY_PLACEHOLDER;
  const url = absoluteUrl(format === "azure" ? endpoint.scoring_url : endpoint.invocations_url);
  const output = endpoint.outputs[0] ?? "WebServiceOutput0";
  if (language === "curl") {
    const lines = [`curl -X POST ${shellQuote(url)}`, `  -H ${shellQuote(`Authorization: Bearer ${apiKey}`)}`];
    if (format === "csv") {
      lines.push(`  -H 'Content-Type: text/csv'`, `  --data-binary @input.csv`);
      return `# input.csv:\n${csvBody(endpoint).trimEnd().split("\n").map((l) => `#   ${l}`).join("\n")}\n${lines.join(" \\\n")}\n`;
    }
    const body = format === "azure" ? azureBody(endpoint) : mlflowBody(endpoint);
    lines.push(`  -H 'Content-Type: application/json'`, `  -d ${shellQuote(JSON.stringify(body, null, 2))}`);
    return `${lines.join(" \\\n")}\n`;
  }
  const head = [
    "import requests",
    "",
    `URL = ${JSON.stringify(url)}`,
    `API_KEY = ${JSON.stringify(apiKey)}  # keep keys out of source control, e.g. os.environ["TESSERA_KEY"]`,
    "",
  ];
  if (format === "csv") {
    return [
      ...head,
      `csv_text = ${pythonTripleQuoted(csvBody(endpoint))}`,
      "",
      "response = requests.post(",
      "    URL,",
      "    data=csv_text.encode(\"utf-8\"),",
      '    headers={"Authorization": f"Bearer {API_KEY}", "Content-Type": "text/csv"},',
      "    timeout=60,",
      ")",
      "response.raise_for_status()",
      'print(response.json()["predictions"])',
      "",
    ].join("\n");
  }
  const body = format === "azure" ? azureBody(endpoint) : mlflowBody(endpoint);
  const result = format === "azure" ? `response.json()["Results"][${JSON.stringify(output)}]` : 'response.json()["predictions"]';
  return [
    ...head,
    `body = ${pythonLiteral(body)}`,
    "",
    "response = requests.post(",
    "    URL,",
    "    json=body,",
    '    headers={"Authorization": f"Bearer {API_KEY}"},',
    "    timeout=60,",
    ")",
    "if not response.ok:",
    '    print(response.status_code, response.text)',
    "response.raise_for_status()",
    `print(${result})`,
    "",
  ].join("\n");
}

function pythonTripleQuoted(text: string): string {
  return `"""${text.replace(/\\/g, "\\\\").replace(/"""/g, '\\"\\"\\"')}"""`;
}
