/** Server state of the datasets page: one dataset with its versions, one version's profile, uploads. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ensureCsrf, unwrap } from "../../api/client";
import { describeFailure, networkError } from "../../api/errors";
import { keys } from "../../api/queries";
import type { components } from "../../api/generated/schema";
import type { TableProfile, ZipContents } from "../inspector/types";
import { appendOptions, type OptionsUsed, type ReadOptions } from "./uploadOptions";

export type DatasetDetail = components["schemas"]["DatasetDetail"];
/** A version's profile: column statistics for a table, the list of files for a file dataset (a zip). */
export type DatasetVersion = Omit<components["schemas"]["DatasetVersion"], "profile"> & {
  profile: TableProfile | ZipContents;
};

export const registrationKeys = {
  list: (workspace: number) => ["dataset-registrations", workspace] as const,
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
  /** Where a large upload stands once its bytes are on the server (see ``ASYNC_UPLOAD_BYTES``). */
  onStage?: (stage: UploadStage) => void;
}

/** Files from this size on are registered by a worker (``Prefer: respond-async``): the request ends once the
 * bytes are stored, and the page follows the registration, so neither a proxy's time-out nor the web server's
 * one thread for synchronous views is held for the seconds to minutes a large CSV takes to parse. */
export const ASYNC_UPLOAD_BYTES = 16 * 1024 * 1024;

export type Registration = components["schemas"]["DatasetRegistration"];
/** "queued": waiting for a worker; "running": a worker is reading it. */
export type UploadStage = Registration["status"];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The dataset a registration made, once a worker has made it; the registration's refusal (the body the upload
 * would have been answered with) as an ``ApiError`` when it failed. */
export async function registered(
  id: number,
  fileName: string,
  onStage?: (stage: UploadStage) => void,
  pause: (ms: number) => Promise<unknown> = sleep,
): Promise<DatasetDetail> {
  let wait = 250;
  for (;;) {
    const registration = await unwrap(
      api.GET("/api/dataset-registrations/{id}/", { params: { path: { id } } }),
      `follow the registration of “${fileName}”`,
    );
    onStage?.(registration.status);
    if (registration.status === "completed" && registration.dataset !== null) {
      return unwrap(
        api.GET("/api/datasets/{id}/", { params: { path: { id: registration.dataset } } }),
        "open the dataset",
      );
    }
    if (registration.status === "failed") {
      throw describeFailure(registration.error_status ?? 500, registration.error, `upload “${fileName}”`);
    }
    await pause(wait);
    wait = Math.min(wait * 1.5, 2000);
  }
}

export function useUploadDataset() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ workspace, name, description, file, options, onStage }: UploadInput) => {
      await ensureCsrf();
      const form = new FormData();
      form.append("workspace", String(workspace));
      form.append("name", name);
      form.append("description", description);
      appendOptions(form, options);
      form.append("file", file, file.name);
      const large = file.size >= ASYNC_UPLOAD_BYTES;
      const action = `upload “${file.name}”`;
      let answer;
      try {
        answer = await api.POST("/api/datasets/", {
          // The generated type says "file: string (binary)"; the browser sends the multipart form as is.
          body: form as unknown as components["schemas"]["DatasetCreateRequest"],
          bodySerializer: (body) => body as unknown as FormData,
          headers: large ? { Prefer: "respond-async" } : {},
        });
      } catch (cause) {
        throw networkError(cause, action);
      }
      const { data, error, response } = answer;
      if (!response.ok) throw describeFailure(response.status, error, action);
      if (response.status !== 202) return data as DatasetDetail;
      const registration = data as unknown as Registration;
      void client.invalidateQueries({ queryKey: registrationKeys.list(workspace) });
      onStage?.(registration.status);
      return registered(registration.id, file.name, onStage);
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
