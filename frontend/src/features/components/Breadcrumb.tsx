/**
 * Where the canvas is, over its top-left corner while a component is open: Pipeline › Component (›
 * inner component…). A crumb goes back to that level; the component shown can be saved as a version.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useReactFlow } from "@xyflow/react";
import { useEffect } from "react";
import { useGraph } from "../canvas/graphStore";
import { leaveTo } from "./actions";
import { useComponentDialogs } from "./dialogStore";
import { useComponentEditor } from "./editor";
import { crumbs, useScope } from "./scopeStore";
import { ComponentIcon } from "./ComponentIcon";
import type { GraphComponentDocument } from "./types";

/** The component's ports and what they reach inside, for the tooltip. */
function portsTitle(doc: GraphComponentDocument): string {
  const lines = [
    ...doc.inputs.map((i) => `In ${i.name} → ${i.targets.map((t) => `${t.node}.${t.port}`).join(", ")}`),
    ...doc.outputs.map((o) => `Out ${o.name} ← ${o.source.node}.${o.source.port}`),
    ...doc.parameters.map((p) => `Parameter ${p.name} → ${p.targets.map((t) => `${t.node}.${t.param}`).join(", ")}`),
  ];
  return lines.join("\n");
}

export function ComponentBreadcrumb({ pipelineName }: { pipelineName: string }) {
  const client = useQueryClient();
  const flow = useReactFlow();
  const frames = useScope((s) => s.frames);
  const top = useComponentEditor((s) => s.frames.at(-1));
  const readOnly = useGraph((s) => s.readOnly);
  const dirty = useGraph((s) => s.revision > s.loadedRevision);
  const show = useComponentDialogs((s) => s.show);

  // A new level on the canvas: show all of it once its nodes are drawn.
  useEffect(() => {
    const timer = setTimeout(() => void flow.fitView({ padding: 0.2, maxZoom: 1.1 }), 60);
    return () => clearTimeout(timer);
  }, [frames.length, flow]);

  if (!frames.length || !top) return null;
  const trail = crumbs(pipelineName, frames);
  return (
    <nav className="cbread" aria-label="Component breadcrumb" data-testid="component-breadcrumb">
      <ol className="cbread__trail">
        {trail.map((c, i) => (
          <li key={c.depth} className="cbread__crumb">
            {i > 0 && (
              <span className="cbread__sep" aria-hidden>
                ›
              </span>
            )}
            {c.current ? (
              <span className="cbread__here" aria-current="location">
                <ComponentIcon size={14} /> {c.label}
              </span>
            ) : (
              <button type="button" className="link-btn cbread__link" onClick={() => void leaveTo(c.depth, client)}>
                {c.depth === 0 ? "‹ " : ""}
                {c.label}
              </button>
            )}
          </li>
        ))}
      </ol>
      <span className="cbread__ports" title={portsTitle(top.document)}>
        {top.document.inputs.length} in · {top.document.outputs.length} out
        {top.document.parameters.length > 0 && ` · ${top.document.parameters.length} exposed`}
      </span>
      <span className="cbread__version" title={`Version ${top.version} of this component`}>
        v{top.version}
      </span>
      {!readOnly && (
        <>
          {dirty && <span className="cbread__dirty">Unsaved changes</span>}
          <button type="button" className="btn btn--sm btn--primary" disabled={!dirty} onClick={() => show({ kind: "save" })}>
            Save version…
          </button>
        </>
      )}
    </nav>
  );
}
