//! The statements each materialization is, as dbt-postgres and dbt-redshift emit them. Pure
//! functions of their inputs, so they are snapshot-tested without a server; [`crate::SqlAdapter`]
//! decides when to run which.

use kiln_warehouse::{
    quote_ident, quote_literal, BuildOptions, ColumnDef, IncrementalStrategy, Relation, RelationType,
};

/// Which server the SQL is for. PostgreSQL is the baseline; Redshift adds its physical clauses
/// (DISTSTYLE, SORTKEY, BACKUP), late-binding views and Spectrum external tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Postgres,
    Redshift,
}

impl Flavor {
    pub fn name(self) -> &'static str {
        match self {
            Flavor::Postgres => "postgres",
            Flavor::Redshift => "redshift",
        }
    }
}

/// Suffix of the relation an existing one is renamed to while the new one takes its name.
pub const BACKUP_SUFFIX: &str = "__kiln_backup";

/// `schema.identifier`, quoted, without the database: both servers reject renames and
/// `CREATE … AS` targets that name another database, and a session only sees its own.
pub fn name(rel: &Relation) -> String {
    format!("{}.{}", quote_ident(&rel.schema), quote_ident(&rel.identifier))
}

fn sibling(rel: &Relation, suffix: &str) -> Relation {
    Relation::new(rel.schema.clone(), format!("{}{suffix}", rel.identifier))
}

/// The SELECT without trailing semicolons and blanks, so it can sit inside `as ( … )`; the
/// closing parenthesis goes on its own line so a trailing `--` comment cannot swallow it.
pub fn body(select_sql: &str) -> &str {
    select_sql.trim_end_matches(|c: char| c.is_whitespace() || c == ';')
}

pub fn create_schema(schema: &str) -> String {
    format!("create schema if not exists {}", quote_ident(schema))
}

/// `drop table|view if exists … cascade`: cascade because that is what dbt does, and because
/// Redshift's late-binding views do not depend on what they read, so they survive it.
pub fn drop(rel: &Relation, kind: RelationType) -> String {
    format!("drop {kind} if exists {} cascade", name(rel))
}

/// `create view` of the scratch name; `with no schema binding` (Redshift, `bind: false`) makes a
/// late-binding view that does not lock what it reads.
pub fn create_view(flavor: Flavor, scratch: &Relation, select_sql: &str, options: &BuildOptions) -> String {
    let late_binding = flavor == Flavor::Redshift && options.bind == Some(false);
    format!(
        "create view {} as (\n{}\n){}",
        name(scratch),
        body(select_sql),
        if late_binding { " with no schema binding" } else { "" }
    )
}

/// `create table … as (select)` of the scratch name, with Redshift's BACKUP, DISTSTYLE/DISTKEY
/// and [COMPOUND|INTERLEAVED] SORTKEY in dbt-redshift's order.
pub fn create_table_as(flavor: Flavor, scratch: &Relation, select_sql: &str, options: &BuildOptions) -> String {
    format!(
        "create table {}{}\nas (\n{}\n)",
        name(scratch),
        physical_clauses(flavor, options),
        body(select_sql)
    )
}

/// Redshift's BACKUP, DISTSTYLE/DISTKEY and [COMPOUND|INTERLEAVED] SORTKEY, each on its own
/// line (a leading newline each); nothing for PostgreSQL.
fn physical_clauses(flavor: Flavor, options: &BuildOptions) -> String {
    let mut clauses = String::new();
    if flavor != Flavor::Redshift {
        return clauses;
    }
    if options.backup == Some(false) {
        clauses.push_str("\nbackup no");
    }
    if let Some(dist) = &options.dist {
        match dist.to_ascii_lowercase().as_str() {
            style @ ("all" | "even" | "auto") => clauses.push_str(&format!("\ndiststyle {style}")),
            _ => clauses.push_str(&format!("\ndiststyle key distkey ({})", quote_ident(dist))),
        }
    }
    if !options.sort.is_empty() {
        let sort_type = match options.sort_type.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("interleaved") => "interleaved",
            _ => "compound",
        };
        let keys: Vec<String> = options.sort.iter().map(|k| quote_ident(k)).collect();
        clauses.push_str(&format!("\n{sort_type} sortkey ({})", keys.join(", ")));
    }
    clauses
}

