/** Server state of the datasets page: one dataset with its versions, one version's profile, uploads. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ensureCsrf, unwrap } from "../../api/client";
import { keys } from "../../api/queries";
import type { components } from "../../api/generated/schema";
import type { TableProfile, ZipContents } from "../inspector/types";

export type DatasetDetail = components["schemas"]["DatasetDetail"];
/** A version's profile: column statistics for a table, the list of files for a file dataset (a zip). */
export type DatasetVersion = Omit<components["schemas"]["DatasetVersion"], "profile"> & {
  profile: TableProfile | ZipContents;
};

export const datasetKeys = {
  detail: (id: number) => ["dataset", id] as const,
  version: (id: number, version: number) => ["dataset-version", id, version] as const,
};

export function useDataset(id: number | undefined) {
  return useQuery({
    queryKey: datasetKeys.detail(id ?? 0),
    enabled: id !== undefined,
    queryFn: () => unwrap(api.GET("/api/datasets/{id}/", { params: { path: { id: id ?? 0 } } }), "open the dataset"),
  });
}

export function useDatasetVersion(id: number, version: number | undefined) {
  return useQuery({
    queryKey: datasetKeys.version(id, version ?? 0),
    enabled: version !== undefined,
    staleTime: Infinity, // versions never change
    queryFn: async () =>
      (await unwrap(
        api.GET("/api/datasets/{id}/versions/{number}/", { params: { path: { id, number: version ?? 0 } } }),
        "load the version's profile",
      )) as unknown as DatasetVersion,
  });
}

export interface UploadInput {
  workspace: number;
  name: string;
  description: string;
  file: File;
  /** CSV/TSV: the first line names the columns; false reads every line as data (Col1, Col2, ...). */
  hasHeader: boolean;
}

export function useUploadDataset() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ workspace, name, description, file, hasHeader }: UploadInput) => {
      await ensureCsrf();
      const form = new FormData();
      form.append("workspace", String(workspace));
      form.append("name", name);
      form.append("description", description);
      form.append("has_header", hasHeader ? "true" : "false");
      form.append("file", file, file.name);
      return unwrap(
        api.POST("/api/datasets/", {
          // The generated type says "file: string (binary)"; the browser sends the multipart form as is.
          body: form as unknown as components["schemas"]["DatasetCreateRequest"],
          bodySerializer: (body) => body as unknown as FormData,
        }),
        `upload “${file.name}”`,
      );
    },
    onSuccess: (dataset) => {
      void client.invalidateQueries({ queryKey: keys.datasets(dataset.workspace) });
      client.setQueryData(datasetKeys.detail(dataset.id), dataset);
    },
  });
}
