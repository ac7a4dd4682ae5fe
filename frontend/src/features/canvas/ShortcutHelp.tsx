/** The canvas's keyboard shortcuts, listed in a dialog (`?` on the canvas opens it). */
import { Modal } from "../../app/Modal";
import { SHORTCUTS } from "./actions";

export function ShortcutHelp({ onClose }: { onClose(): void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} size="md">
      <table className="shortcuts" aria-label="Keyboard shortcuts">
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.does}>
              <th scope="row" className="shortcuts__keys">
                {s.keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && <span className="shortcuts__plus">+</span>}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </th>
              <td>{s.does}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">On a Mac, Cmd works wherever Ctrl is listed.</p>
    </Modal>
  );
}
