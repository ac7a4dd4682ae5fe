/**
 * A module's docstring as the panel shows it: paragraphs split on blank lines, "- " lines as a list,
 * and ``literal`` (reStructuredText) or `literal` (Markdown) spans as code. Plain text only: nothing
 * from the docstring is ever inserted as HTML.
 */
import type { ReactNode } from "react";

const LITERAL = /``([^`]+)``|`([^`]+)`/g;

export function inline(text: string): ReactNode[] {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(LITERAL)) {
    const at = match.index ?? 0;
    if (at > last) parts.push(text.slice(last, at));
    parts.push(<code key={at}>{match[1] ?? match[2]}</code>);
    last = at + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

export function ModuleDoc({ text, className }: { text: string; className?: string }) {
  const blocks = text.split(/\n\s*\n/).filter((b) => b.trim());
  return (
    <div className={className}>
      {blocks.map((block, i) => {
        const lines = block.split("\n");
        if (lines.every((l) => /^\s*- /.test(l) || /^\s{2,}\S/.test(l))) {
          const items: string[] = [];
          for (const line of lines) {
            if (/^\s*- /.test(line)) items.push(line.replace(/^\s*- /, ""));
            else items[items.length - 1] += ` ${line.trim()}`;
          }
          return (
            <ul key={i}>
              {items.map((item, j) => (
                <li key={j}>{inline(item)}</li>
              ))}
            </ul>
          );
        }
        return <p key={i}>{inline(lines.map((l) => l.trim()).join(" "))}</p>;
      })}
    </div>
  );
}
