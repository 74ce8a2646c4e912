//! Graph construction errors, lineage queries, ordering and a large graph.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeSet, HashMap};

use common::{bare, model_id, src_id};
use kiln_graph::{select, Graph, GraphError, GraphNode, ResourceType, SelectOptions};

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| format!("model.p.{s}")).collect()
}

#[test]
fn unknown_dependency_names_both_ends() {
    let err = Graph::new(vec![bare("a", &[]), bare("b", &["a", "ghost"])]).unwrap_err();
    assert_eq!(
        err,
        GraphError::UnknownDependency {
            node: "model.p.b".into(),
            missing: "model.p.ghost".into()
        }
    );
    let msg = err.to_string();
    assert!(msg.contains("model.p.b") && msg.contains("model.p.ghost"), "{msg}");
}

#[test]
fn duplicate_ids_are_rejected() {
    let err = Graph::new(vec![bare("a", &[]), bare("b", &[]), bare("a", &[])]).unwrap_err();
    assert_eq!(err, GraphError::DuplicateNode { id: "model.p.a".into() });
}

#[test]
fn cycles_are_reported_as_a_path() {
    // a -> b -> c -> a, with d hanging off the cycle and e unrelated.
    let err = Graph::new(vec![
        bare("e", &[]),
        bare("d", &["a"]),
        bare("c", &["a"]),
        bare("b", &["c"]),
        bare("a", &["b"]),
    ])
    .unwrap_err();
    let GraphError::Cycle { path } = &err else {
        panic!("expected a cycle, got {err:?}")
    };
    assert_eq!(path, &ids(&["a", "b", "c", "a"]));
    assert!(
        err.to_string()
            .contains("model.p.a -> model.p.b -> model.p.c -> model.p.a"),
        "{err}"
    );

    // The shortest cycle through the smallest id is reported, not the longer detour.
    let err = Graph::new(vec![bare("a", &["b", "c"]), bare("b", &["a"]), bare("c", &["b"])]).unwrap_err();
    assert_eq!(
        err,
        GraphError::Cycle {
            path: ids(&["a", "b", "a"])
        }
    );

    let err = Graph::new(vec![bare("x", &[]), bare("self_ref", &["self_ref"])]).unwrap_err();
    assert_eq!(
        err,
        GraphError::Cycle {
            path: ids(&["self_ref", "self_ref"])
        }
    );
}

#[test]
fn duplicate_edges_are_tolerated() {
    let g = Graph::new(vec![bare("a", &[]), bare("b", &["a", "a"])]).unwrap();
    assert_eq!(g.parents("model.p.b").unwrap(), vec!["model.p.a"]);
    assert_eq!(g.levels().len(), 2);
}

#[test]
fn topological_order_and_levels_are_deterministic() {
    let nodes = vec![
        bare("c", &["a", "b"]),
        bare("a", &["z"]),
        bare("z", &[]),
        bare("b", &[]),
    ];
    let mut reversed = nodes.clone();
    reversed.reverse();
    let g1 = Graph::new(nodes).unwrap();
    let g2 = Graph::new(reversed).unwrap();

    // b and z are both ready first; b wins the tie by id, then z unlocks a.
    let want = ids(&["b", "z", "a", "c"]);
    assert_eq!(g1.topological_order(), want);
    assert_eq!(g2.topological_order(), want);

    let levels: Vec<Vec<String>> = vec![ids(&["b", "z"]), ids(&["a"]), ids(&["c"])];
    assert_eq!(g1.levels(), levels);
    assert_eq!(g2.levels(), levels);

    // Scheduling a subset keeps dependencies that run through unselected nodes:
    // c still waits for z (via a), so it cannot share z's wave.
    let subset: BTreeSet<String> = ids(&["b", "c", "z"]).into_iter().collect();
    assert_eq!(g1.levels_of(&subset).unwrap(), vec![ids(&["b", "z"]), ids(&["c"])]);
    assert_eq!(g1.topological_order_of(&subset).unwrap(), ids(&["b", "z", "c"]));
    let unknown: BTreeSet<String> = ["model.p.nope".to_string()].into_iter().collect();
    assert_eq!(
        g1.levels_of(&unknown).unwrap_err(),
        GraphError::UnknownNode {
            id: "model.p.nope".into()
        }
    );
}

