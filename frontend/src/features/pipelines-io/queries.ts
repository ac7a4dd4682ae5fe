/** Clone, export and import on the wire. */
import { api, ensureCsrf, unwrap } from "../../api/client";
import type { components } from "../../api/generated/schema";
import { useMe } from "../auth";

export type NewPipeline = components["schemas"]["NewPipeline"];

/** Workspaces where the user may create pipelines (owner or editor). */
export function useEditorWorkspaces() {
  const me = useMe().data;
  return (me?.workspaces ?? []).filter((w) => w.role === "owner" || w.role === "editor");
}

/** The export file's address: the server answers it as an attachment named after the pipeline. */
export function exportUrl(pipelineId: number, version?: number | null): string {
  return `/api/pipelines/${pipelineId}/export/${version ? `?version=${version}` : ""}`;
}

export async function clonePipeline(pipelineId: number, body: { workspace: number; name: string; version?: number }): Promise<NewPipeline> {
  await ensureCsrf();
  return unwrap(
    api.POST("/api/pipelines/{id}/clone/", { params: { path: { id: pipelineId } }, body }),
    "clone the pipeline",
  );
}

export async function importPipeline(workspace: number, file: File, name: string): Promise<NewPipeline> {
  await ensureCsrf();
  const form = new FormData();
  form.append("workspace", String(workspace));
  if (name.trim()) form.append("name", name.trim());
  form.append("file", file, file.name);
  return unwrap(
    api.POST("/api/pipelines/import/", {
      // The generated type says "file: string (binary)"; the browser sends the multipart form as is.
      body: form as unknown as components["schemas"]["PipelineImportUploadRequest"],
      bodySerializer: (body) => body as unknown as FormData,
    }),
    `import “${file.name}”`,
  );
}
