/**
 * Run comparison's share of provenance and logging: a warning when the two runs were submitted from different
 * Git commits (or from a working copy with uncommitted changes), and each metric a script logged over steps
 * drawn for both runs on one chart.
 */
import { useMemo } from "react";
import type { components } from "../../api/generated/schema";
import { PlotlyFigure } from "../inspector/PlotlyFigure";
import { comparisonFigure, type Point } from "./logged";
import { shortCommit } from "./Provenance";
import "./runlog.css";

type Commits = components["schemas"]["CommitDifference"];
type Series = components["schemas"]["SeriesDifference"];

export function CommitFlag({ commits, a, b }: { commits: Commits | undefined; a: number; b: number }) {
  if (!commits || (!commits.different && !commits.dirty)) return null;
  return (
    <p className="callout callout--warning run-compare__note" role="status" data-testid="commit-flag">
      {commits.different ? (
        <>
          Different code: run #{a} was submitted from commit <code>{shortCommit(commits.a)}</code>, run #{b} from{" "}
          <code>{shortCommit(commits.b)}</code>.{" "}
        </>
      ) : null}
      {commits.dirty ? "At least one run came from a working copy with uncommitted changes." : null}
    </p>
  );
}

export function SeriesCharts({ series, a, b }: { series: readonly Series[] | undefined; a: number; b: number }) {
  const figures = useMemo(
    () =>
      (series ?? []).map((s) => ({
        s,
        figure: comparisonFigure(s.metric, { id: a, points: s.a as Point[] | null }, { id: b, points: s.b as Point[] | null }),
      })),
    [series, a, b],
  );
  if (!series?.length) return null;
  return (
    <section className="card run-compare__series" aria-labelledby="series-title">
      <div className="card__head">
        <h2 id="series-title" className="card__title">
          Logged over steps
        </h2>
        <span className="muted">what the runs' scripts logged with tessera.log_metric(..., step=)</span>
      </div>
      <div className="logged__grid">
        {figures.map(({ s, figure }) => (
          <section key={`${s.node}/${s.metric}`} aria-label={`${s.metric} of ${s.node}`} data-metric={s.metric}>
            <PlotlyFigure figure={figure} label={`${s.metric} by step, run #${a} and run #${b}`} height={260} />
          </section>
        ))}
      </div>
    </section>
  );
}
