import type { Completion, CompletionContext, CompletionResult, CompletionSource } from "@codemirror/autocomplete";
import type { BrowseItemDto } from "../../api";
import type { Studio } from "../../app/studio";
import { completionContextAt } from "../editor/completionContext";
import { kilnCompletionSource } from "../editor/completions";
import { consoleContextAt, resolveQualifier, statementAround, tablesIn, type TableUse } from "./consoleScope";

/**
 * The warehouse's catalog as the console's completion needs it, fetched level by level through
 * `browse` (the schema browser's operation) and kept per connection: a Redshift cluster with
 * thousands of tables is never listed whole, only the schemas a statement touches.
 */
class Catalog {
  private schemas: Promise<BrowseItemDto[]> | null = null;
  private readonly relations = new Map<string, Promise<BrowseItemDto[]>>();
  private readonly columns = new Map<string, Promise<BrowseItemDto[]>>();
  readonly graph: unknown;

  constructor(
    private readonly studio: Studio,
    private readonly connection: string,
  ) {
    this.graph = studio.state.graph;
  }

  private browse(request: { schema?: string; relation?: string }): Promise<BrowseItemDto[]> {
    return this.studio.backend
      .call("browse", { connection: this.connection, ...request })
      .then((response) => response.items)
      .catch(() => []);
  }

  schemaList(): Promise<BrowseItemDto[]> {
    this.schemas ??= this.browse({});
    return this.schemas;
  }

  relationsOf(schema: string): Promise<BrowseItemDto[]> {
    let pending = this.relations.get(schema);
    if (!pending) {
      pending = this.browse({ schema });
      this.relations.set(schema, pending);
    }
    return pending;
  }

  columnsOf(schema: string, relation: string): Promise<BrowseItemDto[]> {
    const key = `${schema}.${relation}`;
    let pending = this.columns.get(key);
    if (!pending) {
      pending = this.browse({ schema, relation });
      this.columns.set(key, pending);
    }
    return pending;
  }

  /** The schema holding `table` when the statement did not say: the first that has it. */
  async locate(use: TableUse): Promise<{ schema: string; table: string } | null> {
    const schemas = use.schema ? [use.schema] : (await this.schemaList()).map((schema) => schema.name);
    for (const schema of schemas) {
      const relations = await this.relationsOf(schema);
      const found = relations.find((relation) => relation.name.toLowerCase() === use.table.toLowerCase());
      if (found) return { schema, table: found.name };
    }
    return null;
  }
}

const catalogs = new WeakMap<Studio, Map<string, Catalog>>();

function catalogFor(studio: Studio, connection: string): Catalog {
  let byConnection = catalogs.get(studio);
  if (!byConnection) {
    byConnection = new Map();
    catalogs.set(studio, byConnection);
  }
  let catalog = byConnection.get(connection);
  // A build or a save brings a new graph, and may have changed the catalog: ask again then.
  if (!catalog || catalog.graph !== studio.state.graph) {
    catalog = new Catalog(studio, connection);
    byConnection.set(connection, catalog);
  }
  return catalog;
}

const relationOption = (item: BrowseItemDto, schema: string): Completion => ({ label: item.name, type: "class", detail: `${schema} · ${item.kind.replace(/_/g, " ")}` });
const columnOption = (item: BrowseItemDto, table: string): Completion => ({ label: item.name, type: "property", detail: `${table}${item.dataType ? ` · ${item.dataType}` : ""}` });

async function columnsOfUses(catalog: Catalog, uses: readonly TableUse[]): Promise<Completion[]> {
  const lists = await Promise.all(
    uses.map(async (use) => {
      const found = await catalog.locate(use);
      if (!found) return [];
      return (await catalog.columnsOf(found.schema, found.table)).map((item) => columnOption(item, use.alias ?? found.table));
    }),
  );
  const seen = new Set<string>();
  return lists.flat().filter((option) => (seen.has(option.label) ? false : (seen.add(option.label), true)));
}

async function relationsEverywhere(catalog: Catalog): Promise<Completion[]> {
  const schemas = await catalog.schemaList();
  const lists = await Promise.all(schemas.map(async (schema) => (await catalog.relationsOf(schema.name)).map((item) => relationOption(item, schema.name))));
  return [...schemas.map((schema) => ({ label: schema.name, type: "namespace", detail: "schema" })), ...lists.flat()];
}

/**
 * Tables, columns and schemas of the picked connection: `schema.` lists its relations,
 * `alias.` the columns of the table the alias names in this statement, after FROM/JOIN the
 * relations, and a word elsewhere the columns of the statement's tables first.
 */
export function consoleCompletionSource(studio: Studio, connection: () => string): CompletionSource {
  // The console renders Jinja against the project, so ref()/source() complete as in a model.
  const project = kilnCompletionSource(studio, "");
  return async (context: CompletionContext): Promise<CompletionResult | null> => {
    const before = context.state.sliceDoc(Math.max(0, context.pos - 300), context.pos);
    if (["ref", "sourceName", "sourceTable", "jinja"].includes(completionContextAt(before, context.pos).kind)) return project(context);
    const catalog = catalogFor(studio, connection());
    const kind = consoleContextAt(before, context.pos);
    const script = context.state.doc.toString();
    const { text } = statementAround(script, context.pos);
    const uses = tablesIn(text);
    switch (kind.kind) {
      case "member": {
        const [first, second] = kind.qualifier;
        if (second !== undefined && first !== undefined) {
          const columns = await catalog.columnsOf(first, second);
          return { from: kind.from, options: columns.map((item) => columnOption(item, second)), validFor: /^\w*$/ };
        }
        if (first === undefined) return null;
        const schemas = await catalog.schemaList();
        const schema = schemas.find((item) => item.name.toLowerCase() === first);
        if (schema) {
          const relations = await catalog.relationsOf(schema.name);
          return { from: kind.from, options: relations.map((item) => relationOption(item, schema.name)), validFor: /^\w*$/ };
        }
        const use = resolveQualifier(first, uses);
        if (!use) return null;
        const options = await columnsOfUses(catalog, [use]);
        return options.length ? { from: kind.from, options, validFor: /^\w*$/ } : null;
      }
      case "relation":
        return { from: kind.from, options: await relationsEverywhere(catalog), validFor: /^\w*$/ };
      case "word": {
        if (!context.explicit && kind.prefix.length < 2) return null;
        const [columns, relations] = await Promise.all([columnsOfUses(catalog, uses), relationsEverywhere(catalog)]);
        // Columns of the tables in this statement rank above every table name.
        return { from: kind.from, options: [...columns.map((option) => ({ ...option, boost: 2 })), ...relations], validFor: /^\w*$/ };
      }
      default:
        return null;
    }
  };
}