/// `create materialized view`, with Redshift's BACKUP, distribution, sort key and AUTO REFRESH
/// in dbt-redshift's order; PostgreSQL takes the plain form (and is refreshed on each build).
pub fn create_materialized_view(
    flavor: Flavor,
    rel: &Relation,
    select_sql: &str,
    auto_refresh: bool,
    options: &BuildOptions,
) -> String {
    let mut clauses = physical_clauses(flavor, options);
    if flavor == Flavor::Redshift {
        clauses.push_str(if auto_refresh {
            "\nauto refresh yes"
        } else {
            "\nauto refresh no"
        });
    }
    format!(
        "create materialized view {}{clauses}\nas (\n{}\n)",
        name(rel),
        body(select_sql)
    )
}

pub fn refresh_materialized_view(rel: &Relation) -> String {
    format!("refresh materialized view {}", name(rel))
}

pub fn drop_materialized_view(rel: &Relation) -> String {
    format!("drop materialized view if exists {} cascade", name(rel))
}

/// One row when `rel` is a materialized view: Redshift lists them in STV_MV_INFO, PostgreSQL in
/// pg_matviews.
pub fn materialized_view_query(flavor: Flavor, rel: &Relation) -> String {
    match flavor {
        Flavor::Redshift => format!(
            "select 1 from stv_mv_info where trim(schema) = {} and trim(name) = {}",
            quote_literal(&rel.schema),
            quote_literal(&rel.identifier)
        ),
        Flavor::Postgres => format!(
            "select 1 from pg_catalog.pg_matviews where schemaname = {} and matviewname = {}",
            quote_literal(&rel.schema),
            quote_literal(&rel.identifier)
        ),
    }
}

/// Moves `built` (a scratch relation of kind `new_kind`) into `target`'s name. Run as one
/// transaction: the old relation (of kind `existing`, if any) is renamed aside first and dropped
/// last, so a failure at any step leaves it in place and readers never see the name missing.
pub fn swap(target: &Relation, built: &Relation, existing: Option<RelationType>) -> Vec<String> {
    let backup = sibling(target, BACKUP_SUFFIX);
    let mut statements = Vec::new();
    if let Some(kind) = existing {
        statements.push(drop(&backup, kind));
        // `alter table … rename` renames views too, on both servers (dbt does the same).
        statements.push(format!(
            "alter table {} rename to {}",
            name(target),
            quote_ident(&backup.identifier)
        ));
    }
    statements.push(format!(
        "alter table {} rename to {}",
        name(built),
        quote_ident(&target.identifier)
    ));
    if let Some(kind) = existing {
        statements.push(drop(&backup, kind));
    }
    statements
}

/// The statements that fold the scratch table `batch` (already built from the model's SELECT)
/// into `target` by `strategy`. `columns` are the batch's columns, in order; they are named
/// explicitly so a target whose columns sit in another order still lines up.
pub fn incremental(
    target: &Relation,
    batch: &Relation,
    columns: &[String],
    strategy: IncrementalStrategy,
    unique_key: &[String],
) -> Vec<String> {
    let t = name(target);
    let b = name(batch);
    let list = columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ");
    let insert = format!("insert into {t} ({list})\nselect {list} from {b}");
    match strategy {
        IncrementalStrategy::Append => vec![insert],
        IncrementalStrategy::DeleteInsert if unique_key.is_empty() => vec![insert],
        IncrementalStrategy::DeleteInsert => {
            let on = unique_key
                .iter()
                .map(|k| format!("{t}.{k} = {b}.{k}", k = quote_ident(k)))
                .collect::<Vec<_>>()
                .join("\n  and ");
            vec![format!("delete from {t}\nusing {b}\nwhere {on}"), insert]
        }
        IncrementalStrategy::Merge if unique_key.is_empty() => vec![insert],
        IncrementalStrategy::Merge => {
            let on = unique_key
                .iter()
                .map(|k| format!("kiln_target.{k} = kiln_batch.{k}", k = quote_ident(k)))
                .collect::<Vec<_>>()
                .join(" and ");
            let is_key = |c: &String| unique_key.iter().any(|k| k.eq_ignore_ascii_case(c));
            let mut updated: Vec<&String> = columns.iter().filter(|c| !is_key(c)).collect();
            if updated.is_empty() {
                // Redshift's MERGE wants both clauses; setting a key to itself changes nothing.
                updated = columns.iter().take(1).collect();
            }
            let set = updated
                .iter()
                .map(|c| format!("{q} = kiln_batch.{q}", q = quote_ident(c)))
                .collect::<Vec<_>>()
                .join(", ");
            let values = columns
                .iter()
                .map(|c| format!("kiln_batch.{}", quote_ident(c)))
                .collect::<Vec<_>>()
                .join(", ");
            vec![format!(
                "merge into {t} as kiln_target\nusing {b} as kiln_batch\non {on}\n\
                 when matched then update set {set}\n\
                 when not matched then insert ({list}) values ({values})"
            )]
        }
    }
}

