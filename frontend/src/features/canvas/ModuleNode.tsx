/**
 * A module on the canvas: inputs on top and outputs at the bottom, left to right in declaration
 * order, one handle per port named after it. The border shows the run status; problems found by
 * the validator are pinned on the card and on the ports at fault. Each node subscribes only to its
 * own status and problems, so a status event re-renders one card.
 */
import { Handle, Position, useUpdateNodeInternals, type NodeProps } from "@xyflow/react";
import { memo, useEffect, useMemo, useRef } from "react";
import type { Module, Port, Problem } from "../../api/types";
import { hasOutputs, statusStyle } from "../../app/status";
import { datasetIcon } from "../datasets/shape";
import { categoryColour, initials } from "../palette/group";
import { datasetIdOf, problemText, withoutNodePrefix, type JsonSchema } from "../params";
import { useRunDialogs } from "../runs/dialogStore";
import { referenceOf } from "../parameters/model";
import { useNodeRun, useRunStatus, type NodeRunState } from "../runs/runStore";
import { moduleKey, portTypeLabel, useCatalogue } from "./catalogueStore";
import { usePortColumns } from "./portColumns";
import type { DesignerNode } from "./document";
import { useNodeProblems } from "./validationStore";
import { NODE_WIDTH } from "./nodeSize";
import { VersionFlag } from "./VersionUpgrade";
import { ComponentIcon } from "../components/ComponentIcon";
import { ComponentUpdateBadge, ComponentVersionLine, useComponentPorts, useComponentRun } from "../components/ComponentCard";
import { useScopedId } from "../components/scopeStore";
import { isComponentEntry, isComponentModule, runOutputPort } from "../components/types";


function ModuleNodeView({ id, data, selected }: NodeProps<DesignerNode>) {
  const module = useCatalogue((s) => s.modules.get(moduleKey(data.module, data.version)));
  const datasetId = useMemo(
    () => (module ? datasetIdOf(module.params_schema as JsonSchema, data.params) : undefined),
    [module, data.params],
  );
  const datasetName = useCatalogue((s) => (datasetId !== undefined ? (s.datasets.get(datasetId)?.name ?? `Dataset #${datasetId}`) : undefined));
  const datasetKind = useCatalogue((s) => (datasetId !== undefined ? s.datasets.get(datasetId)?.latest_version.kind : undefined));
  // The pipeline parameters that drive some of its fields, marked on the card.
  const bound = useMemo(
    () => [...new Set(Object.values(data.params).flatMap((v) => referenceOf(v) ?? []))],
    [data.params],
  );
  usePortsMeasured(id, module);
  const component = isComponentModule(data.module);
  const ownRun = useNodeRun(id);
  // A component node has no run of its own (its inner nodes run): the card shows theirs together.
  const innerRun = useComponentRun(id, component && !ownRun);
  const run = ownRun;
  const fullId = useScopedId(id);
  const runId = useRunStatus((s) => s.run?.id);
  const problems = useNodeProblems(id);
  const status = run?.status ?? innerRun?.status;
  const style = statusStyle(status);
  const colour = module ? categoryColour(module.category) : "#98a2b3";
  const title = datasetName ?? module?.name ?? `${data.module} v${data.version}`;
  // A port is at fault when the problem is about the port itself (e.g. not connected), not a parameter.
  const problemPorts = useMemo(() => new Set(problems.filter((p) => !p.param).map((p) => p.port).filter(Boolean)), [problems]);

  const classes = ["mnode"];
  // "nopan": the canvas's zoom must not take a double-click on it (read-only canvases zoom on double-click),
  // which opens the component.
  if (component) classes.push("mnode--component", "nopan");
  if (selected) classes.push("mnode--selected");
  if (status) classes.push(`mnode--${status}`);
  if (problems.length) classes.push("mnode--problem");
  if (!module) classes.push("mnode--unknown");

  return (
    <div
      className={classes.join(" ")}
      style={{ width: NODE_WIDTH, ["--node-accent" as string]: colour, ["--status-colour" as string]: status ? style.colour : undefined }}
      data-testid="node"
      data-node-id={id}
      data-module={data.module}
      data-status={status ?? "idle"}
      data-problems={problems.length}
      data-version={component ? data.version : undefined}
      title={component ? "Double-click to open the component" : undefined}
    >
      {module && <Ports module={module} kind="in" problemPorts={problemPorts} nodeId={id} runNodeId={fullId} run={run} runId={runId} />}
      <div className="mnode__body">
        <span className="mnode__icon" aria-hidden>
          {component ? <ComponentIcon size={18} /> : datasetName ? datasetIcon(datasetKind) : initials(module?.name ?? data.module)}
        </span>
        <div className="mnode__text">
          <div className="mnode__title" title={title}>
            {title}
          </div>
          <StatusLine
            nodeId={id}
            runNodeId={fullId}
            link={data.link}
            title={title}
            sub={datasetName ? (module?.name ?? "Dataset") : (module?.category ?? "Not in the catalogue")}
            module={module}
            problems={problems}
            run={run}
            runId={runId}
            moduleId={data.module}
            version={data.version}
          />
          {bound.length > 0 && (
            <div className="mnode__bound" title="Fields set by pipeline parameters" data-testid="node-parameters">
              ⚙ {bound.join(", ")}
            </div>
          )}
          {status === "running" && (
            <div className="mnode__progress" role="progressbar" aria-valuenow={Math.round((run?.progress ?? innerRun?.progress ?? 0) * 100)} title={run?.message || undefined}>
              <span style={{ width: `${Math.max(4, Math.round((run?.progress ?? innerRun?.progress ?? 0) * 100))}%` }} />
            </div>
          )}
        </div>
        {status && <StatusMark status={status} progress={run?.progress ?? innerRun?.progress ?? 0} />}
      </div>
      {module && <Ports module={module} kind="out" problemPorts={problemPorts} nodeId={id} runNodeId={fullId} run={run} runId={runId} />}
      {component && <ComponentUpdateBadge nodeId={id} module={data.module} version={data.version} link={data.link} />}
      {data.comment && (
        <div className="mnode__comment" title={data.comment}>
          {data.comment}
        </div>
      )}
    </div>
  );
}

