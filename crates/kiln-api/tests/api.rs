//! The engine API against a real copy of projects/tickit with a tiny generated lake and a real
//! DuckDB warehouse.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{open_tickit, until_run_finished};
use kiln_api::*;

fn find<'a>(node: &'a FileNode, path: &str) -> Option<&'a FileNode> {
    if node.path == path {
        return Some(node);
    }
    node.children.iter().find_map(|c| find(c, path))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_tree_read_and_write_with_conflicts() {
    let fx = open_tickit().await;
    let tree = fx.studio.file_tree(Empty {}).await.unwrap();
    assert_eq!(tree.kind, FileKind::Dir);
    let kind = |p: &str| find(&tree, p).map(|n| n.kind);
    assert_eq!(kind("models"), Some(FileKind::Dir));
    assert_eq!(kind("models/marts/sales/fct_sales.sql"), Some(FileKind::Model));
    assert_eq!(
        kind("models/staging/tickit/external_tables/_tickit__sources.yml"),
        Some(FileKind::Source)
    );
    assert_eq!(kind("models/marts/sales/_sales.yml"), Some(FileKind::Yaml));
    assert_eq!(kind("tests/assert_listing_precedes_sale.sql"), Some(FileKind::Test));
    assert_eq!(kind("tests/generic/test_is_positive.sql"), Some(FileKind::Macro));
    assert_eq!(kind("macros/price_band.sql"), Some(FileKind::Macro));
    assert_eq!(kind("analyses/top_sellers.sql"), Some(FileKind::Analysis));
    assert_eq!(kind("models/docs.md"), Some(FileKind::Docs));
    assert_eq!(kind("dbt_project.yml"), Some(FileKind::Yaml));
    // Generated data, build output and the warehouse stay out of the explorer.
    assert_eq!(kind("lake"), None);
    assert_eq!(kind(".kiln"), None);
    // Folders first.
    assert_eq!(tree.children.first().map(|c| c.kind), Some(FileKind::Dir));

    let path = "models/marts/sales/fct_sales.sql";
    let original = fx
        .studio
        .read_file(ReadFileRequest { path: path.into() })
        .await
        .unwrap();
    assert!(original.content.contains("ref('stg_tickit__sales')"));
    let edited = format!("{}\n-- edited\n", original.content);
    let saved = fx
        .studio
        .write_file(WriteFileRequest {
            path: path.into(),
            content: edited.clone(),
            expected_version: Some(original.version.clone()),
        })
        .await
        .unwrap();
    assert_ne!(saved.version, original.version);
    assert_eq!(std::fs::read_to_string(fx.root.join(path)).unwrap(), edited);
    assert_eq!(
        fx.studio
            .read_file(ReadFileRequest { path: path.into() })
            .await
            .unwrap()
            .version,
        saved.version
    );

    // The editor still holds the first version: saving over the newer file is refused.
    let stale = fx
        .studio
        .write_file(WriteFileRequest {
            path: path.into(),
            content: "select 1".into(),
            expected_version: Some(original.version),
        })
        .await
        .unwrap_err();
    assert_eq!(stale.diagnostic.code, codes::WRITE_CONFLICT);
    assert_eq!(stale.kind, ErrorKind::Conflict);
    assert_eq!(std::fs::read_to_string(fx.root.join(path)).unwrap(), edited);

    // A new file, then paths that leave the project.
    let created = fx
        .studio
        .write_file(WriteFileRequest {
            path: "models/new/a.sql".into(),
            content: "select 1 as id\n".into(),
            expected_version: None,
        })
        .await
        .unwrap();
    assert_eq!(created.path, "models/new/a.sql");
    for bad in ["../escape.sql", "models/../../escape.sql", "/etc/passwd"] {
        let err = fx
            .studio
            .read_file(ReadFileRequest { path: bad.into() })
            .await
            .unwrap_err();
        assert_eq!(err.diagnostic.code, codes::OUTSIDE_PROJECT, "{bad}");
    }
    assert!(!fx.dir.path().join("escape.sql").exists());
    let missing = fx
        .studio
        .read_file(ReadFileRequest {
            path: "models/none.sql".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compiles_the_unsaved_buffer_with_diagnostics_at_its_lines() {
    let fx = open_tickit().await;
    let path = "models/marts/sales/fct_sales.sql";
    let saved = fx
        .studio
        .compile_model(CompileModelRequest {
            path: path.into(),
            content: None,
        })
        .await
        .unwrap();
    assert!(saved.diagnostics.is_empty(), "{:?}", saved.diagnostics);
    assert_eq!(saved.unique_id.as_deref(), Some("model.tickit.fct_sales"));
    let sql = saved.sql.unwrap();
    assert!(sql.contains("\"stg_tickit__sales\""), "{sql}");
    assert!(!sql.contains("{{"));
    assert!(saved.depends_on.contains(&"model.tickit.stg_tickit__sales".to_string()));
    assert!(saved
        .columns
        .iter()
        .any(|c| c.name == "sale_id" && c.description == "primary key, the sale"));

    let broken = "-- a comment\nselect *\nfrom {{ ref('stg_tickit__salez') }}\n";
    let result = fx
        .studio
        .compile_model(CompileModelRequest {
            path: path.into(),
            content: Some(broken.into()),
        })
        .await
        .unwrap();
    assert_eq!(result.sql, None);
    let diagnostic = result
        .diagnostics
        .iter()
        .find(|d| d.file.as_deref() == Some(path))
        .expect("a diagnostic in the file");
    assert_eq!(diagnostic.code, "K2002");
    assert_eq!(diagnostic.line, Some(3));
    assert!(
        diagnostic.message.contains("stg_tickit__salez"),
        "{}",
        diagnostic.message
    );
    assert!(
        diagnostic.message.contains("did you mean 'stg_tickit__sales'"),
        "{}",
        diagnostic.message
    );

    let jinja = "select {{ 1 + }} as x\n";
    let result = fx
        .studio
        .compile_model(CompileModelRequest {
            path: path.into(),
            content: Some(jinja.into()),
        })
        .await
        .unwrap();
    assert_eq!(
        result.diagnostics.first().map(|d| (d.code.as_str(), d.line)),
        Some(("K2001", Some(1)))
    );

    // The buffer compiles with the new text, yet nothing was written.
    let rewritten = "select sale_id from {{ ref('stg_tickit__sales') }}\n";
    let result = fx
        .studio
        .compile_model(CompileModelRequest {
            path: path.into(),
            content: Some(rewritten.into()),
        })
        .await
        .unwrap();
    assert_eq!(result.depends_on, vec!["model.tickit.stg_tickit__sales".to_string()]);
    assert!(result
        .sql
        .unwrap()
        .starts_with("select sale_id from \"main\".\"stg_tickit__sales\""));
    assert!(std::fs::read_to_string(fx.root.join(path))
        .unwrap()
        .contains("int_buyers_extracted_from_users"));

    let yaml = "version: 2\nmodels:\n  - name: x\n   columns: []\n";
    let result = fx
        .studio
        .compile_model(CompileModelRequest {
            path: "models/marts/sales/_sales.yml".into(),
            content: Some(yaml.into()),
        })
        .await
        .unwrap();
    assert_eq!(
        result.diagnostics.first().map(|d| (d.code.as_str(), d.line)),
        Some(("K1002", Some(4)))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graph_has_layers_edges_and_docs() {
    let fx = open_tickit().await;
    let graph = fx.studio.graph(Empty {}).await.unwrap();
    let node = |id: &str| {
        graph
            .nodes
            .iter()
            .find(|n| n.id == id)
            .unwrap_or_else(|| panic!("no node {id}"))
    };
    assert_eq!(node("source.tickit.tickit_external.sale").layer, Layer::Source);
    assert_eq!(node("model.tickit.stg_tickit__sales").layer, Layer::Staging);
    assert_eq!(
        node("model.tickit.int_buyers_extracted_from_users").layer,
        Layer::Intermediate
    );
    let fct = node("model.tickit.fct_sales");
    assert_eq!((fct.layer, fct.resource_type), (Layer::Marts, ResourceTypeDto::Model));
    assert_eq!(fct.materialized.as_deref(), Some("table"));
    assert!(fct.tags.contains(&"sales".to_string()));
    assert_eq!(fct.status, None);
    assert!(graph
        .nodes
        .iter()
        .any(|n| n.layer == Layer::Test && n.resource_type == ResourceTypeDto::Test));
    assert!(graph.nodes.iter().any(|n| n.layer == Layer::Exposure));
    let has_edge = |s: &str, t: &str| graph.edges.iter().any(|e| e.source == s && e.target == t);
    assert!(has_edge(
        "source.tickit.tickit_external.sale",
        "model.tickit.stg_tickit__sales"
    ));
    assert!(has_edge("model.tickit.stg_tickit__sales", "model.tickit.fct_sales"));
    for edge in &graph.edges {
        assert!(
            graph.nodes.iter().any(|n| n.id == edge.source),
            "dangling edge from {}",
            edge.source
        );
    }

    let docs = fx
        .studio
        .docs(DocsRequest {
            id: "model.tickit.fct_sales".into(),
        })
        .await
        .unwrap();
    let sale_id = docs.columns.iter().find(|c| c.name == "sale_id").unwrap();
    assert!(
        sale_id.tests.contains(&"unique".to_string()) && sale_id.tests.contains(&"not_null".to_string()),
        "{:?}",
        sale_id.tests
    );
    assert!(docs.depends_on.contains(&"model.tickit.stg_tickit__sales".to_string()));
    assert!(docs
        .referenced_by
        .iter()
        .any(|id| id.starts_with("test.") || id.starts_with("exposure.")));
    assert!(docs.compiled_code.unwrap().contains("\"main\".\"stg_tickit__sales\""));
    assert!(fx
        .studio
        .docs(DocsRequest {
            id: "model.tickit.nope".into()
        })
        .await
        .is_err());

    let info = fx.studio.project_info(Empty {}).await.unwrap();
    assert_eq!(info.name, "tickit");
    assert_eq!(info.target_kind, "duckdb");
    assert!(
        info.counts.get("model").copied().unwrap_or(0) >= 10,
        "{:?}",
        info.counts
    );
    assert!(info.warehouse_path.unwrap().ends_with(".kiln/warehouse.duckdb"));
    let recent = fx.studio.recent_projects(Empty {}).await.unwrap();
    assert_eq!(recent.projects.first(), Some(&info.root));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn build_streams_events_records_history_and_feeds_the_console() {
    let fx = open_tickit().await;
    let studio = &fx.studio;
    let mut events = studio.subscribe();
    let run = studio
        .start_run(StartRunRequest {
            command: RunCommand::Build,
            select: vec![],
            exclude: vec![],
            threads: Some(2),
            full_refresh: None,
            client: None,
            cli_pid: None,
        })
        .await
        .unwrap();
    let seen = until_run_finished(&mut events, &run.run_id).await;
    let total = seen
        .iter()
        .find_map(|e| match e {
            EngineEvent::RunStarted {
                run_id, total, command, ..
            } if *run_id == run.run_id => {
                assert_eq!(*command, RunCommand::Build);
                Some(*total)
            }
            _ => None,
        })
        .expect("runStarted");
    let finished: Vec<&NodeResultDto> = seen
        .iter()
        .filter_map(|e| match e {
            EngineEvent::NodeFinished { run_id, result, .. } if *run_id == run.run_id => Some(result.as_ref()),
            _ => None,
        })
        .collect();
    let started = seen
        .iter()
        .filter(|e| matches!(e, EngineEvent::NodeStarted { run_id, .. } if *run_id == run.run_id))
        .count();
    assert!(total > 50, "a build of TICKIT has stage, run and test nodes: {total}");
    assert_eq!(
        finished.len() as u32,
        total,
        "every planned node reports nodeFinished; got {:?}",
        seen.iter()
            .filter(|e| !matches!(e, EngineEvent::NodeStarted { .. }))
            .count()
    );
    assert_eq!(started as u32, total);
    let failed: Vec<_> = finished
        .iter()
        .filter(|r| !matches!(r.status, NodeStatusDto::Success | NodeStatusDto::Pass))
        .map(|r| format!("{} {:?}: {}", r.unique_id, r.status, r.message))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    let fct = finished
        .iter()
        .find(|r| r.unique_id == "model.tickit.fct_sales")
        .unwrap();
    assert!(fct.rows_affected.unwrap_or(0) > 0);
    assert!(fct
        .compiled_path
        .as_deref()
        .unwrap()
        .starts_with("target/compiled/tickit/"));
    match seen.last().unwrap() {
        EngineEvent::RunFinished {
            status,
            counts,
            elapsed,
            ..
        } => {
            assert_eq!(*status, RunStatus::Success);
            assert_eq!(counts.values().sum::<u32>(), total);
            assert!(*elapsed > 0.0);
        }
        other => panic!("expected runFinished, got {other:?}"),
    }

    // History and results, also as files under target/runs/<id>/.
    let history = studio.run_history(Empty {}).await.unwrap();
    let record = history.runs.iter().find(|r| r.run_id == run.run_id).unwrap();
    assert_eq!(record.status, RunStatus::Success);
    assert!(record.elapsed.is_some());
    let results = studio
        .run_results(RunIdRequest {
            run_id: run.run_id.clone(),
        })
        .await
        .unwrap();
    assert_eq!(results.results.len() as u32, total);
    // The log reads as the CLI's: the header, a line per node, and the totals.
    let log = results.log.join("\n");
    assert!(log.contains(&format!("Found {total} nodes to build")), "{log}");
    assert!(log.contains("OK created sql table model main.fct_sales"), "{log}");
    assert!(
        log.contains(&format!("Done. PASS={total} WARN=0 ERROR=0 SKIP=0 TOTAL={total}")),
        "{log}"
    );
    let streamed: Vec<&str> = seen
        .iter()
        .filter_map(|e| match e {
            EngineEvent::Log {
                run_id: Some(id),
                message,
            } if *id == run.run_id => Some(message.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(streamed, results.log, "the Log tab gets the same lines live");
    let run_dir = fx.root.join("target/runs").join(&run.run_id);
    assert_eq!(std::fs::read_to_string(run_dir.join("log.txt")).unwrap(), log);
    let run_results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("run_results.json")).unwrap()).unwrap();
    assert_eq!(run_results["results"].as_array().unwrap().len() as u32, total);
    assert!(run_dir.join("run.json").is_file());
    assert!(studio
        .run_results(RunIdRequest {
            run_id: "../../etc".into()
        })
        .await
        .is_err());

    // The graph now shows the outcome; editing a model makes it stale.
    let graph = studio.graph(Empty {}).await.unwrap();
    let status_of = |g: &GraphDto, id: &str| g.nodes.iter().find(|n| n.id == id).and_then(|n| n.status);
    assert_eq!(
        status_of(&graph, "model.tickit.fct_sales"),
        Some(NodeStatusDto::Success)
    );
    tokio::time::sleep(Duration::from_millis(20)).await;
    let path = "models/marts/sales/fct_listings.sql";
    let file = studio.read_file(ReadFileRequest { path: path.into() }).await.unwrap();
    studio
        .write_file(WriteFileRequest {
            path: path.into(),
            content: format!("{}\n", file.content),
            expected_version: Some(file.version),
        })
        .await
        .unwrap();
    let graph = studio.graph(Empty {}).await.unwrap();
    assert_eq!(
        status_of(&graph, "model.tickit.fct_listings"),
        Some(NodeStatusDto::Stale)
    );
    assert_eq!(
        status_of(&graph, "model.tickit.fct_sales"),
        Some(NodeStatusDto::Success)
    );

    // The console over the built warehouse: ref() works, results page, sort and export.
    let response = studio
        .run_query(RunQueryRequest {
            sql: "select sale_id, qty_sold, buyer_state from {{ ref('fct_sales') }} order by sale_id;\nselect count(*) as n from fct_sales".into(),
            connection: None,
            page_size: Some(25),
            query_id: None,
        })
        .await
        .unwrap();
    assert_eq!(response.statements.len(), 2);
    let rows = &response.statements[0];
    assert!(rows.error.is_none(), "{:?}", rows.error);
    let total_sales = rows.total_rows.unwrap();
    assert!(total_sales > 100, "{total_sales}");
    assert_eq!(rows.first_page.len(), 25);
    assert_eq!(
        rows.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["sale_id", "qty_sold", "buyer_state"]
    );
    assert_eq!(response.statements[1].first_page[0][0].as_u64(), Some(total_sales));
    let page = studio
        .fetch_rows(FetchRowsRequest {
            query_id: response.query_id.clone(),
            statement: 0,
            offset: 25,
            limit: 10,
            sort: None,
            filter: None,
        })
        .await
        .unwrap();
    assert_eq!(page.total_rows, total_sales);
    let ids: Vec<i64> = page.rows.iter().map(|r| r[0].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    assert!(ids[0] > rows.first_page[24][0].as_i64().unwrap());

    let schema = studio.schema(Empty {}).await.unwrap();
    let main = schema.schemas.iter().find(|s| s.name == "main").unwrap();
    let fct_table = main.relations.iter().find(|r| r.name == "fct_sales").unwrap();
    assert_eq!(fct_table.kind, RelationKind::Table);
    assert!(fct_table.columns.iter().any(|c| c.name == "price_paid"));
    assert!(main
        .relations
        .iter()
        .any(|r| r.name == "stg_tickit__sales" && r.kind == RelationKind::View));
    assert!(!schema.schemas.iter().any(|s| s.name.contains("kiln_results")));
    assert!(schema.schemas.iter().any(|s| s.name == "tickit_external"));

    let preview = studio
        .preview_relation(PreviewRelationRequest {
            schema: "main".into(),
            name: "fct_sales".into(),
            limit: 3,
        })
        .await
        .unwrap();
    assert_eq!(preview.first_page.len(), 3);
    assert!(preview.error.is_none());
    let shown = studio
        .show_model(ShowModelRequest {
            path: "models/marts/sales/fct_sales.sql".into(),
            limit: 4,
            content: None,
        })
        .await
        .unwrap();
    assert_eq!(shown.first_page.len(), 4);
    assert!(shown.columns.iter().any(|c| c.name == "earnings"));

    // The editor's unsaved text is previewed, not the file; a broken buffer says why.
    let saved = std::fs::read_to_string(fx.root.join("models/marts/sales/fct_sales.sql")).unwrap();
    let edited = saved.replacen("s.earnings", "s.earnings,\n        s.qty_sold * 2 as qty_doubled", 1);
    assert_ne!(
        edited, saved,
        "fct_sales.sql no longer selects s.earnings: update this test"
    );
    let unsaved = |content: String| {
        studio.show_model(ShowModelRequest {
            path: "models/marts/sales/fct_sales.sql".into(),
            limit: 4,
            content: Some(content),
        })
    };
    let shown = unsaved(edited).await.unwrap();
    let at = |name: &str| shown.columns.iter().position(|c| c.name == name).unwrap();
    let (qty, doubled) = (at("qty_sold"), at("qty_doubled"));
    for row in &shown.first_page {
        assert_eq!(row[doubled].as_f64().unwrap(), row[qty].as_f64().unwrap() * 2.0);
    }
    let broken = unsaved(saved.replacen("{{ ref('stg_tickit__sales') }}", "{{ ref('stg_tickit__sale') }}", 1))
        .await
        .unwrap();
    let error = broken.error.expect("an unknown ref is an error");
    assert!(error.message.contains("stg_tickit__sale"), "{error:?}");
    assert!(std::fs::read_to_string(fx.root.join("models/marts/sales/fct_sales.sql")).unwrap() == saved);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_run_stops_it() {
    let fx = open_tickit().await;
    let mut events = fx.studio.subscribe();
    let run = fx
        .studio
        .start_run(StartRunRequest {
            command: RunCommand::Build,
            select: vec![],
            exclude: vec![],
            threads: Some(1),
            full_refresh: None,
            client: None,
            cli_pid: None,
        })
        .await
        .unwrap();
    fx.studio
        .cancel_run(RunIdRequest {
            run_id: run.run_id.clone(),
        })
        .await
        .unwrap();
    let seen = until_run_finished(&mut events, &run.run_id).await;
    let EngineEvent::RunFinished { status, counts, .. } = seen.last().unwrap() else {
        panic!("no runFinished")
    };
    assert_eq!(*status, RunStatus::Cancelled);
    assert!(counts.get("skipped").copied().unwrap_or(0) > 0, "{counts:?}");
    let history = fx.studio.run_history(Empty {}).await.unwrap();
    assert_eq!(
        history.runs.iter().find(|r| r.run_id == run.run_id).map(|r| r.status),
        Some(RunStatus::Cancelled)
    );
    let unknown = fx
        .studio
        .cancel_run(RunIdRequest { run_id: "nope".into() })
        .await
        .unwrap_err();
    assert_eq!(unknown.kind, ErrorKind::NotFound);
    // A bad selector is refused up front instead of becoming a failed run.
    let bad = fx
        .studio
        .start_run(StartRunRequest {
            command: RunCommand::Run,
            select: vec!["tag:".into()],
            exclude: vec![],
            threads: None,
            full_refresh: None,
            client: None,
            cli_pid: None,
        })
        .await
        .unwrap_err();
    assert_eq!(bad.diagnostic.code, "K3002");
}

/// Redshift SQL with no DuckDB equivalent is refused before it runs, naming the construct and
/// its line in the script (K4008), while the statements around it run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redshift_only_sql_is_named_in_the_console() {
    let fx = open_tickit().await;
    let script =
        "select 1 as one;\nselect query,\n  err_reason\nfrom stl_load_errors;\nselect top 2 range as n from range(5)";
    let response = fx
        .studio
        .run_query(RunQueryRequest {
            sql: script.into(),
            connection: None,
            page_size: None,
            query_id: None,
        })
        .await
        .unwrap();
    let error = response.statements[1]
        .error
        .as_ref()
        .expect("stl_load_errors is refused");
    assert_eq!(error.code, "K4008", "{error:?}");
    assert!(
        error.message.to_ascii_lowercase().contains("stl_load_errors"),
        "{}",
        error.message
    );
    assert_eq!(error.line, Some(4), "{error:?}");
    assert_eq!(response.statements[2].total_rows, Some(2), "TOP n runs as LIMIT n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_page_sort_filter_and_export() {
    let fx = open_tickit().await;
    let studio = &fx.studio;
    let script = "select range as n, range % 7 as m, 'row ' || range as label from range(1000);\n\n  select nope from nowhere;\nselect 42 as answer";
    let response = studio
        .run_query(RunQueryRequest {
            sql: script.into(),
            connection: None,
            page_size: Some(50),
            query_id: Some("console-1".into()),
        })
        .await
        .unwrap();
    assert_eq!(response.query_id, "console-1");
    assert_eq!(response.statements.len(), 3);
    let first = &response.statements[0];
    assert_eq!((first.total_rows, first.first_page.len()), (Some(1000), 50));
    assert_eq!(first.columns[0].data_type.as_deref(), Some("BIGINT"));
    let error = response.statements[1]
        .error
        .as_ref()
        .expect("the second statement fails");
    assert_eq!(error.code, "K4001");
    assert_eq!(error.line, Some(3), "{error:?}");
    assert_eq!(response.statements[2].first_page, vec![vec![serde_json::json!(42)]]);

    let fetch = |offset, limit, sort: Option<SortDto>, filter: Option<&str>| FetchRowsRequest {
        query_id: "console-1".into(),
        statement: 0,
        offset,
        limit,
        sort,
        filter: filter.map(str::to_string),
    };
    let page = studio.fetch_rows(fetch(100, 5, None, None)).await.unwrap();
    assert_eq!(
        page.rows.iter().map(|r| r[0].as_i64().unwrap()).collect::<Vec<_>>(),
        [100, 101, 102, 103, 104]
    );
    let sorted = studio
        .fetch_rows(fetch(
            0,
            142,
            Some(SortDto {
                column: "m".into(),
                descending: true,
            }),
            None,
        ))
        .await
        .unwrap();
    assert_eq!(sorted.rows.len(), 142);
    assert!(
        sorted.rows.iter().all(|r| r[1] == serde_json::json!(6)),
        "the 142 rows with m = 6 come first: {:?}",
        &sorted.rows[..3]
    );
    let next = studio
        .fetch_rows(fetch(
            142,
            1,
            Some(SortDto {
                column: "m".into(),
                descending: true,
            }),
            None,
        ))
        .await
        .unwrap();
    assert_eq!(next.rows[0][1], serde_json::json!(5));
    let filtered = studio.fetch_rows(fetch(0, 100, None, Some("ROW 99"))).await.unwrap();
    assert_eq!(filtered.total_rows, 11, "99 and 990..999");
    assert!(filtered
        .rows
        .iter()
        .all(|r| r[2].as_str().unwrap().starts_with("row 99")));
    assert_eq!(filtered.filter_mode, Some(FilterMode::Text));
    // A boolean expression over the columns is a SQL condition, as the grid's placeholder says.
    let condition = studio
        .fetch_rows(fetch(0, 500, None, Some("m = 3 AND n > 500")))
        .await
        .unwrap();
    assert_eq!(condition.filter_mode, Some(FilterMode::Condition));
    assert_eq!(condition.total_rows, (501..1000).filter(|n| n % 7 == 3).count() as u64);
    assert!(condition
        .rows
        .iter()
        .all(|r| r[1] == serde_json::json!(3) && r[0].as_i64().unwrap() > 500));
    let quoted = studio
        .fetch_rows(fetch(0, 5, None, Some("label = 'row 7'")))
        .await
        .unwrap();
    assert_eq!(
        (quoted.total_rows, quoted.filter_mode),
        (1, Some(FilterMode::Condition))
    );
    // A number alone is not a condition (it would keep every row): it is searched as text.
    let number = studio.fetch_rows(fetch(0, 5, None, Some("999"))).await.unwrap();
    assert_eq!((number.total_rows, number.filter_mode), (1, Some(FilterMode::Text)));
    // A condition on a misspelt column falls back to text and says why.
    let misspelt = studio.fetch_rows(fetch(0, 5, None, Some("mm = 3"))).await.unwrap();
    assert_eq!((misspelt.total_rows, misspelt.filter_mode), (0, Some(FilterMode::Text)));
    let note = misspelt.filter_note.expect("a reason for searching text");
    assert!(note.contains("mm"), "{note}");
    // A filter cannot smuggle in a second statement.
    let smuggled = studio
        .fetch_rows(fetch(0, 5, None, Some("true); drop table main.fct_sales; select (1")))
        .await
        .unwrap();
    assert_eq!(smuggled.filter_mode, Some(FilterMode::Text));
    let last = studio.fetch_rows(fetch(10, 5, None, Some("row 99"))).await.unwrap();
    assert_eq!(last.total_rows, 11);
    assert_eq!(
        last.rows.iter().map(|r| r[0].as_i64().unwrap()).collect::<Vec<_>>(),
        [999]
    );
    let sorted_filtered = studio
        .fetch_rows(fetch(
            0,
            2,
            Some(SortDto {
                column: "n".into(),
                descending: true,
            }),
            Some("row 99"),
        ))
        .await
        .unwrap();
    assert_eq!(
        sorted_filtered
            .rows
            .iter()
            .map(|r| r[0].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [999, 998]
    );
    // Σ covers the whole result in the warehouse, typed: DECIMAL is compared as a number (as
    // JSON text "9118860.60" > "10305724.53"), and a filter narrows it as it narrows the grid.
    studio
        .run_query(RunQueryRequest {
            sql: "select (case when range = 0 then 9118860.60 when range = 1 then 10305724.53 else range end)::decimal(12,2) as amount, \
                  case when range % 3 = 0 then null else range % 3 end as k from range(5000)"
                .into(),
            connection: None,
            page_size: Some(20),
            query_id: Some("console-stats".into()),
        })
        .await
        .unwrap();
    let stats = |column: &str, filter: Option<&str>| ColumnStatsRequest {
        query_id: "console-stats".into(),
        statement: 0,
        column: column.into(),
        filter: filter.map(str::to_string),
    };
    let amount = studio.column_stats(stats("amount", None)).await.unwrap();
    assert_eq!((amount.rows, amount.nulls, amount.distinct), (5000, 0, 5000));
    assert_eq!(amount.data_type.as_deref(), Some("DECIMAL(12,2)"));
    assert_eq!(
        (amount.min.as_str(), amount.max.as_str()),
        (Some("2.00"), Some("10305724.53"))
    );
    let mean = amount.mean.expect("a numeric column has a mean");
    let expected = (9118860.60 + 10305724.53 + (2..5000).sum::<i64>() as f64) / 5000.0;
    assert!((mean - expected).abs() < 1e-6, "{mean} vs {expected}");
    let k = studio.column_stats(stats("k", None)).await.unwrap();
    assert_eq!((k.rows, k.nulls, k.distinct), (5000, 1667, 2));
    let top: Vec<(serde_json::Value, u64)> = k.top.iter().map(|t| (t.value.clone(), t.count)).collect();
    // Most frequent first; a tie is broken by the value, nulls last.
    assert_eq!(
        top,
        [
            (serde_json::json!(1), 1667),
            (serde_json::Value::Null, 1667),
            (serde_json::json!(2), 1666)
        ]
    );
    let narrowed = studio.column_stats(stats("amount", Some("k = 2"))).await.unwrap();
    assert_eq!((narrowed.rows, narrowed.max.as_str()), (1666, Some("4997.00")));
    let unknown = studio.column_stats(stats("nope", None)).await.unwrap_err();
    assert_eq!(unknown.kind, ErrorKind::BadRequest);

    // A chart of the same result: suggested from its columns, computed in the warehouse, and
    // narrowed by the grid's filter like the grid.
    let chart = |spec: Option<kiln_dash::ChartSpec>, filter: Option<&str>| ChartDataRequest {
        query_id: "console-stats".into(),
        statement: 0,
        spec,
        filter: filter.map(str::to_string),
        max_points: None,
    };
    let suggested = studio.chart_data(chart(None, None)).await.unwrap();
    assert_eq!(
        suggested.spec.kind,
        kiln_dash::ChartKind::Scatter,
        "two numbers: {:?}",
        suggested.spec
    );
    let mut bars = kiln_dash::ChartSpec::new(kiln_dash::ChartKind::Bar);
    bars.x = Some("k".into());
    bars.y = vec![kiln_dash::Measure {
        column: None,
        aggregation: kiln_dash::Aggregation::Count,
    }];
    let counted = studio.chart_data(chart(Some(bars.clone()), None)).await.unwrap();
    let mut counts: Vec<(serde_json::Value, f64)> = counted
        .rows
        .iter()
        .map(|r| (r[0].clone(), r[1].as_f64().unwrap()))
        .collect();
    counts.sort_by(|a, b| a.1.total_cmp(&b.1));
    assert_eq!(counts, [(serde_json::json!(2), 1666.0), (serde_json::json!(1), 1667.0)]);
    let narrowed = studio
        .chart_data(chart(Some(bars.clone()), Some("k = 2")))
        .await
        .unwrap();
    assert_eq!(narrowed.rows.len(), 1);
    bars.x = Some("nope".into());
    let bad = studio.chart_data(chart(Some(bars), None)).await.unwrap_err();
    assert_eq!(bad.diagnostic.code, "K7001");
    assert!(
        bad.diagnostic.hint.as_deref().unwrap_or_default().contains("amount"),
        "{:?}",
        bad.diagnostic
    );
    let bad_sort = studio
        .fetch_rows(fetch(
            0,
            1,
            Some(SortDto {
                column: "x\"; drop".into(),
                descending: false,
            }),
            None,
        ))
        .await;
    assert_eq!(bad_sort.unwrap_err().kind, ErrorKind::BadRequest);
    assert!(studio
        .fetch_rows(FetchRowsRequest {
            statement: 1,
            ..fetch(0, 1, None, None)
        })
        .await
        .is_err());

    let csv = studio
        .export_query(ExportQueryRequest {
            query_id: "console-1".into(),
            statement: 0,
            format: ExportFormat::Csv,
            path: "exports/n.csv".into(),
            download: None,
        })
        .await
        .unwrap();
    assert_eq!((csv.path.as_str(), csv.rows), ("exports/n.csv", 1000));
    let text = std::fs::read_to_string(fx.root.join("exports/n.csv")).unwrap();
    assert_eq!(text.lines().count(), 1001);
    assert_eq!(text.lines().next(), Some("n,m,label"));
    assert_eq!(text.lines().nth(8), Some("7,0,row 7"));
    let parquet = studio
        .export_query(ExportQueryRequest {
            query_id: "console-1".into(),
            statement: 0,
            format: ExportFormat::Parquet,
            path: "exports/n.parquet".into(),
            download: None,
        })
        .await
        .unwrap();
    assert_eq!(parquet.rows, 1000);
    let back = studio
        .run_query(RunQueryRequest {
            sql: format!(
                "select count(*) as c, sum(n) as s, max(label) as l from read_parquet('{}')",
                fx.root.join("exports/n.parquet").display()
            ),
            connection: None,
            page_size: None,
            query_id: None,
        })
        .await
        .unwrap();
    assert_eq!(
        back.statements[0].first_page[0],
        vec![
            serde_json::json!(1000),
            serde_json::json!("499500"),
            serde_json::json!("row 999")
        ]
    );
    let outside = studio
        .export_query(ExportQueryRequest {
            query_id: "console-1".into(),
            statement: 0,
            format: ExportFormat::Csv,
            path: "../n.csv".into(),
            download: None,
        })
        .await
        .unwrap_err();
    assert_eq!(outside.diagnostic.code, codes::OUTSIDE_PROJECT);
    // A download is written outside the project, handed out once by id, then gone.
    let download = studio
        .export_query(ExportQueryRequest {
            query_id: "console-1".into(),
            statement: 0,
            format: ExportFormat::Csv,
            path: "../../sneaky/n.csv".into(),
            download: Some(true),
        })
        .await
        .unwrap();
    assert_eq!((download.path.as_str(), download.rows), ("n.csv", 1000));
    let id = download.download.expect("a download id");
    let (file, name) = studio.take_download(&id).unwrap();
    assert_eq!(name, "n.csv");
    assert!(!file.starts_with(&fx.root), "{}", file.display());
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 1001);
    studio.finish_download(&file);
    assert!(!file.exists());
    assert!(studio.take_download(&id).is_err());

    // The script as the engine cuts it, in the editor's UTF-16 indices: a blank line between
    // whole statements splits them; the cursor regions cover the script without gaps.
    let script = "select 'é😀' as a\n\nselect 2;  -- two\nselect 3";
    let split = studio
        .split_script(SplitScriptRequest { sql: script.into() })
        .await
        .unwrap();
    let utf16: Vec<u16> = script.encode_utf16().collect();
    let text = |from: u32, to: u32| String::from_utf16(&utf16[from as usize..to as usize]).unwrap();
    let got: Vec<(String, u32)> = split
        .statements
        .iter()
        .map(|s| (text(s.start, s.end), s.line))
        .collect();
    assert_eq!(
        got,
        [
            ("select 'é😀' as a".to_string(), 1),
            ("select 2".to_string(), 3),
            ("select 3".to_string(), 4)
        ]
    );
    assert_eq!(split.statements.last().unwrap().cursor_end as usize, utf16.len());
    assert!(split.statements.windows(2).all(|w| w[0].cursor_end < w[1].start + 1));

    // DuckDB's own "LINE n" in a message names the script's line, as the location does (it
    // named the line of the text that ran, which has a generated line on top).
    let located = studio
        .run_query(RunQueryRequest {
            sql: "select 1;\n\nselect\n  nope_column\nfrom range(3)".into(),
            connection: None,
            page_size: None,
            query_id: None,
        })
        .await
        .unwrap();
    let error = located.statements[1].error.as_ref().expect("an unknown column fails");
    assert_eq!((error.line, error.column), (Some(4), Some(3)), "{error:?}");
    assert!(error.message.contains("\nLINE 4: "), "{}", error.message);

    // The statement under the cursor, and statements that are not queries.
    let script = "create table scratch as select 1 as a;\ninsert into scratch values (2), (3);\nselect sum(a) as total from scratch";
    let at = studio
        .run_statement_at(RunStatementAtRequest {
            sql: script.into(),
            connection: None,
            offset: 3,
            page_size: None,
            query_id: None,
        })
        .await
        .unwrap();
    assert_eq!(at.statements.len(), 1);
    assert!(at.statements[0].sql.starts_with("create table scratch"));
    let all = studio
        .run_query(RunQueryRequest {
            sql: script.replace("create table", "create or replace table"),
            connection: None,
            page_size: None,
            query_id: None,
        })
        .await
        .unwrap();
    assert!(all.statements.iter().all(|s| s.error.is_none()), "{:?}", all.statements);
    assert_eq!(all.statements[2].first_page[0][0], serde_json::json!("6"));
    let rows_csv = studio
        .export_query(ExportQueryRequest {
            query_id: all.query_id.clone(),
            statement: 1,
            format: ExportFormat::Csv,
            path: "exports/insert.csv".into(),
            download: None,
        })
        .await
        .unwrap();
    assert_eq!(rows_csv.rows, 1);

    let history = studio.query_history(Default::default()).await.unwrap();
    assert!(history.entries.len() >= 7);
    assert_eq!(history.entries[0].sql, "select sum(a) as total from scratch");
    assert!(history.entries.iter().any(|e| e.error.is_some()));
    assert!(fx.root.join(".kiln/query_history.jsonl").is_file());
    assert!(studio
        .cancel_query(QueryIdRequest {
            query_id: "console-1".into()
        })
        .await
        .is_ok());
    assert!(studio
        .cancel_query(QueryIdRequest {
            query_id: "unknown".into()
        })
        .await
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visual_edits_preview_then_commit() {
    let fx = open_tickit().await;
    let studio = &fx.studio;
    let preview = studio
        .apply_edit(ApplyEditRequest::CreateModel {
            name: "sales_by_event".into(),
            directory: "models/marts/sales".into(),
            upstream: vec![
                "model.tickit.fct_sales".into(),
                "source.tickit.tickit_external.event".into(),
            ],
        })
        .await
        .unwrap();
    assert_eq!(preview.changes.len(), 1);
    let change = &preview.changes[0];
    assert_eq!(
        (change.path.as_str(), change.before.as_deref()),
        ("models/marts/sales/sales_by_event.sql", None)
    );
    let text = change.after.clone().unwrap();
    assert!(
        text.contains("{{ ref('fct_sales') }}") && text.contains("{{ source('tickit_external', 'event') }}"),
        "{text}"
    );
    assert!(!fx.root.join(&change.path).exists(), "a preview writes nothing");
    studio
        .commit_edit(CommitEditRequest {
            changes: preview.changes.clone(),
        })
        .await
        .unwrap();
    let compiled = studio
        .compile_model(CompileModelRequest {
            path: change.path.clone(),
            content: None,
        })
        .await
        .unwrap();
    assert!(compiled.diagnostics.is_empty(), "{:?}", compiled.diagnostics);
    assert_eq!(compiled.depends_on.len(), 2);
    // Committing the same preview again is refused: the file is no longer absent.
    let again = studio
        .commit_edit(CommitEditRequest {
            changes: preview.changes,
        })
        .await
        .unwrap_err();
    assert_eq!(again.diagnostic.code, codes::WRITE_CONFLICT);

    let rename = studio
        .apply_edit(ApplyEditRequest::RenameModel {
            path: "models/staging/tickit/stg_tickit__categories.sql".into(),
            new_name: "stg_tickit__category_groups".into(),
            new_directory: None,
        })
        .await
        .unwrap();
    let paths: Vec<&str> = rename.changes.iter().map(|c| c.path.as_str()).collect();
    for expected in [
        "models/staging/tickit/stg_tickit__categories.sql",
        "models/staging/tickit/stg_tickit__category_groups.sql",
        "models/marts/sales/fct_sales.sql",
        "models/marts/marketing/dim_events.sql",
        "models/staging/tickit/schema.yml",
    ] {
        assert!(paths.contains(&expected), "{expected} missing from {paths:?}");
    }
    studio
        .commit_edit(CommitEditRequest {
            changes: rename.changes,
        })
        .await
        .unwrap();
    let graph = studio.graph(Empty {}).await.unwrap();
    assert!(graph
        .nodes
        .iter()
        .any(|n| n.id == "model.tickit.stg_tickit__category_groups"));
    assert!(!graph
        .nodes
        .iter()
        .any(|n| n.id == "model.tickit.stg_tickit__categories"));
    assert!(graph
        .edges
        .iter()
        .any(|e| e.source == "model.tickit.stg_tickit__category_groups" && e.target == "model.tickit.fct_sales"));
    let docs = studio
        .docs(DocsRequest {
            id: "model.tickit.stg_tickit__category_groups".into(),
        })
        .await
        .unwrap();
    assert!(
        !docs.description.is_empty(),
        "the YAML entry was renamed with the model"
    );

    let add = studio
        .apply_edit(ApplyEditRequest::AddColumnTest {
            id: "model.tickit.fct_sales".into(),
            column: "seller_username".into(),
            test: "not_null".into(),
            arguments: None,
        })
        .await
        .unwrap();
    assert_eq!(add.changes[0].path, "models/marts/sales/_sales.yml");
    studio
        .commit_edit(CommitEditRequest { changes: add.changes })
        .await
        .unwrap();
    let docs = studio
        .docs(DocsRequest {
            id: "model.tickit.fct_sales".into(),
        })
        .await
        .unwrap();
    let column = docs.columns.iter().find(|c| c.name == "seller_username").unwrap();
    assert!(column.tests.contains(&"not_null".to_string()), "{:?}", column.tests);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_on_disk_arrive_as_events_and_reparse() {
    let fx = open_tickit().await;
    let mut events = fx.studio.subscribe();
    // Give the watcher a moment to register every folder.
    tokio::time::sleep(Duration::from_millis(300)).await;
    std::fs::write(fx.root.join("models/marts/outside.sql"), "select 1 as id\n").unwrap();
    let paths = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let Ok(EngineEvent::FileChanged { paths }) = events.recv().await {
                if paths.iter().any(|p| p == "models/marts/outside.sql") {
                    return paths;
                }
            }
        }
    })
    .await
    .expect("a fileChanged event");
    assert!(paths
        .iter()
        .all(|p| !p.starts_with("target/") && !p.starts_with(".kiln/")));
    let graph = fx.studio.graph(Empty {}).await.unwrap();
    assert!(graph.nodes.iter().any(|n| n.id == "model.tickit.outside"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispatch_routes_operations_by_name() {
    let fx = open_tickit().await;
    let info = fx
        .studio
        .dispatch("projectInfo", serde_json::Value::Null)
        .await
        .unwrap();
    assert_eq!(info["targetKind"], "duckdb");
    let file = fx
        .studio
        .dispatch("readFile", serde_json::json!({ "path": "dbt_project.yml" }))
        .await
        .unwrap();
    assert!(file["content"].as_str().unwrap().contains("name: tickit"));
    let unknown = fx
        .studio
        .dispatch("dropEverything", serde_json::Value::Null)
        .await
        .unwrap_err();
    assert_eq!(unknown.kind, ErrorKind::NotFound);
    let malformed = fx
        .studio
        .dispatch("readFile", serde_json::json!({ "file": 1 }))
        .await
        .unwrap_err();
    assert_eq!(malformed.kind, ErrorKind::BadRequest);
    let studio = Studio::new(StudioOptions {
        config_dir: Some(fx.dir.path().join("c2")),
        ..Default::default()
    });
    assert_eq!(
        studio
            .dispatch("graph", serde_json::Value::Null)
            .await
            .unwrap_err()
            .diagnostic
            .code,
        codes::NO_PROJECT
    );
}

/// The studio holds the warehouse file: another process (a `kiln` CLI run) is told it is locked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_warehouse_is_locked_for_other_processes_while_open() {
    let fx = open_tickit().await;
    let info = fx.studio.project_info(Empty {}).await.unwrap();
    let warehouse = info.warehouse_path.unwrap();
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "probe_warehouse_lock", "--nocapture"])
        .env("KILN_LOCK_PROBE", &warehouse)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("LOCKED:"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("close Kiln Studio"), "{stdout}");
    // Once the studio lets go, the file opens elsewhere.
    fx.studio.close_project();
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "probe_warehouse_lock", "--nocapture"])
        .env("KILN_LOCK_PROBE", &warehouse)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains("OPENED"));
}

/// Child process of the test above; does nothing unless KILN_LOCK_PROBE names a warehouse.
#[test]
#[ignore]
fn probe_warehouse_lock() {
    let Ok(path) = std::env::var("KILN_LOCK_PROBE") else {
        return;
    };
    match kiln_warehouse::DuckDbAdapter::open(std::path::Path::new(&path), 1) {
        Ok(_) => println!("OPENED"),
        Err(e @ kiln_warehouse::AdapterError::Locked { .. }) => println!("LOCKED: {e}"),
        Err(e) => println!("OTHER: {e}"),
    }
}

/// A large result answers with its first page before it is materialised; paging waits for the
/// table, and an event brings the row count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_result_answers_with_its_first_page_then_settles() {
    let fx = open_tickit().await;
    let studio = &fx.studio;
    let mut events = studio.subscribe();
    // Hashing makes every row cost enough that materialising 20M rows takes well over the
    // first-page wait on any machine.
    let sql = "select range as i, md5(range::varchar) as h from range(20000000)";
    let response = studio
        .run_query(RunQueryRequest {
            sql: sql.into(),
            connection: None,
            page_size: Some(100),
            query_id: Some("big".into()),
        })
        .await
        .unwrap();
    let first = &response.statements[0];
    assert!(first.error.is_none(), "{:?}", first.error);
    assert_eq!(first.total_rows, None, "the count is not known yet");
    assert_eq!(first.first_page.len(), 100);
    assert_eq!(first.first_page[0][0], serde_json::json!(0));
    assert_eq!(first.first_page[99][0], serde_json::json!(99));

    // Paging past the first page waits for the table.
    let page = studio
        .fetch_rows(FetchRowsRequest {
            query_id: "big".into(),
            statement: 0,
            offset: 12_345_678,
            limit: 2,
            sort: None,
            filter: None,
        })
        .await
        .unwrap();
    assert_eq!(page.total_rows, 20_000_000);
    assert_eq!(page.rows[0][0], serde_json::json!(12_345_678));
    assert_eq!(page.rows[1][0], serde_json::json!(12_345_679));

    let settled = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if let Ok(EngineEvent::QueryProgress {
                query_id,
                total_rows: Some(total),
                ..
            }) = events.recv().await
            {
                if query_id == "big" {
                    return total;
                }
            }
        }
    })
    .await
    .expect("a queryProgress event with the row count");
    assert_eq!(settled, 20_000_000);

    // Cancelling while it materialises stops it, and paging says so instead of hanging.
    studio
        .run_query(RunQueryRequest {
            sql: sql.into(),
            connection: None,
            page_size: Some(10),
            query_id: Some("cancelled".into()),
        })
        .await
        .unwrap();
    studio
        .cancel_query(QueryIdRequest {
            query_id: "cancelled".into(),
        })
        .await
        .unwrap();
    let error = studio
        .fetch_rows(FetchRowsRequest {
            query_id: "cancelled".into(),
            statement: 0,
            offset: 1_000,
            limit: 1,
            sort: None,
            filter: None,
        })
        .await
        .unwrap_err();
    assert!(error.diagnostic.message.contains("cancelled"), "{error:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboards_list_open_and_chart_their_panels_in_the_warehouse() {
    let fx = open_tickit().await;
    let studio = &fx.studio;
    let path = "dashboards/tickit_sales_summary.yml";
    let list = studio.dashboards(Empty {}).await.unwrap();
    let summary = list
        .dashboards
        .iter()
        .find(|d| d.path == path)
        .expect("the TICKIT dashboard is listed");
    assert_eq!(
        (summary.title.as_str(), summary.error.is_none()),
        ("TICKIT sales summary", true)
    );
    let opened = studio
        .open_dashboard(OpenDashboardRequest { path: path.into() })
        .await
        .unwrap();
    let dashboard = opened.dashboard.expect("the sample dashboard reads");
    assert_eq!(opened.refresh_seconds, Some(60.0));
    // It is the exposure the seed declares, now depending on every mart its panels read.
    let graph = studio.graph(Empty {}).await.unwrap();
    let exposure = "exposure.tickit.tickit_sales_summary";
    let upstream: Vec<&str> = graph
        .edges
        .iter()
        .filter(|e| e.target == exposure)
        .map(|e| e.source.as_str())
        .collect();
    for model in ["fct_sales", "fct_listings", "dim_events", "dim_non_buyers"] {
        assert!(
            upstream.contains(&format!("model.tickit.{model}").as_str()),
            "{model} feeds the dashboard: {upstream:?}"
        );
    }

    let mut events = studio.subscribe();
    let run = studio
        .start_run(StartRunRequest {
            command: RunCommand::Build,
            select: vec!["+exposure:tickit_sales_summary".into()],
            exclude: vec![],
            threads: Some(2),
            full_refresh: None,
            client: None,
            cli_pid: None,
        })
        .await
        .unwrap();
    until_run_finished(&mut events, &run.run_id).await;
    let scalar = |sql: &'static str| async move {
        let answer = studio
            .run_query(RunQueryRequest {
                sql: sql.into(),
                connection: None,
                page_size: None,
                query_id: None,
            })
            .await
            .unwrap();
        answer.statements[0].first_page[0][0].clone()
    };
    let panel = |title: &str| dashboard.panels.iter().position(|p| p.title == title).unwrap() as u32;
    let data = |index: u32| {
        studio.panel_data(PanelDataRequest {
            path: path.into(),
            panel: index,
            spec: None,
            max_points: None,
            filters: None,
            time: None,
            variables: None,
        })
    };

    let categories = data(panel("Sales and commission by category")).await.unwrap();
    assert_eq!(
        serde_json::json!(categories.rows.len()),
        scalar("select count(distinct cat_name) from main.fct_sales").await
    );
    assert_eq!(
        categories.roles,
        vec![kiln_dash::Role::X, kiln_dash::Role::Y, kiln_dash::Role::Y]
    );
    let total = data(panel("Total sales")).await.unwrap();
    let expected: f64 = scalar("select sum(price_paid)::double from main.fct_sales")
        .await
        .as_f64()
        .unwrap();
    assert!((total.value.as_f64().unwrap() - expected).abs() < 1e-6);
    let states = data(panel("Sales by buyer state")).await.unwrap();
    assert_eq!(
        serde_json::json!(states.rows.len()),
        scalar("select count(distinct buyer_state) from main.fct_sales where buyer_state is not null").await
    );
    let top = data(panel("Top events by gross sales")).await.unwrap();
    assert_eq!(top.rows.len(), 10);

    // Cross-filtering: a category clicked elsewhere narrows every panel whose query has cat_name,
    // and a panel without the column says it was not filtered.
    let jazz = |index: u32| {
        studio.panel_data(PanelDataRequest {
            path: path.into(),
            panel: index,
            spec: None,
            max_points: None,
            filters: Some(vec![PanelFilter {
                column: "cat_name".into(),
                value: serde_json::json!("Jazz"),
            }]),
            time: None,
            variables: None,
        })
    };
    let users = jazz(panel("Users who never bought")).await.unwrap();
    assert!(
        users.notes.iter().any(|n| n.contains("not filtered by cat_name")),
        "{:?}",
        users.notes
    );
    let sales = jazz(panel("Total sales")).await.unwrap();
    assert!(sales.notes.is_empty(), "{:?}", sales.notes);
    let expected = scalar("select sum(price_paid)::double from main.fct_sales where cat_name = 'Jazz'").await;
    assert!((sales.value.as_f64().unwrap() - expected.as_f64().unwrap()).abs() < 1e-6);
    let by_category = jazz(panel("Sales and commission by category")).await.unwrap();
    assert_eq!(by_category.rows.len(), 1);
    assert_eq!(by_category.rows[0][0], serde_json::json!("Jazz"));
    let expected = scalar("select sum(price_paid)::double from main.fct_sales where cat_name = 'Jazz'").await;
    assert!((by_category.rows[0][1].as_f64().unwrap() - expected.as_f64().unwrap()).abs() < 1e-6);

    // A panel naming a column its query lacks fails in place, coded, naming what there is.
    let mut broken = dashboard.panels[panel("Sales by month") as usize].chart.clone();
    broken.series = Some("cat_grop".into());
    let error = studio
        .panel_data(PanelDataRequest {
            path: path.into(),
            panel: panel("Sales by month"),
            spec: Some(broken),
            max_points: None,
            filters: None,
            time: None,
            variables: None,
        })
        .await
        .unwrap_err();
    assert_eq!(error.diagnostic.code, "K7001");
    assert!(
        error
            .diagnostic
            .hint
            .as_deref()
            .unwrap_or_default()
            .contains("cat_group"),
        "{:?}",
        error.diagnostic
    );

    // Grafana's macros expand against the dashboard's time range, then Jinja and the dialect run.
    std::fs::write(
        fx.root.join("dashboards/january.yml"),
        "title: January\ntime: { from: '2008-01-01', to: '2008-02-01T00:00:00Z' }\npanels:\n  - title: Sales in range\n    grid: { x: 0, y: 0, w: 6, h: 4 }\n    query: |\n      select price_paid from {{ ref('fct_sales') }}\n      where $__timeFilter(sale_time)\n    chart: { kind: stat, y: [{ column: price_paid, aggregation: sum }] }\n  - title: Per day\n    grid: { x: 6, y: 0, w: 6, h: 4 }\n    query: select $__timeGroup(sale_time, '1d'), count(*) as n from {{ ref('fct_sales') }} where $__timeFilter(sale_time) group by 1\n    chart: { kind: table }\n  - title: Broken\n    grid: { x: 12, y: 0, w: 6, h: 4 }\n    query: select 1 where $__timeFilter()\n    chart: { kind: table }\n",
    )
    .unwrap();
    let january = |index: u32| {
        studio.panel_data(PanelDataRequest {
            path: "dashboards/january.yml".into(),
            panel: index,
            spec: None,
            max_points: None,
            filters: None,
            time: None,
            variables: None,
        })
    };
    let in_range = january(0).await.unwrap();
    let expected = scalar(
        "select sum(price_paid)::double from main.fct_sales where sale_time between '2008-01-01T00:00:00Z' and '2008-02-01T00:00:00Z'",
    )
    .await;
    assert!(
        (in_range.value.as_f64().unwrap() - expected.as_f64().unwrap()).abs() < 1e-6,
        "{:?} vs {expected}",
        in_range.value
    );
    let per_day = january(1).await.unwrap();
    assert_eq!(per_day.columns, ["time", "n"]);
    assert!(
        per_day.rows.len() <= 31 && !per_day.rows.is_empty(),
        "{} days",
        per_day.rows.len()
    );
    let broken = january(2).await.unwrap_err();
    assert_eq!(broken.diagnostic.code, "K7002");
    assert!(
        broken.diagnostic.message.contains("needs a column"),
        "{}",
        broken.diagnostic.message
    );
    assert_eq!(broken.diagnostic.line, Some(14), "the Broken panel's line");

    // A file edited into a bad shape opens with its problem at the line, and nothing else breaks.
    let file = fx.root.join(path);
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace(
            "grid: { x: 12, y: 13, w: 12, h: 10 }",
            "grid: { x: 20, y: 13, w: 12, h: 10 }",
        ),
    )
    .unwrap();
    let bad = studio
        .open_dashboard(OpenDashboardRequest { path: path.into() })
        .await
        .unwrap();
    assert!(bad.dashboard.is_none());
    assert_eq!(bad.diagnostics[0].code, "K7002");
    let line = text
        .lines()
        .position(|l| l.contains("- title: Top events by gross sales"))
        .unwrap() as u32
        + 1;
    assert_eq!(bad.diagnostics[0].line, Some(line));

    // Variables: a query-filled drop-down written raw, a multi-select with All written as quoted
    // lists, as Grafana's SQL sources write them; a picked time range instead of the file's.
    std::fs::write(
        fx.root.join("dashboards/picked.yml"),
        "title: Picked\ntime: { from: '2008-01-01', to: '2009-01-01' }\nvariables:\n  - name: grp\n    label: Group\n    query: select distinct cat_group from {{ ref('fct_sales') }} order by 1\n  - name: states\n    values: [CA, NY, TX]\n    multi: true\n    include_all: true\npanels:\n  - title: Sales\n    grid: { x: 0, y: 0, w: 6, h: 4 }\n    query: |\n      select cat_group, price_paid from {{ ref('fct_sales') }}\n      where cat_group = '$grp' and buyer_state in (${states}) and $__timeFilter(sale_time)\n    chart: { kind: stat, y: [{ column: price_paid, aggregation: sum }] }\n",
    )
    .unwrap();
    let listed = studio
        .dashboard_variables(DashboardVariablesRequest {
            path: "dashboards/picked.yml".into(),
            variables: None,
        })
        .await
        .unwrap();
    let groups = &listed.variables[0];
    assert_eq!(groups.choices, ["Shows", "Sports"]);
    assert_eq!(groups.initial, ["Shows"]);
    assert_eq!(listed.variables[1].initial, ["$__all"]);

    // Chained: a drop-down whose query names `$grp` lists what the picked group holds.
    let chained = std::fs::read_to_string(fx.root.join("dashboards/picked.yml")).unwrap().replace(
        "  - name: states\n",
        "  - name: cat\n    query: select distinct cat_name from {{ ref('fct_sales') }} where cat_group = '$grp' order by 1\n  - name: states\n",
    );
    std::fs::write(fx.root.join("dashboards/chained.yml"), chained).unwrap();
    let categories = |group: Option<&str>| {
        let studio = &studio;
        let group = group.map(str::to_string);
        async move {
            studio
                .dashboard_variables(DashboardVariablesRequest {
                    path: "dashboards/chained.yml".into(),
                    variables: group.map(|g| [("grp".to_string(), vec![g])].into_iter().collect()),
                })
                .await
                .unwrap()
                .variables[1]
                .choices
                .clone()
        }
    };
    let shows = categories(None).await;
    let sports = categories(Some("Sports")).await;
    assert!(!shows.is_empty() && !sports.is_empty(), "{shows:?} {sports:?}");
    assert!(shows.iter().all(|c| !sports.contains(c)), "{shows:?} vs {sports:?}");
    assert_eq!(shows, categories(Some("Shows")).await, "no pick is the first group's");
    let picked = |variables: &[(&str, &[&str])], time: Option<(&str, &str)>| {
        studio.panel_data(PanelDataRequest {
            path: "dashboards/picked.yml".into(),
            panel: 0,
            spec: None,
            max_points: None,
            filters: None,
            time: time.map(|(from, to)| kiln_dash::TimeWindow {
                from: from.into(),
                to: to.into(),
            }),
            variables: Some(
                variables
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
                    .collect(),
            ),
        })
    };
    let sum = |sql: String| async move {
        let answer = studio
            .run_query(RunQueryRequest {
                sql,
                connection: None,
                page_size: None,
                query_id: None,
            })
            .await
            .unwrap();
        answer.statements[0].first_page[0][0].as_f64().unwrap_or(0.0)
    };
    let close = |a: &serde_json::Value, b: f64| (a.as_f64().unwrap_or(0.0) - b).abs() < 1e-6;
    let first = picked(&[], None).await.unwrap();
    let expected = sum("select sum(price_paid)::double from main.fct_sales where cat_group = 'Shows' and buyer_state in ('CA','NY','TX')".into()).await;
    assert!(close(&first.value, expected), "{:?} vs {expected}", first.value);
    let sports_ca = picked(&[("grp", &["Sports"]), ("states", &["CA"])], None)
        .await
        .unwrap();
    let expected = sum(
        "select sum(price_paid)::double from main.fct_sales where cat_group = 'Sports' and buyer_state = 'CA'".into(),
    )
    .await;
    assert!(close(&sports_ca.value, expected), "{:?} vs {expected}", sports_ca.value);
    let march = picked(
        &[("grp", &["Sports"]), ("states", &["CA"])],
        Some(("2008-03-01", "2008-04-01")),
    )
    .await
    .unwrap();
    let expected = sum("select sum(price_paid)::double from main.fct_sales where cat_group = 'Sports' and buyer_state = 'CA' and sale_time between '2008-03-01' and '2008-04-01'".into()).await;
    assert!(close(&march.value, expected), "{:?} vs {expected}", march.value);
    assert!(expected > 0.0 && (sports_ca.value.as_f64().unwrap() - expected) > 0.0);
    // The console gets the query as it ran: variables, range and cross-filters written in.
    let console = studio
        .panel_query(PanelDataRequest {
            path: "dashboards/picked.yml".into(),
            panel: 0,
            spec: None,
            max_points: None,
            filters: Some(vec![PanelFilter {
                column: "cat_group".into(),
                value: serde_json::json!("Shows"),
            }]),
            time: None,
            variables: Some([("grp".to_string(), vec!["Sports".to_string()])].into_iter().collect()),
        })
        .await
        .unwrap();
    assert!(
        console
            .sql
            .contains("cat_group = 'Sports' and buyer_state in ('CA','NY','TX')"),
        "{}",
        console.sql
    );
    assert!(
        console.sql.contains("{{ ref('fct_sales') }}") && console.sql.contains("BETWEEN"),
        "{}",
        console.sql
    );
    assert!(
        console.sql.ends_with("where CAST(\"cat_group\" AS VARCHAR) = 'Shows'"),
        "{}",
        console.sql
    );
}
