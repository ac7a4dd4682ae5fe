/**
 * How the server reads an uploaded CSV/TSV: the options a user may set in the upload dialog, and how they
 * travel in the multipart form (the same fields for the preview and the upload). Unset means "guess" or
 * "the default", so the quick path sends nothing but has_header.
 */
export const COLUMN_TYPES = ["integer", "number", "boolean", "text", "date"] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface ReadOptions {
  hasHeader: boolean;
  /** "" guesses (from the file name and first line); otherwise one character. */
  delimiter: string;
  /** "" is UTF-8. */
  encoding: string;
  /** Cell values that mean missing, comma-separated; "" keeps the server's defaults. */
  missingValues: string;
  decimal: "." | ",";
  columnTypes: Record<string, ColumnType>;
}

export const DEFAULT_OPTIONS: ReadOptions = {
  hasHeader: true,
  delimiter: "",
  encoding: "",
  missingValues: "",
  decimal: ".",
  columnTypes: {},
};

/** The options the server says a reading used (the delimiter it guessed, the markers in force). */
export interface OptionsUsed {
  delimiter: string;
  has_header: boolean;
  encoding: string;
  missing_values: string[];
  decimal: string;
  column_types: Record<string, string>;
}

export function markersOf(text: string): string[] {
  return text
    .split(",")
    .map((m) => m.trim())
    .filter((m) => m !== "");
}

/** Appends the options that differ from the defaults to ``form`` (the server's own defaults apply otherwise). */
export function appendOptions(form: FormData, options: ReadOptions): void {
  form.append("has_header", options.hasHeader ? "true" : "false");
  if (options.delimiter) form.append("delimiter", options.delimiter);
  if (options.encoding.trim()) form.append("encoding", options.encoding.trim());
  if (options.missingValues.trim()) form.append("missing_values", JSON.stringify(markersOf(options.missingValues)));
  if (options.decimal !== ".") form.append("decimal", options.decimal);
  if (Object.keys(options.columnTypes).length) form.append("column_types", JSON.stringify(options.columnTypes));
}

/** A delimiter as people name it. */
export function delimiterLabel(delimiter: string): string {
  return { ",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", " ": "space" }[delimiter] ?? `“${delimiter}”`;
}
