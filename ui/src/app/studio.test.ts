import { describe, expect, it } from "vitest";
import type { EngineEvent, FileContent, NodeResultDto, NodeStatusDto } from "../api";
import { BackendError, ListenerSet, type Backend, type ConnectionState, type Operation, type RequestOf, type ResponseOf } from "../backend/backend";
import { Studio } from "./studio";
import { MemoryStorage } from "../shared/testing/memoryStorage";

/** A scripted backend: each operation answers from a handler table and every call is recorded. */
class ScriptedBackend implements Backend {
  readonly kind = "http" as const;
  readonly calls: Array<{ operation: string; request: unknown }> = [];

  downloadUrl(id: string): string {
    return `/api/download/${id}`;
  }
  readonly events = new ListenerSet<EngineEvent>();
  files = new Map<string, FileContent>([["models/a.sql", { path: "models/a.sql", content: "select 1", version: "v1" }]]);

  async call<Op extends Operation>(operation: Op, request: RequestOf<Op>): Promise<ResponseOf<Op>> {
    this.calls.push({ operation, request });
    const body = request as Record<string, unknown>;
    const answer = ((): unknown => {
      switch (operation) {
        case "projectInfo":
          return { name: "p", root: "/p", targetName: "dev", targetKind: "duckdb", warehousePath: null, schema: "main", counts: {} };
        case "recentProjects":
          return { projects: [] };
        case "fileTree":
          return { name: "p", path: "", kind: "dir", children: [] };
        case "graph":
          return { nodes: [], edges: [] };
        case "runHistory":
          return { runs: [] };
        case "startRun":
          return { runId: "r1" };
        case "readFile": {
          const file = this.files.get(String(body.path));
          if (!file) throw new BackendError(operation, { code: "K1004", severity: "error", message: "missing", file: null, line: null, column: null, hint: null });
          return file;
        }
        case "writeFile": {
          const current = this.files.get(String(body.path));
          if (current && body.expectedVersion !== undefined && body.expectedVersion !== current.version) {
            throw new BackendError(operation, { code: "K1006", severity: "error", message: "changed on disk", file: null, line: null, column: null, hint: null });
          }
          const saved = { path: String(body.path), content: String(body.content), version: `${current?.version ?? "v0"}+` };
          this.files.set(saved.path, saved);
          return saved;
        }
        default:
          return {};
      }
    })();
    return answer as ResponseOf<Op>;
  }

  subscribe(listener: (event: EngineEvent) => void) {
    return this.events.add(listener);
  }

  subscribeConnection(listener: (state: ConnectionState) => void) {
    listener("connected");
    return () => undefined;
  }
}

function result(uniqueId: string, status: NodeStatusDto): NodeResultDto {
  return {
    uniqueId,
    name: uniqueId,
    resourceType: "model",
    status,
    message: "",
    rowsAffected: null,
    failures: null,
    executionTime: 0.1,
    compiledPath: null,
    diagnostic: null,
    sample: null,
  };
}

async function started(storage = new MemoryStorage()) {
  const backend = new ScriptedBackend();
  const studio = new Studio(backend, storage, (callback) => callback());
  await studio.start();
  return { backend, studio, storage };
}

describe("Studio", () => {
  it("opens the project with the lineage and query tabs", async () => {
    const { studio } = await started();
    expect(studio.state.project?.name).toBe("p");
    expect(studio.state.tabs.map((tab) => tab.id)).toEqual(["lineage", "query"]);
  });

  it("refuses an invalid selector without calling the engine", async () => {
    const { studio, backend } = await started();
    await studio.startRun("build", "tags:oops");
    expect(backend.calls.some((call) => call.operation === "startRun")).toBe(false);
    expect(studio.state.toasts.at(-1)?.kind).toBe("error");
  });

  it("sends the parsed selection and remembers it", async () => {
    const { studio, backend } = await started();
    await studio.startRun("run", "+fct_sales --exclude stg_x");
    const call = backend.calls.find((entry) => entry.operation === "startRun");
    expect(call?.request).toEqual({ command: "run", select: ["+fct_sales"], exclude: ["stg_x"], client: studio.clientId });
    expect(studio.state.selectorHistory).toEqual(["+fct_sales --exclude stg_x"]);
  });

  it("folds run events into progress and live graph statuses", async () => {
    const { studio, backend } = await started();
    backend.events.emit({ type: "runStarted", runId: "r1", command: "build", total: 2, origin: { kind: "studio", client: null } });
    backend.events.emit({ type: "nodeFinished", runId: "r1", result: result("model.p.a", "success"), index: 1, total: 2 });
    backend.events.emit({ type: "nodeFinished", runId: "r1", result: result("model.p.b", "error"), index: 2, total: 2 });
    expect(studio.state.run?.finished).toBe(2);
    expect(studio.state.liveStatus.get("model.p.b")).toBe("error");
    expect(studio.state.bottomOpen).toBe(true);
    backend.events.emit({ type: "runFinished", runId: "r1", status: "error", elapsed: 1, counts: { success: 1, error: 1 } });
    expect(studio.state.run?.status).toBe("error");
  });

  it("saves with the version it read, and flags a conflict instead of overwriting", async () => {
    const { studio, backend } = await started();
    await studio.openFile("models/a.sql");
    studio.buffers.edit("models/a.sql", "select 2");
    expect(await studio.saveFile("models/a.sql")).toBe(true);
    expect(backend.files.get("models/a.sql")?.content).toBe("select 2");

    // Someone else writes the file; our next save must not clobber it.
    backend.files.set("models/a.sql", { path: "models/a.sql", content: "select 99", version: "other" });
    studio.buffers.edit("models/a.sql", "select 3");
    expect(await studio.saveFile("models/a.sql")).toBe(false);
    expect(backend.files.get("models/a.sql")?.content).toBe("select 99");
    expect(studio.buffers.get("models/a.sql")?.changedOnDisk).toBe(true);

    await studio.overwriteDisk("models/a.sql");
    expect(backend.files.get("models/a.sql")?.content).toBe("select 3");
  });

  it("reopens files that had unsaved drafts when the project loads again", async () => {
    const storage = new MemoryStorage();
    const first = await started(storage);
    await first.studio.openFile("models/a.sql");
    first.studio.buffers.edit("models/a.sql", "select 'draft'");
    first.studio.dispose();

    const second = await started(storage);
    expect(second.studio.state.tabs.some((tab) => tab.path === "models/a.sql")).toBe(true);
    expect(second.studio.buffers.get("models/a.sql")?.content).toBe("select 'draft'");
    expect(second.studio.state.toasts.at(-1)?.message).toContain("Restored unsaved changes");
  });
});
