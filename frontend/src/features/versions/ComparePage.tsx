/** Compare any two saved versions of a pipeline: `/pipelines/:id/compare?from=N&to=M`. */
import { Link, useParams, useSearchParams } from "react-router";
import { messageOf } from "../../api/errors";
import { usePipeline } from "../../api/queries";
import { ErrorState, Loading } from "../../app/States";
import { VersionCompare } from "./DiffView";
import { useVersions } from "./queries";
import "../canvas/canvas.css";
import "./versions.css";

export function ComparePage() {
  const pipelineId = Number(useParams().pipelineId);
  const [search, setSearch] = useSearchParams();
  const pipeline = usePipeline(pipelineId);
  const versions = useVersions(pipelineId);
  const head = pipeline.data?.head.number ?? 0;
  const to = Number(search.get("to")) || head;
  const from = Number(search.get("from")) || Math.max(1, to - 1);

  if (pipeline.isError) return <ErrorState title="This pipeline cannot be opened" message={messageOf(pipeline.error)} />;
  if (!pipeline.data) return <Loading label="Opening the comparison…" />;

  const pick = (side: "from" | "to", value: number) => {
    const next = { from, to, [side]: value };
    setSearch({ from: String(next.from), to: String(next.to) });
  };
  const options = versions.data ?? [];
  const select = (side: "from" | "to", value: number, label: string) => (
    <label className="toolbar__select">
      <span className="muted">{label}</span>
      <select className="input input--sm" aria-label={`${label} version`} value={value} onChange={(e) => pick(side, Number(e.target.value))}>
        {options.length === 0 && <option value={value}>v{value}</option>}
        {options.map((o) => (
          <option key={o.number} value={o.number}>
            v{o.number}
            {o.author ? ` · ${o.author}` : ""}
            {o.message ? ` · ${o.message.slice(0, 32)}` : ""}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <div className="designer designer--readonly" data-testid="compare-page">
      <div className="toolbar" role="toolbar" aria-label="Compare versions">
        <div className="toolbar__where">
          <Link to={`/pipelines/${pipelineId}`} className="toolbar__crumb">
            {pipeline.data.name}
          </Link>
          <span className="toolbar__sep" aria-hidden>
            /
          </span>
          <span className="toolbar__title">Compare versions</span>
        </div>
        <span className="toolbar__spacer" />
        {select("from", from, "From")}
        <button className="icon-btn" aria-label="Swap the versions" title="Swap" onClick={() => setSearch({ from: String(to), to: String(from) })}>
          ⇄
        </button>
        {select("to", to, "To")}
        <Link className="btn" to={`/pipelines/${pipelineId}/versions/${to}`}>
          Open version {to}
        </Link>
      </div>
      <div className="compare-body">
        {from === to ? (
          <p className="muted compare-body__note">Pick two different versions.</p>
        ) : (
          <VersionCompare key={`${from}-${to}`} pipelineId={pipelineId} from={from} to={to} />
        )}
      </div>
    </div>
  );
}
