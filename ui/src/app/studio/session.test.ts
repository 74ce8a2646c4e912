import { describe, expect, it } from "vitest";
import type { EngineEvent, FileContent, FileNode, GraphNodeDto } from "../../api";
import { BackendError, type Backend, type ConnectionState, type Operation, type RequestOf, type ResponseOf } from "../../backend/backend";
import { Studio, type StorageLike } from "./index";
import { MemoryStorage } from "../../shared/testing/memoryStorage";

// The Studio's tab session and its "unsaved changes" question, against an in-memory engine that
// knows a project folder of files; a second Studio on the same storage is a page reload.

const missing = (operation: string, code: string, message: string) =>
  new BackendError(operation, { code, severity: "error", message, file: null, line: null, column: null, hint: null });

class FolderBackend implements Backend {
  readonly kind = "http" as const;
  readonly files = new Map<string, FileContent>();
  readonly reads: string[] = [];
  /** Unique ids of the graph's nodes (only the ids matter here: docs tabs name one). */
  models = ["model.p.a"];

  constructor(paths: string[]) {
    for (const path of paths) this.files.set(path, { path, content: `select '${path}'`, version: "v1" });
  }

  async call<Op extends Operation>(operation: Op, request: RequestOf<Op>): Promise<ResponseOf<Op>> {
    const body = request as Record<string, unknown>;
    const path = String(body.path);
    const answer = ((): unknown => {
      switch (operation) {
        case "projectInfo":
          return { name: "p", root: "/p", targetName: "dev", targetKind: "duckdb", warehousePath: null, schema: "main", counts: {} };
        case "recentProjects":
          return { projects: [] };
        case "fileTree": {
          const children = [...this.files.keys()].map((file): FileNode => ({ name: file, path: file, kind: "model", children: [] }));
          return { name: "p", path: "", kind: "dir", children };
        }
        case "graph":
          return { nodes: this.models.map((id) => ({ id }) as GraphNodeDto), edges: [] };
        case "runHistory":
          return { runs: [] };
        case "readFile": {
          this.reads.push(path);
          const file = this.files.get(path);
          if (!file) throw missing(operation, "K1004", `cannot access ${path}`);
          return file;
        }
        case "writeFile": {
          const current = this.files.get(path);
          if (current && body.expectedVersion !== undefined && body.expectedVersion !== current.version) throw missing(operation, "K1006", "changed on disk");
          const saved = { path, content: String(body.content), version: `${current?.version ?? "v0"}+` };
          this.files.set(path, saved);
          return saved;
        }
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

async function studioOn(backend: FolderBackend, storage: StorageLike) {
  const studio = new Studio(backend, storage, (callback) => callback());
  await studio.start();
  return studio;
}

const A = "models/a.sql";
const B = "models/b.sql";
const ids = (studio: Studio) => studio.state.tabs.map((tab) => tab.id);

describe("the tab session", () => {
  it("reopens the same tabs in the same order with the same one active after a reload", async () => {
    const storage = new MemoryStorage();
    const backend = new FolderBackend([A, B]);
    const first = await studioOn(backend, storage);
    await first.openFile(B);
    await first.openFile(A);
    first.showDocs("model.p.a");
    first.activate(`file:${B}`);
    first.dispose();

    const second = await studioOn(backend, storage);
    expect(ids(second)).toEqual(["lineage", "query", `file:${B}`, `file:${A}`, "docs"]);
    expect(second.state.activeTabId).toBe(`file:${B}`);
    expect(second.buffers.get(A)?.content).toBe(`select '${A}'`);
    expect(second.state.toasts).toEqual([]);
  });

  it("drops files deleted since without a toast, and the active tab moves to a neighbour", async () => {
    const storage = new MemoryStorage();
    const backend = new FolderBackend([A, B]);
    const first = await studioOn(backend, storage);
    await first.openFile(A);
    await first.openFile(B);
    first.dispose();

    backend.files.delete(B);
    const second = await studioOn(backend, storage);
    expect(ids(second)).toEqual(["lineage", "query", `file:${A}`]);
    expect(second.state.activeTabId).toBe(`file:${A}`);
    expect(second.state.toasts).toEqual([]);
    expect(backend.reads.filter((path) => path === B)).toHaveLength(1);
  });

  it("drops the docs tab of a model no longer in the graph", async () => {
    const storage = new MemoryStorage();
    const backend = new FolderBackend([A]);
    const first = await studioOn(backend, storage);
    first.showDocs("model.p.a");
    first.dispose();

    backend.models = [];
    const second = await studioOn(backend, storage);
    expect(ids(second)).toEqual(["lineage", "query"]);
    expect(second.state.activeTabId).toBe("query");
  });

  it("does not overwrite the remembered tabs with the defaults while the project opens", async () => {
    const storage = new MemoryStorage();
    const backend = new FolderBackend([A]);
    const first = await studioOn(backend, storage);
    await first.openFile(A);
    const remembered = storage.getItem("kiln.tabs.v1:/p");
    first.dispose();
    const second = await studioOn(backend, storage);
    expect(storage.getItem("kiln.tabs.v1:/p")).toBe(remembered);
    expect(ids(second)).toContain(`file:${A}`);
  });
});

describe("closing a tab with unsaved edits", () => {
  async function dirty() {
    const storage = new MemoryStorage();
    const backend = new FolderBackend([A, B]);
    const studio = await studioOn(backend, storage);
    await studio.openFile(A);
    studio.buffers.edit(A, "select 'edited'");
    return { studio, backend, storage };
  }

  it("closes a clean tab at once", async () => {
    const { studio } = await dirty();
    await studio.openFile(B);
    studio.closeTab(`file:${B}`);
    expect(ids(studio)).not.toContain(`file:${B}`);
    expect(studio.state.pendingClose).toBeNull();
  });

  it("asks instead of closing; Cancel leaves the tab open and dirty", async () => {
    const { studio } = await dirty();
    studio.closeTab(`file:${A}`);
    expect(studio.state.pendingClose).toMatchObject({ tabId: `file:${A}`, path: A, title: "a.sql", saving: false });
    expect(ids(studio)).toContain(`file:${A}`);
    await studio.answerPendingClose("cancel");
    expect(studio.state.pendingClose).toBeNull();
    expect(ids(studio)).toContain(`file:${A}`);
    expect(studio.buffers.get(A)?.content).toBe("select 'edited'");
  });

  it("Don't save closes and forgets the edit and its crash-recovery draft", async () => {
    const { studio, backend, storage } = await dirty();
    expect(storage.getItem("kiln.buffers.v1:/p")).toContain("edited");
    studio.closeTab(`file:${A}`);
    await studio.answerPendingClose("discard");
    expect(ids(studio)).not.toContain(`file:${A}`);
    expect(storage.getItem("kiln.buffers.v1:/p")).toBeNull();
    expect(backend.files.get(A)?.content).toBe(`select '${A}'`);
    await studio.openFile(A);
    expect(studio.buffers.get(A)?.content).toBe(`select '${A}'`);
  });

  it("Save writes the file, then closes the tab", async () => {
    const { studio, backend } = await dirty();
    studio.closeTab(`file:${A}`);
    await studio.answerPendingClose("save");
    expect(backend.files.get(A)?.content).toBe("select 'edited'");
    expect(ids(studio)).not.toContain(`file:${A}`);
    expect(studio.state.pendingClose).toBeNull();
  });

  it("a Save that conflicts leaves the tab open with the edit", async () => {
    const { studio, backend } = await dirty();
    backend.files.set(A, { path: A, content: "select 'theirs'", version: "v2" });
    studio.closeTab(`file:${A}`);
    await studio.answerPendingClose("save");
    expect(ids(studio)).toContain(`file:${A}`);
    expect(studio.buffers.get(A)?.content).toBe("select 'edited'");
    expect(backend.files.get(A)?.content).toBe("select 'theirs'");
    expect(studio.state.pendingClose).toBeNull();
  });

  it("closeTabNow closes without asking and keeps the draft", async () => {
    const { studio, storage } = await dirty();
    studio.closeTabNow(`file:${A}`);
    expect(ids(studio)).not.toContain(`file:${A}`);
    expect(storage.getItem("kiln.buffers.v1:/p")).toContain("edited");
  });
});
