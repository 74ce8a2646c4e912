import { describe, expect, it } from "vitest";
import type { EngineEvent, FileContent, FileNode, FileOpResponse } from "../../api";
import { Studio } from "../../app/studio";
import type { Backend, ConnectionState, Operation, RequestOf, ResponseOf } from "../../backend/backend";
import { MemoryStorage } from "../../shared/testing/memoryStorage";
import {
  deletePath,
  folderFor,
  folderPaths,
  joinPath,
  modelNameProblem,
  movePath,
  nameProblem,
  parentOf,
  referencesSummary,
  remapPath,
  stemRange,
  targetOf,
} from "./fileOps";

describe("path helpers", () => {
  it("joins, splits and picks the folder new files go into", () => {
    expect(joinPath("", "a.sql")).toBe("a.sql");
    expect(joinPath("models/", "/a.sql")).toBe("models/a.sql");
    expect(parentOf("models/marts/a.sql")).toBe("models/marts");
    expect(parentOf("a.sql")).toBe("");
    const file: FileNode = { name: "a.sql", path: "models/marts/a.sql", kind: "model", children: [] };
    const folder: FileNode = { name: "marts", path: "models/marts", kind: "dir", children: [file] };
    expect(folderFor(targetOf(file))).toBe("models/marts");
    expect(folderFor(targetOf(folder))).toBe("models/marts");
    expect(folderPaths({ name: "p", path: "", kind: "dir", children: [{ name: "models", path: "models", kind: "dir", children: [folder] }] })).toEqual([
      "",
      "models",
      "models/marts",
    ]);
  });

  it("pre-selects the name without its extension", () => {
    expect(stemRange("fct_sales.sql")).toEqual([0, 9]);
    expect(stemRange(".gitignore")).toEqual([0, 10]);
    expect(stemRange("Makefile")).toEqual([0, 8]);
  });

  it("says what is wrong with a name", () => {
    expect(nameProblem("fct_orders.sql", false)).toBeNull();
    expect(nameProblem("staging/stg_orders.sql", true)).toBeNull();
    expect(nameProblem("staging/stg_orders.sql", false)).toMatch(/Move to/);
    expect(nameProblem("", true)).toMatch(/Type a name/);
    expect(nameProblem(" a.sql", true)).toMatch(/spaces/);
    expect(nameProblem("../a.sql", true)).toMatch(/'\.\.'/);
    expect(nameProblem("a//b.sql", true)).toMatch(/Empty folder/);
    expect(nameProblem("a:b.sql", true)).toMatch(/Leave out/);
    expect(modelNameProblem("fct-orders.sql")).toMatch(/letters, digits and underscores/);
    expect(modelNameProblem("fct_orders.sql")).toBeNull();
    expect(modelNameProblem("notes.md")).toBeNull();
  });

  it("follows moved paths and names who refers to a model", () => {
    expect(remapPath("a/x.sql", [{ from: "a/x.sql", to: "b/x.sql" }])).toBe("b/x.sql");
    expect(remapPath("a/y.sql", [{ from: "a/x.sql", to: "b/x.sql" }])).toBe("a/y.sql");
    expect(referencesSummary({ checked: true, defines: ["s"], referencedBy: [] })).toBeNull();
    const reference = (name: string) => ({ target: "stg_sales", name, path: `models/${name}.sql`, resourceType: "model" as const });
    expect(referencesSummary({ checked: true, defines: ["stg_sales"], referencedBy: [reference("fct_sales")] })).toBe("fct_sales selects from stg_sales.");
    expect(
      referencesSummary({ checked: true, defines: ["stg_sales"], referencedBy: ["a", "b", "c", "d", "e", "f"].map(reference) }),
    ).toBe("a, b, c, d and 2 more select from stg_sales.");
  });
});

/** An engine that knows a few files and answers the explorer's operations on them. */
class FilesBackend implements Backend {
  readonly kind = "http" as const;
  readonly files = new Map<string, FileContent>();
  readonly calls: string[] = [];

  constructor(paths: string[]) {
    for (const path of paths) this.files.set(path, { path, content: `select '${path}'`, version: "v1" });
  }

