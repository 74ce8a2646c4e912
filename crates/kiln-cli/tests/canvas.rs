//! `kiln canvas check` on the TICKIT sample: every model saves unchanged from the canvas, and a
//! model the canvas would change makes the command fail.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{repo_root, Sandbox};

#[test]
fn every_tickit_model_saves_unchanged_from_the_canvas() {
    let sandbox = Sandbox::new(&repo_root().join("projects").join("tickit"));
    let run = sandbox.kiln_ok(&["canvas", "check"]);
    assert!(
        run.stdout.contains("13 models: 13 save unchanged, 0 would change"),
        "{}",
        run.all()
    );
    assert!(
        run.stdout.contains(
            "models/marts/sales/fct_sales.sql: saves unchanged; 9 steps; edited, reformats to the same query"
        ),
        "{}",
        run.all()
    );
    // Jinja macros in fct_listings' final SELECT keep that step as SQL text.
    assert!(
        run.stdout
            .contains("fct_listings.sql: saves unchanged; 8 steps, kept as SQL: final"),
        "{}",
        run.all()
    );
}

#[test]
fn a_model_that_does_not_parse_is_reported_and_still_saves_unchanged() {
    let sandbox = Sandbox::new(&repo_root().join("projects").join("tickit"));
    std::fs::write(
        sandbox.path("models/broken_canvas.sql"),
        "select id, from {{ ref('fct_sales') }} where\n",
    )
    .unwrap();
    let run = sandbox.kiln(&["canvas", "check", "--select", "broken_canvas"]);
    assert!(
        run.stdout
            .contains("broken_canvas.sql: saves unchanged; 1 steps, kept as SQL: output"),
        "{}",
        run.all()
    );
    assert!(run.stdout.contains("does not parse: "), "{}", run.all());
}
