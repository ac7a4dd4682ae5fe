/**
 * Who is here: an avatar per person in the toolbar (you first), and a coloured outline with a name
 * tag on the nodes a teammate has selected. The outlines are one generated style sheet keyed by
 * React Flow's `data-id`, so the canvas needs no knowledge of co-editing.
 */
import { useMemo } from "react";
import { useCollab, type Teammate } from "./collabStore";
import "./collab.css";

const initial = (name: string) => name.slice(0, 1).toUpperCase();
const cssString = (text: string) => `"${text.replace(/["\\\n]/g, (c) => (c === "\n" ? " " : `\\${c}`))}"`;
const cssId = (id: string) => (typeof CSS !== "undefined" && CSS.escape ? CSS.escape(id) : id.replace(/[^A-Za-z0-9_-]/g, ""));

export function Presence() {
  const you = useCollab((s) => s.you);
  const people = useCollab((s) => s.people);
  const canEdit = useCollab((s) => s.canEdit);
  const connected = useCollab((s) => s.connected);
  const others = useMemo(() => Object.values(people).sort((a, b) => a.username.localeCompare(b.username)), [people]);
  if (!you) return null;
  return (
    <div className="presence" data-testid="presence" aria-label="Who is here">
      <span className="presence__avatar presence__avatar--you" style={{ background: you.colour }} title={`${you.username} (you)`} data-username={you.username}>
        {initial(you.username)}
      </span>
      {others.map((p) => (
        <span
          key={p.id}
          className="presence__avatar"
          style={{ background: p.colour }}
          title={p.nodes.length ? `${p.username} · ${p.nodes.length} selected` : p.username}
          data-username={p.username}
        >
          {initial(p.username)}
        </span>
      ))}
      {!canEdit && <span className="presence__note">View only</span>}
      {!connected && <span className="presence__note presence__note--warn">Reconnecting…</span>}
      <SelectionOutlines people={others} />
    </div>
  );
}

function SelectionOutlines({ people }: { people: Teammate[] }) {
  const css = useMemo(
    () =>
      people
        .flatMap((p) =>
          p.nodes.map((id) => {
            const node = `.react-flow .react-flow__node[data-id="${cssId(id)}"]`; // above the canvas's own ".selected" rule
            return (
              `${node}{outline:2px solid ${p.colour};outline-offset:3px;}` +
              `${node}::after{content:${cssString(p.username)};background:${p.colour};}`
            );
          }),
        )
        .join("\n"),
    [people],
  );
  return css ? <style data-testid="teammate-selection">{css}</style> : null;
}
