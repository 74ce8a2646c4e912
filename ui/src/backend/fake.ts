import type {
  ColumnDto,
  CompileResult,
  DiagnosticDto,
  EngineEvent,
  FileKind,
  FileNode,
  GraphDto,
  GraphNodeDto,
  Layer,
  NodeResultDto,
  NodeStatusDto,
  RunRecord,
  StatementResultDto,
} from "../api";
import { splitStatements, statementAt } from "../features/query/statements";
import { BackendError, ListenerSet, type Backend, type ConnectionState, type Operation, type RequestOf, type ResponseOf } from "./backend";

/**
 * An in-memory stand-in for the engine, loaded only with `?backend=fake`. It lets the UI be
 * developed, demonstrated and screenshotted without `kiln serve`: files are editable, ref() and
 * source() are parsed to build a live graph, runs stream events, and queries produce
 * deterministic synthetic rows (up to millions, generated per page). It is not the engine: SQL is
 * not executed.
 */
export class FakeBackend implements Backend {
  readonly kind = "fake" as const;
  private readonly events = new ListenerSet<EngineEvent>();
  private readonly files = new Map<string, { content: string; version: number }>();
  private readonly statuses = new Map<string, NodeStatusDto>();
  private readonly runs: RunRecord[] = [];
  private readonly results = new Map<string, NodeResultDto[]>();
  private readonly queries = new Map<string, StatementResultDto[]>();
  private readonly queryLog: Array<{ sql: string; startedAt: string; elapsed: number; rows: number | null; error: string | null }> = [];
  private cancelled = new Set<string>();
  private counter = 0;
  private readonly syntheticNodes: number;
  /** False until openProject, to show the first-launch screen (`?backend=fake&project=none`). */
  private projectOpen: boolean;

  constructor(options: { syntheticNodes?: number; projectOpen?: boolean } = {}) {
    this.syntheticNodes = Math.max(0, Math.min(20_000, options.syntheticNodes ?? 0));
    this.projectOpen = options.projectOpen ?? true;
    for (const [path, content] of Object.entries(SAMPLE_FILES)) this.files.set(path, { content, version: 1 });
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    return this.events.add(listener);
  }

  subscribeConnection(listener: (state: ConnectionState) => void): () => void {
    listener("connected");
    return () => undefined;
  }

  async call<Op extends Operation>(operation: Op, request: RequestOf<Op>): Promise<ResponseOf<Op>> {
    await delay(operation === "compileModel" ? 15 : 40);
    return this.handle(operation, request) as ResponseOf<Op>;
  }

  private fail(operation: string, code: string, message: string, hint: string | null = null): never {
    throw new BackendError(operation, { code, severity: "error", message, file: null, line: null, column: null, hint });
  }

  private handle(operation: Operation, request: unknown): unknown {
    const body = request as Record<string, unknown>;
    switch (operation) {
      case "projectInfo":
        if (!this.projectOpen) return this.fail(operation, "K1001", "No project is open.", "Pick a project folder to open.");
        return this.projectInfo();
      case "openProject":
        if (!String(body.path).endsWith("tickit")) {
          return this.fail(operation, "K1002", `No dbt_project.yml in ${String(body.path)}.`, "Choose the folder that contains dbt_project.yml.");
        }
        this.projectOpen = true;
        return this.projectInfo();
      default:
        return this.handleProjectLoaded(operation, body);
    }
  }

  private projectInfo() {
    return {
      name: "tickit",
      root: "/demo/projects/tickit",
      targetName: "dev",
      targetKind: "duckdb",
      warehousePath: "/demo/projects/tickit/target/kiln.duckdb",
      schema: "analytics",
      counts: { models: this.graph().nodes.filter((node) => node.resourceType === "model").length },
    };
  }

