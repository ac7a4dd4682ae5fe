/**
 * Upload a CSV, TSV or Parquet file as a new table dataset, or a .zip as a file dataset (for a script
 * bundle or a set of images); the server's reason (line, column, zip member) is shown as is.
 */
import { useId, useState, type FormEvent } from "react";
import { ApiError, messageOf } from "../../api/errors";
import { Modal } from "../../app/Modal";
import type { Dataset } from "../../api/types";
import { useUploadDataset } from "./queries";

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
  const [hasHeader, setHasHeader] = useState(true);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!file || !name.trim()) return;
    upload.mutate(
      { workspace, name: name.trim(), description, file, hasHeader },
      { onSuccess: (dataset) => onUploaded(dataset) },
    );
  };

  return (
    <Modal
      title={`Upload a dataset to ${workspaceName}`}
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
            {upload.isPending ? "Uploading…" : "Upload"}
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
              upload.reset();
              if (chosen && !nameTouched) setName(stem(chosen.name));
            }}
          />
          <span className="field__help" id={`${id}-hint`}>
            {file && uploadKind(file.name) === "file"
              ? "A file dataset: the zip is kept as it is, for the Script bundle of Execute Python or R Script, or for Convert to Image Directory."
              : "CSV or TSV (UTF-8), or Parquet, for a table; or a .zip of files (a script bundle, images) for a file dataset."}
          </span>
        </div>
        {!(file && uploadKind(file.name) === "file") && (
          <div className="field">
            <label className="check">
              <input
                type="checkbox"
                checked={hasHeader}
                aria-describedby={`${id}-header-hint`}
                onChange={(e) => {
                  setHasHeader(e.target.checked);
                  upload.reset();
                }}
              />
              <span>Has header: the first line holds the column names</span>
            </label>
            <span className="field__help" id={`${id}-header-hint`}>
              {hasHeader
                ? "CSV or TSV: a blank first line, or one that looks like data (all numbers), is refused."
                : "CSV or TSV: every line is data, and the columns are named Col1, Col2 and so on."}
            </span>
          </div>
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
