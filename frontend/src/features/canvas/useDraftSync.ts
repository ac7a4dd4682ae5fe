/**
 * Autosave and live validation. Every change to the graph is written to the pipeline's draft a
 * moment after the last edit (no save button; a reload brings it back), and every change that can
 * alter validation is sent to the validator, whose problems and inferred schemas feed the canvas.
 */
import { useEffect } from "react";
import { api, csrfToken, unwrap } from "../../api/client";
import { messageOf } from "../../api/errors";
import type { PipelineDocument } from "../../api/types";
import { useGraph } from "./graphStore";
import { useSession } from "./sessionStore";
import { useValidation } from "./validationStore";
import { insideComponent, outerGraph, scopedId, useScope } from "../components/scopeStore";

const SAVE_DELAY_MS = 600;
const VALIDATE_DELAY_MS = 300;

let pendingSave: (() => Promise<void>) | null = null;

/** Write the draft now if an autosave is waiting (before submitting, leaving, saving a version). */
export async function flushDraft(): Promise<void> {
  const save = pendingSave;
  pendingSave = null;
  if (save) await save();
}

export function useDraftSync(pipelineId: number, enabled: boolean) {
  useEffect(() => {
    if (!enabled) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let saving: Promise<void> = Promise.resolve();

    const save = async () => {
      const { revision } = useGraph.getState();
      const document = pipelineDocument();
      const { baseVersion } = useSession.getState();
      useSession.getState().setSave("saving");
      try {
        await unwrap(
          api.PUT("/api/pipelines/{id}/draft/", {
            params: { path: { id: pipelineId } },
            body: { document, base_version: baseVersion },
          }),
          "save the draft",
        );
        if (useGraph.getState().revision === revision) useSession.getState().setSave("saved");
      } catch (error) {
        useSession.getState().setSave("error", messageOf(error));
      }
    };

    const unsubscribe = useGraph.subscribe((state, previous) => {
      // A component open on the canvas: its edits are saved as a component version, not into the draft.
      if (insideComponent()) return;
      if (state.revision === previous.revision || state.revision <= state.loadedRevision || state.readOnly) return;
      useSession.getState().markEdited();
      clearTimeout(timer);
      const run = () => {
        pendingSave = null;
        saving = saving.then(save);
        return saving;
      };
      pendingSave = run;
      timer = setTimeout(run, SAVE_DELAY_MS);
    });

    // Leaving the page with an autosave still waiting: send it anyway.
    const onUnload = () => {
      if (!pendingSave) return;
      pendingSave = null;
      const body = JSON.stringify({ document: pipelineDocument(), base_version: useSession.getState().baseVersion });
      void fetch(`/api/pipelines/${pipelineId}/draft/`, {
        method: "PUT",
        keepalive: true,
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body,
      });
    };
    window.addEventListener("beforeunload", onUnload);
    return () => {
      unsubscribe();
      window.removeEventListener("beforeunload", onUnload);
      clearTimeout(timer);
      void flushDraft();
    };
  }, [pipelineId, enabled]);
}

/** The pipeline's document: the canvas, or the pipeline a component was opened from. */
export function pipelineDocument(): PipelineDocument {
  return (outerGraph()?.document() as PipelineDocument | undefined) ?? useGraph.getState().document();
}

/** Validate the current document against the pipeline's workspace whenever its meaning changes. */
export function useValidationSync(pipelineId: number, enabled: boolean) {
  useEffect(() => {
    if (!enabled) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let latest = 0;

    const validate = async () => {
      const revision = useGraph.getState().semanticRevision;
      latest = revision;
      useValidation.getState().setPending(true);
      try {
        const result = await unwrap(
          api.POST("/api/pipelines/{id}/validate/", {
            params: { path: { id: pipelineId } },
            body: { document: pipelineDocument() },
          }),
          "check the pipeline",
        );
        if (revision === latest) useValidation.getState().setResult(result, revision);
      } catch (error) {
        if (revision === latest) useValidation.getState().setError(messageOf(error));
      }
    };

    void validate();
    const unsubscribe = useGraph.subscribe((state, previous) => {
      if (state.semanticRevision === previous.semanticRevision) return;
      // Inside a component the pipeline is unchanged until a version is saved: nothing new to check.
      if (insideComponent()) return;
      clearTimeout(timer);
      useValidation.getState().setPending(true);
      timer = setTimeout(validate, VALIDATE_DELAY_MS);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [pipelineId, enabled]);
}

/** The columns of the table reaching an input port of a node, from the last validation. */
export function columnsReaching(nodeId: string, port: string) {
  const edge = useGraph.getState().edges.find((e) => e.target === nodeId && e.targetHandle === port);
  if (!edge || !edge.sourceHandle) return undefined;
  const schema = useValidation.getState().schemas[scopedId(useScope.getState().frames, edge.source)]?.[edge.sourceHandle];
  return schema ? schema.columns : undefined;
}
