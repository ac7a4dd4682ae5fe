/**
 * Upload a CSV, TSV or Parquet file as a new table dataset, or a .zip as a file dataset (for a script
 * bundle or a set of images); the server's reason (line, column, zip member) is shown as is.
 *
 * A table file is previewed as soon as it is chosen: its first rows typed as saving would type them. The
 * Options (header line, delimiter, encoding, missing markers, decimal separator, and each column's type in
 * the preview's header) re-read it live; left alone, the server's guesses apply.
 */
import { useEffect, useId, useState, type FormEvent } from "react";
import { ApiError, messageOf } from "../../api/errors";
import { Modal } from "../../app/Modal";
import type { Dataset } from "../../api/types";
import { useUploadDataset, useUploadPreview, type UploadStage } from "./queries";
import { UploadPreviewTable } from "./UploadPreviewTable";
import { DEFAULT_OPTIONS, delimiterLabel, type ColumnType, type ReadOptions } from "./uploadOptions";

const ACCEPT = ".csv,.tsv,.txt,.parquet,.zip,text/csv,text/tab-separated-values,application/zip";

/** The server's words: its detail (unless generic) and each field's message, e.g. the line that failed. */
/** What the chosen file becomes: a .zip is a file dataset, anything else is read as a table. */
export function uploadKind(fileName: string): "table" | "file" {
  return /\.zip$/i.test(fileName) ? "file" : "table";
}

export function uploadProblems(error: unknown): string[] {
  if (!(error instanceof ApiError) || error.status !== 400 || !error.body || typeof error.body !== "object") {
    return [messageOf(error)];
  }
  const body = error.body as { detail?: unknown; fields?: Record<string, unknown> };
  const detail = typeof body.detail === "string" && body.detail !== "Some fields are invalid." ? body.detail : "";
  const lines: string[] = detail ? [detail] : [];
  for (const [field, messages] of Object.entries(body.fields ?? {})) {
    for (const message of Array.isArray(messages) ? messages : [messages]) {
      if (detail.includes(String(message))) continue; // the detail already quotes it
      lines.push(field === "file" ? String(message) : `${field.replace(/_/g, " ")}: ${String(message)}`);
    }
  }
  return lines.length ? lines : [messageOf(error)];
}

