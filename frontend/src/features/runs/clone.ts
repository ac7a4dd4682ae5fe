/** Clone a run into a new pipeline draft: the exact version it ran, editable again. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { api, unwrap } from "../../api/client";
import { messageOf } from "../../api/errors";
import type { Run } from "../../api/types";
import { toast } from "../../app/toasts";

export function useCloneRun() {
  const navigate = useNavigate();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (run: Pick<Run, "id" | "pipeline" | "pipeline_name" | "version" | "workspace">) => {
      const version = await unwrap(
        api.GET("/api/pipelines/{id}/versions/{number}/", { params: { path: { id: run.pipeline, number: run.version } } }),
        "read the run's pipeline",
      );
      return unwrap(
        api.POST("/api/pipelines/", {
          body: {
            workspace: run.workspace,
            name: `${run.pipeline_name} (from run #${run.id})`,
            description: `Cloned from run #${run.id} (version ${run.version} of “${run.pipeline_name}”).`,
            document: version.document,
          },
        }),
        "clone the run",
      );
    },
    onSuccess: (pipeline) => {
      client.invalidateQueries({ queryKey: ["pipelines"] });
      toast.success(`Cloned into the new pipeline “${pipeline.name}”.`);
      navigate(`/pipelines/${pipeline.id}`);
    },
    onError: (error) => toast.error(messageOf(error)),
  });
}
