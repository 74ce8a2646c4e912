//! A fixture graph shaped like the TICKIT dbt project:
//! 7 sources -> 7 staging views -> 2 intermediate -> 4 marts -> 1 exposure,
//! plus 2 seeds, 1 analysis and 9 tests (8 generic, 1 singular).
//!
//! Every node `name` is unique, so selection tables can list names instead of long ids.

#![allow(dead_code)]

use std::collections::BTreeMap;

use kiln_graph::{GraphNode, ResourceType};
use serde_json::{json, Value};

pub const PKG: &str = "tickit";

pub struct NodeSpec {
    rt: ResourceType,
    name: &'static str,
    unique_id: String,
    source_name: Option<&'static str>,
    fqn: Vec<String>,
    path: String,
    tags: Vec<&'static str>,
    config: Vec<(&'static str, Value)>,
    deps: Vec<String>,
}

impl NodeSpec {
    pub fn tags(mut self, tags: &[&'static str]) -> Self {
        self.tags = tags.to_vec();
        self
    }
    pub fn config(mut self, key: &'static str, value: Value) -> Self {
        self.config.push((key, value));
        self
    }
    pub fn build(self) -> GraphNode {
        GraphNode {
            unique_id: self.unique_id,
            resource_type: self.rt,
            name: self.name.to_string(),
            source_name: self.source_name.map(str::to_string),
            package_name: PKG.to_string(),
            fqn: self.fqn,
            path: self.path,
            tags: self.tags.into_iter().map(str::to_string).collect(),
            config: self
                .config
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<BTreeMap<_, _>>(),
            depends_on: self.deps,
        }
    }
}

fn fqn(parts: &[&str]) -> Vec<String> {
    std::iter::once(PKG)
        .chain(parts.iter().copied())
        .map(str::to_string)
        .collect()
}

pub fn src_id(table: &str) -> String {
    format!("source.{PKG}.tickit_external.{table}")
}
pub fn model_id(name: &str) -> String {
    format!("model.{PKG}.{name}")
}
pub fn seed_id(name: &str) -> String {
    format!("seed.{PKG}.{name}")
}

fn source(table: &'static str) -> NodeSpec {
    NodeSpec {
        rt: ResourceType::Source,
        name: table,
        unique_id: src_id(table),
        source_name: Some("tickit_external"),
        fqn: fqn(&["staging", "tickit_external", table]),
        path: "models/staging/_tickit__sources.yml".into(),
        tags: vec![],
        config: vec![],
        deps: vec![],
    }
}

/// `folder` is the path below `models/`, e.g. "marts/sales".
fn model(name: &'static str, folder: &str, deps: Vec<String>) -> NodeSpec {
    let mut parts: Vec<&str> = folder.split('/').collect();
    parts.push(name);
    NodeSpec {
        rt: ResourceType::Model,
        name,
        unique_id: model_id(name),
        source_name: None,
        fqn: fqn(&parts),
        path: format!("models/{folder}/{name}.sql"),
        tags: vec![],
        config: vec![],
        deps,
    }
}

fn seed(name: &'static str) -> NodeSpec {
    NodeSpec {
        rt: ResourceType::Seed,
        name,
        unique_id: seed_id(name),
        source_name: None,
        fqn: fqn(&[name]),
        path: format!("seeds/{name}.csv"),
        tags: vec![],
        config: vec![],
        deps: vec![],
    }
}

/// A generic test defined in `yml` (the folder part of its fqn comes from the yml location,
/// as in dbt).
fn generic_test(name: &'static str, hash: &str, yml: &str, deps: Vec<String>) -> NodeSpec {
    let dir = yml.rsplit_once('/').map_or("", |(d, _)| d);
    let mut parts: Vec<&str> = dir
        .split('/')
        .filter(|p| !p.is_empty() && *p != "models" && *p != "seeds")
        .collect();
    parts.push(name);
    NodeSpec {
        rt: ResourceType::Test,
        name,
        unique_id: format!("test.{PKG}.{name}.{hash}"),
        source_name: None,
        fqn: fqn(&parts),
        path: yml.to_string(),
        tags: vec![],
        config: vec![],
        deps,
    }
}

pub fn tickit_nodes() -> Vec<GraphNode> {
    let stg = |n: &str| model_id(n);
    let mut nodes = Vec::new();

    for table in ["sale", "listing", "event", "category", "venue", "date"] {
        nodes.push(source(table).build());
    }
    nodes.push(source("users").tags(&["pii"]).build());

    for (name, table) in [
        ("stg_sales", "sale"),
        ("stg_listings", "listing"),
        ("stg_events", "event"),
        ("stg_categories", "category"),
        ("stg_venues", "venue"),
        ("stg_users", "users"),
        ("stg_dates", "date"),
    ] {
        nodes.push(
            model(name, "staging", vec![src_id(table)])
                .tags(&["staging"])
                .config("materialized", json!("view"))
                .build(),
        );
    }

    nodes.push(
        model(
            "int_sales_enriched",
            "intermediate",
            vec![stg("stg_sales"), stg("stg_listings"), stg("stg_dates")],
        )
        .config("materialized", json!("ephemeral"))
        .build(),
    );
    nodes.push(
        model(
            "int_events_enriched",
            "intermediate",
            vec![stg("stg_events"), stg("stg_venues"), stg("stg_categories")],
        )
        .config("materialized", json!("ephemeral"))
        .build(),
    );

    nodes.push(
        model(
            "fct_sales",
            "marts/sales",
            vec![stg("int_sales_enriched"), stg("int_events_enriched")],
        )
        .tags(&["nightly", "finance"])
        .config("materialized", json!("incremental"))
        .config("full_refresh", json!(false))
        .config("meta", json!({"owner": "finance"}))
        .build(),
    );
    nodes.push(
        model(
            "agg_daily_sales",
            "marts/sales",
            vec![stg("fct_sales"), stg("stg_dates")],
        )
        .tags(&["nightly"])
        .config("materialized", json!("table"))
        .build(),
    );
    nodes.push(
        model("dim_events", "marts/core", vec![stg("int_events_enriched")])
            .config("materialized", json!("table"))
            .config("meta", json!({"owner": "events"}))
            .build(),
    );
    nodes.push(
        model("dim_users", "marts/core", vec![stg("stg_users"), seed_id("countries")])
            .tags(&["pii"])
            .config("materialized", json!("table"))
            .config("access", json!("public"))
            .config("group", json!("core"))
            .build(),
    );

    nodes.push(seed("countries").build());
    nodes.push(seed("holidays").build());

    nodes.push(GraphNode {
        unique_id: format!("exposure.{PKG}.sales_dashboard"),
        resource_type: ResourceType::Exposure,
        name: "sales_dashboard".into(),
        source_name: None,
        package_name: PKG.into(),
        fqn: fqn(&["marts", "sales_dashboard"]),
        path: "models/marts/exposures.yml".into(),
        tags: vec![],
        config: BTreeMap::new(),
        depends_on: vec![stg("agg_daily_sales"), stg("dim_events")],
    });

    nodes.push(GraphNode {
        unique_id: format!("analysis.{PKG}.sales_by_month"),
        resource_type: ResourceType::Analysis,
        name: "sales_by_month".into(),
        source_name: None,
        package_name: PKG.into(),
        fqn: fqn(&["analysis", "sales_by_month"]),
        path: "analyses/sales_by_month.sql".into(),
        tags: vec![],
        config: BTreeMap::new(),
        depends_on: vec![stg("fct_sales")],
    });

    let staging_yml = "models/staging/_stg_models.yml";
    let sales_yml = "models/marts/sales/_sales.yml";
    nodes.push(
        generic_test(
            "not_null_stg_sales_sale_id",
            "a1b2c3",
            staging_yml,
            vec![stg("stg_sales")],
        )
        .build(),
    );
    nodes.push(
        generic_test(
            "unique_stg_sales_sale_id",
            "d4e5f6",
            staging_yml,
            vec![stg("stg_sales")],
        )
        .build(),
    );
    nodes.push(
        generic_test(
            "relationships_stg_sales_listing_id__stg_listings",
            "0a1b2c",
            staging_yml,
            vec![stg("stg_sales"), stg("stg_listings")],
        )
        .build(),
    );
    nodes.push(
        generic_test(
            "source_not_null_tickit_external_sale_salesid",
            "3d4e5f",
            "models/staging/_tickit__sources.yml",
            vec![src_id("sale")],
        )
        .build(),
    );
    nodes.push(
        generic_test(
            "not_null_fct_sales_sale_id",
            "6a7b8c",
            sales_yml,
            vec![stg("fct_sales")],
        )
        .config("severity", json!("warn"))
        .build(),
    );
    nodes.push(
        generic_test(
            "relationships_fct_sales_buyer_id__dim_users",
            "9d0e1f",
            sales_yml,
            vec![stg("fct_sales"), stg("dim_users")],
        )
        .build(),
    );
    nodes.push(
        generic_test(
            "relationships_agg_daily_sales_sale_day__stg_dates",
            "7c8d9e",
            sales_yml,
            vec![stg("agg_daily_sales"), stg("stg_dates")],
        )
        .build(),
    );
    nodes.push(
        generic_test(
            "unique_countries_code",
            "2a3b4c",
            "seeds/_seeds.yml",
            vec![seed_id("countries")],
        )
        .build(),
    );
    nodes.push(GraphNode {
        unique_id: format!("test.{PKG}.assert_positive_price"),
        resource_type: ResourceType::Test,
        name: "assert_positive_price".into(),
        source_name: None,
        package_name: PKG.into(),
        fqn: fqn(&["assert_positive_price"]),
        path: "tests/assert_positive_price.sql".into(),
        tags: vec!["finance".into()],
        config: BTreeMap::new(),
        depends_on: vec![stg("fct_sales")],
    });

    nodes
}

/// A bare model for small hand-made graphs in package `p`.
pub fn bare(name: &str, deps: &[&str]) -> GraphNode {
    GraphNode {
        unique_id: format!("model.p.{name}"),
        resource_type: ResourceType::Model,
        name: name.to_string(),
        source_name: None,
        package_name: "p".into(),
        fqn: vec!["p".into(), name.to_string()],
        path: format!("models/{name}.sql"),
        tags: vec![],
        config: BTreeMap::new(),
        depends_on: deps.iter().map(|d| format!("model.p.{d}")).collect(),
    }
}
