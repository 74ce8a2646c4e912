import type { FileNode, GraphNodeDto } from "../../api";
import type { Command } from "./commands";
import { rankItems, type RankedMatch } from "./rank";

/** One row of the palette: a command to run, a model (or seed, snapshot) or a file to open. */
export type PaletteItem =
  | { kind: "command"; key: string; command: Command }
  | { kind: "model"; key: string; node: GraphNodeDto }
  | { kind: "file"; key: string; file: FileNode };

export interface PaletteResult {
  item: PaletteItem;
  match: RankedMatch;
}

/** Node types the palette lists by name: the ones a user opens as a file. */
const NAMED_NODES = new Set(["model", "seed", "snapshot", "analysis"]);

/**
 * Everything the palette can find: models by name (their file is not listed twice), the other
 * project files, and the commands that can run now. Models come first, so on equal scores a model
 * wins over a file and a file over a command.
 */
export function paletteItems(commands: readonly Command[], nodes: readonly GraphNodeDto[], files: readonly FileNode[]): PaletteItem[] {
  const models = nodes.filter((node) => NAMED_NODES.has(node.resourceType) && node.path);
  const modelPaths = new Set(models.map((node) => node.path));
  return [
    ...models.map((node): PaletteItem => ({ kind: "model", key: `model:${node.id}`, node })),
    ...files.filter((file) => !modelPaths.has(file.path)).map((file): PaletteItem => ({ kind: "file", key: `file:${file.path}`, file })),
    ...commands
      .filter((command) => command.enabled?.() ?? true)
      .map((command): PaletteItem => ({ kind: "command", key: `command:${command.id}`, command })),
  ];
}

/** The name a palette item is matched by first, and the longer text it falls back to. */
export function paletteTexts(item: PaletteItem): { name: string; detail: string } {
  switch (item.kind) {
    case "command":
      return { name: item.command.title, detail: `${item.command.group}: ${item.command.title}` };
    case "model":
      return { name: item.node.name, detail: item.node.path };
    case "file":
      return { name: item.file.name, detail: item.file.path };
  }
}

/**
 * Searches models, files and commands together. An empty query lists the commands (the files of
 * a project are too many to browse here; Ctrl+P lists them); a query starting with `>` searches
 * commands only, as in VS Code.
 */
export function searchPalette(items: readonly PaletteItem[], query: string, limit = 60): PaletteResult[] {
  const commandsOnly = query.trimStart().startsWith(">");
  const text = commandsOnly ? query.trimStart().slice(1) : query;
  const pool = commandsOnly || text.trim() === "" ? items.filter((item) => item.kind === "command") : items;
  return rankItems(pool, text, paletteTexts, limit);
}
