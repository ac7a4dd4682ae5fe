/** Server state of the datasets page: one dataset with its versions, one version's profile, uploads. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ensureCsrf, unwrap } from "../../api/client";
import { keys } from "../../api/queries";
import type { components } from "../../api/generated/schema";
import type { TableProfile, ZipContents } from "../inspector/types";
import { appendOptions, type OptionsUsed, type ReadOptions } from "./uploadOptions";

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
  /** How a CSV/TSV is read (has_header, delimiter, encoding, ...); ignored for Parquet and zip. */
  options: ReadOptions;
}

export function useUploadDataset() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ workspace, name, description, file, options }: UploadInput) => {
      await ensureCsrf();
      const form = new FormData();
      form.append("workspace", String(workspace));
      form.append("name", name);
      form.append("description", description);
      appendOptions(form, options);
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

export type UploadPreview = Omit<components["schemas"]["UploadPreviewResponse"], "options" | "problems"> & {
  options: OptionsUsed | null;
  problems: { field: string; column?: string; message: string }[];
};

/** What the file would become with these options (first rows typed, the options used, hints); stores nothing.
 * The previous answer stays on screen while the next one loads, so the table does not flash. */
export function useUploadPreview(workspace: number, file: File | null, options: ReadOptions) {
  return useQuery({
    queryKey: ["upload-preview", workspace, file?.name, file?.size, file?.lastModified, options] as const,
    enabled: file !== null,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: Infinity,
    queryFn: async () => {
      if (!file) throw new Error("no file");
      await ensureCsrf();
      const form = new FormData();
      form.append("workspace", String(workspace));
      appendOptions(form, options);
      form.append("file", file, file.name);
      return (await unwrap(
        api.POST("/api/datasets/preview/", {
          body: form as unknown as components["schemas"]["UploadPreviewRequest"],
          bodySerializer: (body) => body as unknown as FormData,
        }),
        `preview “${file.name}”`,
      )) as unknown as UploadPreview;
    },
  });
}
