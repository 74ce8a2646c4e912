//! Table-driven checks of dbt's selection syntax against the TICKIT-shaped fixture.
//! Expected results were worked out by hand from dbt 1.x semantics, and are written as node
//! names (unique in the fixture) so the tables stay readable.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use kiln_graph::{select, select_with_report, Graph, IndirectSelection, ResourceType, SelectOptions, SelectorError};

// Short aliases for the tests, to keep rows on one line.
const T_NN_STG: &str = "not_null_stg_sales_sale_id";
const T_UQ_STG: &str = "unique_stg_sales_sale_id";
const T_REL_STG: &str = "relationships_stg_sales_listing_id__stg_listings";
const T_SRC: &str = "source_not_null_tickit_external_sale_salesid";
const T_NN_FCT: &str = "not_null_fct_sales_sale_id";
const T_REL_FCT: &str = "relationships_fct_sales_buyer_id__dim_users";
const T_REL_AGG: &str = "relationships_agg_daily_sales_sale_day__stg_dates";
const T_UQ_SEED: &str = "unique_countries_code";
const T_SINGULAR: &str = "assert_positive_price";

const SOURCES: &[&str] = &["sale", "listing", "event", "category", "venue", "users", "date"];
const STAGING: &[&str] = &[
    "stg_sales",
    "stg_listings",
    "stg_events",
    "stg_categories",
    "stg_venues",
    "stg_users",
    "stg_dates",
];

