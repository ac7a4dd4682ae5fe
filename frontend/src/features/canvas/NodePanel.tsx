/**
 * The right-hand panel: the selected node's parameters (a form generated from its schema), its
 * comment and cache setting, and its outputs and log once it has run. Any field can be promoted to a
 * pipeline parameter, and a bound one shows the parameter instead of its input. With nothing selected
 * it shows the pipeline's problems and parameters; with several nodes selected, what can be done.
 */
import { useReactFlow } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Module, Problem } from "../../api/types";
import { formatDuration, hasOutputs } from "../../app/status";
import { StatusPill } from "../../app/StatusPill";
import { categoryColour, initials } from "../palette/group";
import { datasetShape } from "../datasets/shape";
import {
  datasetIdOf,
  datasetKindOf,
  ParamForm,
  problemText,
  withoutNodePrefix,
  type DatasetOption,
  type FieldBinding,
  type FieldSpec,
  type JsonSchema,
} from "../params";
import {
  BoundChip,
  declarationsOf,
  FieldActions,
  ParameterDialog,
  ParametersPanel,
  referenceOf,
  suggestName,
  typeForField,
} from "../parameters";
import { useRunDialogs } from "../runs/dialogStore";
import { useNodeRun, useRunStatus } from "../runs/runStore";
import { describeSpread } from "../runs/spread";
import { ModuleDoc } from "./ModuleDoc";
import { ComputeField, RanOn } from "./ComputeChoice";
import { moduleKey, portTypeLabel, useCatalogue } from "./catalogueStore";
import type { ModuleNodeData } from "./document";
import { useGraph } from "./graphStore";
import { AUTOML_MODULES, AutomlLeaderboard } from "./AutomlLeaderboard";
import { TRAINING_MODULES, TrainingCurve } from "./TrainingCurve";
import { hasLogged, LOGGING_MODULES, LoggedLive } from "../runlog";
import { usePanel, type PanelTab as Tab } from "./panelStore";
import { useNodeProblems, useValidation } from "./validationStore";
import { scopedId, useScope, useScopedId } from "../components/scopeStore";
import { ComponentRunSummary } from "../components/ComponentRunSummary";
import { isComponentModule, runOutputPort } from "../components/types";
import { useComponentDialogs } from "../components/dialogStore";
import { ComponentPanelActions } from "../components/ComponentPanelActions";
import { outerSourceOf } from "../components/editor";
import { ComponentOverview } from "../components/ComponentOverview";
import { ComponentIcon } from "../components/ComponentIcon";
import { nodeUrlPath } from "../../api/nodePath";
import { useCurrentWorkspace } from "../../app/workspaceStore";
import { choicesOf, useEnvironments } from "../environments";

export function NodePanel({ readOnly }: { readOnly: boolean }) {
  // A string, so that moving a node does not re-render the panel.
  const ids = useGraph((s) => s.nodes.filter((n) => n.selected).map((n) => n.id).join(","));
  // In a store, so the canvas's context menu can open "Outputs + logs" or the comment field.
  const tab = usePanel((s) => s.tab);
  const setTab = usePanel((s) => s.setTab);
  useEffect(() => {
    usePanel.getState().setTab(readOnly ? "outputs" : "params");
  }, [readOnly]);
  const selected = ids ? ids.split(",") : [];
  const inside = useScope((s) => s.frames.length > 0);
  if (selected.length === 1) {
    const id = selected[0] as string;
    return <SingleNode key={id} id={id} readOnly={readOnly} tab={tab} setTab={setTab} />;
  }
  if (selected.length > 1) return <ManyNodes count={selected.length} readOnly={readOnly} />;
  if (inside) return <ComponentOverview />;
  return <PipelineOverview readOnly={readOnly} />;
}

interface NodeRef {
  id: string;
  data: ModuleNodeData;
}

