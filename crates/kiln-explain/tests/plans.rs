//! Real EXPLAIN output of each engine read into plan trees, and the flags an analyst should see.
//!
//! Where the fixtures come from:
//! * `duckdb_join.json`: DuckDB 1.5.6 (the engine's version; python `duckdb` 1.5.6) on
//!   `EXPLAIN (FORMAT JSON) select u.name, sum(s.qty) from sales s join users u on
//!   s.buyerid = u.userid where s.price > 10 group by u.name order by 2 desc limit 5` over small
//!   `sales`/`users` tables. `duckdb_plan_from_the_engine` below also runs one through Kiln's
//!   own DuckDB adapter, so a change in DuckDB's format fails here.
//! * `postgres_*.json`: PostgreSQL 15 on the same query, and (with hash and merge joins
//!   disabled) `select s.id, u.name from sales s join users u on s.buyerid < u.userid where
//!   s.qty = 3`, after `ANALYZE`.
//! * `redshift_join_aggregate_sort.txt` and `redshift_merge_and_hash.txt`: the examples "Join,
//!   Aggregate, and Sort" and "Merge Join Two Tables" (three tables) of the Amazon Redshift
//!   Database Developer Guide, "Query plan" (c-the-query-plan.md in
//!   awsdocs/amazon-redshift-developer-guide), on the TICKIT sample database.
//! * `redshift_flattened.txt`: the DS_DIST_OUTER example of the guide's EXPLAIN reference
//!   (r_EXPLAIN.md), whose published copy lost its indentation, with its `(519 rows)` footer.
//! * `redshift_nested_loop.txt`: real cluster output published in a user's Redshift workshop
//!   notes on GitHub (a CROSS JOIN of CTEs: `XN Nested Loop DS_BCAST_INNER`), with the
//!   `----- … -----` warnings Redshift prints below such plans.
//! * The DS_DIST_BOTH plan is assembled here around the line `XN Hash Join DS_DIST_BOTH
//!   (cost=15.00..19201542.00 rows=7200 width=8)` published in a Redshift distribution test
//!   script (EVEN-distributed table joined to a KEY-distributed one on a non-key column).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kiln_explain::{parse, Engine, FlagKind, Plan, PlanNode};
use kiln_warehouse::Adapter;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

fn flagged(plan: &Plan, kind: FlagKind) -> Vec<&PlanNode> {
    plan.root
        .walk()
        .into_iter()
        .filter(|n| n.flags.iter().any(|f| f.kind == kind))
        .collect()
}

fn operators(plan: &Plan) -> Vec<String> {
    plan.root.walk().iter().map(|n| n.operator.clone()).collect()
}

fn detail<'a>(node: &'a PlanNode, label: &str) -> Option<&'a str> {
    node.details.iter().find(|d| d.label == label).map(|d| d.value.as_str())
}

#[test]
fn duckdb_json_becomes_a_tree_with_tables_conditions_and_cardinalities() {
    let plan = parse(Engine::Duckdb, &fixture("duckdb_join.json")).unwrap();
    assert_eq!(
        operators(&plan),
        [
            "TOP_N",
            "PROJECTION",
            "HASH_GROUP_BY",
            "PROJECTION",
            "PROJECTION",
            "HASH_JOIN",
            "SEQ_SCAN",
            "SEQ_SCAN"
        ]
    );
    let join = plan.root.walk()[5];
    assert_eq!(detail(join, "Conditions"), Some("buyerid = userid"));
    assert_eq!(detail(join, "Join Type"), Some("INNER"));
    assert_eq!(join.rows, Some(202.0));
    let scan = &join.children[0];
    assert_eq!(scan.relation.as_deref(), Some("memory.main.sales"));
    assert_eq!(detail(scan, "Filters"), Some("price>10.0"));
    assert_eq!(detail(scan, "Projections"), Some("buyerid, qty"));
    assert_eq!(scan.rows, Some(200.0));
    // DuckDB estimates no cost.
    assert!(plan
        .root
        .walk()
        .iter()
        .all(|n| n.total_cost.is_none() && n.self_cost.is_none()));
    assert_eq!(plan.max_self_cost, None);
    assert_eq!(plan.max_rows, Some(202.0));
    // Ties: the join, where the 202 rows come from, not the projections passing them on.
    let most = flagged(&plan, FlagKind::MostRows);
    assert_eq!(most.len(), 1);
    assert_eq!(most[0].operator, "HASH_JOIN");
    assert!(flagged(&plan, FlagKind::HighestCost).is_empty());
}