/** ``value`` once it has stopped changing for ``ms`` (typing in a field re-reads the file once, not per key). */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** [delimiter, the select's value for it, label]: a tab or a space would not survive as an option's value. */
const DELIMITERS: [string, string, string][] = [
  ["", "guess", "Guess"],
  [",", "comma", "Comma ,"],
  [";", "semicolon", "Semicolon ;"],
  ["\t", "tab", "Tab"],
  ["|", "pipe", "Pipe |"],
  [" ", "space", "Space"],
];
const ENCODINGS = ["utf-8", "latin-1", "cp1252", "utf-16", "iso-8859-15", "mac-roman", "shift_jis", "gb18030"];

function stem(fileName: string): string {
  return fileName.replace(/\.(csv|tsv|txt|parquet|zip)$/i, "").replace(/[_-]+/g, " ").trim() || fileName;
}

interface Props {
  workspace: number;
  workspaceName: string;
  onClose: () => void;
  onUploaded: (dataset: Dataset) => void;
}

export function UploadDataset({ workspace, workspaceName, onClose, onUploaded }: Props) {
  const upload = useUploadDataset();
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState("");
  const [nameTouched, setNameTouched] = useState(false);
  const [description, setDescription] = useState("");
  const [options, setOptions] = useState<ReadOptions>(DEFAULT_OPTIONS);
  const [showOptions, setShowOptions] = useState(false);
  const [stage, setStage] = useState<UploadStage | null>(null);
  const isTable = file !== null && uploadKind(file.name) === "table";
  const settled = useSettled(options, 300);
  const preview = useUploadPreview(workspace, isTable ? file : null, settled);
  const used = preview.data?.options ?? null;

  const change = (patch: Partial<ReadOptions>) => {
    setOptions((current) => ({ ...current, ...patch }));
    upload.reset();
  };
  const override = (column: string, type: ColumnType | null) => {
    const columnTypes = { ...options.columnTypes };
    if (type) columnTypes[column] = type;
    else delete columnTypes[column];
    change({ columnTypes });
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!file || !name.trim()) return;
    setStage(null);
    upload.mutate(
      { workspace, name: name.trim(), description, file, options, onStage: setStage },
      { onSuccess: (dataset) => onUploaded(dataset) },
    );
  };
  const standard = DELIMITERS.find(([value]) => value === options.delimiter);

  return (
    <Modal
      title={`Upload a dataset to ${workspaceName}`}
      size={isTable ? "lg" : "md"}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            form="upload-dataset"
            className="btn btn--primary"
            disabled={!file || !name.trim() || upload.isPending}
          >
            {!upload.isPending ? "Upload" : stage === null ? "Uploading…" : "Registering…"}
          </button>
        </>
      }
    >
      <form id="upload-dataset" className="form upload-form" onSubmit={submit}>
        <div className="field">
          <label className="field__label" htmlFor={`${id}-file`}>
            File
          </label>
          <input
            id={`${id}-file`}
            type="file"
            className="input"
            accept={ACCEPT}
            aria-describedby={`${id}-hint`}
            onChange={(e) => {
              const chosen = e.target.files?.[0] ?? null;
              setFile(chosen);
              setOptions((current) => ({ ...current, columnTypes: {} })); // another file has other columns
              upload.reset();
              if (chosen && !nameTouched) setName(stem(chosen.name));
            }}
          />
          <span className="field__help" id={`${id}-hint`}>
            {file && uploadKind(file.name) === "file"
              ? "A file dataset: the zip is kept as it is, for the Script bundle of Execute Python or R Script, or for Convert to Image Directory."
              : "CSV or TSV (UTF-8 unless Options say otherwise), or Parquet, for a table; or a .zip of files (a script bundle, images) for a file dataset."}
          </span>
        </div>
        {!(file && uploadKind(file.name) === "file") && (
          <fieldset className="upload-options">
            <legend>Options</legend>
            <div className="upload-options__row">
              <label className="check">
                <input
                  type="checkbox"
                  checked={options.hasHeader}
                  aria-describedby={`${id}-header-hint`}
                  onChange={(e) => change({ hasHeader: e.target.checked })}
                />
                <span>Has header: the first line holds the column names</span>
              </label>
              <button
                type="button"
                className="btn btn--ghost btn--sm"
                aria-expanded={showOptions}
                aria-controls={`${id}-options`}
                onClick={() => setShowOptions((open) => !open)}
              >
                {showOptions ? "Fewer options" : "More options"}
              </button>
            </div>
            <span className="field__help" id={`${id}-header-hint`}>
              {options.hasHeader
                ? "CSV or TSV: a blank first line, or one that looks like data (all numbers), is refused."
                : "CSV or TSV: every line is data, and the columns are named Col1, Col2 and so on."}
            </span>
            {showOptions && (
              <div className="upload-options__grid" id={`${id}-options`}>
                <label className="field">
                  <span className="field__label">Delimiter</span>
                  <select
                    className="input"
                    value={standard ? standard[1] : "other"}
                    onChange={(e) => {
                      const chosen = DELIMITERS.find(([, token]) => token === e.target.value);
                      change({ delimiter: chosen ? chosen[0] : "#" });
                    }}
                  >
                    {DELIMITERS.map(([value, token, label]) => (
                      <option key={token} value={token}>
                        {value === "" && used && !options.delimiter ? `Guess (${used.delimiter === "\t" ? "tab" : used.delimiter === " " ? "space" : used.delimiter})` : label}
                      </option>
                    ))}
                    <option value="other">Other…</option>
                  </select>
                </label>
                {!standard && (
                  <label className="field">
                    <span className="field__label">Other delimiter</span>
                    <input
                      className="input"
                      maxLength={1}
                      value={options.delimiter}
                      onChange={(e) => change({ delimiter: e.target.value })}
                    />
                  </label>
                )}
                <label className="field">
                  <span className="field__label">Encoding</span>
                  <input
                    className="input"
                    list={`${id}-encodings`}
                    placeholder="utf-8"
                    value={options.encoding}
                    onChange={(e) => change({ encoding: e.target.value })}
                  />
                  <datalist id={`${id}-encodings`}>
                    {ENCODINGS.map((e) => (
                      <option key={e} value={e} />
                    ))}
                  </datalist>
                </label>
                <label className="field">
                  <span className="field__label">Decimal separator</span>
                  <select
                    className="input"
                    value={options.decimal}
                    onChange={(e) => change({ decimal: e.target.value as ReadOptions["decimal"] })}
                  >
                    <option value=".">Point: 1.5</option>
                    <option value=",">Comma: 1,5</option>
                  </select>
                </label>
                <div className="field">
                  <label className="field__label" htmlFor={`${id}-missing`}>
                    Missing-value markers
                  </label>
                  <input
                    id={`${id}-missing`}
                    className="input"
                    placeholder={used ? used.missing_values.filter((m) => m).join(", ") : "?, n/a, na, nan, none, null"}
                    value={options.missingValues}
                    aria-describedby={`${id}-missing-hint`}
                    onChange={(e) => change({ missingValues: e.target.value })}
                  />
                  <span className="field__help" id={`${id}-missing-hint`}>
                    Comma-separated; replaces the defaults. An empty cell is always missing.
                  </span>
                </div>
              </div>
            )}
          </fieldset>
        )}
        {isTable && (
          <section className="upload-preview" aria-label="Preview" aria-busy={preview.isFetching}>
            <div className="upload-preview__head">
              <strong>Preview</strong>
              {preview.data && (
                <span className="upload-preview__used" data-testid="preview-used">
                  {preview.data.total.toLocaleString()} rows, {preview.data.columns.length} columns
                  {used &&
                    ` · ${delimiterLabel(used.delimiter)}-separated, ${used.encoding}, decimal ${used.decimal === "," ? "comma" : "point"}`}
                  {preview.isFetching && " · reading…"}
                </span>
              )}
              {!preview.data && preview.isFetching && <span className="upload-preview__used">Reading the file…</span>}
            </div>
            {preview.isError && (
              <div className="form__error" data-testid="preview-error">
                <strong>With these options the file cannot be read.</strong>
                {uploadProblems(preview.error).map((line) => (
                  <div key={line}>{line}</div>
                ))}
              </div>
            )}
            {preview.data && !preview.isError && (
              <>
                <UploadPreviewTable
                  preview={preview.data}
                  overrides={options.columnTypes}
                  onOverride={override}
                  editable={preview.data.format === "text"}
                />
                {preview.data.problems.length > 0 && (
                  <ul className="upload-preview__problems" data-testid="preview-problems">
                    {preview.data.problems.map((p) => (
                      <li key={p.message}>{p.message}</li>
                    ))}
                  </ul>
                )}
              </>
            )}
          </section>
        )}
        <label className="field">
          <span className="field__label">Name</span>
          <input
            className="input"
            type="text"
            value={name}
            maxLength={200}
            onChange={(e) => {
              setName(e.target.value);
              setNameTouched(true);
            }}
            placeholder="e.g. Customer churn 2024"
          />
        </label>
        <label className="field">
          <span className="field__label">Description (optional)</span>
          <textarea className="input" rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        {upload.isPending && stage !== null && (
          <p className="field__help" role="status" data-testid="upload-stage">
            {stage === "queued"
              ? "The file is on the server, waiting for a worker to read it."
              : "A worker is reading the file: parsing, typing and profiling every row."}{" "}
            You may close this dialog; the dataset appears in the list once it is registered.
          </p>
        )}
        {upload.isError && (
          <div className="form__error" role="alert">
            <strong>The file was not accepted.</strong>
            {uploadProblems(upload.error).map((line) => (
              <div key={line}>{line}</div>
            ))}
          </div>
        )}
      </form>
    </Modal>
  );
}
