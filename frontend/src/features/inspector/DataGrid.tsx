/** A page of a table: typed column headers, right-aligned numbers, visible missing values, and a pager. */
import { formatCell, formatCount, NUMERIC_TYPES } from "./format";
import type { TablePage } from "./types";

export const PAGE_SIZES = [25, 50, 100, 200] as const;

interface GridProps {
  page: TablePage;
  /** True while the next page loads (the current one stays on screen, dimmed). */
  stale?: boolean;
  selected?: string | null;
  onSelectColumn?: (name: string) => void;
}

export function DataGrid({ page, stale = false, selected, onSelectColumn }: GridProps) {
  const numeric = page.columns.map((c) => NUMERIC_TYPES.has(c.type));
  return (
    <div className={`grid-scroll${stale ? " is-stale" : ""}`}>
      <table className="grid">
        <thead>
          <tr>
            <th className="grid__rownum" scope="col">
              #
            </th>
            {page.columns.map((c, i) => (
              <th
                key={c.name}
                scope="col"
                className={`${numeric[i] ? "num" : ""}${selected === c.name ? " is-selected" : ""}`}
                aria-sort="none"
              >
                {onSelectColumn ? (
                  <button className="grid__head" onClick={() => onSelectColumn(c.name)} title={`Profile of ${c.name}`}>
                    <span className="grid__name">{c.name}</span>
                    <span className="grid__type">{c.type}</span>
                  </button>
                ) : (
                  <span className="grid__head">
                    <span className="grid__name">{c.name}</span>
                    <span className="grid__type">{c.type}</span>
                  </span>
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {page.rows.map((row, r) => (
            <tr key={page.offset + r}>
              <td className="grid__rownum">{page.offset + r + 1}</td>
              {row.map((value, c) => {
                const text = formatCell(value);
                return (
                  <td key={c} className={numeric[c] ? "num" : undefined} title={text && text.length > 40 ? text : undefined}>
                    {text === null ? <span className="grid__null">null</span> : text}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {page.rows.length === 0 && <div className="grid__empty">This table has no rows.</div>}
    </div>
  );
}

interface PagerProps {
  total: number;
  offset: number;
  limit: number;
  onOffset: (offset: number) => void;
  onLimit?: (limit: number) => void;
}

export function Pager({ total, offset, limit, onOffset, onLimit }: PagerProps) {
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + limit, total);
  const lastPage = Math.max(0, Math.floor((total - 1) / limit) * limit);
  return (
    <nav className="pager" aria-label="Pages">
      <span className="pager__range" aria-live="polite">
        Rows {formatCount(first)}–{formatCount(last)} of {formatCount(total)}
      </span>
      {onLimit && (
        <label className="pager__size">
          <span>Rows per page</span>
          <select className="input input--sm" value={limit} onChange={(e) => onLimit(Number(e.target.value))}>
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      )}
      <span className="pager__buttons">
        <button className="btn btn--sm" onClick={() => onOffset(0)} disabled={offset === 0} aria-label="First page">
          «
        </button>
        <button
          className="btn btn--sm"
          onClick={() => onOffset(Math.max(0, offset - limit))}
          disabled={offset === 0}
          aria-label="Previous page"
        >
          ‹ Previous
        </button>
        <button
          className="btn btn--sm"
          onClick={() => onOffset(offset + limit)}
          disabled={offset + limit >= total}
          aria-label="Next page"
        >
          Next ›
        </button>
        <button
          className="btn btn--sm"
          onClick={() => onOffset(lastPage)}
          disabled={offset + limit >= total}
          aria-label="Last page"
        >
          »
        </button>
      </span>
    </nav>
  );
}
