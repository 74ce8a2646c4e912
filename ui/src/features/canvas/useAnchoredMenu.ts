import { useEffect, useLayoutEffect, useRef, useState } from "react";
import type { CSSProperties, KeyboardEvent, RefObject } from "react";

const ITEMS = '[role="menuitem"]:not(:disabled)';

/**
 * A menu fixed to the window beside the button that opened it (so a scrolling panel does not clip
 * it), below the button when it fits and above it when not. Arrow keys move between its items,
 * Escape or Tab close it, as does a click elsewhere or a resize; once placed (a hidden menu
 * cannot take the focus), its first item has the keyboard.
 */
export function useAnchoredMenu(
  anchor: HTMLElement | null,
  onClose: () => void,
  align: "center" | "start",
): { menu: RefObject<HTMLDivElement | null>; style: CSSProperties; onKeyDown: (event: KeyboardEvent) => void } {
  const menu = useRef<HTMLDivElement>(null);
  const [position, setPosition] = useState<{ left: number; top: number } | null>(null);
  useLayoutEffect(() => {
    const button = anchor?.getBoundingClientRect();
    const box = menu.current?.getBoundingClientRect();
    if (!button || !box) return;
    const margin = 8;
    const wanted = align === "center" ? button.left + button.width / 2 - box.width / 2 : button.left;
    const left = Math.max(margin, Math.min(wanted, window.innerWidth - box.width - margin));
    const below = button.bottom + 4;
    const top = below + box.height <= window.innerHeight - margin ? below : Math.max(margin, button.top - box.height - 4);
    setPosition({ left, top });
  }, [anchor, align]);
  useEffect(() => {
    const outside = (event: MouseEvent) => {
      if (!(event.target instanceof Node) || menu.current?.contains(event.target) || anchor?.contains(event.target)) return;
      onClose();
    };
    window.addEventListener("mousedown", outside, true);
    window.addEventListener("resize", onClose);
    return () => {
      window.removeEventListener("mousedown", outside, true);
      window.removeEventListener("resize", onClose);
    };
  }, [onClose, anchor]);

  const placed = position !== null;
  useEffect(() => {
    if (placed) menu.current?.querySelector<HTMLElement>(ITEMS)?.focus();
  }, [placed]);

  const move = (delta: number) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>(ITEMS) ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    items[(at + delta + items.length) % items.length]?.focus();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Escape" || event.key === "Tab") {
      event.preventDefault();
      event.stopPropagation();
      onClose();
    }
  };
  const style: CSSProperties = position ? { left: position.left, top: position.top } : { visibility: "hidden" };
  return { menu, style, onKeyDown };
}
