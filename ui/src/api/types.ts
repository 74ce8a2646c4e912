// Hand-written mirror of the engine API types in `crates/kiln-api/src/dto.rs` (same names, same
// shapes). It exists only until the ts-rs output lands in `ui/src/api/generated/`; then
// `api/index.ts` re-exports that instead and this file is deleted.

export type Severity = "error" | "warning";

export interface DiagnosticDto {
  code: string;
  severity: Severity;
  message: string;
  file: string | null;
  line: number | null;
  column: number | null;
  hint: string | null;
}

export interface ColumnDto {
  name: string;
  dataType: string | null;
  description: string;
}

// ---------------------------------------------------------------- project

export interface OpenProjectRequest {
  path: string;
}

export interface ProjectInfo {
  name: string;
  root: string;
  targetName: string;
  targetKind: string;
  warehousePath: string | null;
  schema: string;
  counts: Record<string, number>;
}

export interface RecentProjects {
  projects: string[];
}

export type FileKind =
  | "dir"
  | "model"
  | "source"
  | "seed"
  | "test"
  | "macro"
  | "analysis"
  | "docs"
  | "yaml"
  | "other";

export interface FileNode {
  name: string;
  /** Relative to the project root, '/' separators. */
  path: string;
  kind: FileKind;
  children: FileNode[];
}

export interface ReadFileRequest {
  path: string;
}

export interface FileContent {
  path: string;
  content: string;
  version: string;
}

export interface WriteFileRequest {
  path: string;
  content: string;
  expectedVersion?: string;
}

// ---------------------------------------------------------------- compile, graph, docs

export interface CompileModelRequest {
  path: string;
  content?: string;
}

export interface CompileResult {
  uniqueId: string | null;
  sql: string | null;
  diagnostics: DiagnosticDto[];
  dependsOn: string[];
  columns: ColumnDto[];
}

export type ResourceTypeDto = "model" | "source" | "seed" | "test" | "exposure" | "analysis" | "snapshot" | "operation";

export type Layer = "source" | "staging" | "intermediate" | "marts" | "seed" | "test" | "exposure" | "other";

export type NodeStatusDto = "success" | "error" | "skipped" | "pass" | "fail" | "warn" | "stale";

export interface GraphNodeDto {
  id: string;
  name: string;
  resourceType: ResourceTypeDto;
  layer: Layer;
  path: string;
  materialized: string | null;
  tags: string[];
  description: string;
  status: NodeStatusDto | null;
}

export interface EdgeDto {
  source: string;
  target: string;
}

export interface GraphDto {
  nodes: GraphNodeDto[];
  edges: EdgeDto[];
}

export interface DocsRequest {
  id: string;
}

export interface DocsColumnDto {
  name: string;
  dataType: string | null;
  description: string;
  tests: string[];
}

export interface DocsDto {
  id: string;
  name: string;
  resourceType: ResourceTypeDto;
  description: string;
  columns: DocsColumnDto[];
  dependsOn: string[];
  referencedBy: string[];
  path: string;
  rawCode: string;
  compiledCode: string | null;
}

// ---------------------------------------------------------------- runs

export type RunCommand = "stage" | "seed" | "run" | "test" | "build";

export interface StartRunRequest {
  command: RunCommand;
  select: string[];
  exclude: string[];
  threads?: number;
  fullRefresh?: boolean;
}

export interface StartRunResponse {
  runId: string;
}

export interface RunIdRequest {
  runId: string;
}

export type RunStatus = "running" | "success" | "error" | "cancelled";

export interface RunRecord {
  runId: string;
  command: RunCommand;
  select: string[];
  exclude: string[];
  startedAt: string;
  elapsed: number | null;
  status: RunStatus;
  counts: Record<string, number>;
}

export interface RunHistory {
  runs: RunRecord[];
}

export interface SampleDto {
  columns: ColumnDto[];
  rows: unknown[][];
}

export interface NodeResultDto {
  uniqueId: string;
  name: string;
  resourceType: ResourceTypeDto;
  status: NodeStatusDto;
  message: string;
  rowsAffected: number | null;
  failures: number | null;
  executionTime: number;
  compiledPath: string | null;
  diagnostic: DiagnosticDto | null;
  sample: SampleDto | null;
}