/**
 * A card whose ports change after it was drawn (its module reached the catalogue late, as a component
 * does when it has just been created, or a version with other ports): React Flow measures handles only
 * when a node resizes, so it is told to measure again, else edges to the new ports would not be drawn.
 * Not on the first render: a pipeline of 500 modules is measured once, as before.
 */
function usePortsMeasured(id: string, module: Module | undefined) {
  const update = useUpdateNodeInternals();
  const key = module ? `${module.inputs.map((p) => p.name).join(",")}|${module.outputs.map((p) => p.name).join(",")}` : "";
  const drawn = useRef(key);
  useEffect(() => {
    if (drawn.current === key) return;
    drawn.current = key;
    update(id);
  }, [id, key, update]);
}

function StatusMark({ status, progress }: { status: string; progress: number }) {
  const style = statusStyle(status);
  if (status === "running") {
    return (
      <span className="mnode__status mnode__status--running" title={`Running ${Math.round(progress * 100)}%`}>
        <span className="spinner spinner--sm" aria-hidden />
        <span className="visually-hidden">{style.label}</span>
      </span>
    );
  }
  return (
    <span className={`mnode__status mnode__status--${status}`} title={style.label} aria-label={style.label}>
      {style.symbol}
    </span>
  );
}

interface StatusLineProps {
  nodeId: string;
  /** The id runs know it by (`outer/inner` inside an open component). */
  runNodeId: string;
  link: "latest" | "pinned" | undefined;
  title: string;
  sub: string;
  module: Module | undefined;
  problems: readonly Problem[];
  run: NodeRunState | undefined;
  runId: number | undefined;
  moduleId: string;
  version: number;
}

/**
 * The card's second line: what is wrong or happening, else the module's category. One line that never
 * wraps, in place of the category, so a failure, a problem or progress never makes the card taller: a
 * taller card would cover the input ports of the module below it (the full text is in the tooltip and
 * the panel).
 */