  private handleProjectLoaded(operation: Operation, body: Record<string, unknown>): unknown {
    switch (operation) {
      case "recentProjects":
        return { projects: ["/demo/projects/tickit", "/demo/projects/sensors"] };
      case "fileTree":
        return this.tree();
      case "readFile": {
        const path = String(body.path);
        const file = this.files.get(path);
        if (file) return { path, content: file.content, version: String(file.version) };
        if (path.startsWith("target/compiled/")) {
          const source = path.replace(/^target\/compiled\/tickit\//, "");
          const compiled = this.compile(source, this.files.get(source)?.content ?? "");
          return { path, content: compiled.sql ?? "", version: "compiled" };
        }
        return this.fail(operation, "K1004", `No file at ${path}.`, "It may have been deleted or renamed on disk.");
      }
      case "writeFile": {
        const path = String(body.path);
        const existing = this.files.get(path);
        if (existing && typeof body.expectedVersion === "string" && body.expectedVersion !== String(existing.version)) {
          return this.fail(operation, "K1006", `${path} changed on disk since you opened it.`, "Reload it or overwrite it.");
        }
        const version = (existing?.version ?? 0) + 1;
        this.files.set(path, { content: String(body.content), version });
        setTimeout(() => this.events.emit({ type: "fileChanged", paths: [path] }), 10);
        return { path, content: String(body.content), version: String(version) };
      }
      case "compileModel":
        return this.compile(String(body.path), typeof body.content === "string" ? body.content : (this.files.get(String(body.path))?.content ?? ""));
      case "graph":
        return this.graph();
      case "docs":
        return this.docs(String(body.id));
      case "startRun":
        return { runId: this.startRun(String(body.command), (body.select as string[]) ?? []) };
      case "cancelRun":
        this.cancelled.add(String(body.runId));
        return {};
      case "runHistory":
        return { runs: [...this.runs].reverse() };
      case "runResults":
        return { results: this.results.get(String(body.runId)) ?? [] };
      case "runQuery":
      case "runStatementAt":
        return this.runQuery(String(body.sql), operation === "runStatementAt" ? Number(body.offset) : null, typeof body.queryId === "string" ? body.queryId : null);
      case "fetchRows":
        return this.fetchRows(body);
      case "cancelQuery":
        return {};
      case "exportQuery": {
        const statements = this.queries.get(String(body.queryId));
        const statement = statements?.[Number(body.statement)];
        return { path: String(body.path), rows: statement?.totalRows ?? 0 };
      }
      case "queryHistory":
        return { entries: [...this.queryLog].reverse() };
      case "schema":
        return this.schema();
      case "previewRelation":
        return this.statement(0, `select * from ${String(body.schema)}.${String(body.name)} limit ${Number(body.limit)}`, Math.min(Number(body.limit), 200));
      case "showModel": {
        const name = String(body.path).split("/").pop()?.replace(/\.sql$/, "") ?? "model";
        return this.statement(0, `select * from analytics.${name} limit ${Number(body.limit)}`, Math.min(Number(body.limit), 200));
      }
      case "applyEdit":
        return this.applyEdit(body);
      case "commitEdit": {
        const changes = body.changes as Array<{ path: string; after: string | null }>;
        for (const change of changes) {
          if (change.after === null) this.files.delete(change.path);
          else this.files.set(change.path, { content: change.after, version: (this.files.get(change.path)?.version ?? 0) + 1 });
        }
        setTimeout(() => this.events.emit({ type: "fileChanged", paths: changes.map((change) => change.path) }), 10);
        return { paths: changes.map((change) => change.path) };
      }
    }
    return this.fail(operation, "K9999", `The demo engine does not implement ${operation}.`);
  }

  // ------------------------------------------------------------------ project model

  private tree(): FileNode {
    const root: FileNode = { name: "tickit", path: "", kind: "dir", children: [] };
    for (const path of [...this.files.keys()].sort()) {
      const parts = path.split("/");
      let node = root;
      parts.forEach((part, index) => {
        const childPath = parts.slice(0, index + 1).join("/");
        let child = node.children.find((entry) => entry.name === part);
        if (!child) {
          child = { name: part, path: childPath, kind: index === parts.length - 1 ? kindOf(childPath) : "dir", children: [] };
          node.children.push(child);
        }
        node = child;
      });
    }
    const sortTree = (node: FileNode) => {
      node.children.sort((left, right) => (left.kind === "dir") !== (right.kind === "dir") ? (left.kind === "dir" ? -1 : 1) : left.name.localeCompare(right.name));
      node.children.forEach(sortTree);
    };
    sortTree(root);
    return root;
  }

  private models(): Array<{ name: string; path: string; content: string; layer: Layer }> {
    return [...this.files.entries()]
      .filter(([path]) => path.startsWith("models/") && path.endsWith(".sql"))
      .map(([path, file]) => ({ name: path.split("/").pop()?.replace(/\.sql$/, "") ?? path, path, content: file.content, layer: layerOf(path) }));
  }

  graph(): GraphDto {
    if (this.syntheticNodes > 0) return syntheticGraph(this.syntheticNodes, this.statuses);
    const nodes: GraphNodeDto[] = [];
    const edges: GraphDto["edges"] = [];
    for (const source of SOURCES) {
      nodes.push(node(`source.tickit.tickit_external.${source.name}`, source.name, "source", "source", "models/staging/tickit/_tickit__sources.yml", null, source.description, this.statuses));
    }
    const models = this.models();
    const ids = new Map(models.map((model) => [model.name, `model.tickit.${model.name}`]));
    for (const model of models) {
      const id = `model.tickit.${model.name}`;
      const materialized = model.layer === "marts" ? "table" : "view";
      nodes.push(node(id, model.name, "model", model.layer, model.path, materialized, DESCRIPTIONS[model.name] ?? "", this.statuses));
      for (const ref of refsOf(model.content)) {
        const parent = ids.get(ref);
        if (parent) edges.push({ source: parent, target: id });
      }
      for (const [, table] of sourcesOf(model.content)) edges.push({ source: `source.tickit.tickit_external.${table}`, target: id });
    }
    for (const [model, tests] of Object.entries(TESTS)) {
      const parent = ids.get(model);
      if (!parent) continue;
      for (const test of tests) {
        const id = `test.tickit.${test}_${model}`;
        nodes.push(node(id, `${test}_${model}`, "test", "test", "models/marts/schema.yml", null, "", this.statuses));
        edges.push({ source: parent, target: id });
      }
    }
    for (const exposure of EXPOSURES) {
      const id = `exposure.tickit.${exposure.name}`;
      nodes.push(node(id, exposure.name, "exposure", "exposure", "models/exposures.yml", null, exposure.description, this.statuses));
      for (const parent of exposure.dependsOn) {
        const parentId = ids.get(parent);
        if (parentId) edges.push({ source: parentId, target: id });
      }
    }
    return { nodes, edges };
  }

  private compile(path: string, content: string): CompileResult {
    const diagnostics: DiagnosticDto[] = [];
    const known = new Set(this.models().map((model) => model.name));
    const lines = content.split("\n");
    lines.forEach((line, index) => {
      for (const match of line.matchAll(/ref\(\s*['"]([\w.-]*)['"]\s*\)/g)) {
        const name = match[1] ?? "";
        if (!known.has(name)) {
          diagnostics.push({
            code: "K2101",
            severity: "error",
            message: `ref('${name}') points to a model that does not exist.`,
            file: path,
            line: index + 1,
            column: (match.index ?? 0) + line.slice(match.index ?? 0).indexOf(name) + 1,
            hint: `Known models include ${[...known].slice(0, 3).join(", ")}.`,
          });
        }
      }
      const opens = (line.match(/\{\{/g) ?? []).length;
      const closes = (line.match(/\}\}/g) ?? []).length;
      if (opens !== closes) {
        diagnostics.push({
          code: "K2001",
          severity: "error",
          message: "Unclosed Jinja expression: `{{` without a matching `}}`.",
          file: path,
          line: index + 1,
          column: line.indexOf("{{") + 1,
          hint: "Close the expression with }}.",
        });
      }
    });
    const name = path.split("/").pop()?.replace(/\.sql$/, "") ?? "";
    const isModel = path.startsWith("models/") && path.endsWith(".sql");
    const sql = diagnostics.length
      ? null
      : content
          .replace(/\{\{\s*config\([^)]*\)\s*\}\}\s*/g, "")
          .replace(/\{\{\s*ref\(\s*['"](\w+)['"]\s*\)\s*\}\}/g, '"kiln"."analytics"."$1"')
          .replace(/\{\{\s*source\(\s*['"](\w+)['"]\s*,\s*['"](\w+)['"]\s*\)\s*\}\}/g, '"kiln"."$1"."$2"')
          .replace(/\{\{\s*price_band\(([^)]*)\)\s*\}\}/g, "case when $1 < 50 then 'low' when $1 < 200 then 'mid' else 'high' end");
    return {
      uniqueId: isModel ? `model.tickit.${name}` : null,
      sql: path.endsWith(".sql") ? sql : null,
      diagnostics,
      dependsOn: [...refsOf(content).map((ref) => `model.tickit.${ref}`), ...sourcesOf(content).map(([, table]) => `source.tickit.tickit_external.${table}`)],
      columns: COLUMNS[name] ?? [],
    };
  }

  private docs(id: string) {
    const graph = this.graph();
    const found = graph.nodes.find((entry) => entry.id === id);
    if (!found) return this.fail("docs", "K3001", `Unknown node ${id}.`);
    const columns = (COLUMNS[found.name] ?? []).map((column) => ({
      ...column,
      tests: Object.entries(COLUMN_TESTS).filter(([key]) => key === `${found.name}.${column.name}`).flatMap(([, tests]) => tests),
    }));
    const file = this.files.get(found.path);
    return {
      id,
      name: found.name,
      resourceType: found.resourceType,
      description: found.description,
      columns,
      dependsOn: graph.edges.filter((edge) => edge.target === id).map((edge) => edge.source),
      referencedBy: graph.edges.filter((edge) => edge.source === id).map((edge) => edge.target),
      path: found.path,
      rawCode: file?.content ?? "",
      compiledCode: found.resourceType === "model" ? this.compile(found.path, file?.content ?? "").sql : null,
    };
  }

  // ------------------------------------------------------------------ runs

  private startRun(command: string, select: string[]): string {
    this.counter += 1;
    const runId = `run-${this.counter}`;
    const graph = this.graph();
    const wanted = selectNodes(graph, select);
    const order = graph.nodes.filter((entry) => wanted.has(entry.id) && includedIn(command, entry.resourceType));
    const record: RunRecord = { runId, command: command as RunRecord["command"], select, exclude: [], startedAt: new Date().toISOString(), elapsed: null, status: "running", counts: {} };
    this.runs.push(record);
    const results: NodeResultDto[] = [];
    this.results.set(runId, results);
    const failed = new Set<string>();
    const started = performance.now();
    this.events.emit({ type: "runStarted", runId, command: record.command, total: order.length });
    this.events.emit({ type: "log", runId, message: `Running ${command} on ${order.length} nodes with 4 threads` });
    let index = 0;
    const step = () => {
      if (this.cancelled.has(runId) || index >= order.length) {
        const counts: Record<string, number> = {};
        for (const result of results) counts[result.status] = (counts[result.status] ?? 0) + 1;
        record.status = this.cancelled.has(runId) ? "cancelled" : failed.size > 0 ? "error" : "success";
        record.elapsed = (performance.now() - started) / 1000;
        record.counts = counts;
        this.events.emit({ type: "runFinished", runId, status: record.status, elapsed: record.elapsed, counts });
        return;
      }
      const current = order[index] as GraphNodeDto;
      index += 1;
      const position = index;
      this.events.emit({ type: "nodeStarted", runId, uniqueId: current.id, name: current.name, index: position, total: order.length });
      const parents = graph.edges.filter((edge) => edge.target === current.id).map((edge) => edge.source);
      const skipped = parents.some((parent) => failed.has(parent));
      const content = this.files.get(current.path)?.content ?? "";
      const broken = current.resourceType === "model" && this.compile(current.path, content).diagnostics.length > 0;
      const failingTest = current.resourceType === "test" && current.name.startsWith("unique_") && current.name.includes("dim_events");
      setTimeout(
        () => {
          const status = skipped ? "skipped" : broken ? "error" : current.resourceType === "test" ? (failingTest ? "fail" : "pass") : "success";
          if (status === "error" || status === "fail" || status === "skipped") failed.add(current.id);
          const result: NodeResultDto = {
            uniqueId: current.id,
            name: current.name,
            resourceType: current.resourceType,
            status: status as NodeStatusDto,
            message: status === "success" ? (current.materialized === "table" ? "SELECT 172456" : "CREATE VIEW") : status === "pass" ? "PASS" : status === "fail" ? "Got 3 results, configured to fail if != 0" : status === "skipped" ? "Skipped: an upstream node failed" : "Compilation error",
            rowsAffected: status === "success" && current.materialized === "table" ? 172_456 : null,
            failures: status === "fail" ? 3 : current.resourceType === "test" ? 0 : null,
            executionTime: 0.05 + ((position * 37) % 100) / 250,
            compiledPath: current.resourceType === "model" ? `target/compiled/tickit/${current.path}` : null,
            diagnostic: broken ? this.compile(current.path, content).diagnostics[0] ?? null : null,
            sample:
              status === "fail"
                ? { columns: [{ name: "event_id", dataType: "INTEGER", description: "" }, { name: "n", dataType: "BIGINT", description: "" }], rows: [[1201, 2], [4410, 2], [7719, 3]] }
                : null,
          };
          results.push(result);
          this.statuses.set(current.id, status as NodeStatusDto);
          this.events.emit({ type: "nodeFinished", runId, result, index: position, total: order.length });
          step();
        },
        this.syntheticNodes > 0 ? 2 : 120 + ((position * 53) % 200),
      );
    };
    setTimeout(step, 50);
    return runId;
  }

  // ------------------------------------------------------------------ queries

  private runQuery(sql: string, offset: number | null, requestedId: string | null) {
    this.counter += 1;
    const queryId = requestedId ?? `q-${this.counter}`;
    const ranges = splitStatements(sql);
    // The real engine gets a UTF-8 byte offset; the demo only needs an approximate position.
    const chosen = offset === null ? ranges : [statementAt(ranges, Math.min(offset, sql.length), sql)].filter((range) => range !== null);
    const statements = chosen.map((range, index) => this.statement(index, range.text, null));
    this.queries.set(queryId, statements);
    for (const statement of statements) {
      this.queryLog.push({ sql: statement.sql, startedAt: new Date().toISOString(), elapsed: statement.elapsed, rows: statement.totalRows, error: statement.error?.message ?? null });
    }
    return { queryId, statements };
  }

  private statement(index: number, sql: string, limit: number | null): StatementResultDto {
    const lower = sql.toLowerCase();
    if (/\bfrom\s+nowhere\b/.test(lower) || /\bselec\b/.test(lower)) {
      return { index, sql, columns: [], firstPage: [], totalRows: null, elapsed: 0.003, error: { code: "K4001", severity: "error", message: "Parser Error: syntax error at or near \"nowhere\"", file: null, line: 1, column: lower.indexOf("nowhere") + 1 || 1, hint: "Check the table name." } };
    }
    const shape = shapeFor(lower);
    const total = limit !== null ? Math.min(limit, shape.rows) : shape.rows;
    const firstPage = Array.from({ length: Math.min(200, total) }, (_, row) => shape.row(row));
    return { index, sql, columns: shape.columns, firstPage, totalRows: total, elapsed: 0.004 + (total % 97) / 1000, error: null };
  }

  private fetchRows(body: Record<string, unknown>) {
    const statement = this.queries.get(String(body.queryId))?.[Number(body.statement)];
    if (!statement) return this.fail("fetchRows", "K4004", "This result is gone; run the query again.");
    const shape = shapeFor(statement.sql.toLowerCase());
    let total = statement.totalRows ?? 0;
    const filter = typeof body.filter === "string" ? body.filter : null;
    // Demo semantics: a filter keeps every third row, a descending sort reverses the order.
    if (filter) total = Math.floor(total / 3);
    const sort = body.sort as { column: string; descending: boolean } | null | undefined;
    const offset = Number(body.offset);
    const limit = Number(body.limit);
    const rows: unknown[][] = [];
    for (let row = offset; row < Math.min(total, offset + limit); row += 1) {
      let source = filter ? row * 3 : row;
      if (sort?.descending) source = (statement.totalRows ?? 0) - 1 - source;
      rows.push(shape.row(source));
    }
    return { rows, totalRows: total };
  }

  private schema() {
    return {
      schemas: [
        { name: "tickit_external", relations: SOURCES.map((source) => ({ name: source.name, kind: "table", columns: COLUMNS[source.name] ?? [] })) },
        {
          name: "analytics",
          relations: this.models().map((model) => ({ name: model.name, kind: model.layer === "marts" ? "table" : "view", columns: COLUMNS[model.name] ?? [] })),
        },
      ],
    };
  }

  private applyEdit(body: Record<string, unknown>) {
    if (body.kind === "createModel") {
      const graph = this.graph();
      const upstream = (body.upstream as string[]).map((id) => graph.nodes.find((entry) => entry.id === id)).filter((entry): entry is GraphNodeDto => Boolean(entry));
      const ctes = upstream.map((entry) => {
        const parts = entry.id.split(".");
        const call = entry.resourceType === "source" ? `source('${parts[2]}', '${parts[3]}')` : `ref('${entry.name}')`;
        return `${entry.name} as (\n    select * from {{ ${call} }}\n)`;
      });
      const after = `with\n\n${ctes.join(",\n\n")}\n\nselect\n    *\nfrom ${upstream[0]?.name ?? "source"}\n`;
      return { changes: [{ path: `${String(body.directory)}/${String(body.name)}.sql`, before: null, after }] };
    }
    if (body.kind === "renameModel") {
      const path = String(body.path);
      const directory = typeof body.newDirectory === "string" ? body.newDirectory : path.slice(0, path.lastIndexOf("/"));
      const newPath = `${directory}/${String(body.newName)}.sql`;
      const oldName = path.split("/").pop()?.replace(/\.sql$/, "") ?? "";
      const newName = newPath.split("/").pop()?.replace(/\.sql$/, "") ?? "";
      const changes: Array<{ path: string; before: string | null; after: string | null }> = [
        { path, before: this.files.get(path)?.content ?? "", after: null },
        { path: newPath, before: null, after: this.files.get(path)?.content ?? "" },
      ];
      for (const [other, file] of this.files) {
        if (other === path) continue;
        const pattern = new RegExp(`ref\\(\\s*(['"])${oldName}\\1\\s*\\)`, "g");
        if (pattern.test(file.content)) changes.push({ path: other, before: file.content, after: file.content.replace(pattern, `ref('${newName}')`) });
      }
      return { changes };
    }
    const path = "models/marts/schema.yml";
    const before = this.files.get(path)?.content ?? "";
    return { changes: [{ path, before, after: `${before.trimEnd()}\n      # ${String(body.column)}: ${String(body.test)} (added by Kiln Studio demo)\n` }] };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function kindOf(path: string): FileKind {
  if (path.startsWith("macros/")) return "macro";
  if (path.startsWith("tests/")) return "test";
  if (path.startsWith("seeds/")) return "seed";
  if (path.startsWith("analyses/")) return "analysis";
  if (path.endsWith(".md")) return "docs";
  if (path.includes("sources")) return "source";
  if (path.endsWith(".yml")) return "yaml";
  if (path.startsWith("models/") && path.endsWith(".sql")) return "model";
  return "other";
}

function layerOf(path: string): Layer {
  if (path.includes("/staging/")) return "staging";
  if (path.includes("/intermediate/")) return "intermediate";
  if (path.includes("/marts/")) return "marts";
  return "other";
}

function refsOf(content: string): string[] {
  return [...content.matchAll(/ref\(\s*['"]([\w.-]+)['"]\s*\)/g)].map((match) => match[1] ?? "");
}

function sourcesOf(content: string): Array<[string, string]> {
  return [...content.matchAll(/source\(\s*['"](\w+)['"]\s*,\s*['"](\w+)['"]\s*\)/g)].map((match) => [match[1] ?? "", match[2] ?? ""]);
}

function node(
  id: string,
  name: string,
  resourceType: GraphNodeDto["resourceType"],
  layer: Layer,
  path: string,
  materialized: string | null,
  description: string,
  statuses: Map<string, NodeStatusDto>,
): GraphNodeDto {
  return { id, name, resourceType, layer, path, materialized, tags: layer === "marts" ? ["marts"] : [], description, status: statuses.get(id) ?? null };
}

function includedIn(command: string, resourceType: string): boolean {
  if (command === "build") return true;
  if (command === "test") return resourceType === "test";
  if (command === "stage") return resourceType === "source";
  if (command === "seed") return resourceType === "seed";
  return resourceType === "model";
}

/** Enough of dbt's selection for the demo: names, +name, name+, tag:, layer folders. */
function selectNodes(graph: GraphDto, select: string[]): Set<string> {
  if (select.length === 0) return new Set(graph.nodes.map((entry) => entry.id));
  const chosen = new Set<string>();
  const walk = (start: string, direction: "up" | "down") => {
    const stack = [start];
    while (stack.length > 0) {
      const current = stack.pop() as string;
      for (const edge of graph.edges) {
        const next = direction === "up" ? (edge.target === current ? edge.source : null) : edge.source === current ? edge.target : null;
        if (next && !chosen.has(next)) {
          chosen.add(next);
          stack.push(next);
        }
      }
    }
  };
  for (const token of select) {
    const up = token.startsWith("+");
    const down = token.endsWith("+");
    const name = token.replace(/^\+/, "").replace(/\+$/, "");
    for (const entry of graph.nodes) {
      const matches = name.startsWith("tag:") ? entry.tags.includes(name.slice(4)) : entry.name === name || entry.layer === name || entry.id.endsWith(`.${name.replace(/^source:/, "")}`);
      if (!matches) continue;
      chosen.add(entry.id);
      if (up) walk(entry.id, "up");
      if (down) walk(entry.id, "down");
      // Tests of a selected node come along, as with dbt's indirect selection.
      for (const edge of graph.edges) if (edge.source === entry.id && edge.target.startsWith("test.")) chosen.add(edge.target);
    }
  }
  return chosen;
}

function syntheticGraph(count: number, statuses: Map<string, NodeStatusDto>): GraphDto {
  const nodes: GraphNodeDto[] = [];
  const edges: GraphDto["edges"] = [];
  const layers: Layer[] = ["source", "staging", "intermediate", "marts"];
  const perLayer = Math.ceil(count / layers.length);
  for (let index = 0; index < count; index += 1) {
    const layerIndex = Math.min(layers.length - 1, Math.floor(index / perLayer));
    const layer = layers[layerIndex] as Layer;
    const id = layer === "source" ? `source.big.raw.t${index}` : `model.big.${layer}_${index}`;
    nodes.push(node(id, layer === "source" ? `t${index}` : `${layer}_${index}`, layer === "source" ? "source" : "model", layer, `models/${layer}/${layer}_${index}.sql`, layer === "marts" ? "table" : "view", "", statuses));
    if (layerIndex > 0) {
      const previousStart = (layerIndex - 1) * perLayer;
      for (let parent = 0; parent < 2; parent += 1) {
        const parentIndex = previousStart + ((index * 7 + parent * 13) % perLayer);
        const parentNode = nodes[parentIndex];
        if (parentNode) edges.push({ source: parentNode.id, target: id });
      }
    }
  }
  return { nodes, edges };
}

interface Shape {
  columns: ColumnDto[];
  rows: number;
  row: (index: number) => unknown[];
}

const CATEGORIES = ["Musicals", "Plays", "Opera", "Pop", "Rock", "Jazz", "Classical", "Country", "Latin", "MLB", "NFL"];
const STATES = ["CA", "NY", "TX", "FL", "WA", "IL", "MA", "NV", "AZ", "OR"];

function shapeFor(sql: string): Shape {
  if (/range\(|generate_series|big_result/.test(sql)) {
    return {
      columns: [col("n", "BIGINT"), col("bucket", "INTEGER"), col("label", "VARCHAR")],
      rows: 10_000_000,
      row: (index) => [index, index % 100, `row ${index.toLocaleString("en-US")}`],
    };
  }
  if (/fct_sales|sale/.test(sql)) {
    return {
      columns: [
        col("sale_id", "INTEGER"),
        col("sold_at", "TIMESTAMP"),
        col("category", "VARCHAR"),
        col("buyer_state", "VARCHAR"),
        col("qty_sold", "SMALLINT"),
        col("price_paid", "DECIMAL(8,2)"),
        col("commission", "DECIMAL(8,2)"),
      ],
      rows: 172_456,
      row: (index) => {
        const price = Math.round(((index * 7919) % 180000) / 100 + 20) ;
        return [
          index + 1,
          new Date(Date.UTC(2008, 0, 1) + ((index * 3_600_000 * 7) % (365 * 86_400_000))).toISOString().replace("T", " ").slice(0, 19),
          CATEGORIES[index % CATEGORIES.length],
          STATES[(index * 3) % STATES.length],
          1 + (index % 4),
          price.toFixed(2),
          (price * 0.15).toFixed(2),
        ];
      },
    };
  }
  return { columns: [col("hello", "INTEGER")], rows: 1, row: () => [1] };
}

function col(name: string, dataType: string, description = ""): ColumnDto {
  return { name, dataType, description };
}

const SOURCES = [
  { name: "category", description: "Event categories (11 rows)." },
  { name: "date", description: "Calendar dates of 2008." },
  { name: "event", description: "Events with venue, category and start time." },
  { name: "listing", description: "Tickets listed for sale." },
  { name: "sale", description: "Ticket sales with price paid and commission." },
  { name: "users", description: "Buyers and sellers." },
  { name: "venue", description: "Venues with city and state." },
];

const DESCRIPTIONS: Record<string, string> = {
  fct_sales: "One row per ticket sale, with buyer, seller, event and pricing.",
  fct_listings: "One row per listing with its event and seller.",
  dim_events: "Events joined with category and venue.",
  dim_users: "Users with buyer and seller attributes.",
  int_buyers_extracted_from_users: "Users who bought at least one ticket.",
};

const COLUMNS: Record<string, ColumnDto[]> = {
  fct_sales: [
    col("sale_id", "INTEGER", "Primary key of the sale."),
    col("sold_at", "TIMESTAMP", "When the sale happened."),
    col("event_id", "INTEGER", "The event the tickets are for."),
    col("buyer_id", "INTEGER", "Who bought."),
    col("qty_sold", "SMALLINT", "Number of tickets."),
    col("price_paid", "DECIMAL(8,2)", "Total price paid by the buyer."),
    col("commission", "DECIMAL(8,2)", "15% commission kept by TICKIT."),
  ],
  dim_events: [col("event_id", "INTEGER", "Primary key."), col("event_name", "VARCHAR", ""), col("category", "VARCHAR", ""), col("venue_state", "VARCHAR", "")],
  stg_tickit__sales: [col("sale_id", "INTEGER", ""), col("listing_id", "INTEGER", ""), col("price_paid", "DECIMAL(8,2)", "")],
  sale: [col("salesid", "INTEGER", ""), col("listid", "INTEGER", ""), col("pricepaid", "DECIMAL(8,2)", "")],
};

const COLUMN_TESTS: Record<string, string[]> = {
  "fct_sales.sale_id": ["unique", "not_null"],
  "fct_sales.event_id": ["relationships"],
  "dim_events.event_id": ["unique", "not_null"],
};

const TESTS: Record<string, string[]> = {
  fct_sales: ["unique", "not_null"],
  dim_events: ["unique", "not_null"],
  stg_tickit__sales: ["not_null"],
};

const EXPOSURES = [
  { name: "sales_dashboard", description: "Sales by category, quarter and buyer state.", dependsOn: ["fct_sales", "dim_events"] },
];

const staging = (table: string, columns: string) => `with source as (\n    select * from {{ source('tickit_external', '${table}') }}\n),\n\nrenamed as (\n    select\n${columns}\n    from source\n)\n\nselect * from renamed\n`;

const SAMPLE_FILES: Record<string, string> = {
  "dbt_project.yml": "name: tickit\nversion: '1.0'\nprofile: tickit\n\nmodels:\n  tickit:\n    staging:\n      +materialized: view\n    marts:\n      +materialized: table\n",
  "models/staging/tickit/_tickit__sources.yml": "version: 2\n\nsources:\n  - name: tickit_external\n    tables:\n" + SOURCES.map((source) => `      - name: ${source.name}\n        description: ${source.description}\n`).join(""),
  "models/staging/tickit/stg_tickit__categories.sql": staging("category", "        catid as cat_id,\n        catgroup as cat_group,\n        catname as cat_name"),
  "models/staging/tickit/stg_tickit__dates.sql": staging("date", "        dateid as date_id,\n        caldate as cal_date,\n        qtr"),
  "models/staging/tickit/stg_tickit__events.sql": staging("event", "        eventid as event_id,\n        venueid as venue_id,\n        catid as cat_id,\n        eventname as event_name,\n        starttime as start_time"),
  "models/staging/tickit/stg_tickit__listings.sql": staging("listing", "        listid as listing_id,\n        sellerid as seller_id,\n        eventid as event_id,\n        numtickets as num_tickets,\n        priceperticket as price_per_ticket"),
  "models/staging/tickit/stg_tickit__sales.sql": staging("sale", "        salesid as sale_id,\n        listid as listing_id,\n        buyerid as buyer_id,\n        qtysold as qty_sold,\n        pricepaid as price_paid,\n        commission,\n        saletime as sold_at"),
  "models/staging/tickit/stg_tickit__users.sql": staging("users", "        userid as user_id,\n        username,\n        state"),
  "models/staging/tickit/stg_tickit__venues.sql": staging("venue", "        venueid as venue_id,\n        venuename as venue_name,\n        venuestate as venue_state"),
  "models/intermediate/int_buyers_extracted_from_users.sql":
    "with sales as (\n    select distinct buyer_id from {{ ref('stg_tickit__sales') }}\n)\n\nselect users.*\nfrom {{ ref('stg_tickit__users') }} as users\njoin sales on sales.buyer_id = users.user_id\n",
  "models/intermediate/int_sellers_extracted_from_users.sql":
    "with listings as (\n    select distinct seller_id from {{ ref('stg_tickit__listings') }}\n)\n\nselect users.*\nfrom {{ ref('stg_tickit__users') }} as users\njoin listings on listings.seller_id = users.user_id\n",
  "models/marts/dim_events.sql":
    "{{ config(materialized='table', sort='start_time') }}\n\nselect\n    e.event_id,\n    e.event_name,\n    c.cat_name as category,\n    v.venue_state,\n    e.start_time\nfrom {{ ref('stg_tickit__events') }} as e\njoin {{ ref('stg_tickit__categories') }} as c using (cat_id)\njoin {{ ref('stg_tickit__venues') }} as v using (venue_id)\n",
  "models/marts/dim_users.sql":
    "select\n    u.*,\n    b.user_id is not null as is_buyer,\n    s.user_id is not null as is_seller\nfrom {{ ref('stg_tickit__users') }} as u\nleft join {{ ref('int_buyers_extracted_from_users') }} as b using (user_id)\nleft join {{ ref('int_sellers_extracted_from_users') }} as s using (user_id)\n",
  "models/marts/fct_listings.sql":
    "select\n    l.listing_id,\n    l.event_id,\n    l.seller_id,\n    l.num_tickets,\n    l.price_per_ticket,\n    {{ price_band('l.price_per_ticket') }} as price_band\nfrom {{ ref('stg_tickit__listings') }} as l\n",
  "models/marts/fct_sales.sql":
    "{{ config(materialized='table', dist='buyer_id', sort='sold_at') }}\n\nwith sales as (\n    select * from {{ ref('stg_tickit__sales') }}\n),\n\nlistings as (\n    select * from {{ ref('fct_listings') }}\n)\n\nselect\n    sales.sale_id,\n    sales.sold_at,\n    listings.event_id,\n    sales.buyer_id,\n    listings.seller_id,\n    sales.qty_sold,\n    sales.price_paid,\n    sales.commission\nfrom sales\njoin listings using (listing_id)\n",
  "models/marts/schema.yml":
    "version: 2\n\nmodels:\n  - name: fct_sales\n    description: One row per ticket sale.\n    columns:\n      - name: sale_id\n        tests: [unique, not_null]\n  - name: dim_events\n    columns:\n      - name: event_id\n        tests: [unique, not_null]\n",
  "models/exposures.yml": "version: 2\n\nexposures:\n  - name: sales_dashboard\n    type: dashboard\n    depends_on:\n      - ref('fct_sales')\n      - ref('dim_events')\n",
  "macros/price_band.sql": "{% macro price_band(amount) %}\n    case when {{ amount }} < 50 then 'low' when {{ amount }} < 200 then 'mid' else 'high' end\n{% endmacro %}\n",
  "tests/assert_all_sale_amounts_are_positive.sql": "select * from {{ ref('fct_sales') }} where price_paid <= 0\n",
  "analyses/sales_by_category_and_quarter.sql":
    "select e.category, d.qtr, sum(s.price_paid) as revenue\nfrom {{ ref('fct_sales') }} s\njoin {{ ref('dim_events') }} e using (event_id)\njoin {{ ref('stg_tickit__dates') }} d on d.cal_date = s.sold_at::date\ngroup by 1, 2\n",
};
