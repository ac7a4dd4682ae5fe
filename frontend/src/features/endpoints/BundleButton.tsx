/**
 * "Download scoring bundle": the endpoint as a .tar.gz that serves the same requests with the same answers
 * without Tessera (its pipeline, models and transformations, a gunicorn runner, requirements.txt and a
 * Dockerfile). Any member may download it: it holds no key. The server starts the bundle once before
 * answering, so the download takes a few seconds; a refusal (a module that runs user code) is shown as is.
 */
import { useState } from "react";
import { messageOf } from "../../api/errors";
import { toast } from "../../app/toasts";
import { downloadBundle, save } from "./bundle";
import type { Endpoint } from "./types";

export function BundleButton({ endpoint }: { endpoint: Endpoint }) {
  const [busy, setBusy] = useState(false);

  async function download() {
    setBusy(true);
    try {
      const { blob, filename } = await downloadBundle(endpoint.id);
      save(blob, filename);
      toast.success(`Saved ${filename}: see its README.md to run it with gunicorn or Docker.`);
    } catch (error) {
      toast.error(messageOf(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <button
      className="btn"
      onClick={download}
      disabled={busy}
      aria-busy={busy}
      title="A .tar.gz that answers this endpoint's requests without Tessera: its pipeline, models, a small server, requirements.txt and a Dockerfile (no keys)"
    >
      {busy ? "Preparing bundle…" : "Download scoring bundle"}
    </button>
  );
}
