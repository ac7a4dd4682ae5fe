/** The parameters of one published version: type, the default a caller gets, what each one drives. */
import { formatParameterValue } from "../parameters";
import { TYPE_LABELS, type ParameterType } from "../parameters/model";
import type { PublishedVersion } from "./types";

export function ParametersSection({ version, datasetName }: { version: PublishedVersion; datasetName(id: number): string | undefined }) {
  return (
    <section className="card" aria-labelledby="pe-params">
      <h2 id="pe-params" className="card__title ep-card-title">
        Parameters <span className="muted ep-title-note">of version {version.number}</span>
      </h2>
      {version.parameters.length === 0 ? (
        <p className="muted ep-help">This pipeline has no parameters: every run computes the same thing on the newest data.</p>
      ) : (
        <table className="table table--compact" data-testid="pe-parameters">
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>Default</th>
              <th>Drives</th>
            </tr>
          </thead>
          <tbody>
            {version.parameters.map((p) => {
              const changed = p.document_default !== undefined && JSON.stringify(p.document_default) !== JSON.stringify(p.default);
              return (
                <tr key={p.name}>
                  <td>
                    <div className="pe-param-name">{p.name}</div>
                    {p.description && <div className="muted ep-row-desc">{p.description}</div>}
                  </td>
                  <td>{TYPE_LABELS[p.type as ParameterType] ?? p.type}</td>
                  <td className="pe-param-default">
                    {p.required ? <span className="muted">required</span> : formatParameterValue(p.default, datasetName)}
                    {changed && (
                      <div className="muted" title="This published version stores its own default">
                        pipeline: {formatParameterValue(p.document_default, datasetName)}
                      </div>
                    )}
                  </td>
                  <td className="pe-param-binds">
                    {p.bindings.length === 0 ? (
                      <span className="muted">nothing</span>
                    ) : (
                      p.bindings.map((b) => (
                        <div key={`${b.node}.${b.field}`}>
                          {b.module_name ?? b.module} <span className="muted">({b.node})</span> → {b.field_title ?? b.field}
                        </div>
                      ))
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
