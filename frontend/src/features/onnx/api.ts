/**
 * ONNX export calls: a model version's "onnx" format (stored in the registry), a model version's file in
 * any format, an endpoint's inference pipeline as one .onnx file.
 */
import { api, unwrap } from "../../api/client";
import { describeFailure, networkError } from "../../api/errors";

export interface ModelFormat {
  format: string;
  artifact: string;
  filename: string;
  size: number | null;
  created_at: string;
  detail?: { check?: { rows: number; max_difference: number }; [key: string]: unknown };
}

export const onnxApi = {
  exportModel: (id: number) =>
    unwrap(api.POST("/api/models/{id}/onnx/", { params: { path: { id } } }), "export the model as ONNX"),
};

async function blobOf(
  call: Promise<{ data?: unknown; error?: unknown; response: Response }>,
  action: string,
  fallback: string,
): Promise<{ blob: Blob; filename: string }> {
  let result: Awaited<typeof call>;
  try {
    result = await call;
  } catch (cause) {
    throw networkError(cause, action);
  }
  if (!result.response.ok) throw describeFailure(result.response.status, result.error, action);
  const disposition = result.response.headers.get("Content-Disposition") ?? "";
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallback;
  return { blob: result.data as Blob, filename };
}

export function downloadFormat(model: number, format: string) {
  return blobOf(
    api.GET("/api/models/{id}/formats/{format_name}/", { params: { path: { id: model, format_name: format } }, parseAs: "blob" }),
    `download the model as ${format}`,
    `model.${format}`,
  );
}

export function downloadEndpointOnnx(endpoint: number) {
  return blobOf(
    api.GET("/api/endpoints/{id}/onnx/", { params: { path: { id: endpoint } }, parseAs: "blob" }),
    "export the endpoint as ONNX",
    "endpoint.onnx",
  );
}

/** Hand a downloaded file to the browser as if the user had followed a download link. */
export function save(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
