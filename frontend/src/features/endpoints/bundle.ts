/** The endpoint's scoring bundle on the wire: a .tar.gz the server names, or the reason it refused. */
import { api } from "../../api/client";
import { describeFailure, networkError } from "../../api/errors";

export async function downloadBundle(id: number): Promise<{ blob: Blob; filename: string }> {
  const action = "download the scoring bundle";
  let result: Awaited<ReturnType<typeof call>>;
  const call = () => api.GET("/api/endpoints/{id}/bundle/", { params: { path: { id } }, parseAs: "blob" });
  try {
    result = await call();
  } catch (cause) {
    throw networkError(cause, action);
  }
  if (!result.response.ok) throw describeFailure(result.response.status, result.error, action);
  const disposition = result.response.headers.get("Content-Disposition") ?? "";
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? "scoring-bundle.tar.gz";
  return { blob: result.data as Blob, filename };
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
