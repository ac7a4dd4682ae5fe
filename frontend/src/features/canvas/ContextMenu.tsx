/**
 * A right-click menu at a point on the screen: a WAI-ARIA menu of buttons. The first enabled item takes
 * the focus; arrow keys, Home and End move it; Enter or a click runs an item; Escape, Tab, a click
 * elsewhere, a scroll or a resize closes it. Kept inside the window by moving it left or up.
 */
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from "react";
import { createPortal } from "react-dom";

export interface MenuItem {
  label: string;
  onSelect(): void;
  disabled?: boolean;
  /** Why it is disabled, or what it does: the item's tooltip. */
  hint?: string;
  /** A shortcut shown on the right ("Ctrl+C"). */
  shortcut?: string;
  /** A check box item (menuitemcheckbox) and whether it is ticked. */
  checked?: boolean;
  danger?: boolean;
  /** Draw a line above this item. */
  separated?: boolean;
}

interface Props {
  x: number;
  y: number;
  label: string;
  items: MenuItem[];
  onClose(): void;
}

export function ContextMenu({ x, y, label, items, onClose }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const [at, setAt] = useState({ x, y });

  useLayoutEffect(() => {
    const box = ref.current?.getBoundingClientRect();
    if (!box) return;
    setAt({
      x: Math.max(4, Math.min(x, window.innerWidth - box.width - 4)),
      y: Math.max(4, Math.min(y, window.innerHeight - box.height - 4)),
    });
  }, [x, y]);

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    ref.current?.querySelector<HTMLElement>('[role^="menuitem"]:not(:disabled)')?.focus();
    const away = (e: Event) => {
      if (!(e.target instanceof Node) || !ref.current?.contains(e.target)) onClose();
    };
    const close = () => onClose();
    document.addEventListener("mousedown", away, true);
    document.addEventListener("contextmenu", away, true);
    window.addEventListener("wheel", close, { passive: true });
    window.addEventListener("resize", close);
    window.addEventListener("blur", close);
    return () => {
      document.removeEventListener("mousedown", away, true);
      document.removeEventListener("contextmenu", away, true);
      window.removeEventListener("wheel", close);
      window.removeEventListener("resize", close);
      window.removeEventListener("blur", close);
      if (previous?.isConnected) previous.focus?.();
    };
  }, [onClose]);

  const onKeyDown = (e: KeyboardEvent) => {
    const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>('[role^="menuitem"]:not(:disabled)') ?? [])];
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const focus = (i: number) => buttons[(i + buttons.length) % buttons.length]?.focus();
    if (e.key === "ArrowDown") focus(index + 1);
    else if (e.key === "ArrowUp") focus(index - 1);
    else if (e.key === "Home") focus(0);
    else if (e.key === "End") focus(buttons.length - 1);
    else if (e.key === "Escape" || e.key === "Tab") onClose();
    else return;
    e.preventDefault();
    e.stopPropagation(); // the canvas's own shortcuts (Delete, Ctrl+Z...) do not see keys meant for the menu
  };

  return createPortal(
    <div
      ref={ref}
      className="ctxmenu"
      role="menu"
      aria-label={label}
      style={{ left: at.x, top: at.y }}
      onKeyDown={onKeyDown}
      onContextMenu={(e) => e.preventDefault()}
      data-testid="context-menu"
    >
      {items.map((item) => (
        <button
          key={item.label}
          type="button"
          role={item.checked === undefined ? "menuitem" : "menuitemcheckbox"}
          aria-checked={item.checked}
          className={`ctxmenu__item${item.danger ? " ctxmenu__item--danger" : ""}${item.separated ? " ctxmenu__item--separated" : ""}`}
          disabled={item.disabled}
          title={item.hint}
          tabIndex={-1}
          onClick={() => {
            onClose();
            item.onSelect();
          }}
        >
          <span className="ctxmenu__check" aria-hidden>
            {item.checked ? "✓" : ""}
          </span>
          <span className="ctxmenu__label">{item.label}</span>
          {item.shortcut && <span className="ctxmenu__shortcut">{item.shortcut}</span>}
        </button>
      ))}
    </div>,
    document.body,
  );
}