#[test]
fn duckdb_plan_from_the_engine() {
    let duck = kiln_warehouse::DuckDbAdapter::in_memory().unwrap();
    duck.execute(
        "create table sales as select i as id, i % 100 as buyerid from range(1000) t(i);
         create table users as select i as userid, 'u' || i as name from range(100) t(i);",
    )
    .unwrap();
    let sql =
        Engine::Duckdb.explain_sql("select name, count(*) from sales join users on buyerid = userid group by name;");
    assert!(sql.starts_with("EXPLAIN (FORMAT JSON)\nselect"), "{sql}");
    let result = duck.query(&sql, None).unwrap();
    let names: Vec<&str> = result.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["explain_key", "explain_value"]);
    let row = result.rows.iter().find(|r| r[0] == "physical_plan").unwrap();
    let plan = parse(Engine::Duckdb, row[1].as_str().unwrap()).unwrap();
    let join = plan
        .root
        .walk()
        .into_iter()
        .find(|n| n.operator == "HASH_JOIN")
        .unwrap();
    assert_eq!(detail(join, "Conditions"), Some("buyerid = userid"));
    let tables: Vec<_> = join.walk().iter().filter_map(|n| n.relation.clone()).collect();
    assert_eq!(tables, ["memory.main.sales", "memory.main.users"]);
}

#[test]
fn postgres_json_gives_costs_rows_relations_and_conditions() {
    let plan = parse(Engine::Postgres, &fixture("postgres_hash_join.json")).unwrap();
    assert_eq!(
        operators(&plan),
        [
            "Limit",
            "Sort",
            "Aggregate",
            "Hash Join",
            "Seq Scan",
            "Hash",
            "Seq Scan"
        ]
    );
    let join = plan.root.walk()[3];
    assert_eq!(detail(join, "Hash Cond"), Some("(s.buyerid = u.userid)"));
    assert_eq!(detail(join, "Join Type"), None, "an inner join is not worth a line");
    assert_eq!(join.startup_cost, Some(3.25));
    assert_eq!(join.total_cost, Some(25.47));
    assert_eq!(join.rows, Some(993.0));
    let scan = &join.children[0];
    assert_eq!(scan.relation.as_deref(), Some("sales s"));
    assert_eq!(detail(scan, "Filter"), Some("(price > '10'::double precision)"));
    assert_eq!(detail(plan.root.walk()[1], "Sort Key"), Some("(sum(s.qty)) DESC"));
    assert_eq!(detail(plan.root.walk()[2], "Group Key"), Some("u.name"));
    // Own costs: the join is 25.47 - 19.50 - 2.00; the scan of sales is the costliest step.
    assert!((join.self_cost.unwrap() - 3.97).abs() < 1e-9);
    let costliest = flagged(&plan, FlagKind::HighestCost);
    assert_eq!(costliest.len(), 1);
    assert_eq!(costliest[0].relation.as_deref(), Some("sales s"));
    assert_eq!(plan.max_self_cost, Some(19.5));
    let most = flagged(&plan, FlagKind::MostRows);
    assert_eq!(most.len(), 1);
    assert_eq!(most[0].relation.as_deref(), Some("sales s"));
    // No Redshift-only flags on PostgreSQL.
    assert!(flagged(&plan, FlagKind::Broadcast).is_empty());
}

#[test]
fn postgres_nested_loops_are_normal_there() {
    let plan = parse(Engine::Postgres, &fixture("postgres_nested_loop.json")).unwrap();
    assert_eq!(operators(&plan), ["Nested Loop", "Seq Scan", "Memoize", "Index Scan"]);
    let index = plan.root.walk()[3];
    assert_eq!(detail(index, "Index Name"), Some("users_pkey"));
    assert_eq!(detail(index, "Index Cond"), Some("(userid > s.buyerid)"));
    assert!(flagged(&plan, FlagKind::NestedLoop).is_empty());
    // The loop's own cost dwarfs its inputs' (it runs the inner side once per outer row).
    assert_eq!(flagged(&plan, FlagKind::HighestCost)[0].operator, "Nested Loop");
}

