/** Above a pipeline's runs: pick two of them and compare their designs and metrics. */
import { useState } from "react";
import { useNavigate } from "react-router";
import type { Run } from "../../../api/types";

export function CompareRunsBar({ runs }: { runs: readonly Run[] }) {
  const navigate = useNavigate();
  const [a, setA] = useState<number | undefined>(runs[1]?.id);
  const [b, setB] = useState<number | undefined>(runs[0]?.id);
  if (runs.length < 2) return null;
  const option = (r: Run) => (
    <option key={r.id} value={r.id}>
      #{r.id} · v{r.version} · {r.status ?? "queued"}
    </option>
  );
  return (
    <form
      className="compare-bar"
      aria-label="Compare two runs"
      onSubmit={(e) => {
        e.preventDefault();
        if (a && b) navigate(`/runs/compare?a=${a}&b=${b}`);
      }}
    >
      <span className="compare-bar__label">Compare run</span>
      <select className="input input--sm" aria-label="Run a" value={a} onChange={(e) => setA(Number(e.target.value))}>
        {runs.map(option)}
      </select>
      <span className="muted">with</span>
      <select className="input input--sm" aria-label="Run b" value={b} onChange={(e) => setB(Number(e.target.value))}>
        {runs.map(option)}
      </select>
      <button className="btn btn--sm" type="submit" disabled={!a || !b || a === b}>
        Compare
      </button>
    </form>
  );
}
