/**
 * The first rows of a file as the server would type them, before it is saved; each column's header holds its
 * type as read and a choice to override it (the override is sent with the preview and with the upload).
 */
import { COLUMN_TYPES, type ColumnType } from "./uploadOptions";
import type { UploadPreview } from "./queries";

/** The server's schema types, in the words of the type choice. */
const SHOWN: Record<string, string> = { string: "text", datetime: "date" };

interface Props {
  preview: UploadPreview;
  overrides: Record<string, ColumnType>;
  onOverride: (column: string, type: ColumnType | null) => void;
  /** Column types can be overridden only for CSV/TSV (Parquet keeps its own). */
  editable: boolean;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

export function UploadPreviewTable({ preview, overrides, onOverride, editable }: Props) {
  return (
    <div className="upload-preview__scroll">
      <table className="table table--compact upload-preview__table" aria-label="Preview">
        <thead>
          <tr>
            {preview.columns.map((column) => (
              <th key={column.name} scope="col">
                <div className="upload-preview__name">{column.name}</div>
                {editable ? (
                  <select
                    className="input upload-preview__type"
                    aria-label={`Type of ${column.name}`}
                    value={overrides[column.name] ?? ""}
                    onChange={(e) => onOverride(column.name, (e.target.value || null) as ColumnType | null)}
                  >
                    <option value="">{`${SHOWN[column.type] ?? column.type} (guessed)`}</option>
                    {COLUMN_TYPES.map((t) => (
                      <option key={t} value={t}>
                        {t}
                      </option>
                    ))}
                  </select>
                ) : (
                  <div className="upload-preview__kind">{SHOWN[column.type] ?? column.type}</div>
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {preview.rows.map((row, i) => (
            <tr key={i}>
              {row.map((value, j) => (
                <td
                  key={j}
                  className={
                    value === null ? "upload-preview__missing" : typeof value === "number" ? "upload-preview__number" : undefined
                  }
                >
                  {value === null ? "missing" : cell(value)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
