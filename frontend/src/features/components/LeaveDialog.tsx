/** Going back out of a component with edits not saved as a version: save them, drop them, or stay. */
import { useQueryClient } from "@tanstack/react-query";
import { Modal } from "../../app/Modal";
import { leaveTo } from "./actions";
import { useComponentEditor } from "./editor";

interface Props {
  depth: number;
  onSave(): void;
  onClose(): void;
}

export function LeaveDialog({ depth, onSave, onClose }: Props) {
  const client = useQueryClient();
  const title = useComponentEditor((s) => s.frames.at(-1)?.title ?? "the component");
  return (
    <Modal
      title="Unsaved changes in the component"
      onClose={onClose}
      size="md"
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Stay here
          </button>
          <button
            className="btn btn--danger-ghost"
            onClick={() => {
              onClose();
              void leaveTo(depth, client, true);
            }}
          >
            Discard changes
          </button>
          <button className="btn btn--primary" onClick={onSave}>
            Save as new version…
          </button>
        </>
      }
    >
      <p>
        You changed {title} since it was opened. Its edits are kept only as a new version of the component: save one, or
        discard them and go back.
      </p>
    </Modal>
  );
}
