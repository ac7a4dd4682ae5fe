/** The output viewer (from the inspector feature) and the node log, opened from the canvas or the panel. */
import { useQuery } from "@tanstack/react-query";
import { Suspense } from "react";
import { csrfToken } from "../../api/client";
import { nodeUrlPath } from "../../api/nodePath";
import { describeFailure, messageOf, networkError } from "../../api/errors";
import { ErrorBoundary } from "../../app/ErrorBoundary";
import { Modal } from "../../app/Modal";
import { OutputInspector } from "../../app/optional";
import { EmptyState, ErrorState, Loading } from "../../app/States";
import { useRunDialogs } from "./dialogStore";

export function RunDialogs() {
  const inspect = useRunDialogs((s) => s.inspect);
  const log = useRunDialogs((s) => s.log);
  const close = useRunDialogs((s) => s.close);
  if (inspect) {
    return (
      <Modal title={inspect.title} onClose={close} size="xl">
        <div className="inspector-host" data-testid="output-inspector">
          {OutputInspector ? (
            <ErrorBoundary title="The output viewer stopped working">
              <Suspense fallback={<Loading label="Loading the output viewer…" />}>
                <OutputInspector runId={inspect.runId} nodeId={inspect.nodeId} port={inspect.port} portType={inspect.portType} />
              </Suspense>
            </ErrorBoundary>
          ) : (
            <EmptyState title="The output viewer is not part of this build yet">
              <a href={`/api/runs/${inspect.runId}/nodes/${nodeUrlPath(inspect.nodeId)}/outputs/${encodeURIComponent(inspect.port)}/download/`}>Download the output</a>{" "}
              to look at it meanwhile.
            </EmptyState>
          )}
        </div>
      </Modal>
    );
  }
  if (log) {
    return (
      <Modal title={log.title} onClose={close} size="lg">
        <LogView runId={log.runId} nodeId={log.nodeId} />
      </Modal>
    );
  }
  return null;
}

async function fetchLog(runId: number, nodeId: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`/api/runs/${runId}/nodes/${nodeUrlPath(nodeId)}/log/`, {
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
    });
  } catch (cause) {
    throw networkError(cause, "load the log");
  }
  const text = await response.text();
  if (!response.ok) {
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* plain text */
    }
    throw describeFailure(response.status, body, "load the log");
  }
  return text;
}

function LogView({ runId, nodeId }: { runId: number; nodeId: string }) {
  const log = useQuery({ queryKey: ["log", runId, nodeId], queryFn: () => fetchLog(runId, nodeId) });
  if (log.isPending) return <Loading label="Loading the log…" />;
  if (log.isError) return <ErrorState title="The log could not be loaded" message={messageOf(log.error)} onRetry={() => log.refetch()} />;
  if (!log.data.trim()) return <EmptyState title="This node wrote nothing to its log" />;
  return (
    <pre className="log" data-testid="node-log">
      {log.data}
    </pre>
  );
}
