/**
 * A workspace's environments: each with its versions (requirement lines, base, content hash, author),
 * a form to create one and, for editors, to save a new version. Scripts pick a version in their
 * node's Environment parameter; workers build it once per host the first time a run needs it.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useParams } from "react-router";
import { messageOf } from "../../api/errors";
import { Modal } from "../../app/Modal";
import { formatWhen } from "../../app/status";
import { EmptyState, ErrorState, Loading } from "../../app/States";
import { useCurrentWorkspace } from "../../app/workspaceStore";
import { useRole } from "../endpoints";
import { createEnvironment, environmentKeys, saveEnvironmentVersion, useEnvironments, type Base, type Environment } from "./api";
import { EnvironmentForm } from "./EnvironmentForm";
import "./environments.css";

export function EnvironmentsPage() {
  const workspace = Number(useParams().workspaceId);
  const { role, canEdit, workspaceName } = useRole(workspace);
  const setCurrent = useCurrentWorkspace((s) => s.setCurrent);
  const environments = useEnvironments(role ? workspace : undefined);
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [versioning, setVersioning] = useState<Environment | null>(null);

  useEffect(() => {
    if (role) setCurrent(workspace);
  }, [role, workspace, setCurrent]);

  const refresh = () => queryClient.invalidateQueries({ queryKey: environmentKeys.list(workspace) });

  return (
    <div className="page" data-testid="environments-page">
      <div className="page__head">
        <div>
          <div className="page__crumbs">{workspaceName ?? "Workspace"} · Python packages for scripts</div>
          <h1 className="page__title">Environments</h1>
        </div>
        {canEdit && (
          <button className="btn btn--primary" onClick={() => setCreating(true)}>
            + New environment
          </button>
        )}
      </div>
      {!role ? (
        <EmptyState title="You are not a member of this workspace">Ask one of its owners to add you.</EmptyState>
      ) : environments.isPending ? (
        <Loading label="Loading environments…" />
      ) : environments.isError ? (
        <ErrorState title="Environments could not be loaded" message={messageOf(environments.error)} onRetry={() => environments.refetch()} />
      ) : environments.data.length === 0 ? (
        <EmptyState title="No environments yet" action={canEdit ? <button className="btn btn--primary" onClick={() => setCreating(true)}>Create an environment</button> : undefined}>
          An environment is a named set of Python packages (requirement lines) that Execute Python Script, Create Python Model and script
          components can run with, instead of only the worker's own packages.
        </EmptyState>
      ) : (
        <div className="env-list">
          {environments.data.map((env) => (
            <EnvironmentCard key={env.id} environment={env} canEdit={canEdit} onNewVersion={() => setVersioning(env)} />
          ))}
        </div>
      )}
      {creating && (
        <Modal size="lg" title="New environment" onClose={() => setCreating(false)}>
          <EnvironmentForm
            mode="create"
            onCancel={() => setCreating(false)}
            onSubmit={async (values) => {
              await createEnvironment(workspace, { name: values.name, base: values.base, requirements: values.requirements, message: values.message });
              await refresh();
              setCreating(false);
            }}
          />
        </Modal>
      )}
      {versioning && (
        <Modal size="lg" title={`New version of “${versioning.name}”`} onClose={() => setVersioning(null)}>
          <EnvironmentForm
            mode="version"
            initial={{ base: (versioning.versions[0]?.base ?? "worker") as Base, requirements: versioning.versions[0]?.requirements ?? [] }}
            onCancel={() => setVersioning(null)}
            onSubmit={async (values) => {
              await saveEnvironmentVersion(workspace, versioning.id, { base: values.base, requirements: values.requirements, message: values.message });
              await refresh();
              setVersioning(null);
            }}
          />
        </Modal>
      )}
    </div>
  );
}

function EnvironmentCard({ environment, canEdit, onNewVersion }: { environment: Environment; canEdit: boolean; onNewVersion(): void }) {
  const [latest, ...older] = environment.versions;
  return (
    <section className="card env-card" aria-label={`Environment ${environment.name}`}>
      <div className="card__head">
        <h2 className="card__title">{environment.name}</h2>
        <span className="muted">
          {environment.versions.length} version{environment.versions.length === 1 ? "" : "s"}
        </span>
        {canEdit && (
          <button className="btn btn--sm" onClick={onNewVersion}>
            New version
          </button>
        )}
      </div>
      {latest && <VersionBlock version={latest} current />}
      {older.length > 0 && (
        <details className="env-card__older">
          <summary>Earlier versions</summary>
          {older.map((v) => (
            <VersionBlock key={v.number} version={v} />
          ))}
        </details>
      )}
    </section>
  );
}

function VersionBlock({ version, current = false }: { version: Environment["versions"][number]; current?: boolean }) {
  return (
    <div className="env-version">
      <div className="env-version__head">
        <strong>v{version.number}</strong>
        {current && <span className="pill">latest</span>}
        <span className="muted">
          base: {version.base === "worker" ? "worker's packages" : "none"} · {version.author ?? "someone"} · {formatWhen(version.created_at)}
        </span>
        <code className="env-version__hash" title={version.content_hash}>
          {version.content_hash.slice(0, 12)}
        </code>
      </div>
      {version.message && <p className="muted env-version__message">{version.message}</p>}
      {version.requirements.length ? (
        <pre className="env-version__lines">{version.requirements.join("\n")}</pre>
      ) : (
        <p className="muted">No packages of its own.</p>
      )}
    </div>
  );
}
