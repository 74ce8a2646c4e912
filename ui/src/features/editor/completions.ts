import type { Completion, CompletionContext, CompletionResult } from "@codemirror/autocomplete";
import type { ColumnDto, GraphDto } from "../../api";
import type { Studio } from "../../app/studio";
import { flattenFiles } from "../../app/studio";
import { sourceArguments } from "../lineage/graphModel";
import { completionContextAt, macroNames } from "./completionContext";

const JINJA_BUILTINS = ["ref", "source", "config", "var", "env_var", "is_incremental", "this", "target", "adapter", "run_query", "log"];

/**
 * Completion data that changes rarely (the graph, macro names, upstream columns) is cached per
 * graph object; a new graph after a save or run invalidates it.
 */
class CompletionData {
  private graph: GraphDto | null = null;
  private models: Completion[] = [];
  private sources = new Map<string, Completion[]>();
  private macros: Promise<Completion[]> | null = null;
  private readonly columns = new Map<string, Promise<ColumnDto[]>>();

  constructor(private readonly studio: Studio) {}

  refresh(): void {
    const graph = this.studio.state.graph;
    if (graph === this.graph) return;
    this.graph = graph;
    this.columns.clear();
    this.models = [];
    this.sources = new Map();
    for (const node of graph?.nodes ?? []) {
      if (node.resourceType === "model" || node.resourceType === "seed" || node.resourceType === "snapshot") {
        this.models.push({ label: node.name, type: "class", detail: node.layer, info: node.description || undefined });
      }
      const source = sourceArguments(node);
      if (source) {
        const tables = this.sources.get(source.source) ?? [];
        tables.push({ label: source.table, type: "class", detail: "source table", info: node.description || undefined });
        this.sources.set(source.source, tables);
      }
    }
  }

  modelOptions(): Completion[] {
    this.refresh();
    return this.models;
  }

  sourceNames(): Completion[] {
    this.refresh();
    return [...this.sources.keys()].map((name) => ({ label: name, type: "namespace", detail: "source" }));
  }

  sourceTables(source: string): Completion[] {
    this.refresh();
    return this.sources.get(source) ?? [];
  }

  macroOptions(): Promise<Completion[]> {
    this.macros ??= (async () => {
      const files = flattenFiles(this.studio.state.tree).filter((file) => file.kind === "macro");
      const names = await Promise.all(
        files.map((file) =>
          this.studio.backend
            .call("readFile", { path: file.path })
            .then((content) => macroNames(content.content).map((name) => ({ label: name, type: "function", detail: file.name })))
            .catch(() => [] as Completion[]),
        ),
      );
      return names.flat();
    })();
    return this.macros;
  }

  /** Columns of every upstream node of the file being edited, from the last compile. */
  async upstreamColumns(path: string): Promise<Completion[]> {
    const compiled = this.studio.state.compiled[path];
    if (!compiled) return [];
    const graph = this.studio.state.graph;
    const lists = await Promise.all(
      compiled.dependsOn.map((id) => {
        let pending = this.columns.get(id);
        if (!pending) {
          pending = this.studio.backend
            .call("docs", { id })
            .then((docs) => docs.columns)
            .catch(() => []);
          this.columns.set(id, pending);
        }
        const name = graph?.nodes.find((node) => node.id === id)?.name ?? id;
        return pending.then((columns) => columns.map((column) => ({ label: column.name, type: "property", detail: `${name}${column.dataType ? ` · ${column.dataType}` : ""}`, info: column.description || undefined })));
      }),
    );
    const seen = new Set<string>();
    return lists.flat().filter((option) => (seen.has(option.label) ? false : (seen.add(option.label), true)));
  }
}

const caches = new WeakMap<Studio, CompletionData>();

export function kilnCompletionSource(studio: Studio, path: string) {
  let data = caches.get(studio);
  if (!data) {
    data = new CompletionData(studio);
    caches.set(studio, data);
  }
  const cache = data;
  return async (context: CompletionContext): Promise<CompletionResult | null> => {
    const line = context.state.doc.lineAt(context.pos);
    const before = context.state.sliceDoc(Math.max(0, line.from - 200), context.pos);
    const kind = completionContextAt(before, context.pos);
    switch (kind.kind) {
      case "ref":
        return { from: kind.from, options: cache.modelOptions(), validFor: /^[\w.-]*$/ };
      case "sourceName":
        return { from: kind.from, options: cache.sourceNames(), validFor: /^\w*$/ };
      case "sourceTable":
        return { from: kind.from, options: cache.sourceTables(kind.source), validFor: /^\w*$/ };
      case "jinja": {
        const macros = await cache.macroOptions();
        return {
          from: kind.from,
          options: [...JINJA_BUILTINS.map((label) => ({ label, type: "keyword", detail: "dbt" })), ...macros],
          validFor: /^\w*$/,
        };
      }
      case "identifier": {
        if (!context.explicit && kind.prefix.length < 2 && !kind.qualifier) return null;
        const [columns, macros] = await Promise.all([cache.upstreamColumns(path), kind.qualifier ? Promise.resolve([]) : cache.macroOptions()]);
        if (columns.length === 0 && macros.length === 0) return null;
        return { from: kind.from, options: [...columns, ...macros], validFor: /^\w*$/ };
      }
      default:
        return null;
    }
  };
}
