/** Details: status, the three URLs, the pipeline version it serves (editors can switch it), input schema, outputs. */
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { messageOf } from "../../api/errors";
import { formatWhen } from "../../app/status";
import { toast } from "../../app/toasts";
import { CopyButton } from "./CopyButton";
import { useUpdateEndpoint } from "./queries";
import { absoluteUrl } from "./snippets";
import { EndpointStatus } from "./status";
import type { Endpoint } from "./types";

export function DetailsTab({ endpoint, canEdit }: { endpoint: Endpoint; canEdit: boolean }) {
  return (
    <div className="ep-grid">
      <section className="card" aria-labelledby="ep-facts">
        <h2 id="ep-facts" className="card__title ep-card-title">
          Endpoint
        </h2>
        <dl className="ep-facts">
          <dt>Status</dt>
          <dd>
            <EndpointStatus status={endpoint.status} />
          </dd>
          <dt>Pipeline</dt>
          <dd>
            {endpoint.pipeline !== null && endpoint.pipeline !== undefined ? (
              <Link to={`/pipelines/${endpoint.pipeline}`}>{endpoint.pipeline_name}</Link>
            ) : (
              <span className="muted">deleted</span>
            )}{" "}
            <span className="muted">version {endpoint.pipeline_version}</span>
          </dd>
          <dt>Created</dt>
          <dd title={endpoint.created_at}>
            {formatWhen(endpoint.created_at)} <span className="muted">by {endpoint.created_by ?? "—"}</span>
          </dd>
          <dt>Updated</dt>
          <dd title={endpoint.updated_at}>{formatWhen(endpoint.updated_at)}</dd>
          <dt>Description</dt>
          <dd>{endpoint.description || <span className="muted">—</span>}</dd>
        </dl>
        {canEdit && endpoint.pipeline ? <Redeploy endpoint={endpoint} pipeline={endpoint.pipeline} /> : null}
      </section>

      <section className="card" aria-labelledby="ep-urls">
        <h2 id="ep-urls" className="card__title ep-card-title">
          Addresses
        </h2>
        <UrlRow label="REST scoring URL" hint="Azure ML designer body" url={endpoint.scoring_url} />
        <UrlRow label="Invocations URL" hint="MLflow bodies: dataframe_split, dataframe_records or CSV" url={endpoint.invocations_url} />
        <UrlRow label="Swagger (OpenAPI) URL" hint="The endpoint's own schema, with an example" url={endpoint.swagger_url} open />
      </section>

      <section className="card ep-span" aria-labelledby="ep-inputs">
        <h2 id="ep-inputs" className="card__title ep-card-title">
          Input schema
        </h2>
        {endpoint.inputs.length === 0 ? (
          <p className="muted">This endpoint declares no inputs.</p>
        ) : (
          endpoint.inputs.map((input) => (
            <div key={input.name} className="ep-input">
              <div className="ep-input__name">
                <code>{input.name}</code> <span className="muted">· {input.columns.length} columns, one object per row</span>
              </div>
              <div className="ep-schema">
                <table className="table table--compact" aria-label={`Columns of ${input.name}`}>
                  <thead>
                    <tr>
                      <th>Column</th>
                      <th>Type</th>
                    </tr>
                  </thead>
                  <tbody>
                    {input.columns.map((c) => (
                      <tr key={c.name}>
                        <td>
                          <code>{c.name}</code>
                        </td>
                        <td>
                          <span className="type-badge">{c.type}</span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          ))
        )}
        <h3 className="ep-subtitle">Outputs</h3>
        {endpoint.outputs.length === 0 ? (
          <p className="muted">No Web Service Output.</p>
        ) : (
          <ul className="ep-outputs" aria-label="Outputs">
            {endpoint.outputs.map((o) => (
              <li key={o}>
                <code>{o}</code>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function UrlRow({ label, hint, url, open = false }: { label: string; hint: string; url: string; open?: boolean }) {
  const full = absoluteUrl(url);
  return (
    <div className="ep-url">
      <div className="ep-url__label">
        {label} <span className="muted">· {hint}</span>
      </div>
      <div className="ep-url__row">
        <code className="ep-url__value" data-testid={`url-${label}`}>
          {full}
        </code>
        <CopyButton text={full} what={label} />
        {open && (
          <a className="btn btn--sm" href={full} target="_blank" rel="noreferrer">
            Open
          </a>
        )}
      </div>
    </div>
  );
}

/** Serve another saved version of the pipeline (PATCH pipeline_version). */
function Redeploy({ endpoint, pipeline }: { endpoint: Endpoint; pipeline: number }) {
  const [open, setOpen] = useState(false);
  const [version, setVersion] = useState(endpoint.pipeline_version);
  const update = useUpdateEndpoint(endpoint.id);
  const versions = useQuery({
    queryKey: ["pipeline-versions", pipeline],
    enabled: open,
    queryFn: async () =>
      (
        await unwrap(
          api.GET("/api/pipelines/{id}/versions/", { params: { path: { id: pipeline }, query: { limit: 200 } } }),
          "list the pipeline's versions",
        )
      ).results,
  });
  if (!open) {
    return (
      <button className="link-btn ep-redeploy-open" onClick={() => setOpen(true)}>
        Deploy another version of the pipeline…
      </button>
    );
  }
  return (
    <form
      className="ep-redeploy"
      onSubmit={(e) => {
        e.preventDefault();
        update.mutate(
          { pipeline_version: version },
          {
            onSuccess: (ep) => {
              toast.success(`Now serving version ${ep.pipeline_version} of “${ep.pipeline_name}”.`);
              setOpen(false);
            },
          },
        );
      }}
    >
      <label className="field">
        <span className="field__label">Pipeline version</span>
        <select className="input input--sm" value={version} onChange={(e) => setVersion(Number(e.target.value))} aria-label="Pipeline version">
          {(versions.data ?? [{ number: endpoint.pipeline_version, message: "", created_at: "", base_number: null }]).map((v) => (
            <option key={v.number} value={v.number}>
              v{v.number}
              {v.message ? ` — ${v.message}` : ""}
              {v.number === endpoint.pipeline_version ? " (serving)" : ""}
            </option>
          ))}
        </select>
      </label>
      {versions.isError && <p className="form-error">{messageOf(versions.error)}</p>}
      {update.isError && (
        <p className="form-error" role="alert">
          {messageOf(update.error)}
        </p>
      )}
      <div className="ep-redeploy__actions">
        <button type="button" className="btn btn--sm" onClick={() => setOpen(false)}>
          Cancel
        </button>
        <button type="submit" className="btn btn--sm btn--primary" disabled={update.isPending || version === endpoint.pipeline_version}>
          {update.isPending ? "Deploying…" : `Deploy v${version}`}
        </button>
      </div>
    </form>
  );
}
