/** Components over REST (issue 19's contract), through the generated client. */
import { useQuery, type QueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { Module, PipelineDocument } from "../../api/types";
import { useCatalogue } from "../canvas/catalogueStore";
import type { ComponentDocument, InputBinding, OutputBinding, ParameterBinding } from "./types";

export const componentKeys = {
  catalogue: (workspace: number) => ["component-catalogue", workspace] as const,
  version: (id: number, number: number) => ["component-version", id, number] as const,
  diff: (id: number, from: number, to: number) => ["component-diff", id, from, to] as const,
};

/** Every version of every component of the workspace, as module-shaped catalogue entries. */
export async function fetchComponentCatalogue(workspace: number): Promise<Module[]> {
  const body = await unwrap(
    api.GET("/api/components/catalogue/", { params: { query: { workspace, versions: "all" } } }),
    "load the components",
  );
  return body.components as Module[];
}

export function useComponentCatalogue(workspace: number | undefined) {
  return useQuery({
    queryKey: componentKeys.catalogue(workspace ?? 0),
    enabled: workspace !== undefined,
    queryFn: () => fetchComponentCatalogue(workspace as number),
  });
}

/** Load the catalogue again (a component was created or got a version) and wait for it. */
export async function refreshComponentCatalogue(client: QueryClient, workspace: number): Promise<void> {
  const fresh = await client.fetchQuery({
    queryKey: componentKeys.catalogue(workspace),
    queryFn: () => fetchComponentCatalogue(workspace),
    staleTime: 0,
  });
  // Into the canvas's catalogue now, not on the next render: the caller draws nodes of it next.
  useCatalogue.getState().setComponents(fresh);
}

export interface ComponentVersionBody {
  number: number;
  message: string;
  document: ComponentDocument;
}

export async function fetchComponentVersion(id: number, number: number): Promise<ComponentVersionBody> {
  const body = await unwrap(
    api.GET("/api/components/{id}/versions/{number}/", { params: { path: { id, number } } }),
    "open the component",
  );
  return { number: body.number, message: body.message ?? "", document: body.document as ComponentDocument };
}

export function useComponentVersion(id: number, number: number) {
  return useQuery({
    queryKey: componentKeys.version(id, number),
    enabled: id > 0 && number > 0,
    staleTime: Infinity, // versions are immutable
    queryFn: () => fetchComponentVersion(id, number),
  });
}

export interface GroupRequest {
  workspace: number;
  document: PipelineDocument;
  node_ids: string[];
  name: string;
  description: string;
  message: string;
  inputs: InputBinding[];
  outputs: OutputBinding[];
  parameters: ParameterBinding[];
}

export interface GroupResult {
  componentId: number;
  version: number;
  document: PipelineDocument;
}

export async function groupIntoComponent(request: GroupRequest): Promise<GroupResult> {
  const body = await unwrap(api.POST("/api/components/group/", { body: request }), "create the component");
  return {
    componentId: body.component.id,
    version: body.version.number,
    document: body.document as PipelineDocument,
  };
}

export async function ungroupComponent(workspace: number, document: PipelineDocument, nodeId: string): Promise<PipelineDocument> {
  const body = await unwrap(
    api.POST("/api/components/ungroup/", { body: { workspace, document, node_id: nodeId } }),
    "ungroup the component",
  );
  return body.document as PipelineDocument;
}

export interface SavedComponentVersion {
  number: number;
  /** False when the document was unchanged and the server answered with the existing version. */
  created: boolean;
}

export async function saveComponentVersion(
  id: number,
  document: ComponentDocument,
  message: string,
  baseVersion: number,
): Promise<SavedComponentVersion> {
  const { data, error, response } = await api.POST("/api/components/{id}/versions/", {
    params: { path: { id } },
    body: { document, message, base_version: baseVersion },
  });
  if (!response.ok || !data) {
    // Let unwrap turn it into the ApiError the callers show (409 included).
    await unwrap(Promise.resolve({ data, error, response }), "save the component");
  }
  return { number: (data as { number: number }).number, created: response.status === 201 };
}

export function useComponentDiff(id: number, from: number, to: number) {
  return useQuery({
    queryKey: componentKeys.diff(id, from, to),
    staleTime: Infinity, // versions are immutable
    queryFn: () =>
      unwrap(
        api.GET("/api/components/{id}/diff/", { params: { path: { id }, query: { from, to } } }),
        "compare the component versions",
      ) as Promise<unknown>,
  });
}

export interface ComponentCreateBody {
  workspace: number;
  name: string;
  description: string;
  message: string;
  document: Record<string, unknown>;
}

/** A new component (version 1) from its document: POST /api/components/. */
export async function createScriptComponent(body: ComponentCreateBody): Promise<{ id: number; name: string }> {
  const created = await unwrap(api.POST("/api/components/", { body }), "create the component");
  return { id: created.id, name: created.name };
}
