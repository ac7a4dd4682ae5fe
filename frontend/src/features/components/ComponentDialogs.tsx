/** The component dialogs of the designer and the run view, one at a time (dialogStore). */
import { useQueryClient } from "@tanstack/react-query";
import { leaveTo } from "./actions";
import { CreateComponentDialog } from "./CreateComponentDialog";
import { useComponentDialogs } from "./dialogStore";
import { LeaveDialog } from "./LeaveDialog";
import { SaveComponentDialog } from "./SaveComponentDialog";
import { ScriptComponentDialog } from "./ScriptComponentDialog";
import { UpdateDialog } from "./UpdateDialog";

export function ComponentDialogs() {
  const client = useQueryClient();
  const open = useComponentDialogs((s) => s.open);
  const show = useComponentDialogs((s) => s.show);
  const close = useComponentDialogs((s) => s.close);
  if (!open) return null;
  switch (open.kind) {
    case "create":
      return <CreateComponentDialog nodeIds={open.nodeIds} onClose={close} />;
    case "update":
      return <UpdateDialog nodeId={open.nodeId} onClose={close} />;
    case "save": {
      const then = open.thenLeave;
      return <SaveComponentDialog onClose={close} onSaved={then === undefined ? undefined : () => void leaveTo(then, client)} />;
    }
    case "leave":
      return <LeaveDialog depth={open.depth} onClose={close} onSave={() => show({ kind: "save", thenLeave: open.depth })} />;
    case "script":
      return <ScriptComponentDialog onClose={close} />;
  }
}
