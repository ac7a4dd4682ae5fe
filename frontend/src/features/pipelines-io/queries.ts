/** Clone, export and import on the wire. */
import { api, ensureCsrf, unwrap } from "../../api/client";
import { describeFailure, networkError } from "../../api/errors";
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

/** What "Export as code" downloads: a saved version of a pipeline (the newest when none), or a run. */
export type CodeExportTarget = { pipeline: number; version?: number | null } | { run: number };

/** The zip of pipeline.py, pipeline.ipynb and the data they read, and the file name the server gave it. */
export async function exportCode(target: CodeExportTarget): Promise<{ blob: Blob; filename: string }> {
  const action = "run" in target ? `export run #${target.run} as code` : "export the pipeline as code";
  const call =
    "run" in target
      ? api.GET("/api/runs/{id}/export-script/", { params: { path: { id: target.run } }, parseAs: "blob" })
      : api.GET("/api/pipelines/{id}/export-script/", {
          params: { path: { id: target.pipeline }, query: target.version ? { version: target.version } : {} },
          parseAs: "blob",
        });
  let result: Awaited<typeof call>;
  try {
    result = await call;
  } catch (cause) {
    throw networkError(cause, action);
  }
  if (!result.response.ok) throw describeFailure(result.response.status, result.error, action);
  const disposition = result.response.headers.get("Content-Disposition") ?? "";
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? "pipeline.zip";
  return { blob: result.data as Blob, filename };
}
