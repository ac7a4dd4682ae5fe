/**
 * A diff as a readable list: nodes added, removed and changed (each parameter old → new), edges
 * rewired, pipeline parameters, and the layout-only changes folded away under one line.
 */
import type { PipelineDocument } from "../../api/types";
import { describeChange, describeDeclaration, describeLayout, formatValue, paramDefault, paramTitle, summaryText } from "./diffModel";
import { nodeLabel, useModuleIndex } from "./modules";
import type { DiffEdge, PipelineDiff } from "./queries";

interface Props {
  diff: PipelineDiff;
  oldDoc?: PipelineDocument;
  newDoc?: PipelineDocument;
  /** Called when a node's name is clicked, to show it on the canvas. */
  onFocusNode?(id: string): void;
}

export function DiffList({ diff, oldDoc, newDoc, onFocusNode }: Props) {
  const index = useModuleIndex();
  const s = diff.semantic;
  const label = (id: string) => nodeLabel(index, id, [newDoc, oldDoc]);
  const NodeName = ({ id }: { id: string }) => {
    const { name } = label(id);
    return onFocusNode ? (
      <button type="button" className="link-btn diff__node" onClick={() => onFocusNode(id)} title={`Show ${id} on the canvas`}>
        {name} <span className="diff__id">{id}</span>
      </button>
    ) : (
      <span className="diff__node">
        {name} <span className="diff__id">{id}</span>
      </span>
    );
  };
  const edgeText = (e: DiffEdge) => `${label(e.source.node).name}.${e.source.port} → ${label(e.target.node).name}.${e.target.port}`;
  const layout = diff.layout.nodes;
  const reordered = diff.layout.node_order !== null || diff.layout.edge_order !== null;

  return (
    <div className="diff" data-testid="diff-list">
      <p className={`diff__summary${diff.summary.semantic ? "" : " diff__summary--quiet"}`}>{summaryText(diff)}</p>
      {diff.summary.layout_only && <p className="muted diff__note">Runs of these two versions compute the same results: only the canvas changed.</p>}

      {s.nodes_added.length > 0 && (
        <section className="diff__section" aria-label="Nodes added">
          <h3 className="diff__heading">Added</h3>
          <ul>
            {s.nodes_added.map((a) => (
              <li key={a.node.id} className="diff__item diff__item--added" data-node-id={a.node.id}>
                <span className="diff__sign" aria-hidden>+</span>
                <NodeName id={a.node.id} />
                {Object.keys(a.node.params).length > 0 && (
                  <ul className="diff__params">
                    {Object.entries(a.node.params).map(([k, v]) => (
                      <li key={k}>
                        <span className="diff__param">{paramTitle(label(a.node.id).module, k)}</span> = <code>{formatValue(v)}</code>
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}

      {s.nodes_removed.length > 0 && (
        <section className="diff__section" aria-label="Nodes removed">
          <h3 className="diff__heading">Removed</h3>
          <ul>
            {s.nodes_removed.map((n) => (
              <li key={n.id} className="diff__item diff__item--removed" data-node-id={n.id}>
                <span className="diff__sign" aria-hidden>−</span>
                <span className="diff__node">
                  {index.get(n.module, n.version)?.name ?? n.module} <span className="diff__id">{n.id}</span>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}

      {s.nodes_changed.length > 0 && (
        <section className="diff__section" aria-label="Nodes changed">
          <h3 className="diff__heading">Changed</h3>
          <ul>
            {s.nodes_changed.map((c) => {
              const module = label(c.id).module;
              return (
                <li key={c.id} className="diff__item diff__item--changed" data-node-id={c.id}>
                  <span className="diff__sign" aria-hidden>~</span>
                  <NodeName id={c.id} />
                  <ul className="diff__params">
                    {c.module && (
                      <li>
                        <span className="diff__param">module</span> <code>{formatValue(c.module.old)}</code> → <code>{formatValue(c.module.new)}</code>
                      </li>
                    )}
                    {c.version && (
                      <li>
                        <span className="diff__param">module version</span> <code>v{String(c.version.old)}</code> → <code>v{String(c.version.new)}</code>
                      </li>
                    )}
                    {c.regenerate && (
                      <li>
                        <span className="diff__param">regenerate output</span> {c.regenerate.new ? "switched on" : "switched off"}
                      </li>
                    )}
                    {c.params.map((p) => {
                      const { kind, text } = describeChange(p, paramDefault(module, p.name));
                      return (
                        <li key={p.name} className={`diff__change diff__change--${kind}`} data-param={p.name}>
                          <span className="diff__param" title={p.name}>
                            {paramTitle(module, p.name)}
                          </span>
                          : <code>{text}</code>
                        </li>
                      );
                    })}
                  </ul>
                </li>
              );
            })}
          </ul>
        </section>
      )}

      {(s.edges_added.length > 0 || s.edges_removed.length > 0) && (
        <section className="diff__section" aria-label="Edges rewired">
          <h3 className="diff__heading">Connections</h3>
          <ul>
            {s.edges_removed.map((e, i) => (
              <li key={`r${i}`} className="diff__item diff__item--removed">
                <span className="diff__sign" aria-hidden>−</span> {edgeText(e)}
              </li>
            ))}
            {s.edges_added.map((a, i) => (
              <li key={`a${i}`} className="diff__item diff__item--added">
                <span className="diff__sign" aria-hidden>+</span> {edgeText(a.edge)}
              </li>
            ))}
          </ul>
        </section>
      )}

      {s.parameters.length > 0 && (
        <section className="diff__section" aria-label="Pipeline parameters">
          <h3 className="diff__heading">Pipeline parameters</h3>
          <ul>
            {s.parameters.map((p) => {
              const { kind, text } = describeDeclaration(p);
              return (
                <li key={p.name} className={`diff__item diff__item--${kind}`} data-param={p.name}>
                  <span className="diff__param">{p.name}</span>: <code>{text}</code>
                </li>
              );
            })}
          </ul>
        </section>
      )}

      {(layout.length > 0 || reordered) && (
        <details className="diff__section diff__layout">
          <summary>
            Layout only: {layout.length} node{layout.length === 1 ? "" : "s"} moved or restyled{reordered ? ", order changed" : ""}
          </summary>
          <ul>
            {layout.map((l) => (
              <li key={l.node} className="diff__item">
                <NodeName id={l.node} /> <span className="muted">{describeLayout(l.old, l.new)}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
