/** The workspace's environments over the generated client, and the query hooks the pages share. */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/generated/schema";

export type Environment = components["schemas"]["Environment"];
export type EnvironmentVersion = components["schemas"]["EnvironmentVersion"];
export type Base = "worker" | "none";

/** What a node's `environment` parameter holds: one version pinned by its lines and content hash. */
export interface EnvironmentChoice extends Record<string, unknown> {
  name: string;
  version: number;
  base: Base;
  requirements: string[];
  hash: string;
}

export const environmentKeys = { list: (workspace: number) => ["environments", workspace] as const };

export async function listEnvironments(workspace: number): Promise<Environment[]> {
  const page = await unwrap(
    api.GET("/api/workspaces/{id}/environments/", { params: { path: { id: workspace }, query: { limit: 1000 } } }),
    "load the environments",
  );
  return page.results;
}

export function createEnvironment(
  workspace: number,
  body: { name: string; base: Base; requirements: string[]; description?: string; message?: string },
): Promise<Environment> {
  const full = { description: "", message: "", ...body };
  return unwrap(api.POST("/api/workspaces/{id}/environments/", { params: { path: { id: workspace } }, body: full }), "create the environment");
}

export function saveEnvironmentVersion(
  workspace: number,
  environment: number,
  body: { base: Base; requirements: string[]; message?: string },
): Promise<EnvironmentVersion> {
  return unwrap(
    api.POST("/api/workspaces/{id}/environments/{environment_id}/versions/", {
      params: { path: { id: workspace, environment_id: environment } },
      body: { message: "", ...body },
    }),
    "save the new version",
  );
}

export function useEnvironments(workspace: number | undefined, enabled = true) {
  return useQuery({
    queryKey: environmentKeys.list(workspace ?? 0),
    enabled: enabled && workspace !== undefined,
    queryFn: () => listEnvironments(workspace ?? 0),
  });
}

/** Text area content to requirement lines, as the server numbers them (line 1 is the first line typed). */
export function linesOf(text: string): string[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  while (lines.length && lines[lines.length - 1]!.trim() === "") lines.pop();
  return lines;
}

/** Every version of every environment as a picker option, newest version first within each environment. */
export function choicesOf(environments: readonly Environment[]): { label: string; choice: EnvironmentChoice }[] {
  return environments.flatMap((env) =>
    env.versions.map((v) => ({
      label: `${env.name} v${v.number} (${v.requirements.length} package${v.requirements.length === 1 ? "" : "s"}${v.base === "none" ? ", no worker packages" : ""})`,
      choice: v.choice as EnvironmentChoice,
    })),
  );
}
