/**
 * "Export → ONNX" where models and endpoints are shown: the formats a model version has (native, onnx,
 * bundle...) as download chips plus the export action, and a download button for an endpoint's whole
 * inference pipeline. A refusal shows the server's sentence: which node cannot be exported and why, or
 * where onnxruntime's answers differed from Score Model's.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { messageOf } from "../../api/errors";
import { toast } from "../../app/toasts";
import { downloadEndpointOnnx, downloadFormat, onnxApi, save, type ModelFormat } from "./api";
import "./onnx.css";

function sizeOf(bytes: number | null): string {
  if (bytes === null) return "";
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function titleOf(f: ModelFormat): string {
  if (f.format === "native") return "Tessera's own artifact (skops): download";
  const check = f.detail?.check;
  const checked = check ? `; checked on ${check.rows} training rows, largest difference ${check.max_difference.toExponential(1)}` : "";
  return `${f.filename} (${sizeOf(f.size)})${checked}: download`;
}

export function ModelFormats({ model, formats, canEdit }: { model: number; formats: ModelFormat[]; canEdit: boolean }) {
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const exportOnnx = useMutation({
    mutationFn: () => onnxApi.exportModel(model),
    onSuccess: () => {
      setError(null);
      void client.invalidateQueries({ queryKey: ["models"] });
      toast.success("Exported as ONNX: onnxruntime gives Score Model's answers on the training rows.");
    },
    onError: (e) => setError(messageOf(e)),
  });

  async function download(format: string) {
    try {
      const { blob, filename } = await downloadFormat(model, format);
      save(blob, filename);
    } catch (e) {
      toast.error(messageOf(e));
    }
  }

  const hasOnnx = formats.some((f) => f.format === "onnx");
  return (
    <div className="onnx-formats" data-testid={`formats-${model}`}>
      <div className="chips">
        {formats.map((f) => (
          <button key={f.format} className="type-badge onnx-format" title={titleOf(f)} onClick={() => void download(f.format)}>
            {f.format}
          </button>
        ))}
        {canEdit && (
          <button
            className="btn btn--sm btn--ghost"
            disabled={exportOnnx.isPending}
            onClick={() => exportOnnx.mutate()}
            title="Convert the model to ONNX and check onnxruntime's answers against Score Model's on its training rows"
          >
            {exportOnnx.isPending ? "Exporting…" : hasOnnx ? "Export → ONNX again" : "Export → ONNX"}
          </button>
        )}
      </div>
      {error && (
        <div className="callout callout--error onnx-error" role="alert">
          <div className="callout__title">Not exported as ONNX</div>
          {error}
        </div>
      )}
    </div>
  );
}

export function EndpointOnnxButton({ endpoint }: { endpoint: number }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function download() {
    setBusy(true);
    setError(null);
    try {
      const { blob, filename } = await downloadEndpointOnnx(endpoint);
      save(blob, filename);
      toast.success("Exported as ONNX: onnxruntime gives Score Model's answers on the training rows.");
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <span className="onnx-endpoint">
      <button
        className="btn"
        onClick={() => void download()}
        disabled={busy}
        title="Download the inference pipeline (its saved transformations and the model) as one ONNX model"
      >
        {busy ? "Exporting…" : "Export → ONNX"}
      </button>
      {error && (
        <div className="callout callout--error onnx-error" role="alert">
          <div className="callout__title">Not exported as ONNX</div>
          {error}
        </div>
      )}
    </span>
  );
}
