/** Copy a text to the clipboard; says "Copied" for a moment, or why it could not. */
import { useEffect, useState } from "react";

async function writeClipboard(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Plain-HTTP pages have no Clipboard API: the old way still works there.
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand?.("copy");
  area.remove();
  if (!ok) throw new Error("copying is blocked by the browser");
}

export function CopyButton({ text, label = "Copy", what }: { text: string; label?: string; what: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const t = setTimeout(() => setState("idle"), 1600);
    return () => clearTimeout(t);
  }, [state]);
  return (
    <button
      type="button"
      className="btn btn--sm copy-btn"
      aria-label={`Copy ${what}`}
      title={state === "failed" ? "The browser refused; select the text and copy it by hand" : `Copy ${what}`}
      onClick={() =>
        writeClipboard(text).then(
          () => setState("copied"),
          () => setState("failed"),
        )
      }
    >
      {state === "copied" ? "✓ Copied" : state === "failed" ? "Copy failed" : label}
    </button>
  );
}
