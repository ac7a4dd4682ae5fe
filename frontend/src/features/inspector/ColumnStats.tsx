/**
 * Per-column statistics of a table (from a profile) and the chart of the column picked from them.
 * Shared by the output inspector and the dataset page; the chart comes from the caller (each has its
 * own figures endpoint).
 */
import { Fragment, type ReactNode, useEffect, useRef } from "react";
import { formatCount, formatNumber, formatPercent, formatStat, NUMERIC_TYPES } from "./format";
import type { ColumnProfile, TableProfile } from "./types";

/** A tiny bar sketch of a column's histogram or top counts, drawn inline (no Plotly). */
export function MiniBars({ counts, label }: { counts: number[]; label: string }) {
  if (counts.length === 0) return <span className="minibars minibars--empty" aria-hidden />;
  const peak = Math.max(...counts, 1);
  const width = 64;
  const step = width / counts.length;
  return (
    <svg className="minibars" width={width} height={20} viewBox={`0 0 ${width} 20`} role="img" aria-label={label}>
      {counts.map((c, i) => {
        const h = c === 0 ? 0 : Math.max(1, (c / peak) * 20);
        return <rect key={i} x={i * step + 0.5} y={20 - h} width={Math.max(step - 1, 0.5)} height={h} />;
      })}
    </svg>
  );
}

/** Minimum and maximum are values of the column: shown nearly in full, unlike mean and spread. */
const EXTREME_DIGITS = 7;

function sketch(column: ColumnProfile): number[] {
  if (column.histogram) {
    const counts = column.histogram.counts;
    // whole numbers with few values fall into a few of the bins: sketch only the bins they fill
    return column.type === "integer" && column.distinct < counts.length ? counts.filter((c) => c > 0) : counts;
  }
  return (column.top ?? []).slice(0, 8).map((t) => t.count);
}

function topText(column: ColumnProfile): string {
  return (column.top ?? [])
    .slice(0, 3)
    .map((t) => `${formatStat(t.value)} (${formatCount(t.count)})`)
    .join(", ");
}

interface StatsTableProps {
  profile: TableProfile;
  /** The open column; ``undefined`` opens the first one, ``null`` none. */
  selected: string | null | undefined;
  onSelect: (name: string | null) => void;
  /** What an open column shows under its row (its chart). */
  detail?: (column: string) => ReactNode;
}

const HEADINGS = ["Type", "Shape", "Missing", "Distinct", "Min", "Max", "Mean", "Std", "Top values"];
const NUMERIC_HEADINGS = new Set(["Missing", "Distinct", "Min", "Max", "Mean", "Std"]);

/** Statistics of every column, one row each; picking a row opens its chart beneath it (picking it again closes it). */
export function StatsTable({ profile, selected, onSelect, detail }: StatsTableProps) {
  const open = selected === undefined ? (profile.columns[0]?.name ?? null) : selected;
  const sampled = profile.sampled_rows !== undefined && profile.sampled_rows < profile.rows ? profile.sampled_rows : null;
  return (
    <div className="stats-scroll">
      {sampled !== null && (
        <p className="muted stats__sampled" role="note">
          Distinct counts, top values, shapes and charts come from {formatCount(sampled)} rows spread over the table&apos;s{" "}
          {formatCount(profile.rows)}; missing values, min, max, mean and std count every row.
        </p>
      )}
      <table className="stats">
        <caption className="visually-hidden">Statistics of each column; pick one to open its chart.</caption>
        <thead>
          <tr>
            <th scope="col">Column</th>
            {HEADINGS.map((h) => (
              <th key={h} scope="col" className={NUMERIC_HEADINGS.has(h) ? "num" : undefined}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {profile.columns.map((c) => {
            const numeric = NUMERIC_TYPES.has(c.type);
            const isOpen = c.name === open;
            return (
              <Fragment key={c.name}>
                <tr className={isOpen ? "is-selected" : undefined} onClick={() => onSelect(isOpen ? null : c.name)}>
                  <th scope="row">
                    <button className="stats__name" aria-expanded={isOpen}>
                      <span className="stats__chevron" aria-hidden>
                        {isOpen ? "▾" : "▸"}
                      </span>
                      {c.name}
                    </button>
                  </th>
                  <td>
                    <span className={`type-badge type-badge--${c.type}`}>{c.type}</span>
                  </td>
                  <td>
                    <MiniBars counts={sketch(c)} label={`Distribution of ${c.name}`} />
                  </td>
                  <td className={`num${c.missing ? " stats__missing" : ""}`}>
                    {formatCount(c.missing)}
                    {c.missing > 0 && <span className="stats__share"> {formatPercent(c.missing, profile.rows)}</span>}
                  </td>
                  <td className="num">{formatCount(c.distinct)}</td>
                  <td className="num">{formatStat(c.min, EXTREME_DIGITS)}</td>
                  <td className="num">{formatStat(c.max, EXTREME_DIGITS)}</td>
                  <td className="num">{numeric ? formatNumber(c.mean) : "—"}</td>
                  <td className="num">{numeric ? formatNumber(c.std) : "—"}</td>
                  <td className="stats__top">{numeric ? "" : topText(c)}</td>
                </tr>
                {isOpen && detail && (
                  <DetailRow name={c.name} reveal={selected !== undefined}>
                    {detail(c.name)}
                  </DetailRow>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      {profile.columns.length === 0 && <p className="muted stats__none">This table has no columns.</p>}
    </div>
  );
}

/** The opened column's chart, spanning the table; scrolled into view when the user opened it. */
function DetailRow({ name, reveal, children }: { name: string; reveal: boolean; children: ReactNode }) {
  const row = useRef<HTMLTableRowElement>(null);
  useEffect(() => {
    if (reveal) row.current?.scrollIntoView?.({ block: "nearest", behavior: "smooth" });
  }, [reveal]);
  return (
    <tr className="stats__detail" ref={row}>
      <td colSpan={HEADINGS.length + 1}>
        <section className="stats__detail-body" aria-label={`Chart of ${name}`}>
          {children}
        </section>
      </td>
    </tr>
  );
}