/// `create table` with declared columns, for seeds and lake loads.
pub fn create_table(table: &Relation, columns: &[(String, String)]) -> String {
    let cols = columns
        .iter()
        .map(|(c, ty)| format!("  {} {ty}", quote_ident(c)))
        .collect::<Vec<_>>()
        .join(",\n");
    format!("create table {} (\n{cols}\n)", name(table))
}

/// Multi-row `insert … values`, every value a literal (`None` → NULL). The caller sizes `rows`
/// (see [`crate::seed::batches`]).
pub fn insert_values(table: &Relation, columns: &[String], rows: &[Vec<Option<String>>]) -> String {
    let list = columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ");
    let values = rows
        .iter()
        .map(|row| {
            let cells = row
                .iter()
                .map(|v| v.as_deref().map_or_else(|| "null".to_string(), quote_literal))
                .collect::<Vec<_>>()
                .join(", ");
            format!("({cells})")
        })
        .collect::<Vec<_>>()
        .join(",\n");
    format!("insert into {} ({list}) values\n{values}", name(table))
}

/// A Spectrum external table over S3, as dbt_external_tables renders it for Redshift: dropped
/// and created again, so a changed definition takes effect.
pub fn spectrum_table(table: &Relation, columns: &[ColumnDef], spec: &kiln_warehouse::SpectrumSpec) -> Vec<String> {
    let cols = columns
        .iter()
        .map(|c| format!("  {} {}", quote_ident(&c.name), c.data_type))
        .collect::<Vec<_>>()
        .join(",\n");
    let mut ddl = format!("create external table {} (\n{cols}\n)", name(table));
    if let Some(row_format) = &spec.row_format {
        ddl.push_str(&format!("\nrow format {row_format}"));
    }
    ddl.push_str(&format!(
        "\nstored as {}",
        spec.file_format.as_deref().unwrap_or("textfile")
    ));
    ddl.push_str(&format!("\nlocation {}", quote_literal(&spec.location)));
    if let Some(properties) = &spec.table_properties {
        ddl.push_str(&format!("\ntable properties {properties}"));
    }
    vec![format!("drop table if exists {}", name(table)), ddl]
}

/// `(type, name)` of a relation in `schema`, from the catalog both servers share. Late-binding
/// views are ordinary `v` entries there; Spectrum tables are not (they live in
/// `svv_external_tables`).
pub fn relation_type_query(rel: &Relation) -> String {
    format!(
        "select c.relkind::text from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace \
         where n.nspname = {} and c.relname = {} and c.relkind in ('r', 'v', 'm', 'p')",
        quote_literal(&rel.schema),
        quote_literal(&rel.identifier)
    )
}

/// Columns with their declared types, in order. `format_type` spells the type as `\d` does
/// (`numeric(8,2)`, `character varying(50)`).
pub fn columns_query(rel: &Relation) -> String {
    format!(
        "select a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod)::text \
         from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid \
         join pg_catalog.pg_namespace n on n.oid = c.relnamespace \
         where n.nspname = {} and c.relname = {} and a.attnum > 0 and not a.attisdropped order by a.attnum",
        quote_literal(&rel.schema),
        quote_literal(&rel.identifier)
    )
}

