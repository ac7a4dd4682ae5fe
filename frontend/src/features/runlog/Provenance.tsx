/**
 * What a run ran with, on its page: the Git state it was submitted from (CLI or SDK in a working copy:
 * repository without credentials, branch, commit, uncommitted changes), its pipeline version and the
 * version of each module it used.
 */
import type { components } from "../../api/generated/schema";
import "./runlog.css";

export type RunProvenance = components["schemas"]["Provenance"];

export function shortCommit(commit: string | null | undefined): string {
  return commit ? commit.slice(0, 10) : "—";
}

export function ProvenanceStrip({ provenance }: { provenance: RunProvenance | undefined }) {
  if (!provenance) return null;
  const git = provenance.git;
  return (
    <details className="provenance" data-testid="run-provenance">
      <summary>
        <span className="provenance__item">Pipeline version {provenance.pipeline_version}</span>
        {git ? (
          <span className="provenance__item" data-testid="run-commit">
            Commit <code title={git.commit}>{shortCommit(git.commit)}</code>
            {git.branch && <span className="muted"> on {git.branch}</span>}
            {git.dirty && (
              <span className="provenance__dirty" title="The working copy had changes that were not committed">
                uncommitted changes
              </span>
            )}
          </span>
        ) : (
          <span className="provenance__item muted">Not submitted from a Git working copy</span>
        )}
        <span className="provenance__item muted">{provenance.modules.length} modules</span>
      </summary>
      <dl className="provenance__detail">
        {git && (
          <>
            <dt>Repository</dt>
            <dd>{git.repository ? <code>{git.repository}</code> : <span className="muted">no remote</span>}</dd>
            <dt>Branch</dt>
            <dd>{git.branch ?? <span className="muted">detached HEAD</span>}</dd>
            <dt>Commit</dt>
            <dd>
              <code>{git.commit}</code>
              {git.dirty ? " (with uncommitted changes)" : " (clean)"}
            </dd>
          </>
        )}
        <dt>Pipeline version</dt>
        <dd>{provenance.pipeline_version}</dd>
        <dt>Module versions</dt>
        <dd>
          <ul className="provenance__modules">
            {provenance.modules.map((m) => (
              <li key={m.module} data-module={m.module}>
                {m.name} <span className="muted">v{m.versions.join(", v")}</span>
              </li>
            ))}
          </ul>
        </dd>
      </dl>
    </details>
  );
}