  async call<Op extends Operation>(operation: Op, request: RequestOf<Op>): Promise<ResponseOf<Op>> {
    this.calls.push(operation);
    const body = request as Record<string, string>;
    const empty: FileOpResponse = { created: [], moved: [], deleted: [], rewritten: [] };
    const answer = ((): unknown => {
      switch (operation) {
        case "projectInfo":
          return { name: "p", root: "/p", targetName: "dev", targetKind: "duckdb", warehousePath: null, schema: "main", counts: {} };
        case "recentProjects":
          return { projects: [] };
        case "fileTree": {
          const children = [...this.files.keys()].map((file): FileNode => ({ name: file.split("/").pop() ?? file, path: file, kind: "model", children: [] }));
          return { name: "p", path: "", kind: "dir", children };
        }
        case "graph":
          return { nodes: [], edges: [] };
        case "runHistory":
          return { runs: [] };
        case "readFile":
          return this.files.get(String(body.path));
        case "movePath": {
          const from = String(body.from);
          const to = String(body.to);
          const file = this.files.get(from);
          this.files.delete(from);
          if (file) this.files.set(to, { ...file, path: to });
          // The engine rewrote the dependent's ref().
          const dependent = this.files.get("models/b.sql");
          if (dependent) this.files.set("models/b.sql", { ...dependent, content: "select * from {{ ref('renamed') }}", version: "v2" });
          return { ...empty, moved: [{ from, to }], rewritten: ["models/b.sql"] };
        }
        case "deletePath":
          this.files.delete(String(body.path));
          return { ...empty, deleted: [String(body.path)] };
        default:
          return {};
      }
    })();
    return answer as ResponseOf<Op>;
  }

  subscribe(_listener: (event: EngineEvent) => void): () => void {
    return () => undefined;
  }

  subscribeConnection(listener: (state: ConnectionState) => void): () => void {
    listener("connected");
    return () => undefined;
  }

  downloadUrl(): null {
    return null;
  }
}

describe("explorer operations and the open tabs", () => {
  it("a renamed file's tab, unsaved edits and draft follow it; a rewritten dependent reloads", async () => {
    const storage = new MemoryStorage();
    const backend = new FilesBackend(["models/a.sql", "models/b.sql"]);
    const studio = new Studio(backend, storage, (callback) => callback());
    await studio.start();
    await studio.openFile("models/b.sql", { activate: false });
    await studio.openFile("models/a.sql");
    studio.buffers.edit("models/a.sql", "select 'edited'");

    await movePath(studio, "models/a.sql", "models/renamed.sql");

    const tab = studio.state.tabs.find((entry) => entry.path === "models/renamed.sql");
    expect(tab).toMatchObject({ id: "file:models/renamed.sql", title: "renamed.sql", kind: "file" });
    expect(studio.state.tabs.some((entry) => entry.path === "models/a.sql")).toBe(false);
    expect(studio.state.activeTabId).toBe("file:models/renamed.sql");
    expect(studio.buffers.get("models/a.sql")).toBeUndefined();
    expect(studio.buffers.get("models/renamed.sql")?.content).toBe("select 'edited'");
    expect(studio.buffers.draftPaths()).toEqual(["models/renamed.sql"]);
    expect(studio.buffers.get("models/b.sql")?.content).toBe("select * from {{ ref('renamed') }}");
    expect(studio.state.tree?.children.map((child) => child.path).sort()).toEqual(["models/b.sql", "models/renamed.sql"]);
    expect(studio.state.toasts.at(-1)?.message).toMatch(/Renamed a\.sql to models\/renamed\.sql and updated ref\(\) in 1 file/);
  });

  it("a deleted file's tab closes without asking, and its draft is dropped", async () => {
    const storage = new MemoryStorage();
    const backend = new FilesBackend(["models/a.sql", "models/b.sql"]);
    const studio = new Studio(backend, storage, (callback) => callback());
    await studio.start();
    await studio.openFile("models/a.sql");
    studio.buffers.edit("models/a.sql", "select 'edited'");

    await deletePath(studio, "models/a.sql");

    expect(studio.state.tabs.some((entry) => entry.path === "models/a.sql")).toBe(false);
    expect(studio.state.pendingClose).toBeNull();
    expect(studio.buffers.draftPaths()).toEqual([]);
    expect(studio.state.tree?.children.map((child) => child.path)).toEqual(["models/b.sql"]);
  });
});