/// Every user table and view outside the system schemas and Kiln's scratch names.
pub fn list_relations_query() -> String {
    format!(
        "select n.nspname::text, c.relname::text, c.relkind::text from pg_catalog.pg_class c \
         join pg_catalog.pg_namespace n on n.oid = c.relnamespace \
         where c.relkind in ('r', 'v', 'm', 'p') \
         and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'pg_internal', 'catalog_history') \
         and n.nspname not like 'pg_temp_%' \
         and c.relname not like '%{}' and c.relname not like '%{}' \
         order by 1, 2",
        kiln_warehouse::TEMP_SUFFIX,
        BACKUP_SUFFIX
    )
}

/// The schemas a user may browse, system schemas left out; on Redshift with the external
/// (Spectrum) schemas, which `svv_external_schemas` lists apart.
pub fn list_schemas_query(flavor: Flavor) -> String {
    let native = "select n.nspname::text from pg_catalog.pg_namespace n \
         where n.nspname not in ('pg_catalog', 'information_schema', 'pg_internal', 'catalog_history', 'pg_automv') \
         and n.nspname not like 'pg_temp_%' and n.nspname not like 'pg_toast%'";
    match flavor {
        Flavor::Postgres => format!("{native} order by 1"),
        Flavor::Redshift => format!("{native} union select schemaname::text from svv_external_schemas order by 1"),
    }
}

/// `(name, relkind)` of the relations of one schema: `r`/`p` tables, `v` views, `m`
/// materialized views (PostgreSQL), `f` foreign tables; Kiln's scratch names left out.
pub fn relations_in_query(schema: &str) -> String {
    format!(
        "select c.relname::text, c.relkind::text from pg_catalog.pg_class c \
         join pg_catalog.pg_namespace n on n.oid = c.relnamespace \
         where n.nspname = {} and c.relkind in ('r', 'v', 'm', 'p', 'f') \
         and c.relname not like '%{}' and c.relname not like '%{}' order by 1",
        quote_literal(schema),
        kiln_warehouse::TEMP_SUFFIX,
        BACKUP_SUFFIX
    )
}

/// Redshift: `(name, kind)` of a schema's relations the catalog above does not tell apart —
/// Spectrum tables (`svv_external_tables`), materialized views (`stv_mv_info`, which are `v`
/// in pg_class) and late-binding views (`pg_get_late_binding_view_cols()`).
pub fn redshift_relation_kinds_query(schema: &str) -> String {
    let schema = quote_literal(schema);
    format!(
        "select tablename::text, 'external_table' from svv_external_tables where schemaname = {schema} \
         union all select name::text, 'materialized_view' from stv_mv_info where schema = {schema} \
         union all select distinct view_name::text, 'late_binding_view' from pg_get_late_binding_view_cols() \
         cols(view_schema name, view_name name, col_name name, col_type varchar, col_num int) \
         where view_schema = {schema}"
    )
}

/// Redshift: the columns of a late-binding view, which pg_attribute does not have.
pub fn late_binding_columns_query(rel: &Relation) -> String {
    format!(
        "select col_name::text, col_type::text from pg_get_late_binding_view_cols() \
         cols(view_schema name, view_name name, col_name name, col_type varchar, col_num int) \
         where view_schema = {} and view_name = {} order by col_num",
        quote_literal(&rel.schema),
        quote_literal(&rel.identifier)
    )
}

/// Redshift: the columns of a Spectrum table.
pub fn external_columns_query(rel: &Relation) -> String {
    format!(
        "select columnname::text, external_type::text from svv_external_columns \
         where schemaname = {} and tablename = {} order by columnnum",
        quote_literal(&rel.schema),
        quote_literal(&rel.identifier)
    )
}

/// Redshift's Spectrum schemas are catalogued apart; a missing one gets a message saying how to
/// create it instead of the server's "schema does not exist".
pub fn external_schema_query(schema: &str) -> String {
    format!(
        "select 1 from svv_external_schemas where schemaname = {}",
        quote_literal(schema)
    )
}
