/**
 * The designer's toolbar on one row, whatever shows in it: when the name would be squeezed or a button pushed
 * out of the window, the bar leaves out words it can do without, a step at a time, and puts each back once the
 * room it took is free again (with a margin, so a ticking run clock cannot make it flicker). What each step
 * leaves out, in order: the workspace crumb (the header's switcher names it), the run's "(version 1), just
 * now", the problems' "to fix before submitting" (the count stays; the sentence is its tooltip), the save state.
 */
import { useLayoutEffect, useRef, useState, type RefObject } from "react";

export const STEPS = [".toolbar__crumb, .toolbar__sep", ".runchip__when", ".checks__more", ".save-state"] as const;
const MARGIN = 12;

/** The class names that leave out the first ``level`` steps (``toolbar--fit-1`` ...). */
export function fitClasses(level: number): string {
  return Array.from({ length: level }, (_, i) => ` toolbar--fit-${i + 1}`).join("");
}

/** Whether the bar needs room: a button out of the window, or the name (or its save state) cut short by the
 * bar, not by the name's own maximum width (a very long name is cut there whatever the bar holds). */
function cramped(bar: HTMLElement): boolean {
  if (bar.scrollWidth > bar.clientWidth + 1) return true;
  const where = bar.querySelector<HTMLElement>(".toolbar__where");
  if (where && where.scrollWidth > where.clientWidth + 1) return true;
  const name = bar.querySelector<HTMLElement>(".toolbar__name");
  if (!name || name.scrollWidth <= name.clientWidth + 1) return false;
  const widest = parseFloat(getComputedStyle(name).maxWidth);
  return !(name.getBoundingClientRect().width >= widest - 1);
}

function widthOf(bar: HTMLElement, selector: string): number {
  let width = 0;
  bar.querySelectorAll<HTMLElement>(selector).forEach((el) => (width += el.getBoundingClientRect().width));
  return width;
}

export function useToolbarFit(ref: RefObject<HTMLElement | null>): number {
  const [level, setLevel] = useState(0);
  const freed = useRef<number[]>([]); // the width each step left out, measured as it was taken

  // Measured when the bar or anything in it changes (a ticking run clock too), and again after each step; the
  // toolbar renders only when a step is taken or given back.
  useLayoutEffect(() => {
    const bar = ref.current;
    if (!bar) return;
    const fit = () => {
      if (cramped(bar)) {
        if (level < STEPS.length) {
          freed.current[level] = widthOf(bar, STEPS[level]!);
          setLevel(level + 1);
        }
        return;
      }
      const spare = bar.querySelector<HTMLElement>(".toolbar__spacer")?.getBoundingClientRect().width ?? 0;
      if (level > 0 && spare > (freed.current[level - 1] ?? 0) + MARGIN) setLevel(level - 1);
    };
    fit();
    if (typeof ResizeObserver === "undefined" || typeof MutationObserver === "undefined") return;
    const resized = new ResizeObserver(fit);
    resized.observe(bar);
    const changed = new MutationObserver(fit);
    changed.observe(bar, { childList: true, subtree: true, characterData: true });
    return () => {
      resized.disconnect();
      changed.disconnect();
    };
  }, [ref, level]);

  return level;
}
