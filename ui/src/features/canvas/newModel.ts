/** The path of a new canvas model from what the dialog asks: its name and folder. */
export function newModelPath(name: string, folder: string): string {
  const cleanFolder = folder.trim().replace(/\\/g, "/").replace(/^\/+|\/+$/g, "");
  const cleanName = name.trim().replace(/\.sql$/i, "");
  return cleanFolder ? `${cleanFolder}/${cleanName}.sql` : `${cleanName}.sql`;
}

/** Why the name and folder cannot make a new model, or null. */
export function newModelProblem(name: string, folder: string, existing: ReadonlySet<string>): string | null {
  const cleanName = name.trim().replace(/\.sql$/i, "");
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(cleanName)) return "A model name starts with a letter or _ and holds only letters, digits and _.";
  const parts = folder.trim().replace(/\\/g, "/").split("/").filter(Boolean);
  if (parts.length === 0) return "Pick the folder the model goes in, e.g. models/marts.";
  if (parts.some((part) => part === "..")) return "The folder must be inside the project.";
  if (existing.has(newModelPath(name, folder))) return "That file exists already.";
  return null;
}

/** The folder a new model is suggested in: the open model's, else `models`. */
export function suggestedFolder(activePath: string | undefined): string {
  if (activePath && /\.sql$/i.test(activePath) && activePath.includes("/")) return activePath.slice(0, activePath.lastIndexOf("/"));
  return "models";
}