export interface RunResults {
  results: NodeResultDto[];
}

// ---------------------------------------------------------------- queries

export interface RunQueryRequest {
  sql: string;
  pageSize?: number;
  /** Chosen by the client so it can cancel before the response arrives. */
  queryId?: string;
}

export interface RunStatementAtRequest {
  sql: string;
  /** UTF-8 byte offset of the cursor in `sql`. */
  offset: number;
  pageSize?: number;
  queryId?: string;
}

export interface StatementResultDto {
  index: number;
  sql: string;
  columns: ColumnDto[];
  firstPage: unknown[][];
  /** null while the engine is still counting. */
  totalRows: number | null;
  elapsed: number;
  error: DiagnosticDto | null;
}

export interface RunQueryResponse {
  queryId: string;
  statements: StatementResultDto[];
}

export interface SortDto {
  column: string;
  descending: boolean;
}

export interface FetchRowsRequest {
  queryId: string;
  statement: number;
  offset: number;
  limit: number;
  sort?: SortDto | null;
  filter?: string | null;
}

export interface FetchRowsResponse {
  rows: unknown[][];
  totalRows: number;
}

export interface QueryIdRequest {
  queryId: string;
}

export type ExportFormat = "csv" | "parquet";

export interface ExportQueryRequest {
  queryId: string;
  statement: number;
  format: ExportFormat;
  path: string;
}

export interface ExportQueryResponse {
  path: string;
  rows: number;
}

export interface QueryHistoryEntry {
  sql: string;
  startedAt: string;
  elapsed: number;
  rows: number | null;
  error: string | null;
}

export interface QueryHistory {
  entries: QueryHistoryEntry[];
}

export type RelationKind = "table" | "view";

export interface RelationDto {
  name: string;
  kind: RelationKind;
  columns: ColumnDto[];
}

export interface SchemaDto {
  name: string;
  relations: RelationDto[];
}

export interface SchemaResponse {
  schemas: SchemaDto[];
}

export interface PreviewRelationRequest {
  schema: string;
  name: string;
  limit: number;
}

export interface ShowModelRequest {
  path: string;
  limit: number;
}

// ---------------------------------------------------------------- visual editing

export type ApplyEditRequest =
  | {
      kind: "createModel";
      /** New model name (file stem). */
      name: string;
      /** Folder relative to the project root, e.g. "models/marts". */
      directory: string;
      /** Unique ids of the upstream nodes to ref()/source(). */
      upstream: string[];
    }
  | {
      kind: "renameModel";
      /** Current file path of the model. */
      path: string;
      /** New model name (file stem); every ref() to it is rewritten. */
      newName: string;
      /** Folder to move the file to; omitted keeps it where it is. */
      newDirectory?: string;
    }
  | {
      kind: "addColumnTest";
      /** Unique id of a model, seed or snapshot. */
      id: string;
      column: string;
      /** Generic test name, e.g. "not_null", "unique". */
      test: string;
    };

export interface FileChangeDto {
  path: string;
  /** null when the file is created. */
  before: string | null;
  /** null when the file is deleted. */
  after: string | null;
}

export interface EditPreview {
  changes: FileChangeDto[];
}

export interface CommitEditRequest {
  changes: FileChangeDto[];
}

export interface CommitEditResponse {
  /** Paths written or deleted. */
  paths: string[];
}

export type Empty = Record<string, never>;

// ---------------------------------------------------------------- events

export type EngineEvent =
  | { type: "runStarted"; runId: string; command: RunCommand; total: number }
  | { type: "nodeStarted"; runId: string; uniqueId: string; name: string; index: number; total: number }
  | { type: "nodeFinished"; runId: string; result: NodeResultDto; index: number; total: number }
  | { type: "runFinished"; runId: string; status: RunStatus; elapsed: number; counts: Record<string, number> }
  | { type: "log"; runId: string | null; message: string }
  | { type: "fileChanged"; paths: string[] }
  | { type: "queryProgress"; queryId: string; statement: number; totalRows: number | null; done: boolean };