enum Expect {
    /// Exactly these names.
    Only(Vec<&'static str>),
    /// Every node except these names.
    AllExcept(Vec<&'static str>),
}
use Expect::{AllExcept, Only};

fn cat(parts: &[&[&'static str]]) -> Vec<&'static str> {
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}

fn without(list: &[&'static str], drop: &[&str]) -> Vec<&'static str> {
    list.iter().copied().filter(|n| !drop.contains(n)).collect()
}

struct Fixture {
    graph: Graph,
    id_to_name: BTreeMap<String, String>,
}

fn fixture() -> Fixture {
    let graph = Graph::new(common::tickit_nodes()).unwrap();
    let id_to_name: BTreeMap<String, String> = graph.nodes().map(|n| (n.unique_id.clone(), n.name.clone())).collect();
    let distinct: BTreeSet<&String> = id_to_name.values().collect();
    assert_eq!(distinct.len(), graph.len(), "fixture names must be unique");
    Fixture { graph, id_to_name }
}

impl Fixture {
    fn names(&self, ids: &BTreeSet<String>) -> BTreeSet<String> {
        ids.iter().map(|id| self.id_to_name[id].clone()).collect()
    }

    fn expected(&self, e: &Expect) -> BTreeSet<String> {
        let check = |list: &[&str]| {
            for n in list {
                assert!(
                    self.id_to_name.values().any(|v| v == n),
                    "expected name `{n}` is not in the fixture"
                );
            }
        };
        match e {
            Only(list) => {
                check(list);
                list.iter().map(|s| s.to_string()).collect()
            }
            AllExcept(list) => {
                check(list);
                self.id_to_name
                    .values()
                    .filter(|n| !list.contains(&n.as_str()))
                    .cloned()
                    .collect()
            }
        }
    }

    fn run(&self, sel: &[&str], exc: &[&str], opts: SelectOptions) -> Result<BTreeSet<String>, SelectorError> {
        let sel: Vec<String> = sel.iter().map(|s| s.to_string()).collect();
        let exc: Vec<String> = exc.iter().map(|s| s.to_string()).collect();
        select(&self.graph, &sel, &exc, opts).map(|ids| self.names(&ids))
    }
}

fn check_table(rows: Vec<(&[&str], &[&str], Expect)>, opts: SelectOptions) {
    let fx = fixture();
    let mut failures = Vec::new();
    for (sel, exc, expect) in rows {
        let want = fx.expected(&expect);
        match fx.run(sel, exc, opts.clone()) {
            Ok(got) if got == want => {}
            Ok(got) => failures.push(format!(
                "select {sel:?} exclude {exc:?} ({:?})\n    missing: {:?}\n    extra:   {:?}",
                opts.indirect_selection,
                want.difference(&got).collect::<Vec<_>>(),
                got.difference(&want).collect::<Vec<_>>()
            )),
            Err(e) => failures.push(format!("select {sel:?} exclude {exc:?}: error {e}")),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn opts(mode: IndirectSelection) -> SelectOptions {
    SelectOptions {
        resource_types: None,
        indirect_selection: mode,
    }
}

#[test]
fn eager_selection_table() {
    let fct_family = [T_NN_FCT, T_REL_FCT, T_SINGULAR];
    let plus_fct_sales = cat(&[
        &["fct_sales", "int_sales_enriched", "int_events_enriched"],
        &without(STAGING, &["stg_users"]),
        &without(SOURCES, &["users"]),
        &[T_NN_STG, T_UQ_STG, T_REL_STG, T_SRC],
        &fct_family,
        &[T_REL_AGG], // stg_dates is an ancestor, and eager pulls in any test touching it
    ]);
    let staging_fqn = cat(&[STAGING, &[T_NN_STG, T_UQ_STG, T_REL_STG, T_SRC, T_REL_AGG]]);

    #[rustfmt::skip]
    let rows: Vec<(&[&str], &[&str], Expect)> = vec![
        // --- plain names and graph operators ---
        (&["fct_sales"], &[], Only(cat(&[&["fct_sales"], &fct_family]))),
        (&["+fct_sales"], &[], Only(plus_fct_sales.clone())),
        (&["fct_sales+"], &[], Only(cat(&[&["fct_sales", "agg_daily_sales", "sales_by_month", "sales_dashboard", T_REL_AGG], &fct_family]))),
        // depth 1 stops before the exposure; the agg test still comes in because agg is selected
        (&["fct_sales+1"], &[], Only(cat(&[&["fct_sales", "agg_daily_sales", "sales_by_month", T_REL_AGG], &fct_family]))),
        (&["1+fct_sales"], &[], Only(cat(&[&["fct_sales", "int_sales_enriched", "int_events_enriched"], &fct_family]))),
        (&["2+fct_sales"], &[], Only(cat(&[&["fct_sales", "int_sales_enriched", "int_events_enriched"], &without(STAGING, &["stg_users"]), &[T_NN_STG, T_UQ_STG, T_REL_STG, T_REL_AGG], &fct_family]))),
        (&["+dim_users+"], &[], Only(vec!["dim_users", "stg_users", "users", "countries", T_REL_FCT, T_UQ_SEED])),
        // @: all descendants, plus every ancestor of those (dim_users comes in via the fct/dim_users test)
        (&["@int_events_enriched"], &[], AllExcept(vec!["holidays"])),
        // --- default method: fqn, path, file ---
        (&["staging"], &[], Only(staging_fqn.clone())),
        (&["staging.*"], &[], Only(staging_fqn.clone())),
        (&["tickit.staging.*"], &[], Only(staging_fqn.clone())),
        (&["fqn:staging"], &[], Only(staging_fqn.clone())),
        (&["tickit.intermediate.*"], &[], Only(vec!["int_sales_enriched", "int_events_enriched"])),
        (&["marts.sales"], &[], Only(cat(&[&["fct_sales", "agg_daily_sales", T_REL_AGG], &fct_family]))),
        (&["marts"], &[], Only(cat(&[&["fct_sales", "agg_daily_sales", "dim_events", "dim_users", T_REL_AGG], &fct_family]))),
        (&["fqn:tickit.marts.sales.fct_sales"], &[], Only(cat(&[&["fct_sales"], &fct_family]))),
        (&["fqn:*"], &[], AllExcept(cat(&[SOURCES, &["sales_dashboard"]]))),
        // like dbt, a wildcard part is matched against the rest of the fqn from that position,
        // so `int_*` alone would have to start the (package-less) fqn
        (&["int_*"], &[], Only(vec![])),
        (&["*.int_*"], &[], Only(vec!["int_sales_enriched", "int_events_enriched"])),
        (&["intermediate.int_*"], &[], Only(vec!["int_sales_enriched", "int_events_enriched"])),
        (&["path:models/staging"], &[], Only(cat(&[STAGING, SOURCES, &[T_NN_STG, T_UQ_STG, T_REL_STG, T_SRC, T_REL_AGG]]))),
        (&["models/marts/sales"], &[], Only(cat(&[&["fct_sales", "agg_daily_sales", T_REL_AGG], &fct_family]))),
        (&["./models/marts/sales/"], &[], Only(cat(&[&["fct_sales", "agg_daily_sales", T_REL_AGG], &fct_family]))),
        (&["path:models/marts/sales/fct_sales.sql"], &[], Only(cat(&[&["fct_sales"], &fct_family]))),
        (&["path:models/*/core"], &[], Only(vec!["dim_events", "dim_users", T_REL_FCT])),
        // a bare folder name that exists in the project is a path, like dbt's os.path.exists check
        (&["models"], &[], AllExcept(vec!["countries", "holidays", T_UQ_SEED, "sales_by_month"])),
        (&["tests"], &[], Only(vec![T_SINGULAR])),
        (&["seeds"], &[], Only(vec!["countries", "holidays", T_UQ_SEED])),
        (&["fct_sales.sql"], &[], Only(cat(&[&["fct_sales"], &fct_family]))),
        (&["file:stg_*.sql"], &[], Only(cat(&[STAGING, &[T_NN_STG, T_UQ_STG, T_REL_STG, T_REL_AGG]]))),
        (&["file:dim_users"], &[], Only(vec!["dim_users", T_REL_FCT])),
        // --- tag ---
        (&["tag:nightly"], &[], Only(cat(&[&["fct_sales", "agg_daily_sales", T_REL_AGG], &fct_family]))),
        (&["+tag:nightly"], &[], Only(cat(&[&plus_fct_sales, &["agg_daily_sales"]]))),
        (&["tag:pii"], &[], Only(vec!["dim_users", "users", T_REL_FCT])),
        (&["tag:fin*"], &[], Only(cat(&[&["fct_sales"], &fct_family]))),
        // --- source ---
        (&["source:tickit_external"], &[], Only(cat(&[SOURCES, &[T_SRC]]))),
        (&["source:tickit_external.sale"], &[], Only(vec!["sale", T_SRC])),
        (&["source:tickit.tickit_external.s*"], &[], Only(vec!["sale", T_SRC])),
        (&["source:tickit_external.sale+"], &[], Only(cat(&[&["sale", "stg_sales", "int_sales_enriched", "fct_sales", "agg_daily_sales", "sales_by_month", "sales_dashboard", T_NN_STG, T_UQ_STG, T_REL_STG, T_SRC, T_REL_AGG], &fct_family]))),
        // --- resource_type, config, test_type, exposure, package, group, access ---
        (&["resource_type:seed"], &[], Only(vec!["countries", "holidays", T_UQ_SEED])),
        (&["resource_type:exposure"], &[], Only(vec!["sales_dashboard"])),
        (&["resource_type:analysis"], &[], Only(vec!["sales_by_month"])),
        (&["config.materialized:table"], &[], Only(vec!["agg_daily_sales", "dim_events", "dim_users", T_REL_FCT, T_REL_AGG])),
        (&["config.materialized:ephemeral"], &[], Only(vec!["int_sales_enriched", "int_events_enriched"])),
        (&["config.meta.owner:finance"], &[], Only(cat(&[&["fct_sales"], &fct_family]))),
        (&["config.full_refresh:False"], &[], Only(cat(&[&["fct_sales"], &fct_family]))),
        (&["config.severity:WARN"], &[], Only(vec![T_NN_FCT])),
        (&["test_type:singular"], &[], Only(vec![T_SINGULAR])),
        (&["test_type:generic"], &[], Only(vec![T_NN_STG, T_UQ_STG, T_REL_STG, T_SRC, T_NN_FCT, T_REL_FCT, T_REL_AGG, T_UQ_SEED])),
        (&["exposure:sales_dashboard"], &[], Only(vec!["sales_dashboard"])),
        (&["+exposure:sales_dashboard"], &[], Only(cat(&[&["sales_dashboard", "agg_daily_sales", "dim_events"], &plus_fct_sales]))),
        (&["package:tickit"], &[], AllExcept(vec![])),
        (&["group:core"], &[], Only(vec!["dim_users", T_REL_FCT])),
        (&["access:public"], &[], Only(vec!["dim_users", T_REL_FCT])),
        // --- set operators ---
        (&["stg_users dim_users"], &[], Only(vec!["stg_users", "dim_users", T_REL_FCT])),
        (&["stg_users", "dim_users"], &[], Only(vec!["stg_users", "dim_users", T_REL_FCT])),
        // tests pulled in eagerly by each side survive the intersection, as in dbt
        (&["tag:nightly,config.materialized:table"], &[], Only(vec!["agg_daily_sales", T_REL_FCT, T_REL_AGG])),
        (&["+fct_sales,staging"], &[], Only(cat(&[&without(STAGING, &["stg_users"]), &[T_NN_STG, T_UQ_STG, T_REL_STG, T_SRC, T_REL_AGG]]))),
        // --- exclusion (exclusions are expanded to attached tests too) ---
        (&["+fct_sales"], &["source:*"], Only(without(&plus_fct_sales, &cat(&[SOURCES, &[T_SRC]])))),
        (&["staging"], &["stg_sales"], Only(without(&staging_fqn, &["stg_sales", T_NN_STG, T_UQ_STG, T_REL_STG]))),
        (&[], &["tag:pii"], AllExcept(vec!["dim_users", "users", T_REL_FCT])),
        (&["fct_sales+"], &["resource_type:test"], Only(vec!["fct_sales", "agg_daily_sales", "sales_by_month", "sales_dashboard"])),
        (&["marts"], &["marts.sales"], Only(vec!["dim_events", "dim_users"])),
        (&["stg_sales stg_listings"], &["stg_listings"], Only(vec!["stg_sales", T_NN_STG, T_UQ_STG])),
        // --- empty select means everything; selectors matching nothing are not errors ---
        (&[], &[], AllExcept(vec![])),
        (&["does_not_exist"], &[], Only(vec![])),
        (&["source:other_source"], &[], Only(vec![])),
        (&["tag:nope+"], &[], Only(vec![])),
    ];
    check_table(rows, SelectOptions::default());
}

#[test]
fn cautious_buildable_and_empty_indirect_selection() {
    let cautious: Vec<(&[&str], &[&str], Expect)> = vec![
        (&["stg_sales"], &[], Only(vec!["stg_sales", T_NN_STG, T_UQ_STG])),
        // the relationships test needs both parents; the union supplies them
        (
            &["stg_sales stg_listings"],
            &[],
            Only(vec!["stg_sales", "stg_listings", T_NN_STG, T_UQ_STG, T_REL_STG]),
        ),
        (&["fct_sales"], &[], Only(vec!["fct_sales", T_NN_FCT, T_SINGULAR])),
        (&["agg_daily_sales"], &[], Only(vec!["agg_daily_sales"])),
        // dbt only excludes a test in cautious mode when all its parents are excluded
        (
            &["stg_sales stg_listings"],
            &["stg_listings"],
            Only(vec!["stg_sales", T_NN_STG, T_UQ_STG, T_REL_STG]),
        ),
    ];
    check_table(cautious, opts(IndirectSelection::Cautious));

    // buildable also accepts a test whose other parent is upstream of the selection
    let buildable: Vec<(&[&str], &[&str], Expect)> = vec![
        (&["agg_daily_sales"], &[], Only(vec!["agg_daily_sales", T_REL_AGG])),
        (&["fct_sales"], &[], Only(vec!["fct_sales", T_NN_FCT, T_SINGULAR])),
    ];
    check_table(buildable, opts(IndirectSelection::Buildable));

    let empty: Vec<(&[&str], &[&str], Expect)> = vec![
        (&["fct_sales"], &[], Only(vec!["fct_sales"])),
        (
            &["fct_sales+1"],
            &[],
            Only(vec![
                "fct_sales",
                "agg_daily_sales",
                "sales_by_month",
                T_NN_FCT,
                T_REL_FCT,
                T_SINGULAR,
            ]),
        ),
        (
            &["staging"],
            &["stg_sales"],
            Only(cat(&[
                &without(STAGING, &["stg_sales"]),
                &[T_NN_STG, T_UQ_STG, T_REL_STG, T_SRC],
            ])),
        ),
    ];
    check_table(empty, opts(IndirectSelection::Empty));
}

#[test]
fn resource_type_filter_applies_last() {
    let fx = fixture();
    let only = |types: Vec<ResourceType>| SelectOptions {
        resource_types: Some(types),
        indirect_selection: IndirectSelection::Eager,
    };
    let expect = |names: &[&str]| -> BTreeSet<String> { names.iter().map(|s| s.to_string()).collect() };

    // `kiln test -s +fct_sales`
    let got = fx.run(&["+fct_sales"], &[], only(vec![ResourceType::Test])).unwrap();
    assert_eq!(
        got,
        expect(&[T_NN_STG, T_UQ_STG, T_REL_STG, T_SRC, T_NN_FCT, T_REL_FCT, T_SINGULAR, T_REL_AGG])
    );

    // `kiln run` with no selection: every model
    let got = fx.run(&[], &[], only(vec![ResourceType::Model])).unwrap();
    assert_eq!(got.len(), 13);
    assert!(got.iter().all(|n| {
        fx.graph
            .nodes()
            .any(|g| &g.name == n && g.resource_type == ResourceType::Model)
    }));

    // `kiln build -s stg_sales`
    let got = fx
        .run(&["stg_sales"], &[], only(vec![ResourceType::Model, ResourceType::Test]))
        .unwrap();
    assert_eq!(got, expect(&["stg_sales", T_NN_STG, T_UQ_STG, T_REL_STG]));
}

#[test]
fn selector_errors_are_reported() {
    let fx = fixture();
    let d = SelectOptions::default;

    let err = fx.run(&["tags:nightly"], &[], d()).unwrap_err();
    assert!(
        matches!(&err, SelectorError::UnknownMethod { method, .. } if method == "tags"),
        "{err:?}"
    );
    let msg = err.to_string();
    for method in ["fqn", "tag", "source", "path", "config", "resource_type"] {
        assert!(msg.contains(method), "message should list `{method}`: {msg}");
    }

    assert!(matches!(
        fx.run(&["state:modified+"], &[], d()),
        Err(SelectorError::UnsupportedMethod { .. })
    ));
    assert!(matches!(
        fx.run(&["@fct_sales+"], &[], d()),
        Err(SelectorError::Syntax { .. })
    ));
    assert!(matches!(
        fx.run(&["resource_type:table"], &[], d()),
        Err(SelectorError::InvalidValue { .. })
    ));
    assert!(matches!(
        fx.run(&["test_type:banana"], &[], d()),
        Err(SelectorError::InvalidValue { .. })
    ));
    // errors in --exclude are reported too, even when --select matches nothing
    assert!(matches!(
        fx.run(&["does_not_exist"], &["a,,b"], d()),
        Err(SelectorError::Syntax { .. })
    ));
    assert_eq!(fx.run(&["   "], &[], d()), Err(SelectorError::Empty));
    assert!("lazy".parse::<IndirectSelection>().is_err());
    assert_eq!("cautious".parse::<IndirectSelection>(), Ok(IndirectSelection::Cautious));
}

#[test]
fn unmatched_words_are_reported_for_warnings() {
    let fx = fixture();
    let report = select_with_report(
        &fx.graph,
        &["stg_users tag:nope".to_string(), "fct_sales".to_string()],
        &["nothing_here".to_string(), "stg_users".to_string()],
        SelectOptions::default(),
    )
    .unwrap();
    assert_eq!(report.unmatched, vec!["tag:nope", "nothing_here"]);
    assert_eq!(
        fx.names(&report.selected),
        ["fct_sales", T_NN_FCT, T_REL_FCT, T_SINGULAR]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
}
