//! Incremental models across runs: the seed changes between runs (a row dropped, a row updated,
//! two rows added) and each strategy must keep exactly what dbt would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{statuses, Sandbox};

const SECOND_BATCH: &str = "id,kind,amount,updated_at
2,purchase,10,2024-01-02
3,purchase,25,2024-01-07
4,refund,-5,2024-01-04
5,purchase,30,2024-01-05
6,purchase,40,2024-01-06
7,purchase,50,2024-01-08
8,signup,0,2024-01-09
";

fn ids(sandbox: &Sandbox, model: &str) -> String {
    sandbox.scalar(&format!(
        "select string_agg(cast(id as varchar), ',' order by id) as ids from {{{{ ref('{model}') }}}}"
    ))
}

fn amount_of_3(sandbox: &Sandbox, model: &str) -> String {
    sandbox.scalar(&format!("select string_agg(cast(amount as varchar), ',' order by amount) as a from {{{{ ref('{model}') }}}} where id = 3"))
}

fn all_succeeded(sandbox: &Sandbox, what: &str) {
    let found = statuses(&sandbox.json("target/run_results.json"));
    let bad: Vec<_> = found.iter().filter(|(_, s)| s.as_str() != "success").collect();
    assert!(bad.is_empty(), "{what}: {bad:?}");
    assert_eq!(
        found.len(),
        4,
        "{what}: expected the seed and three models, got {found:?}"
    );
}

#[test]
fn strategies_keep_what_dbt_keeps() {
    let sandbox = Sandbox::fixture("incremental");

    sandbox.kiln_ok(&["build"]);
    all_succeeded(&sandbox, "first build");
    for model in ["events_merge", "events_delete_insert", "events_append"] {
        assert_eq!(ids(&sandbox, model), "1,2,3,4,5,6", "{model} after the first run");
    }

    // Row 1 disappears from the source, row 3 changes, rows 7 and 8 arrive.
    std::fs::write(sandbox.path("seeds/events.csv"), SECOND_BATCH).unwrap();
    sandbox.kiln_ok(&["build"]);
    all_succeeded(&sandbox, "second build");

    // merge and delete+insert upsert on id: row 1 stays (only a full refresh drops it), row 3
    // holds its new amount once.
    for model in ["events_merge", "events_delete_insert"] {
        assert_eq!(ids(&sandbox, model), "1,2,3,4,5,6,7,8", "{model} after the second run");
        assert_eq!(
            amount_of_3(&sandbox, model),
            "25",
            "{model}: row 3 after the second run"
        );
    }
    // append adds the three changed rows as they are, so row 3 is there twice.
    assert_eq!(
        ids(&sandbox, "events_append"),
        "1,2,3,3,4,5,6,7,8",
        "events_append after the second run"
    );
    assert_eq!(amount_of_3(&sandbox, "events_append"), "20,25");

    // A run with nothing new changes nothing.
    sandbox.kiln_ok(&["run"]);
    assert_eq!(
        ids(&sandbox, "events_append"),
        "1,2,3,3,4,5,6,7,8",
        "events_append after a run with no new rows"
    );

    sandbox.kiln_ok(&["run", "--full-refresh"]);
    for model in ["events_merge", "events_delete_insert", "events_append"] {
        assert_eq!(ids(&sandbox, model), "2,3,4,5,6,7,8", "{model} after --full-refresh");
        assert_eq!(
            amount_of_3(&sandbox, model),
            "25",
            "{model}: row 3 after --full-refresh"
        );
    }
}
