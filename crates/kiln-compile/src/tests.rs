use super::*;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn target(root: &Path) -> Target {
    Target::embedded(root, "demo")
}

fn parse_dir(root: &Path) -> Result<Manifest, Diagnostics> {
    let project = kiln_project::load_project(root)?;
    parse(&project, &target(root), &ParseOptions::default())
}

fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "dbt_project.yml", "name: demo\nvars:\n  min_price: 1\nmodels:\n  demo:\n    marts:\n      +materialized: table\n      +schema: marts\n");
    write(root, "models/sources.yml", "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: sale\n        columns:\n          - name: id\n            tests: [unique]\n");
    write(root, "models/staging/stg_sale.sql", "{{ config(tags=['stg']) }}\nselect id, price from {{ source('raw', 'sale') }} where price >= {{ var('min_price') }}");
    write(
        root,
        "models/staging/eph.sql",
        "{{ config(materialized='ephemeral') }}\nselect id from {{ ref('stg_sale') }}",
    );
    write(root, "models/marts/fct.sql", "with x as (select * from {{ ref('eph') }})\nselect {{ cents('price') }} as p from x join {{ ref('stg_sale') }} using (id)");
    write(
        root,
        "macros/cents.sql",
        "{% macro cents(col) %}({{ col }} / 100.0){% endmacro %}",
    );
    write(root, "models/schema.yml", "version: 2\nmodels:\n  - name: fct\n    description: \"{{ doc('fct') }}\"\n    columns:\n      - name: p\n        tests:\n          - not_null\n          - accepted_values:\n              values: ['a', \"b'c\"]\n              config:\n                severity: warn\n                where: \"p > 0\"\n          - relationships:\n              to: ref('stg_sale')\n              field: id\n");
    write(root, "models/docs.md", "{% docs fct %}Facts.{% enddocs %}");
    dir
}

#[test]
fn parses_dependencies_configs_and_tests() {
    let dir = fixture();
    let manifest = parse_dir(dir.path()).unwrap();
    let fct = &manifest.nodes["model.demo.fct"];
    assert_eq!(fct.depends_on, vec!["model.demo.eph", "model.demo.stg_sale"]);
    assert_eq!(fct.materialized(), "table");
    assert_eq!(fct.relation.as_ref().unwrap().rendered(), "\"main_marts\".\"fct\"");
    assert_eq!(fct.description, "Facts.");
    let stg = &manifest.nodes["model.demo.stg_sale"];
    assert_eq!(stg.config.tags(), vec!["stg"]);
    assert_eq!(stg.depends_on, vec!["source.demo.raw.sale"]);
    let tests: Vec<&Node> = manifest
        .nodes
        .values()
        .filter(|n| n.resource_type == ResourceType::Test)
        .collect();
    assert_eq!(
        tests.len(),
        4,
        "{:?}",
        tests.iter().map(|t| &t.name).collect::<Vec<_>>()
    );
    let rel = tests.iter().find(|t| t.name.starts_with("relationships")).unwrap();
    assert_eq!(rel.depends_on, vec!["model.demo.fct", "model.demo.stg_sale"]);
    let accepted = tests.iter().find(|t| t.name.starts_with("accepted_values")).unwrap();
    assert_eq!(accepted.test.as_ref().unwrap().severity, TestSeverity::Warn);
}

#[test]
fn compiles_with_relations_macros_vars_and_ephemeral_ctes() {
    let dir = fixture();
    let manifest = parse_dir(dir.path()).unwrap();
    let sql = manifest
        .compile("model.demo.fct", &CompileState::default())
        .unwrap()
        .sql;
    assert!(
        sql.starts_with("with __dbt__cte__eph as (\nselect id from \"main\".\"stg_sale\"\n),\nx as"),
        "{sql}"
    );
    assert!(sql.contains("(price / 100.0) as p"), "{sql}");
    let stg = manifest
        .compile("model.demo.stg_sale", &CompileState::default())
        .unwrap()
        .sql;
    assert!(stg.contains("from \"raw\".\"sale\" where price >= 1"), "{stg}");
    let accepted = manifest
        .nodes
        .values()
        .find(|n| n.name.starts_with("accepted_values"))
        .unwrap();
    let test_sql = manifest
        .compile(&accepted.unique_id, &CompileState::default())
        .unwrap()
        .sql;
    assert!(
        test_sql.contains("from (select * from \"main_marts\".\"fct\" where p > 0) dbt_subquery"),
        "{test_sql}"
    );
    assert!(test_sql.contains("not in ('a', 'b''c')"), "{test_sql}");
}

#[test]
fn unknown_ref_names_file_line_and_suggests() {
    let dir = fixture();
    write(dir.path(), "models/bad.sql", "select 1\nfrom {{ ref('stg_sal') }}");
    let errors = parse_dir(dir.path()).err().unwrap().to_string();
    assert!(errors.contains("error[K2002]"), "{errors}");
    assert!(errors.contains("models/bad.sql:2"), "{errors}");
    assert!(errors.contains("did you mean 'stg_sale'"), "{errors}");
}

#[test]
fn cycles_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "dbt_project.yml", "name: demo\n");
    write(dir.path(), "models/a.sql", "select * from {{ ref('b') }}");
    write(dir.path(), "models/b.sql", "select * from {{ ref('a') }}");
    let errors = parse_dir(dir.path()).err().unwrap().to_string();
    assert!(errors.contains("K3001"), "{errors}");
    assert!(
        errors.contains("model.demo.a") && errors.contains("model.demo.b"),
        "{errors}"
    );
}