#[test]
fn redshift_text_with_broadcast_leader_steps_and_details() {
    let plan = parse(Engine::Redshift, &fixture("redshift_join_aggregate_sort.txt")).unwrap();
    assert_eq!(
        operators(&plan),
        [
            "Merge",
            "Network",
            "Sort",
            "HashAggregate",
            "Hash Join",
            "Seq Scan",
            "Hash",
            "Seq Scan"
        ]
    );
    let nodes = plan.root.walk();
    assert_eq!(detail(nodes[0], "Merge Key"), Some("sum(sales.pricepaid)"));
    assert_eq!(detail(nodes[1], ""), Some("Send to leader"));
    let join = nodes[4];
    assert_eq!(join.distribution.as_deref(), Some("DS_BCAST_INNER"));
    assert_eq!(
        detail(join, "Hash Cond"),
        Some("(\"outer\".eventid = \"inner\".eventid)")
    );
    assert_eq!(join.startup_cost, Some(109.98));
    assert_eq!(join.total_cost, Some(2815365714.80));
    assert_eq!(join.rows, Some(172456.0));
    assert_eq!(join.width, Some(27.0));
    assert_eq!(join.children.len(), 2);
    assert_eq!(join.children[0].relation.as_deref(), Some("sales"));
    assert_eq!(join.children[1].operator, "Hash");
    assert_eq!(join.children[1].children[0].relation.as_deref(), Some("event"));
    assert!(plan.notes.is_empty());

    let broadcast = flagged(&plan, FlagKind::Broadcast);
    assert_eq!(broadcast.len(), 1);
    assert_eq!(broadcast[0].operator, "Hash Join");
    // As the guide says, the join accounts for most of the plan's cost — once the leader sort's
    // fixed 10^12 surcharge is left out, which would otherwise make the Sort the "costliest".
    let costliest = flagged(&plan, FlagKind::HighestCost);
    assert_eq!(costliest.len(), 1);
    assert_eq!(costliest[0].operator, "Hash Join");
    assert!(costliest[0].flags.iter().any(|f| f.why.contains("% of the plan's")));
    assert!(nodes[2].self_cost.unwrap() < 100.0, "{:?}", nodes[2].self_cost);
    assert_eq!(flagged(&plan, FlagKind::MostRows)[0].relation.as_deref(), Some("sales"));
}

#[test]
fn redshift_merge_join_needs_no_movement_but_the_hash_join_broadcasts() {
    let plan = parse(Engine::Redshift, &fixture("redshift_merge_and_hash.txt")).unwrap();
    assert_eq!(
        operators(&plan),
        ["Hash Join", "Merge Join", "Seq Scan", "Seq Scan", "Hash", "Seq Scan"]
    );
    let merge = &plan.root.children[0];
    assert_eq!(merge.distribution.as_deref(), Some("DS_DIST_NONE"));
    assert_eq!(
        detail(merge, "Merge Cond"),
        Some("(\"outer\".listid = \"inner\".listid)")
    );
    assert!(merge
        .flags
        .iter()
        .all(|f| f.kind != FlagKind::Broadcast && f.kind != FlagKind::Redistribution));
    assert_eq!(plan.root.flags[0].kind, FlagKind::Broadcast);
    assert_eq!(plan.root.children[1].children[0].relation.as_deref(), Some("event"));
}

