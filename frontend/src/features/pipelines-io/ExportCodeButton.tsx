/**
 * "Export as code": downloads a zip of pipeline.py, pipeline.ipynb and the data they read, which run
 * without the server. From the designer it is the version on the canvas with the parameters' defaults;
 * from a run, that run's parameter values and the dataset versions it read.
 */
import { useState } from "react";
import { messageOf } from "../../api/errors";
import { toast } from "../../app/toasts";
import { exportCode, type CodeExportTarget } from "./queries";

/** ``menu``: drawn as an item of a menu (the designer's Share menu). */
export function ExportCodeButton({ target, small = false, menu = false }: { target: CodeExportTarget; small?: boolean; menu?: boolean }) {
  const [busy, setBusy] = useState(false);
  const what = "run" in target ? `run #${target.run}` : target.version ? `version ${target.version}` : "the newest version";

  async function download() {
    setBusy(true);
    try {
      const { blob, filename } = await exportCode(target);
      save(blob, filename);
    } catch (error) {
      toast.error(messageOf(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <button
      className={`btn${menu ? " share-menu__item" : small ? " btn--sm btn--ghost" : ""}`}
      role={menu ? "menuitem" : undefined}
      onClick={download}
      disabled={busy}
      title={`Download ${what} as a Python script and a notebook, with its data (a zip that runs without Tessera)`}
    >
      {busy ? "Exporting…" : "Export as code"}
    </button>
  );
}

/** Hand a downloaded file to the browser as if the user had followed a download link. */
function save(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
