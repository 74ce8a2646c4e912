//! A classic jaffle_shop project, written as a dbt user would, builds with Kiln unmodified and
//! gives the numbers the seed CSVs imply.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{fixture, statuses, Sandbox};

/// Rows of a seed CSV (no quoting in these files), header excluded.
fn csv_rows(name: &str) -> Vec<Vec<String>> {
    let path = fixture("jaffle_shop").join("seeds").join(format!("{name}.csv"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn number(text: &str) -> f64 {
    text.parse().unwrap_or_else(|_| panic!("`{text}` is not a number"))
}

#[test]
fn jaffle_shop_builds_unmodified() {
    let customers = csv_rows("raw_customers");
    let orders = csv_rows("raw_orders");
    let payments = csv_rows("raw_payments");
    // What the models must compute, worked out here from the CSVs rather than trusted to SQL.
    let ordering: BTreeSet<&str> = orders.iter().map(|o| o[1].as_str()).collect();
    let never_ordered = customers.iter().filter(|c| !ordering.contains(c[0].as_str())).count();
    let total_cents: i64 = payments.iter().map(|p| p[3].parse::<i64>().unwrap()).sum();
    let paid_orders: BTreeSet<&str> = payments.iter().map(|p| p[1].as_str()).collect();
    let unpaid_orders = orders.iter().filter(|o| !paid_orders.contains(o[0].as_str())).count();
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    for o in &orders {
        *by_status.entry(o[3].as_str()).or_default() += 1;
    }

    let sandbox = Sandbox::fixture("jaffle_shop");
    let build = sandbox.kiln_ok(&["build"]);
    assert!(!build.combined().contains("panicked"), "{}", build.all());

    let results = sandbox.json("target/run_results.json");
    let found = statuses(&results);
    let bad: Vec<_> = found
        .iter()
        .filter(|(_, s)| !matches!(s.as_str(), "success" | "pass"))
        .collect();
    assert!(bad.is_empty(), "nodes did not succeed: {bad:?}\n{}", build.all());
    let count = |prefix: &str| found.keys().filter(|id| id.starts_with(prefix)).count();
    assert_eq!(count("seed."), 3, "{found:?}");
    assert_eq!(count("model."), 5, "{found:?}");
    // 8 staging tests, 12 on the marts, 2 on a seed, 1 singular.
    assert_eq!(count("test."), 23, "{found:?}");

    assert_eq!(
        sandbox.scalar("select count(*) as n from {{ ref('customers') }}"),
        customers.len().to_string()
    );
    assert_eq!(
        sandbox.scalar("select count(*) as n from {{ ref('orders') }}"),
        orders.len().to_string()
    );
    assert_eq!(
        sandbox.scalar("select count(*) as n from {{ ref('stg_payments') }}"),
        payments.len().to_string()
    );
    assert_eq!(
        sandbox.scalar("select count(*) as n from {{ ref('customers') }} where number_of_orders is null"),
        never_ordered.to_string()
    );
    assert_eq!(
        sandbox.scalar("select count(*) as n from {{ ref('orders') }} where amount is null"),
        unpaid_orders.to_string()
    );
    assert_eq!(
        sandbox.scalar("select count(*) as n from {{ ref('orders') }} where status = 'completed'"),
        by_status.get("completed").copied().unwrap_or(0).to_string()
    );
    let lifetime = number(&sandbox.scalar("select sum(customer_lifetime_value) as v from {{ ref('customers') }}"));
    assert!(
        (lifetime - total_cents as f64 / 100.0).abs() < 0.005,
        "lifetime value {lifetime}, payments {total_cents} cents"
    );
    let by_method = number(&sandbox.scalar(
        "select sum(credit_card_amount + coupon_amount + bank_transfer_amount + gift_card_amount - amount) as v from {{ ref('orders') }}",
    ));
    assert!(
        by_method.abs() < 0.005,
        "per-method amounts do not add up to the order amount: {by_method}"
    );
    // +schema: raw on the seeds puts them in <target schema>_raw, as dbt does.
    assert_eq!(
        sandbox.scalar("select count(*) as n from main_raw.raw_orders"),
        orders.len().to_string()
    );

    let manifest = sandbox.json("target/manifest.json");
    let customers_node = &manifest["nodes"]["model.jaffle_shop.customers"];
    let description = customers_node["description"].as_str().unwrap_or_default();
    assert!(
        description.contains("One row per customer, with the dates of their first and latest orders"),
        "customers description: {description:?}"
    );
    assert!(!description.contains("doc("), "doc() was not rendered: {description:?}");
    let status = manifest["nodes"]["model.jaffle_shop.orders"]["columns"]["status"]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(
        status.contains("Orders can be one of the following statuses"),
        "status description: {status:?}"
    );
    assert!(status.contains("| return_pending |"), "status description: {status:?}");
    let seed = &manifest["nodes"]["seed.jaffle_shop.raw_orders"];
    assert_eq!(
        seed["config"]["column_types"]["order_date"], "date",
        "seed config: {}",
        seed["config"]
    );
    let orders_parents = manifest["nodes"]["model.jaffle_shop.orders"]["depends_on"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut orders_parents: Vec<&str> = orders_parents.iter().filter_map(|v| v.as_str()).collect();
    orders_parents.sort();
    assert_eq!(
        orders_parents,
        ["model.jaffle_shop.stg_orders", "model.jaffle_shop.stg_payments"]
    );

    // The declared type wins over inference: a date column, not a string.
    let order_date_type = sandbox.scalar("select typeof(order_date) as t from {{ ref('raw_orders') }} limit 1");
    assert_eq!(order_date_type, "DATE");
}
