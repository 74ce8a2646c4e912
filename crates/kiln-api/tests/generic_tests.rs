//! The "+ test" picker's engine side: `genericTests` lists every generic test TICKIT can use with
//! its arguments, and `addColumnTest` writes tests with arguments into real YAML files that the
//! project then parses and runs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{open_studio, tickit_copy};
use kiln_api::{
    ApplyEditRequest, CommitEditRequest, DocsRequest, Empty, GenericTestDto, NodeStatusDto, Studio, TestArgumentValue,
    TestOriginDto,
};
use serde_json::{json, Value};

fn arg(name: &str, value: Value) -> TestArgumentValue {
    TestArgumentValue {
        name: name.into(),
        value,
    }
}

fn add(id: &str, column: &str, test: &str, arguments: Vec<TestArgumentValue>) -> ApplyEditRequest {
    ApplyEditRequest::AddColumnTest {
        id: id.into(),
        column: column.into(),
        test: test.into(),
        arguments: Some(arguments),
    }
}

/// Previews, checks the one changed file's new text contains `expected`, commits.
async fn add_and_commit(studio: &Studio, request: ApplyEditRequest, expected: &str) -> String {
    let preview = studio.apply_edit(request).await.unwrap();
    assert_eq!(preview.changes.len(), 1);
    let after = preview.changes[0].after.clone().unwrap();
    assert!(after.contains(expected), "expected\n{expected}\nin\n{after}");
    studio
        .commit_edit(CommitEditRequest {
            changes: preview.changes,
        })
        .await
        .unwrap();
    after
}

