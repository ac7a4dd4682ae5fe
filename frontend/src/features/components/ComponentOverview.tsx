/** The panel while a component is open and nothing is selected: what the component is and its interface. */
import { moduleKey, useCatalogue } from "../canvas/catalogueStore";
import { useGraph } from "../canvas/graphStore";
import { fieldsOf, type JsonSchema } from "../params";
import { useComponentEditor } from "./editor";
import { ComponentIcon } from "./ComponentIcon";

export function ComponentOverview() {
  const top = useComponentEditor((s) => s.frames.at(-1));
  const nodes = useGraph((s) => s.nodes);
  const modules = useCatalogue((s) => s.modules);
  const readOnly = useGraph((s) => s.readOnly);
  if (!top) return null;
  const doc = top.document;
  // "Split Data · Dataset": the inner node's module and the port or parameter, as the cards say them.
  const at = (nodeId: string, name: string) => {
    const node = nodes.find((n) => n.id === nodeId);
    const module = node ? modules.get(moduleKey(node.data.module, node.data.version)) : undefined;
    const port = [...(module?.inputs ?? []), ...(module?.outputs ?? [])].find((p) => p.name === name);
    const field = module ? fieldsOf(module.params_schema as JsonSchema).find((f) => f.name === name) : undefined;
    return `${module?.name ?? nodeId} · ${port?.label ?? field?.title ?? name}`;
  };
  return (
    <aside className="panel" aria-label="Component" data-testid="component-overview">
      <header className="panel__head">
        <span className="panel__icon panel__icon--component" aria-hidden>
          <ComponentIcon size={18} />
        </span>
        <div className="panel__head-text">
          <h2 className="panel__title">{top.title}</h2>
          <div className="panel__subtitle">Component · v{top.version}</div>
        </div>
      </header>
      <div className="panel__scroll">
        <div className="panel__section">
          <p className="muted cpanel__version">
            {readOnly ? (
              "Its inner graph, as it ran: select a module for its status, outputs and log. The breadcrumb goes back."
            ) : (
              <>
                Its inner graph. Edits here become a new version with <strong>Save version…</strong>; the breadcrumb goes back.
              </>
            )}
          </p>
        </div>
        <Interface title="Inputs" rows={doc.inputs.map((i) => [i.name, i.targets.map((t) => at(t.node, t.port)).join(", ")])} />
        <Interface title="Outputs" rows={doc.outputs.map((o) => [o.name, at(o.source.node, o.source.port)])} />
        <Interface
          title="Exposed parameters"
          rows={doc.parameters.map((p) => [p.name, p.targets.map((t) => at(t.node, t.param)).join(", ")])}
          empty="None: every inner value is fixed."
        />
      </div>
    </aside>
  );
}

function Interface({ title, rows, empty = "None." }: { title: string; rows: [string, string][]; empty?: string }) {
  return (
    <div className="panel__section">
      <h3 className="panel__label">{title}</h3>
      {rows.length === 0 && <p className="muted cpanel__version">{empty}</p>}
      <dl className="cinterface">
        {rows.map(([name, where]) => (
          <div key={name} className="cinterface__row">
            <dt>
              <code>{name}</code>
            </dt>
            <dd>{where}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
