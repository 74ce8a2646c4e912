import { fuzzyFilter, type FuzzyMatch } from "../../shared/fuzzy";

export interface Command {
  id: string;
  title: string;
  group: string;
  /** Canonical form like "Mod+Shift+Enter"; Mod is Ctrl (Cmd on macOS). */
  shortcut?: string;
  /** Extra shortcuts that do the same thing (e.g. Ctrl+K and Ctrl+Shift+P for the palette). */
  alternateShortcuts?: string[];
  /** False hides the command from the palette when it cannot run right now. */
  enabled?: () => boolean;
  run: () => void;
}

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export function isMacPlatform(): boolean {
  return typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
}

/** True when `event` is exactly `shortcut` (no extra modifiers), so Ctrl+Enter never fires on Ctrl+Shift+Enter. */
export function matchesShortcut(event: KeyLike, shortcut: string, mac = isMacPlatform()): boolean {
  const parts = shortcut.split("+");
  const key = parts.pop()?.toLowerCase() ?? "";
  const wanted = new Set(parts.map((part) => part.toLowerCase()));
  const mod = mac ? event.metaKey : event.ctrlKey;
  const ctrlOnly = mac ? event.ctrlKey : false;
  if (wanted.has("mod") !== mod) return false;
  if (wanted.has("ctrl") !== ctrlOnly) return false;
  if (wanted.has("shift") !== event.shiftKey) return false;
  if (wanted.has("alt") !== event.altKey) return false;
  if (!mac && event.metaKey) return false;
  return event.key.toLowerCase() === key;
}

export function formatShortcut(shortcut: string, mac = isMacPlatform()): string {
  return shortcut
    .split("+")
    .map((part) => {
      if (part === "Mod") return mac ? "⌘" : "Ctrl";
      if (part === "Shift") return mac ? "⇧" : "Shift";
      if (part === "Alt") return mac ? "⌥" : "Alt";
      if (part === "Enter") return mac ? "↩" : "Enter";
      return part.length === 1 ? part.toUpperCase() : part;
    })
    .join(mac ? "" : "+");
}

export function findCommandForEvent(commands: readonly Command[], event: KeyLike, mac = isMacPlatform()): Command | undefined {
  return commands.find(
    (command) =>
      (command.enabled?.() ?? true) &&
      [command.shortcut, ...(command.alternateShortcuts ?? [])].some((shortcut) => shortcut !== undefined && matchesShortcut(event, shortcut, mac)),
  );
}

export function filterCommands(commands: readonly Command[], query: string): Array<{ item: Command; match: FuzzyMatch }> {
  const available = commands.filter((command) => command.enabled?.() ?? true);
  return fuzzyFilter(available, query, (command) => `${command.group}: ${command.title}`);
}
