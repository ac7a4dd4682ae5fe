/** A figure that is still being fetched: a placeholder of its size, an error with a retry, then the chart. */
import type { UseQueryResult } from "@tanstack/react-query";
import { messageOf } from "../../api/errors";
import { EmptyState, ErrorState } from "../../app/States";
import { PlotlyFigure } from "./PlotlyFigure";
import type { FigureSpec } from "./types";

export function ChartPlaceholder({ label, height = 380 }: { label: string; height?: number }) {
  return (
    <div className="plot plot--waiting" style={{ minHeight: height }}>
      <div className="plot__placeholder" role="status">
        <span className="spinner" aria-hidden /> {label}
      </div>
    </div>
  );
}

interface Props<T> {
  query: UseQueryResult<T>;
  pick: (data: T) => FigureSpec | undefined;
  label: string;
}

export function FigureSlot<T>({ query, pick, label }: Props<T>) {
  if (query.isPending) return <ChartPlaceholder label="Preparing the chart…" />;
  if (query.isError) {
    return (
      <ErrorState
        title="The chart could not be made"
        message={messageOf(query.error)}
        onRetry={() => void query.refetch()}
      />
    );
  }
  const figure = pick(query.data);
  if (!figure) return <EmptyState title="Nothing to draw" />;
  return <PlotlyFigure figure={figure} label={label} />;
}
