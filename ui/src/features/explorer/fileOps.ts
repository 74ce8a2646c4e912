import type { FileNode, FileOpResponse, PathMove, PathReferences } from "../../api";
import type { Studio } from "../../app/studio";

/** What the explorer's menu and keys act on: a file, a folder, or the project itself (path ""). */
export interface ExplorerTarget {
  path: string;
  name: string;
  isDir: boolean;
  kind: FileNode["kind"];
}

export function targetOf(node: FileNode): ExplorerTarget {
  return { path: node.path, name: node.name, isDir: node.kind === "dir", kind: node.kind };
}

export const ROOT_TARGET: ExplorerTarget = { path: "", name: "", isDir: true, kind: "dir" };

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

export function joinPath(folder: string, name: string): string {
  const clean = name.replace(/^\/+/, "");
  return folder ? `${folder.replace(/\/+$/, "")}/${clean}` : clean;
}

/** The folder new files go into when the menu was opened on `target`: itself if a folder, else its parent. */
export function folderFor(target: ExplorerTarget): string {
  return target.isDir ? target.path : parentOf(target.path);
}

/** The part of a file name to pre-select for renaming: the name without its extension. */
export function stemRange(name: string): [number, number] {
  const dot = name.lastIndexOf(".");
  return [0, dot > 0 ? dot : name.length];
}

/**
 * Why `name` cannot name a new file or folder (or `null` when it can). Sub-folders are allowed
 * when `allowFolders` (new file `staging/stg_orders.sql`), not in a rename, which keeps the folder.
 */
export function nameProblem(name: string, allowFolders: boolean): string | null {
  const trimmed = name.trim();
  if (!trimmed) return "Type a name.";
  if (trimmed !== name) return "Names cannot start or end with spaces.";
  if (!allowFolders && name.includes("/")) return "A name cannot contain '/'; use Move to… to change the folder.";
  const parts = name.split("/");
  if (parts.some((part) => part === "")) return "Empty folder names are not allowed (check for a doubled or trailing '/').";
  if (parts.some((part) => part === "." || part === "..")) return "'.' and '..' are not names.";
  if (/[\\:*?"<>|]/.test(name) || [...name].some((character) => character < " ")) return "Leave out \\ : * ? \" < > | and control characters.";
  return null;
}

/** Model names are the file name: letters, digits and underscores only (what `ref()` accepts). */
export function modelNameProblem(fileName: string): string | null {
  if (!fileName.endsWith(".sql")) return null;
  const stem = fileName.slice(0, -4);
  return /^[A-Za-z0-9_]+$/.test(stem) ? null : "A model's name may hold only letters, digits and underscores.";
}

/** Where `path` is after `moves` (a file moved, or a folder above it moved); itself when untouched. */
export function remapPath(path: string, moves: readonly PathMove[]): string {
  for (const move of moves) {
    if (move.from === path) return move.to;
  }
  return path;
}

/** Every folder of the tree (the project root as ""), depth first, for "Move to…". */
export function folderPaths(node: FileNode | null): string[] {
  if (!node) return [];
  const out: string[] = [];
  const walk = (current: FileNode) => {
    if (current.kind !== "dir") return;
    out.push(current.path);
    current.children.forEach(walk);
  };
  walk(node);
  return out;
}

/** A short sentence naming who refers to the models in a path, or null when nothing does. */
export function referencesSummary(references: PathReferences | null): string | null {
  if (!references || references.referencedBy.length === 0) return null;
  const names = [...new Set(references.referencedBy.map((reference) => reference.name))];
  const shown = names.slice(0, 4).join(", ");
  const more = names.length > 4 ? ` and ${names.length - 4} more` : "";
  const targets = [...new Set(references.referencedBy.map((reference) => reference.target))];
  const what = targets.length === 1 ? targets[0] : `${targets.length} of its models`;
  return `${shown}${more} ${names.length === 1 ? "selects" : "select"} from ${what}.`;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * The explorer's operations: each calls the engine, then brings the studio up to date — the
 * tree and the lineage refetched, open tabs following a move or closing on a delete, open
 * buffers of files whose ref()s were rewritten reloaded. Errors are thrown for the dialog to show.
 */
export async function createFile(studio: Studio, path: string): Promise<FileOpResponse> {
  const done = await studio.backend.call("createFile", { path });
  await Promise.all([studio.refreshTree(), studio.refreshGraph()]);
  await studio.openFile(path);
  return done;
}

export async function createFolder(studio: Studio, path: string): Promise<FileOpResponse> {
  const done = await studio.backend.call("createFolder", { path });
  await studio.refreshTree();
  return done;
}

export async function movePath(studio: Studio, from: string, to: string): Promise<FileOpResponse> {
  const done = await studio.backend.call("movePath", { from, to });
  studio.followMoves(done.moved);
  await Promise.all([studio.refreshTree(), studio.refreshGraph(), reloadOpen(studio, done.rewritten)]);
  const verb = parentOf(from) === parentOf(to) ? "Renamed" : "Moved";
  const refs = done.rewritten.length > 0 ? ` and updated ref() in ${plural(done.rewritten.length, "file")}` : "";
  studio.toast("success", `${verb} ${baseName(from)} to ${to}${refs}.`, done.rewritten.length > 0 ? done.rewritten.join(", ") : undefined);
  return done;
}

export async function deletePath(studio: Studio, path: string): Promise<FileOpResponse> {
  const done = await studio.backend.call("deletePath", { path });
  studio.closeDeleted(done.deleted);
  await Promise.all([studio.refreshTree(), studio.refreshGraph()]);
  studio.toast("success", `Deleted ${path}${done.deleted.length > 1 ? ` (${plural(done.deleted.length, "file")})` : ""}.`);
  return done;
}

async function reloadOpen(studio: Studio, paths: readonly string[]): Promise<void> {
  await Promise.all(
    paths
      .filter((path) => studio.buffers.get(path))
      .map(async (path) => {
        try {
          studio.buffers.diskChanged(await studio.backend.call("readFile", { path }));
        } catch (error) {
          studio.reportError(`Could not reload ${path}`, error);
        }
      }),
  );
}

/** Copies text to the clipboard, with the old selection trick where the async API is refused. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const copied = document.execCommand("copy");
    area.remove();
    return copied;
  }
}
