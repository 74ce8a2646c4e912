import type { ApplyEditRequest } from "../../api";

/** The engine takes a new name and, for a move, a new folder; the user edits one path. */
export function renameRequest(path: string, newPath: string): ApplyEditRequest {
  const folder = (value: string) => value.slice(0, Math.max(0, value.lastIndexOf("/")));
  const newName = newPath.slice(newPath.lastIndexOf("/") + 1).replace(/\.sql$/, "");
  const newDirectory = folder(newPath);
  return newDirectory === folder(path) ? { kind: "renameModel", path, newName } : { kind: "renameModel", path, newName, newDirectory };
}
