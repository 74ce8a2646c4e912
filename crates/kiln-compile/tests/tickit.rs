//! The sample project parses and every node compiles, without a warehouse.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use kiln_compile::{parse, CompileState, ParseOptions};
use kiln_graph::ResourceType;
use kiln_project::{load_project, Target};

#[test]
fn tickit_parses_and_compiles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../projects/tickit")
        .canonicalize()
        .unwrap();
    let project = load_project(&root).unwrap_or_else(|e| panic!("{e}"));
    let manifest =
        parse(&project, &Target::embedded(&root, "tickit"), &ParseOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let count = |t: ResourceType| manifest.nodes.values().filter(|n| n.resource_type == t).count();
    assert_eq!(count(ResourceType::Model), 13);
    assert_eq!(count(ResourceType::Source), 7);
    assert_eq!(count(ResourceType::Exposure), 2);
    assert!(count(ResourceType::Test) >= 50, "{} tests", count(ResourceType::Test));
    let fct = manifest.find_by_name("fct_sales").unwrap();
    assert_eq!(fct.materialized(), "table");
    assert!(fct.config.tags().contains(&"marts".to_string()));
    assert!(fct
        .depends_on
        .contains(&"model.tickit.int_buyers_extracted_from_users".to_string()));
    for node in manifest.nodes.values().filter(|n| !n.raw_code.is_empty()) {
        let compiled = manifest
            .compile(&node.unique_id, &CompileState::default())
            .unwrap_or_else(|e| panic!("{}: {e}", node.unique_id));
        assert!(!compiled.sql.contains("{{"), "{} still has Jinja", node.unique_id);
    }
}
