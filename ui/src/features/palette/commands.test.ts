import { describe, expect, it } from "vitest";
import { filterCommands, findCommandForEvent, formatShortcut, matchesShortcut, type Command, type KeyLike } from "./commands";

function key(keyName: string, modifiers: Partial<KeyLike> = {}): KeyLike {
  return { key: keyName, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...modifiers };
}

describe("matchesShortcut", () => {
  it("matches Mod as Ctrl off macOS and Cmd on macOS", () => {
    expect(matchesShortcut(key("s", { ctrlKey: true }), "Mod+S", false)).toBe(true);
    expect(matchesShortcut(key("s", { metaKey: true }), "Mod+S", true)).toBe(true);
    expect(matchesShortcut(key("s", { metaKey: true }), "Mod+S", false)).toBe(false);
  });

  it("requires the exact modifier set", () => {
    expect(matchesShortcut(key("Enter", { ctrlKey: true, shiftKey: true }), "Mod+Enter", false)).toBe(false);
    expect(matchesShortcut(key("Enter", { ctrlKey: true, shiftKey: true }), "Mod+Shift+Enter", false)).toBe(true);
    expect(matchesShortcut(key("P", { ctrlKey: true, shiftKey: true }), "Mod+Shift+P", false)).toBe(true);
  });
});

describe("commands", () => {
  let ran = "";
  const commands: Command[] = [
    { id: "palette", title: "Show all commands", group: "View", shortcut: "Mod+K", alternateShortcuts: ["Mod+Shift+P"], run: () => (ran = "palette") },
    { id: "save", title: "Save file", group: "File", shortcut: "Mod+S", run: () => (ran = "save") },
    { id: "hidden", title: "Cancel run", group: "Run", enabled: () => false, run: () => (ran = "hidden") },
  ];

  it("finds the command bound to a key, including alternates", () => {
    findCommandForEvent(commands, key("P", { ctrlKey: true, shiftKey: true }), false)?.run();
    expect(ran).toBe("palette");
    expect(findCommandForEvent(commands, key("s", { ctrlKey: true }), false)?.id).toBe("save");
  });

  it("filters by fuzzy title and drops disabled commands", () => {
    expect(filterCommands(commands, "save").map((entry) => entry.item.id)).toEqual(["save"]);
    expect(filterCommands(commands, "").map((entry) => entry.item.id)).toEqual(["palette", "save"]);
  });

  it("formats shortcuts per platform", () => {
    expect(formatShortcut("Mod+Shift+Enter", false)).toBe("Ctrl+Shift+Enter");
    expect(formatShortcut("Mod+K", true)).toBe("⌘K");
  });
});
