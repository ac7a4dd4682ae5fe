/**
 * The part of a script's Logged values output (a metrics value of task "logged") that is not a metric or a
 * chart: the tables it logged with `tessera.log_table`, and the PNG images of `tessera.log_image` (Plotly
 * figures it logged come back drawn, with the metrics' line charts, from the figures endpoint).
 */
import { formatStat } from "./format";

interface LoggedDetail {
  tables?: Record<string, { columns: string[]; rows: unknown[][] }>;
  images?: Record<string, { format: string; data?: string }>;
  calls?: number;
}

const ROWS_SHOWN = 100;

export function LoggedValues({ detail }: { detail: Record<string, unknown> }) {
  const logged = detail as LoggedDetail;
  const tables = Object.entries(logged.tables ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const images = Object.entries(logged.images ?? {})
    .filter(([, image]) => image.format === "png" && typeof image.data === "string")
    .sort(([a], [b]) => a.localeCompare(b));
  if (!tables.length && !images.length) return null;
  return (
    <div className="logged-output">
      {tables.map(([name, table]) => (
        <section key={name} className="card summary-card" aria-label={`Table ${name}`} data-table={name}>
          <h4 className="card__title">
            {name} <span className="muted">· {table.rows.length} rows</span>
          </h4>
          <div className="logged-output__scroll">
            <table className="metrics">
              <thead>
                <tr>
                  {table.columns.map((c) => (
                    <th key={c} scope="col">
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {table.rows.slice(0, ROWS_SHOWN).map((row, i) => (
                  <tr key={i}>
                    {row.map((cell, j) => (
                      <td key={j}>{cell === null ? "" : formatStat(cell)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {table.rows.length > ROWS_SHOWN && <p className="muted">The first {ROWS_SHOWN} rows; download the JSON for all.</p>}
        </section>
      ))}
      {images.map(([name, image]) => (
        <section key={name} className="card chart-card" aria-label={`Image ${name}`} data-image={name}>
          <h4 className="card__title">{name}</h4>
          <img className="logged-output__image" src={`data:image/png;base64,${image.data}`} alt={name} />
        </section>
      ))}
    </div>
  );
}