function StatusLine({ nodeId, runNodeId, link, title, sub, module, problems, run, runId, moduleId, version }: StatusLineProps) {
  const openLog = useRunDialogs((s) => s.openLog);
  if (run?.status === "failed" && runId !== undefined) {
    const message = run.error?.message ? withoutNodePrefix(run.error.message) : "This module failed.";
    return (
      <div className="mnode__sub mnode__error" title={message} role="note">
        <span className="mnode__error-text">{message}</span>
        <button
          type="button"
          className="link-btn nodrag"
          onClick={(e) => {
            e.stopPropagation();
            openLog({ runId, nodeId: runNodeId, title: `Log of ${title}` });
          }}
        >
          View log
        </button>
      </div>
    );
  }
  if (run?.status === "running" && run.message) {
    return (
      <div className="mnode__sub mnode__progress-text" data-testid="node-progress" title={run.message}>
        {run.message}
      </div>
    );
  }
  if (!module) {
    return (
      <div className="mnode__sub mnode__problem" role="note" title="Delete the node or install the module on the server.">
        Not in the catalogue
      </div>
    );
  }
  if (problems.length) {
    const first = problems[0] as Problem;
    const schema = module.params_schema as JsonSchema | undefined;
    return (
      <div className="mnode__sub mnode__problem" title={problems.map((p) => problemText(p, schema)).join("\n")} role="note">
        <span aria-hidden>⚠</span> {problems.length > 1 && <span className="mnode__more">{problems.length} · </span>}
        {problemText(first, schema)}
      </div>
    );
  }
  if (isComponentModule(moduleId)) {
    const kind = isComponentEntry(module) ? module.component.kind : undefined;
    return <ComponentVersionLine version={version} link={link} kind={kind} />;
  }
  // a node saved with an older module version says so in place of the category: "v1 · upgrade to v2"
  return (
    <VersionFlag nodeId={nodeId} module={moduleId} version={version} fallback={<div className="mnode__sub">{sub}</div>} />
  );
}

interface PortsProps {
  module: Module;
  kind: "in" | "out";
  problemPorts: Set<string | null>;
  nodeId: string;
  runNodeId: string;
  run: NodeRunState | undefined;
  runId: number | undefined;
}

const Ports = memo(function Ports({ module, kind, problemPorts, nodeId, runNodeId, run, runId }: PortsProps) {
  const portTypes = useCatalogue((s) => s.portTypes);
  const openInspector = useRunDialogs((s) => s.openInspector);
  const columns = usePortColumns(nodeId, kind);
  const own = useComponentPorts(nodeId, kind); // inside an open component: the ports that are the component's
  const ports: Port[] = kind === "in" ? module.inputs : module.outputs;
  if (!ports.length) return null;
  const inspectable = kind === "out" && runId !== undefined && hasOutputs(run?.status);
  return (
    <div className={`mnode__ports mnode__ports--${kind}`}>
      {ports.map((p, i) => {
        const left = `${((i + 0.5) / ports.length) * 100}%`;
        // The label fills its slot (less 4 px a side) and centres its text: the same place as centring it on `left`.
        const slot = 100 / ports.length;
        const typeLabel = portTypeLabel(portTypes, p.type);
        const flowing = columns[p.name];
        const bound = own[p.name];
        const role = bound === undefined ? "" : `\nThe component's ${kind === "in" ? "input" : "output"} “${bound}”`;
        const tip = `${p.label} · ${typeLabel}${p.optional ? " (optional)" : ""}${inspectable ? " — click to inspect" : ""}${role}${flowing ? `\n${flowing}` : ""}`;
        const classes = ["port", `port--${kind}`, `port-type--${p.type}`];
        if (problemPorts.has(p.name)) classes.push("port--problem");
        if (inspectable) classes.push("port--inspectable");
        return (
          <div key={p.name}>
            <Handle
              id={p.name}
              type={kind === "in" ? "target" : "source"}
              position={kind === "in" ? Position.Top : Position.Bottom}
              className={classes.join(" ")}
              style={{ left }}
              data-port={p.name}
              data-tip={tip}
              aria-label={tip}
              onClick={
                inspectable
                  ? (e) => {
                      e.stopPropagation();
                      openInspector({
                        runId: runId as number,
                        nodeId: runNodeId,
                        port: runOutputPort(module, p.name),
                        portType: p.type,
                        title: `${module.name} · ${p.label}`,
                      });
                    }
                  : undefined
              }
            />
            <span
              className={`mnode__portlabel mnode__portlabel--${kind}${problemPorts.has(p.name) ? " mnode__portlabel--problem" : ""}`}
              style={{ left: `calc(${i * slot}% + 4px)`, width: `calc(${slot}% - 8px)` }}
              title={tip}
            >
              {p.label}
            </span>
            {bound !== undefined && (
              <span className={`cport cport--${kind}`} style={{ left: `calc(${i * slot}% + 4px)`, width: `calc(${slot}% - 8px)` }} data-testid="component-port">
                ⇣ {bound}
              </span>
            )}
          </div>
        );
      })}
    </div>
  );
});

/**
 * Re-rendered only for what the card shows: React Flow also passes the node's measured size, absolute
 * position, z-index and drag state, which change for every node once they are measured (and for a
 * dragged node on every move) but change nothing on the card.
 */
export const ModuleNode = memo(
  ModuleNodeView,
  (a, b) => a.id === b.id && a.data === b.data && a.selected === b.selected && a.type === b.type,
);