fn package(root: &std::path::Path) {
    let dir = root.join("dbt_packages/dbt_utils");
    std::fs::create_dir_all(dir.join("macros/generic_tests")).unwrap();
    std::fs::write(dir.join("dbt_project.yml"), "name: dbt_utils\nversion: '1.3.0'\n").unwrap();
    std::fs::write(
        dir.join("macros/generic_tests/expression_is_true.sql"),
        "{% test expression_is_true(model, expression, column_name=None) %}\n  {{ return(adapter.dispatch('test_expression_is_true', 'dbt_utils')(model, expression, column_name)) }}\n{% endtest %}\n",
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_every_test_the_project_can_use_with_its_arguments() {
    let (dir, root) = tickit_copy();
    package(&root);
    let studio = open_studio(&dir.path().join("config"), &root, false).await;
    let tests = studio.generic_tests(Empty {}).await.unwrap().tests;
    let find = |name: &str| -> &GenericTestDto {
        tests
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("{name} in {tests:?}"))
    };
    let names: Vec<&str> = tests.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "unique",
            "not_null",
            "accepted_values",
            "relationships",
            "is_positive",
            "within_range",
            "dbt_utils.expression_is_true"
        ]
    );
    let accepted = find("accepted_values");
    assert_eq!(accepted.origin, TestOriginDto::Builtin);
    assert_eq!(
        accepted
            .arguments
            .iter()
            .map(|a| (a.name.as_str(), a.required, a.default.as_deref()))
            .collect::<Vec<_>>(),
        [("values", true, None), ("quote", false, Some("true"))]
    );
    let range = find("within_range");
    assert_eq!(range.origin, TestOriginDto::Project);
    assert_eq!(range.path.as_deref(), Some("tests/generic/test_within_range.sql"));
    assert!(range.takes_column);
    assert!(range
        .description
        .starts_with("Fails on every row whose value lies outside"));
    let names: Vec<&str> = range.arguments.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["min_value", "max_value", "inclusive"]);
    let utils = find("dbt_utils.expression_is_true");
    assert_eq!(utils.origin, TestOriginDto::Package);
    assert_eq!(utils.package.as_deref(), Some("dbt_utils"));
    assert_eq!(utils.arguments.len(), 1);
    assert!(utils.arguments[0].required);

    // A package test is written in dbt's `package.name` form, following the file's `arguments:`.
    let preview = studio
        .apply_edit(add(
            "model.tickit.fct_sales",
            "price_paid",
            "dbt_utils.expression_is_true",
            vec![arg("expression", json!(">= 0"))],
        ))
        .await
        .unwrap();
    let after = preview.changes[0].after.as_deref().unwrap();
    assert!(
        after.contains(
            "          - dbt_utils.expression_is_true:\n              arguments:\n                expression: \">= 0\"\n"
        ),
        "{after}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tests_with_arguments_are_written_parsed_and_run() {
    let (dir, root) = tickit_copy();
    let studio = open_studio(&dir.path().join("config"), &root, false).await;
    let sales_yml = root.join("models/marts/sales/_sales.yml");
    let before = std::fs::read_to_string(&sales_yml).unwrap();

    let categories = [
        "MLB",
        "NHL",
        "NFL",
        "NBA",
        "MLS",
        "Musicals",
        "Plays",
        "Opera",
        "Pop",
        "Jazz",
        "Classical",
    ];
    add_and_commit(
        &studio,
        add(
            "model.tickit.fct_sales",
            "cat_name",
            "accepted_values",
            vec![arg("values", json!(categories))],
        ),
        "      - name: cat_name\n        description: short category name\n        data_tests:\n          - accepted_values:\n              arguments:\n                values: [\"MLB\", \"NHL\", \"NFL\", \"NBA\", \"MLS\", \"Musicals\", \"Plays\", \"Opera\", \"Pop\", \"Jazz\", \"Classical\"]\n      - name: event_name\n",
    )
    .await;
    let after = add_and_commit(
        &studio,
        add(
            "model.tickit.fct_sales",
            "event_name",
            "relationships",
            vec![arg("to", json!("ref('dim_events')")), arg("field", json!("event_name"))],
        ),
        "      - name: event_name\n        description: name of the event\n        data_tests:\n          - relationships:\n              arguments:\n                to: ref('dim_events')\n                field: event_name\n      - name: buyer_username\n",
    )
    .await;
    // Every other line is as it was: comments, quoting and order untouched.
    let mut kept = before.lines().peekable();
    for line in after.lines() {
        if kept.peek() == Some(&line) {
            kept.next();
        }
    }
    assert_eq!(kept.next(), None, "every line of the file is kept, in order");
    assert_eq!(after.lines().count(), before.lines().count() + 9);
    add_and_commit(
        &studio,
        add(
            "model.tickit.fct_sales",
            "qty_sold",
            "within_range",
            vec![arg("min_value", json!(1)), arg("max_value", json!(8))],
        ),
        "      - name: qty_sold\n        description: tickets sold\n        data_tests:\n          - within_range:\n              arguments:\n                min_value: 1\n                max_value: 8\n",
    )
    .await;

    // The project parses, and the tests are nodes with their arguments.
    let docs = studio
        .docs(DocsRequest {
            id: "model.tickit.fct_sales".into(),
        })
        .await
        .unwrap();
    let tests_of = |column: &str| {
        docs.columns
            .iter()
            .find(|c| c.name == column)
            .unwrap()
            .test_nodes
            .clone()
    };
    let cat = tests_of("cat_name");
    assert_eq!(cat.len(), 1);
    assert_eq!(cat[0].name, "accepted_values");
    assert!(
        cat[0].arguments.starts_with("values: [\"MLB\",\"NHL\""),
        "{}",
        cat[0].arguments
    );
    let event = tests_of("event_name");
    assert_eq!(event[0].name, "relationships");
    assert_eq!(event[0].arguments, "to: \"ref('dim_events')\", field: \"event_name\"");
    let qty = tests_of("qty_sold");
    assert_eq!(qty[0].arguments, "min_value: 1, max_value: 8");
    let graph = studio.graph(Empty {}).await.unwrap();
    let new_ids = [&cat[0].id, &event[0].id, &qty[0].id];
    for id in new_ids {
        assert!(graph.nodes.iter().any(|n| &n.id == id), "{id} in the graph");
    }
    // The relationships test depends on the model it points at.
    assert!(graph
        .edges
        .iter()
        .any(|e| e.source == "model.tickit.dim_events" && e.target == event[0].id));

    // …and they run and pass.
    common::build(&studio, &["+fct_sales", "+dim_events"]).await;
    let graph = studio.graph(Empty {}).await.unwrap();
    for id in new_ids {
        let node = graph.nodes.iter().find(|n| &n.id == id).unwrap();
        assert_eq!(node.status, Some(NodeStatusDto::Pass), "{id}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_unknown_tests_and_missing_arguments() {
    let (dir, root) = tickit_copy();
    let studio = open_studio(&dir.path().join("config"), &root, false).await;
    let missing = studio
        .apply_edit(add(
            "model.tickit.fct_sales",
            "cat_name",
            "relationships",
            vec![arg("to", json!("ref('dim_events')"))],
        ))
        .await
        .unwrap_err();
    assert_eq!(missing.diagnostic.code, "K6002");
    assert!(
        missing.diagnostic.message.contains("'field'"),
        "{:?}",
        missing.diagnostic
    );
    let unknown = studio
        .apply_edit(add("model.tickit.fct_sales", "cat_name", "is_even", vec![]))
        .await
        .unwrap_err();
    assert!(unknown.diagnostic.message.contains("no generic test 'is_even'"));
    assert!(unknown
        .diagnostic
        .hint
        .as_deref()
        .unwrap_or_default()
        .contains("within_range"));
    let extra = studio
        .apply_edit(add(
            "model.tickit.fct_sales",
            "cat_name",
            "within_range",
            vec![
                arg("min_value", json!(1)),
                arg("max_value", json!(2)),
                arg("maximum", json!(3)),
            ],
        ))
        .await
        .unwrap_err();
    assert_eq!(
        extra.diagnostic.file.as_deref(),
        Some("tests/generic/test_within_range.sql")
    );
}
