/**
 * A node saved with an older module version: flagged on its card ("v1 · upgrade to v2"), and upgraded
 * only after the user has seen what changes. The server computes the change (the module's
 * migrate_params, then every parameter's effective value before and after, defaults included); the
 * canvas applies it as one undoable edit.
 */
import type { ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { create } from "zustand";
import { api, unwrap } from "../../api/client";
import { messageOf } from "../../api/errors";
import type { components } from "../../api/generated/schema";
import { Modal } from "../../app/Modal";
import { ErrorState, Loading } from "../../app/States";
import { toast } from "../../app/toasts";
import type { JsonSchema } from "../params";
import { useCatalogue } from "./catalogueStore";
import { edgeId } from "./document";
import { useGraph } from "./graphStore";

type Upgrade = components["schemas"]["Upgrade"];

interface UpgradeDialogState {
  nodeId: string | null;
  open(nodeId: string): void;
  close(): void;
}

export const useUpgradeDialog = create<UpgradeDialogState>((set) => ({
  nodeId: null,
  open: (nodeId) => set({ nodeId }),
  close: () => set({ nodeId: null }),
}));

/** "v1 · upgrade to v2" on a node whose module has a newer version; nothing when it is the latest. */
export function VersionFlag({
  nodeId,
  module,
  version,
  fallback = null,
}: {
  nodeId: string;
  module: string;
  version: number;
  /** What to show when the node's version is the latest (the card's category line). */
  fallback?: ReactNode;
}) {
  const latest = useCatalogue((s) => s.latest.get(module)?.version);
  const readOnly = useGraph((s) => s.readOnly);
  const open = useUpgradeDialog((s) => s.open);
  if (latest === undefined || latest <= version) return <>{fallback}</>;
  return (
    <div className="mnode__sub mnode__version" data-testid="node-version">
      v{version}
      {readOnly ? (
        <span className="muted"> · v{latest} is out</span>
      ) : (
        <>
          {" · "}
          <button
            type="button"
            className="link-btn nodrag"
            onClick={(e) => {
              e.stopPropagation();
              open(nodeId);
            }}
          >
            upgrade to v{latest}
          </button>
        </>
      )}
    </div>
  );
}

/** The dialog the flag opens: the parameter (and port) changes, then Upgrade. Mounted once by the designer. */
export function UpgradeDialog() {
  const nodeId = useUpgradeDialog((s) => s.nodeId);
  const close = useUpgradeDialog((s) => s.close);
  const node = useGraph((s) => (nodeId ? s.nodes.find((n) => n.id === nodeId) : undefined));
  if (!nodeId || !node) return null;
  return <UpgradeBody nodeId={nodeId} module={node.data.module} version={node.data.version} params={node.data.params} onClose={close} />;
}

interface BodyProps {
  nodeId: string;
  module: string;
  version: number;
  params: Record<string, unknown>;
  onClose(): void;
}

function UpgradeBody({ nodeId, module, version, params, onClose }: BodyProps) {
  const latest = useCatalogue((s) => s.latest.get(module));
  const preview = useQuery({
    queryKey: ["module-upgrade", module, version, params] as const,
    queryFn: (): Promise<Upgrade> =>
      unwrap(
        api.POST("/api/modules/{module_id}/upgrade/", {
          params: { path: { module_id: module } },
          body: { from_version: version, params },
        }),
        "preview the upgrade",
      ),
  });
  const name = latest?.name ?? module;
  const titleOf = (param: string) =>
    ((latest?.params_schema as JsonSchema | undefined)?.properties?.[param]?.title as string | undefined) ?? param;

  const apply = (upgrade: Upgrade) => {
    const graph = useGraph.getState();
    graph.updateNodeData(nodeId, { version: upgrade.to_version, params: upgrade.params });
    // An edge on a port the new version no longer has would point nowhere: drop it.
    for (const port of upgrade.ports.filter((p) => p.change === "removed")) {
      for (const e of useGraph.getState().edges) {
        const onIt = port.kind === "input" ? e.target === nodeId && e.targetHandle === port.port : e.source === nodeId && e.sourceHandle === port.port;
        if (onIt) graph.removeEdge(e.id ?? edgeId(e.source, e.sourceHandle ?? "", e.target, e.targetHandle ?? ""));
      }
    }
    toast.info(`${name} upgraded to version ${upgrade.to_version}.`);
    onClose();
  };

  const upgrade = preview.data;
  return (
    <Modal
      title={`Upgrade ${name} from version ${version}`}
      onClose={onClose}
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Keep version {version}
          </button>
          <button className="btn btn--primary" disabled={!upgrade} onClick={() => upgrade && apply(upgrade)} data-testid="apply-upgrade">
            {upgrade ? `Upgrade to version ${upgrade.to_version}` : "Upgrade"}
          </button>
        </>
      }
    >
      {preview.isPending ? (
        <Loading label="Working out what changes…" />
      ) : preview.isError ? (
        <ErrorState title="The upgrade could not be previewed" message={messageOf(preview.error)} onRetry={() => void preview.refetch()} />
      ) : (
        <div className="upgrade" data-testid="upgrade-preview">
          <p>
            Node <code>{nodeId}</code> was saved with version {version}. Version {preview.data.to_version} will run it with these parameters:
          </p>
          {preview.data.changes.length === 0 ? (
            <p className="muted">No parameter changes: it computes the same as before.</p>
          ) : (
            <table className="table upgrade__changes">
              <thead>
                <tr>
                  <th>Parameter</th>
                  <th>Version {version}</th>
                  <th>Version {preview.data.to_version}</th>
                </tr>
              </thead>
              <tbody>
                {preview.data.changes.map((c) => (
                  <tr key={c.param} data-change={c.change}>
                    <td>
                      {titleOf(c.param)} <span className="muted">({c.change === "added" ? "new" : c.change})</span>
                    </td>
                    <td>{c.change === "added" ? <span className="muted">—</span> : <code>{shown(c.old)}</code>}</td>
                    <td>{c.change === "removed" ? <span className="muted">—</span> : <code>{shown(c.new)}</code>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {preview.data.ports.length > 0 && (
            <ul className="upgrade__ports">
              {preview.data.ports.map((p) => (
                <li key={`${p.kind}:${p.port}`}>
                  {p.change === "added" ? "New" : "Removed"} {p.kind} port <code>{p.port}</code>
                  {p.change === "removed" ? " (its connections are removed)" : ""}
                </li>
              ))}
            </ul>
          )}
          {preview.data.problems.length > 0 && (
            <div className="callout callout--warning" role="note">
              Version {preview.data.to_version} refuses:{" "}
              {preview.data.problems.map((p) => `${titleOf(p.param)}: ${p.message}`).join("; ")}. Fix them in the panel after upgrading.
            </div>
          )}
        </div>
      )}
    </Modal>
  );
}

function shown(value: unknown): string {
  if (value === "") return '""';
  return typeof value === "string" ? value : JSON.stringify(value);
}
