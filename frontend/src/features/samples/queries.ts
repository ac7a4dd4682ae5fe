/** Sample pipelines: the gallery (the same for everyone) and opening one as an editable copy in a workspace. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ensureCsrf, unwrap } from "../../api/client";
import type { components } from "../../api/generated/schema";
import { keys } from "../../api/queries";

export type SamplePipeline = components["schemas"]["SamplePipeline"];
export type OpenedSample = components["schemas"]["OpenedSample"];

export const sampleKeys = { list: ["sample-pipelines"] as const };

/** Readable names of the tasks the server sends; an unknown task is shown as it comes. */
export const TASK_LABELS: Record<string, string> = {
  regression: "Regression",
  binary_classification: "Binary classification",
  multiclass_classification: "Multiclass classification",
  clustering: "Clustering",
  text_classification: "Text classification",
  image_classification: "Image classification",
  recommendation: "Recommendation",
};

export function taskLabel(task: string): string {
  return TASK_LABELS[task] ?? task.replace(/_/g, " ");
}

export function useSamplePipelines() {
  return useQuery({
    queryKey: sampleKeys.list,
    queryFn: (): Promise<SamplePipeline[]> => unwrap(api.GET("/api/sample-pipelines/"), "load the sample pipelines"),
    staleTime: Infinity,
  });
}

/** POST …/open/: loads the sample datasets the workspace lacks and creates the pipeline. */
export function useOpenSample(workspace: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (slug: string): Promise<OpenedSample> => {
      await ensureCsrf();
      return unwrap(
        api.POST("/api/sample-pipelines/{slug}/open/", { params: { path: { slug } }, body: { workspace } }),
        "open the sample",
      );
    },
    onSuccess: (opened) => {
      void client.invalidateQueries({ queryKey: keys.pipelines(workspace) });
      if (opened.datasets_added.length > 0) void client.invalidateQueries({ queryKey: keys.datasets(workspace) });
    },
  });
}
