/**
 * A node's compute target: the choice in its Parameters tab (GET /api/compute-targets/, the default first) and,
 * in Outputs + logs, where it ran (the target, pandas or Dask, the scheduler and the Dask dashboard's link).
 * The choice is not part of the node's cache key: both paths give the same outputs.
 */
import type { ComputeTarget } from "../../api/types";
import type { NodeComputeState } from "../runs/runStore";

function describeTarget(t: ComputeTarget): string {
  if (t.cluster === "none") return "pandas only";
  const cluster = t.cluster === "local" ? `local Dask cluster, ${t.workers} × ${t.memory_limit}` : "Dask cluster";
  if (t.path === "dask") return `${cluster}, always`;
  if (t.path === "pandas") return `${cluster}, never used`;
  return `${cluster} from ${formatBytes(t.threshold_bytes)}`;
}

export function formatBytes(n: number): string {
  const units: [string, number][] = [
    ["GiB", 2 ** 30],
    ["MiB", 2 ** 20],
    ["KiB", 2 ** 10],
  ];
  for (const [unit, scale] of units) {
    if (n >= scale) return `${+(n / scale).toFixed(1)} ${unit}`;
  }
  return `${n} bytes`;
}

/** What the choice means for this module: whether it can run partition-parallel at all. */
export function computeHint(target: ComputeTarget | undefined, partitionParallel: boolean): string {
  if (!target || target.cluster === "none") return "Runs with pandas on a worker of this target's queue.";
  if (partitionParallel) {
    return target.path === "dask"
      ? "Runs partition-parallel on the Dask cluster."
      : target.path === "pandas"
        ? "Runs with pandas; the cluster is not used."
        : `Runs partition-parallel on the Dask cluster when its table inputs reach ${formatBytes(target.threshold_bytes)}.`;
  }
  return target.path === "pandas"
    ? "Runs with pandas; the cluster is not used."
    : "This module has no Dask path: a table large enough for the cluster is refused (reduce it with Partition and Sample first).";
}

export function ComputeField({
  id,
  value,
  targets,
  partitionParallel,
  readOnly,
  onChange,
}: {
  id: string;
  value: string | undefined;
  targets: readonly ComputeTarget[];
  partitionParallel: boolean;
  readOnly: boolean;
  onChange(value: string | undefined): void;
}) {
  const fallback = targets[0];
  const known = value === undefined || targets.some((t) => t.name === value);
  const chosen = value === undefined ? fallback : targets.find((t) => t.name === value);
  const fieldId = `compute-${id}`;
  return (
    <div className="field">
      <label className="field__label" htmlFor={fieldId}>
        Compute
      </label>
      <select
        id={fieldId}
        className="input"
        disabled={readOnly || targets.length === 0}
        value={value ?? ""}
        onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
      >
        <option value="">{fallback ? `Default (${fallback.name}: ${describeTarget(fallback)})` : "Default"}</option>
        {targets.map((t) => (
          <option key={t.name} value={t.name}>
            {t.name}: {describeTarget(t)}
          </option>
        ))}
        {!known && <option value={value}>{value} (not declared on this server)</option>}
      </select>
      {known ? (
        <p className="field__help">{computeHint(chosen, partitionParallel)}</p>
      ) : (
        <p className="field__hint">“{value}” is not a compute target of this server: choose another.</p>
      )}
    </div>
  );
}

/** "big · Dask, 8 partitions on tcp://10.0.0.5:8786", "cpu · pandas". */
export function describeCompute(where: NodeComputeState): string {
  if (where.path === "dask") {
    const parts = where.partitions !== undefined ? `, ${where.partitions} partition${where.partitions === 1 ? "" : "s"}` : "";
    return `${where.target} · Dask${parts}${where.scheduler ? ` on ${where.scheduler}` : ""}`;
  }
  if (where.path === "pandas") return `${where.target} · pandas`;
  return where.target;
}

export function RanOn({ where }: { where: NodeComputeState }) {
  return (
    <>
      <dt>Compute</dt>
      <dd>
        <span>{describeCompute(where)}</span>
        {where.dashboard && (
          <>
            {" · "}
            <a href={where.dashboard} target="_blank" rel="noreferrer">
              Dask dashboard
            </a>
          </>
        )}
      </dd>
    </>
  );
}
