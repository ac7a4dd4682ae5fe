/**
 * The designer: palette, canvas and panel for one pipeline. Loads the draft (or the newest
 * version), keeps it autosaved and validated, submits runs and follows them live.
 */
import { useQueryClient } from "@tanstack/react-query";
import { ReactFlowProvider, useReactFlow, type XYPosition } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { ApiError, messageOf } from "../../api/errors";
import { useComputeTargets, useDatasets, useModules, usePipeline, usePortTypes, useRuns } from "../../api/queries";
import type { Module, PipelineDocument, Problem } from "../../api/types";
import { isFinal } from "../../app/status";
import { ErrorState, Loading } from "../../app/States";
import { toast } from "../../app/toasts";
import { useCurrentWorkspace } from "../../app/workspaceStore";
import { usePipelineCollab } from "../collab";
import { declarationsOf, SubmitDialog } from "../parameters";
import { Palette, type PaletteItem } from "../palette";
import { attachRun, submitRun, useCancelRun } from "../runs/actions";
import { RunDialogs } from "../runs/RunDialogs";
import { useLastRun } from "../runs/lastRun";
import { InferenceNotes } from "../runs/inference";
import { useRunStatus } from "../runs/runStore";
import { useRunSocket } from "../runs/useRunSocket";
import { Canvas } from "./Canvas";
import { datasetModulesByKind, nodeForDataset } from "./datasetModules";
import { useCatalogue } from "./catalogueStore";
import { useGraph } from "./graphStore";
import { NodePanel } from "./NodePanel";
import { StaleVersionError } from "../versions/staleVersion";
import { SaveVersionDialog, saveVersion } from "./SaveVersionDialog";
import { useSession } from "./sessionStore";
import { DesignerToolbar } from "./Toolbar";
import { flushDraft, pipelineDocument, useDraftSync, useValidationSync } from "./useDraftSync";
import { useValidation } from "./validationStore";
import { UpgradeDialog } from "./VersionUpgrade";
import { estimateNodeSize, NODE_WIDTH, titleMeasurer } from "./nodeSize";
import { arrangeAll } from "./actions";
import { downstreamOf } from "./canvasMenu";
import { DEFAULT_HEIGHT, footprint, freeSpot, overlapping } from "./placement";
import "./canvas.css";
import { VersionsPanelHost } from "../versions";
import { ComponentBreadcrumb, ComponentDialogs, isComponentModule, openNewScriptComponent, resetEditor, useComponentCatalogue } from "../components";

const NO_MODULES: readonly Module[] = [];

export function DesignerPage() {
  const pipelineId = Number(useParams().pipelineId);
  return (
    <ReactFlowProvider>
      <Designer key={pipelineId} pipelineId={pipelineId} />
    </ReactFlowProvider>
  );
}

/** Keep the catalogue store in step with the queries that feed it. */
export function useCatalogueSync(workspace: number | undefined) {
  const modules = useModules();
  const portTypes = usePortTypes();
  const datasets = useDatasets(workspace);
  const components = useComponentCatalogue(workspace);
  const computeTargets = useComputeTargets();
  useEffect(() => {
    if (computeTargets.data) useCatalogue.getState().setComputeTargets(computeTargets.data);
  }, [computeTargets.data]);
  useEffect(() => {
    if (modules.data) useCatalogue.getState().setModules(modules.data);
  }, [modules.data]);
  useEffect(() => {
    if (components.data) useCatalogue.getState().setComponents(components.data);
  }, [components.data]);
  useEffect(() => {
    if (portTypes.data) useCatalogue.getState().setPortTypes(portTypes.data);
  }, [portTypes.data]);
  useEffect(() => {
    if (datasets.data) useCatalogue.getState().setDatasets(datasets.data);
  }, [datasets.data]);
  return { modules, portTypes, datasets, components };
}

