/** Join the co-editing session of a pipeline while the designer has it open. */
import { useEffect } from "react";
import { CollabClient } from "./client";
import { useCollab, type CollabMode } from "./collabStore";

/**
 * Connects once `enabled` (the designer has loaded the pipeline) and leaves on unmount. The mode
 * says what the page should do: wait while "connecting", let the shared draft rule while "live",
 * and autosave the draft itself when "off" (no live connection could be made).
 */
export function usePipelineCollab(pipelineId: number, enabled: boolean): CollabMode {
  useEffect(() => {
    if (!enabled) return;
    const client = new CollabClient(pipelineId);
    client.start();
    return () => client.stop();
  }, [pipelineId, enabled]);
  return useCollab((s) => s.mode);
}