#[test]
fn redshift_nested_loop_and_warnings() {
    let plan = parse(Engine::Redshift, &fixture("redshift_nested_loop.txt")).unwrap();
    let loops = flagged(&plan, FlagKind::NestedLoop);
    assert_eq!(loops.len(), 1);
    assert_eq!(loops[0].operator, "Nested Loop");
    assert_eq!(loops[0].distribution.as_deref(), Some("DS_BCAST_INNER"));
    assert_eq!(loops[0].children.len(), 2);
    assert_eq!(loops[0].children[1].relation.as_deref(), Some("d"));
    // The loop also broadcasts: both flags, one step.
    assert!(loops[0].flags.iter().any(|f| f.kind == FlagKind::Broadcast));
    let left = plan
        .root
        .walk()
        .into_iter()
        .find(|n| n.operator == "Hash Left Join")
        .unwrap();
    assert_eq!(detail(left, "Inner Dist Key"), Some("w.name"));
    assert_eq!(detail(left, "Filter"), Some("(\"inner\".name IS NULL)"));
    assert_eq!(left.children.len(), 2);
    assert_eq!(
        plan.notes,
        [
            "Tables missing statistics: state_population",
            "Update statistics by running the ANALYZE command on these tables",
            "Nested Loop Join in the query plan - review the join predicates to avoid Cartesian products",
        ]
    );
    assert_eq!(plan.root.walk().len(), 24);
    assert_eq!(
        plan.root.walk().last().unwrap().relation.as_deref(),
        Some("state_population sp")
    );
}

#[test]
fn redshift_dist_both_is_flagged() {
    let text = "XN Hash Join DS_DIST_BOTH  (cost=15.00..19201542.00 rows=7200 width=8)\n  \
                Outer Dist Key: t1._value\n  Inner Dist Key: t2._value\n  \
                Hash Cond: ((\"outer\"._value)::text = (\"inner\"._value)::text)\n  \
                ->  XN Seq Scan on test_dist_even t1  (cost=0.00..12.00 rows=1200 width=6)\n  \
                ->  XN Hash  (cost=12.00..12.00 rows=1200 width=6)\n        \
                ->  XN Seq Scan on test_dist_key_int t2  (cost=0.00..12.00 rows=1200 width=6)\n";
    let plan = parse(Engine::Redshift, text).unwrap();
    assert_eq!(plan.root.flags[0].kind, FlagKind::Redistribution);
    assert!(plan.root.flags[0].why.contains("DISTKEY"));
    assert_eq!(detail(&plan.root, "Outer Dist Key"), Some("t1._value"));
    assert_eq!(plan.root.children[0].relation.as_deref(), Some("test_dist_even t1"));
    assert_eq!(flagged(&plan, FlagKind::HighestCost)[0].operator, "Hash Join");
}

#[test]
fn redshift_listing_that_lost_its_indentation_keeps_every_step() {
    let plan = parse(Engine::Redshift, &fixture("redshift_flattened.txt")).unwrap();
    assert_eq!(plan.root.operator, "Hash Join");
    assert_eq!(plan.root.distribution.as_deref(), Some("DS_DIST_OUTER"));
    assert_eq!(plan.root.walk().len(), 4);
    assert_eq!(
        detail(&plan.root, "Hash Cond"),
        Some("(\"outer\".venueid = \"inner\".venueid)")
    );
    // DS_DIST_OUTER moves only the outer table: not flagged.
    assert!(plan.root.flags.iter().all(|f| f.kind != FlagKind::Redistribution));
}

#[test]
fn unreadable_plans_are_errors_not_panics() {
    assert!(parse(Engine::Duckdb, "not json").is_err());
    assert!(parse(Engine::Duckdb, "[]").is_err());
    assert!(parse(Engine::Duckdb, "[{\"children\": []}]").is_err());
    assert!(parse(Engine::Postgres, "[{\"Nope\": {}}]").is_err());
    assert!(parse(Engine::Postgres, "42").is_err());
    assert!(parse(Engine::Redshift, "").is_err());
    assert!(parse(Engine::Redshift, "Hash Cond: (a = b)").is_err());
    assert!(parse(Engine::Redshift, "QUERY PLAN\n----\n").is_err());
}

#[test]
fn explain_statements_put_the_query_on_its_own_line() {
    assert_eq!(
        Engine::Postgres.explain_sql("select 1 ;\n"),
        "EXPLAIN (FORMAT JSON)\nselect 1"
    );
    assert_eq!(Engine::Redshift.explain_sql("select 1"), "EXPLAIN\nselect 1");
    assert_eq!(Engine::from_kind("redshift"), Some(Engine::Redshift));
    assert_eq!(Engine::from_kind("snowflake"), None);
}