function Designer({ pipelineId }: { pipelineId: number }) {
  const pipeline = usePipeline(pipelineId);
  const workspace = pipeline.data?.workspace;
  const { modules, portTypes, datasets, components } = useCatalogueSync(workspace);
  const setWorkspace = useCurrentWorkspace((s) => s.setCurrent);
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const runId = useRunStatus((s) => s.run?.id ?? null);
  const runStatus = useRunStatus((s) => s.run?.status);
  const latestRuns = useRuns({ pipeline: pipelineId }, 1);
  const attachedLatest = useRef(false);

  useEffect(() => {
    if (workspace) setWorkspace(workspace);
  }, [workspace, setWorkspace]);

  // Load the draft once, before anything is autosaved.
  useEffect(() => {
    let cancelled = false;
    useRunStatus.getState().clear();
    useLastRun.getState().clear();
    useValidation.getState().reset();
    unwrap(api.GET("/api/pipelines/{id}/draft/", { params: { path: { id: pipelineId } } }), "open the pipeline")
      .then((draft) => {
        if (cancelled) return;
        useGraph.getState().load(draft.document as PipelineDocument);
        useSession.getState().start(pipelineId, draft.base_version, draft.unsaved);
        setLoaded(true);
      })
      .catch((e) => !cancelled && setLoadError(messageOf(e)));
    return () => {
      cancelled = true;
      useRunStatus.getState().clear();
      useLastRun.getState().clear();
    };
  }, [pipelineId]);

  // The pipeline's latest run (of any version) when the page opens: its node statuses and outputs stay on
  // the canvas, followed live while it is still going.
  useEffect(() => {
    const latest = latestRuns.data?.[0];
    if (attachedLatest.current || !latest || !loaded) return;
    attachedLatest.current = true;
    if (useRunStatus.getState().run === null) {
      unwrap(api.GET("/api/runs/{id}/", { params: { path: { id: String(latest.id) } } }))
        .then((run) => {
          if (useRunStatus.getState().run !== null) return;
          attachRun(run);
          useLastRun.getState().set({ id: run.id, version: run.version, at: run.finished_at ?? run.created_at });
        })
        .catch(() => undefined);
    }
  }, [latestRuns.data, loaded]);

  const editable = loaded && !loadError;
  // Live co-editing keeps the shared draft from ops; the page saves the draft itself only without it.
  const collab = usePipelineCollab(pipelineId, editable);
  useDraftSync(pipelineId, editable && collab === "off");
  // The canvas can show the result of a check: the joined document (co-editing reloads it), and not
  // competing with the catalogue and the pipeline for the server while the page opens.
  // The workspace's components too: component nodes are sized and drawn with their ports from the start.
  const componentsIn = components.isSuccess || components.isError;
  const shown = editable && collab !== "idle" && collab !== "connecting" && componentsIn && Boolean(pipeline.data && modules.data && portTypes.data);
  // Once the pipeline and the catalogue are in, and before the canvas mounts: size every card up front.
  const [sized, setSized] = useState(false);
  const arrangeOnOpen = useRef(false);
  useEffect(() => {
    if (!shown || sized) return;
    const { modules: byKey, datasets: byId } = useCatalogue.getState();
    const context = { modules: byKey, datasets: byId, textWidth: titleMeasurer(), devicePixelRatio: window.devicePixelRatio || 1 };
    useGraph.getState().presize((node) => estimateNodeSize(node, context));
    // A document with nodes that have no place (an imported file) or that cover each other: laid out once open.
    const { nodes, unplaced } = useGraph.getState();
    arrangeOnOpen.current = unplaced > 0 || overlapping(nodes.map(footprint)).length > 0;
    setSized(true);
  }, [shown, sized]);
  // Validate once the canvas is on screen: checking a large pipeline keeps the server's CPU busy while the
  // browser draws it (a frame's callback, then a task: after that frame is painted).
  const [painted, setPainted] = useState(false);
  useEffect(() => {
    if (!sized || painted) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setPainted(true), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [sized, painted]);
  useValidationSync(pipelineId, shown && painted);
  useRunSocket(runId !== null && runStatus !== undefined && !isFinal(runStatus) ? runId : null);

  if (pipeline.isError) {
    return <ErrorState title="This pipeline cannot be opened" message={messageOf(pipeline.error)} onRetry={() => pipeline.refetch()} />;
  }
  if (loadError) return <ErrorState title="This pipeline cannot be opened" message={loadError} />;
  if (modules.isError || portTypes.isError) {
    return <ErrorState title="The module catalogue could not be loaded" message={messageOf(modules.error ?? portTypes.error)} onRetry={() => { void modules.refetch(); void portTypes.refetch(); }} />;
  }
  if (!loaded || !pipeline.data || !modules.data || !portTypes.data) return <Loading label="Opening the pipeline…" />;
  if (collab === "idle" || collab === "connecting") return <Loading label="Joining the pipeline…" />;
  if (!sized) return <Loading label="Opening the pipeline…" />;

  return (
    <DesignerLayout
      pipelineId={pipelineId}
      name={pipeline.data.name}
      workspace={pipeline.data.workspace}
      modules={modules.data}
      components={components.data ?? NO_MODULES}
      datasets={datasets.data ?? []}
      arrangeOnOpen={arrangeOnOpen.current}
    />
  );
}

interface LayoutProps {
  pipelineId: number;
  name: string;
  workspace: number;
  modules: NonNullable<ReturnType<typeof useModules>["data"]>;
  /** The workspace's components, module-shaped (every version). */
  components: readonly Module[];
  datasets: NonNullable<ReturnType<typeof useDatasets>["data"]>;
  arrangeOnOpen: boolean;
}

function DesignerLayout({ pipelineId, name, workspace, modules, components, datasets, arrangeOnOpen }: LayoutProps) {
  const flow = useReactFlow();
  const navigate = useNavigate();
  const client = useQueryClient();
  const addNode = useGraph((s) => s.addNode);
  const readOnly = useGraph((s) => s.readOnly); // a viewer in live co-editing
  const [saveOpen, setSaveOpen] = useState(false);
  const [conflict, setConflict] = useState<StaleVersionError | null>(null);
  const [submitting, setSubmitting] = useState(false);
  // Open while choosing parameter values: what the server said about the last values tried.
  const [valueProblems, setValueProblems] = useState<Problem[] | null>(null);
  const rawParameters = useGraph((s) => s.parameters);
  const declarations = useMemo(() => declarationsOf(rawParameters), [rawParameters]);
  const cancel = useCancelRun();

  const arranged = useRef(false);
  useEffect(() => {
    if (!arrangeOnOpen || arranged.current) return;
    arranged.current = true;
    arrangeAll(flow).catch((error) => toast.error(`Could not arrange the pipeline: ${messageOf(error)}`));
  }, [arrangeOnOpen, flow]);

  // The palette lists the workspace's components with the modules (script components in their own category).
  const paletteModules = useMemo(() => [...modules, ...components], [modules, components]);
  useEffect(() => () => resetEditor(), []);

  // The module a dragged dataset becomes: Dataset for a table, File Dataset for a zip.
  const datasetModules = useMemo(() => datasetModulesByKind(modules), [modules]);
  const datasetModuleList = useMemo(() => [...datasetModules.values()], [datasetModules]);

  const place = useCallback(
    (item: PaletteItem, position?: XYPosition) => {
      if (useGraph.getState().readOnly) return;
      let at = position;
      if (!at) {
        const box = document.querySelector(".canvas")?.getBoundingClientRect();
        const centre = box ? { x: box.left + box.width / 2, y: box.top + box.height / 3 } : { x: 400, y: 200 };
        const p = flow.screenToFlowPosition(centre);
        // The view's centre, or the free spot nearest to it: never on top of another module.
        const want = { x: Math.round(p.x - NODE_WIDTH / 2), y: Math.round(p.y) };
        at = freeSpot(want, { width: NODE_WIDTH, height: DEFAULT_HEIGHT }, useGraph.getState().nodes.map(footprint));
      }
      if (item.kind === "module") {
        // A component from the palette follows the component: "update available" when a newer version is saved.
        addNode({ id: item.module, version: item.version }, at, {}, isComponentModule(item.module) ? { link: "latest" } : {});
      } else {
        const node = nodeForDataset(datasetModules, datasets, item.datasetId);
        if (node) addNode({ id: node.module.id, version: node.module.version }, at, node.params);
      }
    },
    [addNode, datasetModules, datasets, flow],
  );

  // "Run from here" (the context menu): the nodes the next submit regenerates.
  const regenerate = useRef<string[]>([]);

  /** Check `values` (when the pipeline has parameters), save a version if needed, and submit. */
  const runWith = useCallback(async (values?: Record<string, unknown>) => {
    setSubmitting(true);
    try {
      if (values) {
        const check = await unwrap(
          api.POST("/api/pipelines/{id}/validate/", {
            params: { path: { id: pipelineId } },
            body: { document: pipelineDocument(), parameters: values },
          }),
          "check the parameter values",
        );
        if (check.problems.length) {
          setValueProblems(check.problems);
          return;
        }
      }
      await flushDraft();
      const session = useSession.getState();
      let version = session.baseVersion;
      if (session.unsavedVersion || version === null) {
        version = await saveVersion(pipelineId, "Submitted from the designer", version);
        client.invalidateQueries({ queryKey: ["pipeline", pipelineId] });
      }
      const run = await submitRun(pipelineId, version, regenerate.current, values);
      setValueProblems(null);
      client.invalidateQueries({ queryKey: ["runs"] });
      toast.info(`Run #${run.id} submitted: ${run.nodes.filter((n) => n.status === "reused").length} of ${run.nodes.length} modules reused from earlier runs.`);
    } catch (error) {
      if (error instanceof StaleVersionError) {
        setValueProblems(null);
        setConflict(error);
        setSaveOpen(true);
      } else if (values && error instanceof ApiError && error.problems.length) {
        setValueProblems(error.problems); // refused by the server after all: show it against the values
      } else {
        if (error instanceof ApiError && error.problems.length) useValidation.getState().setProblems(error.problems);
        toast.error(messageOf(error));
      }
    } finally {
      setSubmitting(false);
    }
  }, [client, pipelineId]);

  const submit = useCallback((fromNode?: string) => {
    regenerate.current = fromNode ? downstreamOf(fromNode) : [];
    if (useValidation.getState().problems.length) {
      toast.error("Fix the problems marked on the canvas before submitting.");
      return;
    }
    if (Object.keys(declarationsOf(useGraph.getState().parameters)).length) setValueProblems([]);
    else void runWith();
  }, [runWith]);

  return (
    <div className="designer">
      <DesignerToolbar
        pipelineId={pipelineId}
        name={name}
        workspace={workspace}
        submitting={submitting}
        onSubmit={() => submit()}
        onSave={() => setSaveOpen(true)}
        onCancelRun={(id) => cancel.mutate(id)}
        onOpenRuns={() => navigate(`/pipelines/${pipelineId}/runs`)}
      />
      <InferenceNotes />
      <div className="designer__body">
        <Palette modules={paletteModules} datasets={datasets} datasetModules={datasetModuleList} onAdd={(item) => place(item)} onNewScript={readOnly ? undefined : openNewScriptComponent} />
        <main className="designer__canvas" aria-label="Canvas">
          <ComponentBreadcrumb pipelineName={name} />
          <Canvas readOnly={readOnly} onDropItem={place} onRunFrom={submit} />
        </main>
        <NodePanel readOnly={readOnly} />
      </div>
      {saveOpen && (
        <SaveVersionDialog
          pipelineId={pipelineId}
          initialConflict={conflict}
          onClose={() => {
            setSaveOpen(false);
            setConflict(null);
          }}
        />
      )}
      {valueProblems !== null && (
        <SubmitDialog
          parameters={declarations}
          problems={valueProblems}
          busy={submitting}
          onCancel={() => setValueProblems(null)}
          onSubmit={(values) => void runWith(values)}
        />
      )}
      <RunDialogs />
      <ComponentDialogs />
      <UpgradeDialog />
      <VersionsPanelHost pipelineId={pipelineId} workspace={workspace} />
    </div>
  );
}