function SingleNode({ id, readOnly, tab, setTab }: { id: string; readOnly: boolean; tab: Tab; setTab(t: Tab): void }) {
  const data = useGraph((s) => s.nodes.find((n) => n.id === id)?.data);
  const module = useCatalogue((s) => (data ? s.modules.get(moduleKey(data.module, data.version)) : undefined));
  const run = useNodeRun(id);
  if (!data) return null;
  const node: NodeRef = { id, data };
  if (!module) {
    return (
      <aside className="panel" aria-label="Module">
        <div className="panel__section">
          <h2 className="panel__title">Unknown module</h2>
          <p className="muted">
            “{node.data.module}” version {node.data.version} is not in this server's catalogue. Delete the node or
            install the module on the server.
          </p>
        </div>
      </aside>
    );
  }
  return (
    <aside className="panel" aria-label={`${module.name} settings`} data-node-id={node.id}>
      <header className="panel__head">
        {isComponentModule(module.id) ? (
          <span className="panel__icon panel__icon--component" aria-hidden>
            <ComponentIcon size={18} />
          </span>
        ) : (
          <span className="panel__icon" style={{ background: categoryColour(module.category) }} aria-hidden>
            {initials(module.name)}
          </span>
        )}
        <div className="panel__head-text">
          <h2 className="panel__title">{module.name}</h2>
          <div className="panel__subtitle">
            {module.category} · v{module.version}
          </div>
        </div>
        {run && <StatusPill status={run.status} progress={run.progress} />}
      </header>
      {isComponentModule(data.module) && <ComponentPanelActions nodeId={id} readOnly={readOnly} />}
      <div className="tabs" role="tablist">
        <button role="tab" aria-selected={tab === "params"} className="tab" onClick={() => setTab("params")}>
          Parameters
        </button>
        <button role="tab" aria-selected={tab === "outputs"} className="tab" onClick={() => setTab("outputs")}>
          Outputs + logs
        </button>
      </div>
      <div className="panel__scroll">
        {tab === "params" ? <ParamsTab node={node} module={module} readOnly={readOnly} /> : <OutputsTab node={node} module={module} />}
      </div>
    </aside>
  );
}

