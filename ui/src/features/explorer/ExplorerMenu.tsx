import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { Icon, Kbd } from "../../shared/ui";
import type { ExplorerTarget } from "./fileOps";

export type ExplorerAction = "open" | "openCanvas" | "newFile" | "newFolder" | "rename" | "move" | "delete" | "copyPath" | "copyRelativePath" | "refresh";

interface MenuEntry {
  action: ExplorerAction;
  label: string;
  icon?: string;
  shortcut?: string;
  danger?: boolean;
}

/** What the menu offers on a file, a folder, or the project's empty area. */
export function menuEntries(target: ExplorerTarget): MenuEntry[][] {
  const create: MenuEntry[] = [
    { action: "newFile", label: "New file…", icon: "plus" },
    { action: "newFolder", label: "New folder…", icon: "folder" },
  ];
  const copy: MenuEntry[] = [
    { action: "copyPath", label: "Copy path", icon: "copy" },
    { action: "copyRelativePath", label: "Copy relative path" },
  ];
  if (target.path === "") return [create, [copy[0] as MenuEntry, { action: "refresh", label: "Reload files", icon: "refresh" }]];
  const edit: MenuEntry[] = [
    { action: "rename", label: "Rename…", icon: "edit", shortcut: "F2" },
    { action: "move", label: "Move to…" },
    { action: "delete", label: "Delete…", shortcut: "Del", danger: true },
  ];
  if (target.isDir) return [create, edit, copy];
  const open: MenuEntry[] = [{ action: "open", label: "Open", icon: "file", shortcut: "Enter" }];
  if (target.kind === "model") open.push({ action: "openCanvas", label: "Open in canvas", icon: "stage" });
  return [open, create, edit, copy];
}

/**
 * The explorer's right-click menu, at the pointer (kept inside the window). Arrow keys, Home and
 * End move between items, Enter picks one, Escape, Tab, a click elsewhere or scrolling close it.
 */
export function ExplorerMenu({
  x,
  y,
  target,
  caption,
  onAction,
  onClose,
}: {
  x: number;
  y: number;
  target: ExplorerTarget;
  caption: string;
  onAction: (action: ExplorerAction) => void;
  onClose: (restoreFocus: boolean) => void;
}) {
  const menu = useRef<HTMLDivElement>(null);
  const [position, setPosition] = useState({ left: x, top: y });

  useLayoutEffect(() => {
    const box = menu.current?.getBoundingClientRect();
    if (!box) return;
    const margin = 4;
    setPosition({
      left: Math.max(margin, Math.min(x, window.innerWidth - box.width - margin)),
      top: Math.max(margin, y + box.height > window.innerHeight - margin ? y - box.height : y),
    });
  }, [x, y]);

  useEffect(() => {
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const outside = (event: Event) => {
      if (menu.current && event.target instanceof Node && menu.current.contains(event.target)) return;
      onClose(false);
    };
    const dismiss = () => onClose(false);
    window.addEventListener("mousedown", outside, true);
    window.addEventListener("wheel", dismiss, { passive: true });
    window.addEventListener("resize", dismiss);
    window.addEventListener("blur", dismiss);
    return () => {
      window.removeEventListener("mousedown", outside, true);
      window.removeEventListener("wheel", dismiss);
      window.removeEventListener("resize", dismiss);
      window.removeEventListener("blur", dismiss);
    };
  }, [onClose]);

  const move = (step: number | "first" | "last") => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    if (items.length === 0) return;
    const at = items.indexOf(document.activeElement as HTMLElement);
    const next = step === "first" ? 0 : step === "last" ? items.length - 1 : (at + step + items.length) % items.length;
    items[next]?.focus();
  };

  const groups = menuEntries(target);
  return (
    <div
      ref={menu}
      className="context-menu explorer-menu"
      role="menu"
      aria-label={`Actions for ${caption}`}
      data-testid="explorer-menu"
      style={{ left: position.left, top: position.top }}
      onContextMenu={(event) => event.preventDefault()}
      onKeyDown={(event) => {
        const keys: Record<string, () => void> = {
          ArrowDown: () => move(1),
          ArrowUp: () => move(-1),
          Home: () => move("first"),
          End: () => move("last"),
          Escape: () => onClose(true),
          Tab: () => onClose(true),
        };
        const handler = keys[event.key];
        if (!handler) return;
        event.preventDefault();
        event.stopPropagation();
        handler();
      }}
    >
      <div className="menu-caption" title={caption}>
        {caption}
      </div>
      {groups.map((group, index) => (
        <div key={group[0]?.action ?? index} role="group">
          {index > 0 && <div className="menu-separator" role="separator" />}
          {group.map((entry) => (
            <button
              key={entry.action}
              type="button"
              role="menuitem"
              tabIndex={-1}
              className={`menu-item ${entry.danger ? "menu-item-danger" : ""}`}
              data-action={entry.action}
              onClick={() => onAction(entry.action)}
            >
              <span className="menu-icon">{entry.icon && <Icon name={entry.icon} size={13} />}</span>
              <span className="menu-label">{entry.label}</span>
              {entry.shortcut && <Kbd>{entry.shortcut}</Kbd>}
            </button>
          ))}
        </div>
      ))}
    </div>
  );
}
