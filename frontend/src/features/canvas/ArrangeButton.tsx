/** The toolbar's "Arrange": lays the pipeline out top to bottom (actions.ts arrangeAll), one undoable edit. */
import { useReactFlow } from "@xyflow/react";
import { useState } from "react";
import { messageOf } from "../../api/errors";
import { toast } from "../../app/toasts";
import { arrangeAll } from "./actions";
import { useGraph } from "./graphStore";

export function ArrangeButton() {
  const flow = useReactFlow();
  const empty = useGraph((s) => s.nodes.length === 0);
  const readOnly = useGraph((s) => s.readOnly);
  const [busy, setBusy] = useState(false);
  const arrange = () => {
    setBusy(true);
    arrangeAll(flow)
      .catch((error) => toast.error(`Could not arrange the pipeline: ${messageOf(error)}`))
      .finally(() => setBusy(false));
  };
  return (
    <button
      className="btn"
      onClick={arrange}
      disabled={empty || readOnly || busy}
      title="Lay the pipeline out top to bottom so that no module covers another (Shift+L; Ctrl+Z undoes it)"
      data-testid="arrange"
    >
      {busy ? "Arranging…" : "Arrange"}
    </button>
  );
}