function ParamsTab({ node, module, readOnly }: { node: NodeRef; module: Module; readOnly: boolean }) {
  const update = useGraph((s) => s.updateNodeData);
  const removeNodes = useGraph((s) => s.removeNodes);
  const problems = useNodeProblems(node.id);
  const schemas = useValidation((s) => s.schemas);
  const frames = useScope((s) => s.frames);
  const edges = useGraph((s) => s.edges);
  const datasets = useCatalogue((s) => s.datasets);
  const computeTargets = useCatalogue((s) => s.computeTargets);
  const [showDoc, setShowDoc] = useState(false);
  const binding = useParameterBinding(node, module, readOnly);

  // Only the datasets this module reads (tables for Dataset, zips for File Dataset), plus the one it names now.
  const schema = module.params_schema as JsonSchema;
  const kind = datasetKindOf(schema);
  const chosen = datasetIdOf(schema, node.data.params);
  const datasetOptions: DatasetOption[] = useMemo(
    () =>
      [...datasets.values()]
        .filter((d) => (d.latest_version.kind ?? "table") === kind || d.id === chosen)
        .map((d) => ({ id: d.id, name: d.name, detail: datasetShape(d) })),
    [datasets, kind, chosen],
  );

  // The workspace's environment versions, fetched only for modules with an Environment parameter.
  const workspace = useCurrentWorkspace((s) => s.current);
  const runsScripts = Boolean((schema.properties as Record<string, JsonSchema> | undefined)?.environment?.["x-tessera-widget"] === "environment");
  const environments = useEnvironments(workspace, runsScripts);
  const environmentOptions = useMemo(() => (environments.data ? choicesOf(environments.data) : undefined), [environments.data]);

  const columnsFor = useCallback(
    (port: string) => {
      const edge = edges.find((e) => e.target === node.id && e.targetHandle === port);
      if (!edge?.sourceHandle) {
        // Inside a component: an input fed from the pipeline, through the component's input.
        const outer = frames.length ? outerSourceOf(node.id, port) : null;
        return outer ? schemas[outer.node]?.[outer.port]?.columns : undefined;
      }
      return schemas[scopedId(frames, edge.source)]?.[edge.sourceHandle]?.columns;
    },
    [edges, schemas, node.id, frames],
  );

  const onChange = useCallback(
    (name: string, value: unknown) => {
      const params = { ...node.data.params };
      if (value === undefined) delete params[name];
      else params[name] = value;
      update(node.id, { params }, `param:${name}`);
    },
    [node.id, node.data.params, update],
  );

  const portProblems = problems.filter((p) => p.port && !p.param);
  const otherProblems = problems.filter((p) => !p.port && !p.param);

  return (
    <>
      <div className="panel__section">
        <ModuleDoc className={`panel__desc${showDoc ? " panel__desc--open" : ""}`} text={module.description} />
        {module.description.length > 140 && (
          <button className="link-btn" onClick={() => setShowDoc(!showDoc)}>
            {showDoc ? "Show less" : "Show more"}
          </button>
        )}
      </div>
      {(portProblems.length > 0 || otherProblems.length > 0) && (
        <div className="panel__section">
          <ul className="problems" aria-label="Problems with this module">
            {[...portProblems, ...otherProblems].map((p, i) => (
              <li key={i} className="problem">
                <span className="problem__icon" aria-hidden>
                  ⚠
                </span>
                <span>{problemText(p, module.params_schema as JsonSchema)}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="panel__section">
        <h3 className="panel__label">Parameters</h3>
        <ParamForm
          key={node.id}
          schema={module.params_schema as JsonSchema}
          values={node.data.params}
          onChange={onChange}
          columnsFor={columnsFor}
          datasets={datasetOptions}
          environments={environmentOptions}
          problems={problems}
          readOnly={readOnly}
          binding={binding.form}
        />
        {binding.dialog}
      </div>
      <div className="panel__section">
        <h3 className="panel__label">Node</h3>
        <div className="field">
          <label className="field__label" htmlFor={`comment-${node.id}`}>
            Comment
          </label>
          <CommentField id={node.id} readOnly={readOnly} value={node.data.comment} onChange={(comment) => update(node.id, { comment }, "comment")} />
        </div>
        <label className="check">
          <input
            type="checkbox"
            disabled={readOnly}
            checked={node.data.regenerate}
            onChange={(e) => update(node.id, { regenerate: e.target.checked })}
          />
          <span>Regenerate output (run it again even when a cached result exists)</span>
        </label>
        <ComputeField
          id={node.id}
          value={node.data.compute}
          targets={computeTargets}
          // A component's inner nodes run where the component node says; any of them may be partition-parallel.
          partitionParallel={module.partition_parallel || isComponentModule(module.id)}
          readOnly={readOnly}
          onChange={(compute) => update(node.id, { compute })}
        />
        <div className="panel__ports">
          <PortList title="Inputs" ports={module.inputs} />
          <PortList title="Outputs" ports={module.outputs} />
        </div>
        {!readOnly && (
          <button className="btn btn--danger-ghost btn--sm" onClick={() => removeNodes([node.id])}>
            Delete module
          </button>
        )}
      </div>
    </>
  );
}

/** Fields bound to pipeline parameters show a chip; every field can be promoted or bound to one. */
function useParameterBinding(node: NodeRef, module: Module, readOnly: boolean) {
  const raw = useGraph((s) => s.parameters);
  const addParameter = useGraph((s) => s.addParameter);
  const bindField = useGraph((s) => s.bindField);
  const unbindField = useGraph((s) => s.unbindField);
  const selectOnly = useGraph((s) => s.selectOnly);
  const datasets = useCatalogue((s) => s.datasets);
  // Inside an open component there are no pipeline parameters to bind to (it exposes its own instead).
  const inside = useScope((s) => s.frames.length > 0);
  const [promoting, setPromoting] = useState<{ field: FieldSpec; value: unknown } | null>(null);
  const declarations = useMemo(() => declarationsOf(raw), [raw]);
  const params = node.data.params;
  const form: FieldBinding = useMemo(
    () => ({
      boundTo: (field) => referenceOf(params[field]),
      renderBound: (field, name) => (
        <BoundChip
          name={name}
          spec={declarations[name]}
          readOnly={readOnly}
          onUnbind={() => unbindField(node.id, field.name)}
          onShow={() => selectOnly([])}
          datasetName={(id) => datasets.get(id)?.name}
        />
      ),
      renderActions: readOnly || inside
        ? undefined
        : (field, value) => (
            <FieldActions
              field={field}
              parameters={declarations}
              onPromote={() => setPromoting({ field, value })}
              onBind={(name) => bindField(node.id, field.name, name)}
            />
          ),
    }),
    [params, declarations, readOnly, inside, node.id, unbindField, bindField, selectOnly, datasets],
  );
  const dialog = promoting && (
    <ParameterDialog
      field={promoting.field}
      moduleName={module.name}
      initial={{
        name: suggestName(promoting.field.name, Object.keys(raw)),
        type: typeForField(promoting.field),
        default: promoting.value === null ? undefined : structuredClone(promoting.value),
        description: promoting.field.description ?? "",
      }}
      taken={Object.keys(raw)}
      onCancel={() => setPromoting(null)}
      onSave={({ name, spec }) => {
        addParameter(name, spec, { node: node.id, field: promoting.field.name });
        setPromoting(null);
      }}
    />
  );
  return { form, dialog };
}

function PortList({ title, ports }: { title: string; ports: Module["inputs"] }) {
  const types = useCatalogue((s) => s.portTypes);
  if (!ports.length) return null;
  return (
    <div className="portlist">
      <div className="portlist__title">{title}</div>
      {ports.map((p) => (
        <div key={p.name} className="portlist__row">
          <span className={`port-dot port-type--${p.type}`} aria-hidden />
          <span className="portlist__name">{p.label}</span>
          <span className="type-badge">{portTypeLabel(types, p.type)}</span>
          {p.optional && <span className="muted"> optional</span>}
        </div>
      ))}
    </div>
  );
}

function OutputsTab({ node, module }: { node: NodeRef; module: Module }) {
  const run = useNodeRun(node.id);
  const runId = useRunStatus((s) => s.run?.id);
  const types = useCatalogue((s) => s.portTypes);
  const openInspector = useRunDialogs((s) => s.openInspector);
  const openLog = useRunDialogs((s) => s.openLog);
  // Runs name the nodes inside an open component `outer/inner`.
  const full = useScopedId(node.id);
  if (!run && runId !== undefined && isComponentModule(node.data.module)) return <ComponentRunSummary nodeId={full} />;
  if (!run || runId === undefined) {
    return (
      <div className="panel__section">
        <p className="muted">
          Nothing to show yet. Submit the pipeline: when this module has finished, its outputs can be inspected here
          or by clicking its output ports on the canvas.
        </p>
      </div>
    );
  }
  const ready = hasOutputs(run.status);
  return (
    <>
      <div className="panel__section">
        <dl className="facts">
          <dt>Status</dt>
          <dd>
            <StatusPill status={run.status} progress={run.progress} />
          </dd>
          {run.elapsed !== null && (
            <>
              <dt>Duration</dt>
              <dd>{formatDuration(run.elapsed)}</dd>
            </>
          )}
          {run.worker && (
            <>
              <dt>Worker</dt>
              <dd><code>{run.worker}</code></dd>
            </>
          )}
          {run.compute && <RanOn where={run.compute} />}
          {run.spread && (
            <>
              <dt>Spread</dt>
              <dd>{describeSpread(run.spread)}</dd>
            </>
          )}
          {run.reason && (
            <>
              <dt>Why</dt>
              <dd>{run.reason.replace(/^(ran|reused): /, "")}</dd>
            </>
          )}
          {run.message && run.status === "running" && (
            <>
              <dt>Progress</dt>
              <dd>{run.message}</dd>
            </>
          )}
        </dl>
        {run.status === "failed" && (
          <div className="callout callout--error" role="alert">
            <div className="callout__title">This module failed</div>
            <div>{run.error?.message ? withoutNodePrefix(run.error.message) : "No error message was recorded."}</div>
          </div>
        )}
      </div>
      {TRAINING_MODULES.has(module.id) && <TrainingCurve runId={runId} nodeId={full} status={run.status} />}
      {AUTOML_MODULES.has(module.id) && (
        <AutomlLeaderboard runId={runId} nodeId={full} status={run.status} streamed={run.live} />
      )}
      {(LOGGING_MODULES.has(module.id) || isComponentModule(module.id) || hasLogged(run.live)) && (
        <LoggedLive runId={runId} nodeId={full} status={run.status} streamed={run.live} />
      )}
      <div className="panel__section">
        <h3 className="panel__label">Outputs</h3>
        <ul className="outputs">
          {module.outputs.map((p) => (
            <li key={p.name} className="outputs__row">
              <span className={`port-dot port-type--${p.type}`} aria-hidden />
              <span className="outputs__name">
                {p.label}
                <span className="type-badge">{portTypeLabel(types, p.type)}</span>
              </span>
              <button
                className="btn btn--sm"
                disabled={!ready}
                title={ready ? "Open the output viewer" : "Available when the module has finished"}
                onClick={() =>
                  openInspector({ runId, nodeId: full, port: runOutputPort(module, p.name), portType: p.type, title: `${module.name} · ${p.label}` })
                }
              >
                Inspect
              </button>
              {ready && (
                <a className="icon-btn" href={`/api/runs/${runId}/nodes/${nodeUrlPath(full)}/outputs/${encodeURIComponent(runOutputPort(module, p.name))}/download/`} title="Download" aria-label={`Download ${p.label}`}>
                  ⤓
                </a>
              )}
            </li>
          ))}
        </ul>
      </div>
      <div className="panel__section">
        <button className="btn btn--sm" onClick={() => openLog({ runId, nodeId: full, title: `Log of ${module.name}` })}>
          View log
        </button>
      </div>
    </>
  );
}

function CommentField({ id, value, readOnly, onChange }: { id: string; value: string; readOnly: boolean; onChange(v: string): void }) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const wanted = usePanel((s) => s.focusComment === id);
  useEffect(() => {
    if (!wanted) return;
    ref.current?.focus();
    ref.current?.scrollIntoView({ block: "nearest" });
    usePanel.getState().commentFocused();
  }, [wanted]);
  return (
    <textarea
      ref={ref}
      id={`comment-${id}`}
      className="input"
      rows={2}
      placeholder="Shown on the canvas under the module"
      disabled={readOnly}
      value={value}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

function ManyNodes({ count, readOnly }: { count: number; readOnly: boolean }) {
  const removeSelected = useGraph((s) => s.removeSelected);
  return (
    <aside className="panel" aria-label="Selection">
      <div className="panel__section">
        <h2 className="panel__title">{count} modules selected</h2>
        <p className="muted">
          Drag any of them to move them together. {readOnly ? "" : "Copy with Ctrl+C and paste with Ctrl+V; Delete removes them."}
        </p>
        {!readOnly && (
          <div className="panel__actions">
            <button
              className="btn btn--primary btn--sm"
              title="Group them into one reusable, versioned node"
              onClick={() =>
                useComponentDialogs.getState().show({ kind: "create", nodeIds: useGraph.getState().nodes.filter((n) => n.selected).map((n) => n.id) })
              }
            >
              Create component…
            </button>
            <button className="btn btn--danger-ghost btn--sm" onClick={removeSelected}>
              Delete {count} modules
            </button>
          </div>
        )}
      </div>
    </aside>
  );
}

function PipelineOverview({ readOnly }: { readOnly: boolean }) {
  const problems = useValidation((s) => s.problems);
  const checked = useValidation((s) => s.checked);
  const count = useGraph((s) => s.nodes.length);
  const selectOnly = useGraph((s) => s.selectOnly);
  const flow = useReactFlow();
  const focus = (p: Problem) => {
    if (!p.node) return;
    selectOnly([p.node]);
    flow.fitView({ nodes: [{ id: p.node }], duration: 300, maxZoom: 1.2, padding: 0.6 });
  };
  return (
    <aside className="panel panel--overview" aria-label="Pipeline">
      <div className="panel__section">
        <h2 className="panel__title">Pipeline</h2>
        <p className="muted">
          {count === 0
            ? "Empty canvas: drag modules from the library to begin."
            : readOnly
              ? "Select a module to see its parameters, outputs and log."
              : "Select a module to edit its parameters. Shift-drag to select several; Ctrl+Z undoes."}
        </p>
      </div>
      {checked && count > 0 && !readOnly && (
        <div className="panel__section">
          <h3 className="panel__label">{problems.length ? `${problems.length} problem${problems.length === 1 ? "" : "s"} to fix` : "Checks"}</h3>
          {problems.length === 0 ? (
            <p className="ok-line">✓ The pipeline is complete and can be submitted.</p>
          ) : (
            <ul className="problems" aria-label="Problems">
              {problems.map((p, i) => (
                <li key={i} className="problem">
                  <span className="problem__icon" aria-hidden>
                    ⚠
                  </span>
                  {p.node ? (
                    <button className="link-btn problem__text" onClick={() => focus(p)}>
                      {p.message}
                    </button>
                  ) : (
                    <span>{p.message}</span>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <ParametersPanel
        readOnly={readOnly}
        onShowNode={(id) => {
          selectOnly([id]);
          flow.fitView({ nodes: [{ id }], duration: 300, maxZoom: 1.2, padding: 0.6 });
        }}
      />
    </aside>
  );
}

