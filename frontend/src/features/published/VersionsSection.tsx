/** The versions an endpoint publishes: which pipeline version each runs, its stored defaults, the default one. */
import { Link } from "react-router";
import { messageOf } from "../../api/errors";
import { formatWhen } from "../../app/status";
import { toast } from "../../app/toasts";
import { useUnpublish, useUpdateEndpoint } from "./queries";
import type { PipelineEndpointDetail } from "./types";

export function VersionsSection({ endpoint, canEdit }: { endpoint: PipelineEndpointDetail; canEdit: boolean }) {
  const update = useUpdateEndpoint(endpoint.id);
  const unpublish = useUnpublish(endpoint.id);
  return (
    <section className="card" aria-labelledby="pe-versions">
      <h2 id="pe-versions" className="card__title ep-card-title">
        Versions
      </h2>
      <p className="muted ep-help">
        Callers get the default version at <code>/runs</code>, or name one at <code>/versions/&lt;n&gt;/runs</code>. Publish more
        from the designer's <strong>Publish</strong> button or a run's <strong>Publish from this run</strong>.
      </p>
      <table className="table table--compact pe-versions" data-testid="pe-versions">
        <thead>
          <tr>
            <th>Version</th>
            <th>Pipeline version</th>
            <th>Defaults</th>
            <th>Published</th>
            <th>Runs</th>
            {canEdit && <th aria-label="Actions" />}
          </tr>
        </thead>
        <tbody>
          {endpoint.versions.map((v) => {
            const stored = Object.keys((v.defaults as Record<string, unknown> | undefined) ?? {});
            return (
              <tr key={v.number} data-testid={`pe-version-${v.number}`}>
                <td>
                  <strong>v{v.number}</strong>
                  {v.is_default && <span className="pe-default">DEFAULT</span>}
                </td>
                <td>
                  <Link to={`/pipelines/${endpoint.pipeline}/versions/${v.pipeline_version}`}>v{v.pipeline_version}</Link>
                  {v.pipeline_version_message && <div className="muted ep-row-desc">{v.pipeline_version_message}</div>}
                </td>
                <td>
                  {v.from_run ? (
                    <span>
                      from <Link to={`/runs/${v.from_run}`}>run #{v.from_run}</Link>
                    </span>
                  ) : stored.length ? (
                    <span>{stored.length} set here</span>
                  ) : (
                    <span className="muted">the pipeline's</span>
                  )}
                </td>
                <td title={v.published_at}>
                  {formatWhen(v.published_at)} <span className="muted">by {v.published_by ?? "—"}</span>
                </td>
                <td>{v.runs}</td>
                {canEdit && (
                  <td>
                    <div className="pe-actions">
                      {!v.is_default && (
                        <button
                          className="btn btn--sm"
                          disabled={update.isPending}
                          onClick={() =>
                            update.mutate(
                              { default_version: v.number },
                              {
                                onSuccess: () => toast.success(`Version ${v.number} is now the default.`),
                                onError: (e) => toast.error(messageOf(e)),
                              },
                            )
                          }
                        >
                          Make default
                        </button>
                      )}
                      {!v.is_default && (
                        <button
                          className="btn btn--sm btn--danger-ghost"
                          disabled={v.runs > 0 || unpublish.isPending}
                          title={v.runs > 0 ? "A version that ran stays published, so its runs keep saying what they ran." : undefined}
                          onClick={() =>
                            unpublish.mutate(v.number, {
                              onSuccess: () => toast.success(`Version ${v.number} unpublished.`),
                              onError: (e) => toast.error(messageOf(e)),
                            })
                          }
                        >
                          Unpublish
                        </button>
                      )}
                    </div>
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
