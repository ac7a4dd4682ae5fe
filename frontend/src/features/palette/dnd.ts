/** What a palette item carries while dragged onto the canvas. */
export const DND_MIME = "application/x-tessera-palette";

export type PaletteItem =
  | { kind: "module"; module: string; version: number }
  | { kind: "dataset"; datasetId: number };

export function readItem(data: string): PaletteItem | null {
  try {
    const item = JSON.parse(data) as PaletteItem;
    if (item && (item.kind === "module" || item.kind === "dataset")) return item;
  } catch {
    /* not ours */
  }
  return null;
}