#[test]
fn fixture_lineage_and_levels() {
    let g = Graph::new(common::tickit_nodes()).unwrap();
    assert_eq!(g.len(), 33);

    let fct = model_id("fct_sales");
    assert_eq!(
        g.parents(&fct).unwrap(),
        vec![
            model_id("int_events_enriched").as_str(),
            model_id("int_sales_enriched").as_str()
        ]
    );
    let children = g.children(&fct).unwrap();
    assert_eq!(children.len(), 5, "{children:?}");
    assert!(children.contains(&"analysis.tickit.sales_by_month"));

    let anc1 = g.ancestors(&fct, Some(1)).unwrap();
    assert_eq!(anc1, g.parents(&fct).unwrap());
    let anc = g.ancestors(&fct, None).unwrap();
    assert_eq!(anc.len(), 2 + 6 + 6, "{anc:?}");
    assert!(anc.contains(&src_id("sale").as_str()));
    assert!(!anc.contains(&fct.as_str()));

    let desc = g.descendants(&src_id("date"), Some(2)).unwrap();
    assert_eq!(
        desc,
        vec![
            model_id("agg_daily_sales").as_str(),
            model_id("int_sales_enriched").as_str(),
            model_id("stg_dates").as_str(),
            "test.tickit.relationships_agg_daily_sales_sale_day__stg_dates.7c8d9e",
        ]
    );
    assert!(matches!(
        g.children("model.tickit.nope"),
        Err(GraphError::UnknownNode { .. })
    ));

    // Every node comes after all of its parents, in the order and in the waves.
    let order = g.topological_order();
    assert_eq!(order.len(), g.len());
    let pos: HashMap<&str, usize> = order.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let levels = g.levels();
    let wave: HashMap<&str, usize> = levels
        .iter()
        .enumerate()
        .flat_map(|(i, l)| l.iter().map(move |id| (*id, i)))
        .collect();
    assert_eq!(wave.len(), g.len());
    for node in g.nodes() {
        for p in &node.depends_on {
            assert!(pos[p.as_str()] < pos[node.unique_id.as_str()]);
            assert!(wave[p.as_str()] < wave[node.unique_id.as_str()]);
        }
    }
    // source -> stg -> int -> fct -> agg -> (test, exposure): six waves.
    assert_eq!(levels.len(), 6);
    assert_eq!(
        levels[5],
        vec![
            "exposure.tickit.sales_dashboard",
            "test.tickit.relationships_agg_daily_sales_sale_day__stg_dates.7c8d9e"
        ]
    );
    for l in &levels {
        let mut sorted = l.clone();
        sorted.sort();
        assert_eq!(&sorted, l);
    }
}

#[test]
fn serde_names_match_dbt() {
    assert_eq!(serde_json::to_string(&ResourceType::Analysis).unwrap(), "\"analysis\"");
    assert_eq!("seed".parse::<ResourceType>(), Ok(ResourceType::Seed));
    assert!("table".parse::<ResourceType>().is_err());
}

/// 100 chains x 100 steps. Node (c, k) depends on (c, k-1) and (c-1, k-1), so its ancestors
/// are exactly the (c', k') with k' < k and c - (k - k') <= c' <= c.
fn grid_name(c: usize, k: usize) -> String {
    format!("c{c:03}_k{k:03}")
}

fn grid_node(c: usize, k: usize) -> GraphNode {
    let mut deps = Vec::new();
    if k > 0 {
        deps.push(format!("model.big.{}", grid_name(c, k - 1)));
        if c > 0 {
            deps.push(format!("model.big.{}", grid_name(c - 1, k - 1)));
        }
    }
    let name = grid_name(c, k);
    GraphNode {
        unique_id: format!("model.big.{name}"),
        resource_type: ResourceType::Model,
        name: name.clone(),
        source_name: None,
        package_name: "big".into(),
        fqn: vec!["big".into(), format!("chain_{c:03}"), name.clone()],
        path: format!("models/chain_{c:03}/{name}.sql"),
        tags: vec![],
        config: Default::default(),
        depends_on: deps,
    }
}

#[test]
fn ten_thousand_nodes_select_ancestors() {
    const N: usize = 100;
    // Insert in a scrambled order so nothing relies on input order.
    let mut nodes = Vec::with_capacity(N * N);
    for k in (0..N).rev() {
        for c in 0..N {
            nodes.push(grid_node((c * 37) % N, k));
        }
    }
    let g = Graph::new(nodes).unwrap();
    assert_eq!(g.len(), N * N);
    assert_eq!(g.levels().len(), N);

    let (tc, tk) = (50usize, 99usize);
    let got = select(&g, &[format!("+{}", grid_name(tc, tk))], &[], SelectOptions::default()).unwrap();
    let mut want = BTreeSet::new();
    for k in 0..=tk {
        let reach = tk - k;
        for c in tc.saturating_sub(reach)..=tc {
            want.insert(format!("model.big.{}", grid_name(c, k)));
        }
    }
    assert_eq!(got.len(), want.len());
    assert_eq!(got, want);

    // Descendants of the first node: every (c, k) with c <= k.
    let down = select(&g, &[format!("{}+", grid_name(0, 0))], &[], SelectOptions::default()).unwrap();
    assert_eq!(down.len(), N * (N + 1) / 2);

    // Folder selection on a big graph goes through the fqn prefix.
    let chain = select(&g, &["chain_007".to_string()], &[], SelectOptions::default()).unwrap();
    assert_eq!(chain.len(), N);
}
