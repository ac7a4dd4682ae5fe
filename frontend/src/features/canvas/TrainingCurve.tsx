/**
 * The training curve of a Train PyTorch Model node, drawn from its log while it trains: polled every
 * 3 s while the node runs, fetched once more when it has finished.
 */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { messageOf } from "../../api/errors";
import { PlotlyFigure } from "../inspector/PlotlyFigure";
import type { FigureSpec } from "../inspector/types";

export const TRAINING_MODULES = new Set(["train_pytorch_model"]);
export const POLL_MS = 3000;
const SHOWN = new Set(["running", "completed", "reused", "failed", "cancelled"]);

interface Props {
  runId: number;
  nodeId: string;
  /** The node's status as the run's event stream reports it. */
  status: string;
}

export function TrainingCurve({ runId, nodeId, status }: Props) {
  const shown = SHOWN.has(status);
  const curve = useQuery({
    // the status is part of the key: when the node finishes, the final curve is fetched once more
    queryKey: ["training-curve", runId, nodeId, status === "running" ? "running" : "done"],
    enabled: shown,
    // poll while the node runs, by the event stream and by the server's last answer alike
    refetchInterval: (query) =>
      status === "running" && (query.state.data?.status ?? "running") === "running" ? POLL_MS : false,
    queryFn: async () => {
      const body = await unwrap(
        api.GET("/api/runs/{id}/nodes/{node_id}/training-curve/", {
          params: { path: { id: runId, node_id: nodeId } },
        }),
        "read the training curve",
      );
      return { status: body.status, training: body.figures.training as unknown as FigureSpec | undefined };
    },
  });
  if (!shown) return null;
  let content;
  if (curve.isPending) content = <p className="muted">Reading the training curve…</p>;
  else if (curve.isError) content = <p className="muted" role="alert">{messageOf(curve.error)}</p>;
  else if (curve.data.training) content = <PlotlyFigure figure={curve.data.training} label="Training curve" height={300} />;
  else if (status === "running") content = <p className="muted">The curve appears once the first epoch has finished.</p>;
  else return null;
  return (
    <div className="panel__section" aria-label="Training curve">
      <h3 className="panel__label">Training curve{status === "running" ? " (live)" : ""}</h3>
      {content}
    </div>
  );
}