#[test]
fn jinja_syntax_errors_have_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "dbt_project.yml", "name: demo\n");
    write(dir.path(), "models/a.sql", "select 1\n{% if %}\n");
    let errors = parse_dir(dir.path()).err().unwrap().to_string();
    assert!(
        errors.contains("K2001") && errors.contains("models/a.sql:2"),
        "{errors}"
    );
}

#[test]
fn compiler_errors_and_is_incremental() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "dbt_project.yml", "name: demo\n");
    write(dir.path(), "models/inc.sql", "{{ config(materialized='incremental', unique_key='id') }}\nselect 1 as id\n{% if is_incremental() %}where id > (select max(id) from {{ this }}){% endif %}");
    write(
        dir.path(),
        "models/boom.sql",
        "{% if execute %}{{ exceptions.raise_compiler_error('nope: ' ~ this.identifier) }}{% endif %}select 1",
    );
    let manifest = parse_dir(dir.path()).unwrap();
    let full = manifest
        .compile("model.demo.inc", &CompileState::default())
        .unwrap()
        .sql;
    assert!(!full.contains("max(id)"));
    let incremental = manifest
        .compile(
            "model.demo.inc",
            &CompileState {
                is_incremental: true,
                runner: None,
            },
        )
        .unwrap()
        .sql;
    assert!(incremental.contains("from \"main\".\"inc\""), "{incremental}");
    let err = manifest
        .compile("model.demo.boom", &CompileState::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("K2004") && err.contains("nope: boom"), "{err}");
}

/// The keystroke path must agree with a whole-project parse of the same text.
#[test]
fn compile_edited_matches_a_full_parse_of_the_edit() {
    let dir = fixture();
    let root = dir.path();
    let manifest = parse_dir(root).unwrap();
    let project = kiln_project::load_project(root).unwrap();
    let file_config = |name: &str| {
        project
            .sql_files
            .iter()
            .find(|f| f.name == name)
            .unwrap()
            .config
            .clone()
    };

    // Unchanged text compiles exactly like the saved node, for every SQL node.
    for file in &project.sql_files {
        let id = format!("model.demo.{}", file.name);
        let (node, compiled) = manifest.compile_edited(&id, &file.raw, &file.config).unwrap();
        assert_eq!(
            compiled.sql,
            manifest.compile(&id, &CompileState::default()).unwrap().sql,
            "{id}"
        );
        assert_eq!(node.depends_on, manifest.nodes[&id].depends_on, "{id}");
        assert_eq!(node.materialized(), manifest.nodes[&id].materialized(), "{id}");
    }

    // An edit: drop the ephemeral ref, make the model a view in-file.
    let edit = "{{ config(materialized='view') }}\nselect id from {{ ref('stg_sale') }}";
    let (node, compiled) = manifest
        .compile_edited("model.demo.fct", edit, &file_config("fct"))
        .unwrap();
    write(root, "models/marts/fct.sql", edit);
    let reparsed = parse_dir(root).unwrap();
    assert_eq!(node.depends_on, reparsed.nodes["model.demo.fct"].depends_on);
    assert_eq!(node.materialized(), "view");
    assert_eq!(
        compiled.sql,
        reparsed
            .compile("model.demo.fct", &CompileState::default())
            .unwrap()
            .sql
    );

    // Removing an in-file config() takes the project's config again (eph was ephemeral in-file).
    let (eph, _) = manifest
        .compile_edited(
            "model.demo.eph",
            "select id from {{ ref('stg_sale') }}",
            &file_config("eph"),
        )
        .unwrap();
    assert_eq!(eph.materialized(), "view");
    assert!(eph.relation.as_ref().unwrap().cte.is_none());
}

#[test]
fn compile_edited_reports_unknown_refs_jinja_errors_and_new_cycles() {
    let dir = fixture();
    let manifest = parse_dir(dir.path()).unwrap();
    let project = kiln_project::load_project(dir.path()).unwrap();
    let config = project
        .sql_files
        .iter()
        .find(|f| f.name == "stg_sale")
        .unwrap()
        .config
        .clone();

    let unknown = manifest
        .compile_edited("model.demo.stg_sale", "select 1\nfrom {{ ref('stg_sael') }}", &config)
        .unwrap_err();
    assert_eq!(unknown.code, Code::UnknownRef);
    assert!(unknown.message.contains("stg_sale"), "{}", unknown.message);
    assert_eq!(unknown.location.as_ref().unwrap().line, Some(2));

    let syntax = manifest
        .compile_edited("model.demo.stg_sale", "select 1\n\n{{ ref('fct' }}", &config)
        .unwrap_err();
    assert_eq!(syntax.code, Code::Jinja);
    assert_eq!(syntax.location.as_ref().unwrap().line, Some(3));

    // stg_sale is upstream of fct: referencing fct from it closes a loop.
    let cycle = manifest
        .compile_edited("model.demo.stg_sale", "select 1\nfrom {{ ref('fct') }}", &config)
        .unwrap_err();
    assert_eq!(cycle.code, Code::Cycle);
    assert_eq!(cycle.location.as_ref().unwrap().line, Some(2));
    assert!(cycle.message.contains("fct"), "{}", cycle.message);
}

#[test]
fn compiled_sql_goes_under_the_projects_target_path() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "dbt_project.yml", "name: demo\ntarget-path: custom_target/\n");
    write(root, "models/a.sql", "select 1 as x");
    let manifest = parse_dir(root).unwrap();
    assert_eq!(manifest.target_dir, root.join("custom_target"));
    let node = &manifest.nodes["model.demo.a"];
    assert_eq!(
        manifest.compiled_path(node),
        root.join("custom_target/compiled/demo/models/a.sql")
    );
}
