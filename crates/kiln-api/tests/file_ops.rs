//! The explorer's file operations (new file, new folder, rename/move, delete) on real copies of
//! projects/tickit: what lands on disk, what the engine sees afterwards, and what is refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use kiln_api::{
    codes, ApiError, CompileModelRequest, CreateFileRequest, Empty, ErrorKind, FileNode, MovePathRequest, PathRequest,
    Studio,
};

const STG_SALES: &str = "models/staging/tickit/stg_tickit__sales.sql";
const FCT_SALES: &str = "models/marts/sales/fct_sales.sql";
const DUPLICATE: &str = "K1003";

async fn studio() -> (tempfile::TempDir, std::path::PathBuf, Studio) {
    let (dir, root) = common::tickit_copy();
    let studio = common::open_studio(&dir.path().join("config"), &root, false).await;
    (dir, root, studio)
}

fn read(root: &Path, relative: &str) -> String {
    std::fs::read_to_string(root.join(relative)).unwrap()
}

fn tree_paths(node: &FileNode, out: &mut Vec<String>) {
    out.push(node.path.clone());
    for child in &node.children {
        tree_paths(child, out);
    }
}

async fn listed(studio: &Studio) -> Vec<String> {
    let mut out = Vec::new();
    tree_paths(&studio.file_tree(Empty {}).await.unwrap(), &mut out);
    out
}

async fn node_ids(studio: &Studio) -> Vec<String> {
    studio
        .graph(Empty {})
        .await
        .unwrap()
        .nodes
        .into_iter()
        .map(|n| n.id)
        .collect()
}

fn move_request(from: &str, to: &str) -> MovePathRequest {
    MovePathRequest {
        from: from.into(),
        to: to.into(),
    }
}

fn path(path: &str) -> PathRequest {
    PathRequest { path: path.into() }
}

fn assert_code(error: &ApiError, code: &str, path_named: &str) {
    assert_eq!(error.diagnostic.code, code, "{error:?}");
    assert!(
        error.diagnostic.message.contains(path_named),
        "the message names {path_named}: {}",
        error.diagnostic.message
    );
    assert!(error.diagnostic.hint.is_some(), "the error says what to do: {error:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn new_files_and_folders_appear_in_the_tree_and_the_graph() {
    let (_dir, root, studio) = studio().await;
    assert!(!node_ids(&studio)
        .await
        .contains(&"model.tickit.fct_scratch".to_string()));

    let created = studio
        .create_file(CreateFileRequest {
            path: "models/scratch/fct_scratch.sql".into(),
            content: Some("select * from {{ ref('fct_sales') }}\n".into()),
        })
        .await
        .unwrap();
    assert_eq!(created.created, vec!["models/scratch/fct_scratch.sql"]);
    assert_eq!(
        read(&root, "models/scratch/fct_scratch.sql"),
        "select * from {{ ref('fct_sales') }}\n"
    );
    let paths = listed(&studio).await;
    assert!(
        paths.contains(&"models/scratch".to_string()),
        "the missing folder was made"
    );
    assert!(paths.contains(&"models/scratch/fct_scratch.sql".to_string()));
    assert!(
        node_ids(&studio)
            .await
            .contains(&"model.tickit.fct_scratch".to_string()),
        "the graph sees the new model at once"
    );

    let empty = studio
        .create_file(CreateFileRequest {
            path: "analyses/notes.md".into(),
            content: None,
        })
        .await
        .unwrap();
    assert_eq!(empty.created, vec!["analyses/notes.md"]);
    assert_eq!(read(&root, "analyses/notes.md"), "");

    let folder = studio.create_folder(path("models/marts/finance/")).await.unwrap();
    assert_eq!(folder.created, vec!["models/marts/finance"]);
    assert!(root.join("models/marts/finance").is_dir());
    assert!(listed(&studio).await.contains(&"models/marts/finance".to_string()));
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_is_ever_overwritten() {
    let (_dir, root, studio) = studio().await;
    let before = read(&root, FCT_SALES);

    let error = studio
        .create_file(CreateFileRequest {
            path: FCT_SALES.into(),
            content: Some("select 1".into()),
        })
        .await
        .unwrap_err();
    assert_code(&error, DUPLICATE, FCT_SALES);
    assert_eq!(error.kind, ErrorKind::Conflict);
    assert_eq!(read(&root, FCT_SALES), before, "the existing model is untouched");

    let error = studio.create_folder(path("models/marts")).await.unwrap_err();
    assert_code(&error, DUPLICATE, "models/marts");
    let error = studio.create_folder(path(FCT_SALES)).await.unwrap_err();
    assert_code(&error, DUPLICATE, FCT_SALES);
    assert_eq!(read(&root, FCT_SALES), before);

    // Renaming onto an existing file (a model, or any file) refuses and moves nothing.
    let listings = read(&root, "models/marts/sales/fct_listings.sql");
    let error = studio
        .move_path(move_request(FCT_SALES, "models/marts/sales/fct_listings.sql"))
        .await
        .unwrap_err();
    assert_code(&error, DUPLICATE, "models/marts/sales/fct_listings.sql");
    assert_eq!(read(&root, FCT_SALES), before);
    assert_eq!(read(&root, "models/marts/sales/fct_listings.sql"), listings);
    let error = studio
        .move_path(move_request("models/docs.md", "models/exposures.yml"))
        .await
        .unwrap_err();
    assert_code(&error, DUPLICATE, "models/exposures.yml");
    assert!(root.join("models/docs.md").is_file());

    // A folder onto an existing folder, and a folder into itself.
    let error = studio
        .move_path(move_request("models/marts/sales", "models/marts/marketing"))
        .await
        .unwrap_err();
    assert_code(&error, DUPLICATE, "models/marts/marketing");
    let error = studio
        .move_path(move_request("models/marts", "models/marts/sales/inner"))
        .await
        .unwrap_err();
    assert_code(&error, codes::BAD_REQUEST, "into itself");
    assert!(root.join("models/marts/sales/fct_sales.sql").is_file());
}

#[tokio::test(flavor = "multi_thread")]
async fn paths_outside_the_project_are_refused() {
    let (dir, root, studio) = studio().await;
    let outside = dir.path().join("outside.sql");
    let absolute_outside = outside.to_string_lossy().into_owned();

    for escaping in ["../outside.sql", "models/../../outside.sql", absolute_outside.as_str()] {
        let error = studio
            .create_file(CreateFileRequest {
                path: escaping.into(),
                content: Some("select 1".into()),
            })
            .await
            .unwrap_err();
        assert_code(&error, codes::OUTSIDE_PROJECT, escaping);
        assert_eq!(error.kind, ErrorKind::BadRequest);
        assert!(!outside.exists(), "{escaping} wrote outside the project");
    }
    let error = studio.create_folder(path("../outside")).await.unwrap_err();
    assert_code(&error, codes::OUTSIDE_PROJECT, "../outside");
    assert!(!dir.path().join("outside").exists());

    let error = studio
        .move_path(move_request(FCT_SALES, "../fct_sales.sql"))
        .await
        .unwrap_err();
    assert_code(&error, codes::OUTSIDE_PROJECT, "../fct_sales.sql");
    assert!(root.join(FCT_SALES).is_file(), "the model did not move");
    assert!(!dir.path().join("fct_sales.sql").exists());

    // Something outside may not be moved in, nor deleted.
    std::fs::write(&outside, "select 1").unwrap();
    let error = studio
        .move_path(move_request(&absolute_outside, "models/stolen.sql"))
        .await
        .unwrap_err();
    assert_code(&error, codes::OUTSIDE_PROJECT, &absolute_outside);
    assert!(outside.exists());
    let error = studio.delete_path(path("../outside.sql")).await.unwrap_err();
    assert_code(&error, codes::OUTSIDE_PROJECT, "../outside.sql");
    assert!(outside.exists(), "nothing outside the project is deleted");

    // Nor is the project folder itself something to delete or move.
    for root_path in ["", ".", "./"] {
        let error = studio.delete_path(path(root_path)).await.unwrap_err();
        assert_eq!(error.diagnostic.code, codes::BAD_REQUEST, "{root_path:?}");
    }
    assert!(root.join("dbt_project.yml").is_file());
    let error = studio.delete_path(path("dbt_project.yml")).await.unwrap_err();
    assert_code(&error, codes::BAD_REQUEST, "dbt_project.yml");
    assert!(root.join("dbt_project.yml").is_file());
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn symlinks_leading_out_are_refused() {
    let (dir, root, studio) = studio().await;
    let outside = dir.path().join("elsewhere");
    std::fs::create_dir_all(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, root.join("models/escape")).unwrap();
    let error = studio
        .create_file(CreateFileRequest {
            path: "models/escape/x.sql".into(),
            content: None,
        })
        .await
        .unwrap_err();
    assert_code(&error, codes::OUTSIDE_PROJECT, "models/escape/x.sql");
    assert!(!outside.join("x.sql").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn renaming_a_model_rewrites_every_ref_and_the_project_still_compiles() {
    let (_dir, root, studio) = studio().await;
    let new = "models/staging/tickit/stg_tickit__sale_lines.sql";
    let own = read(&root, STG_SALES);

    let done = studio.move_path(move_request(STG_SALES, new)).await.unwrap();
    assert_eq!(done.moved.len(), 1);
    assert_eq!(
        (done.moved[0].from.as_str(), done.moved[0].to.as_str()),
        (STG_SALES, new)
    );
    assert!(!root.join(STG_SALES).exists());
    assert_eq!(read(&root, new), own, "the model's text moved as is");

    // Every file that referred to the model now refers to the new name (models, singular tests,
    // a relationships test in YAML), and the properties entry is renamed.
    for dependent in [
        FCT_SALES,
        "models/marts/marketing/dim_events.sql",
        "models/intermediate/int_buyers_extracted_from_users.sql",
        "tests/assert_commission_is_fifteen_percent.sql",
        "models/marts/sales/_sales.yml",
    ] {
        let text = read(&root, dependent);
        assert!(text.contains("ref('stg_tickit__sale_lines')"), "{dependent}:\n{text}");
        assert!(
            !text.contains("ref('stg_tickit__sales')"),
            "{dependent} still refers to the old name"
        );
        assert!(
            done.rewritten.contains(&dependent.to_string()),
            "{dependent} is reported as rewritten"
        );
    }
    let schema = read(&root, "models/staging/tickit/schema.yml");
    assert!(schema.contains("- name: stg_tickit__sale_lines"), "{schema}");

    // The engine sees the rename at once, and the dependents compile against it.
    let ids = node_ids(&studio).await;
    assert!(ids.contains(&"model.tickit.stg_tickit__sale_lines".to_string()));
    assert!(!ids.contains(&"model.tickit.stg_tickit__sales".to_string()));
    let compiled = studio
        .compile_model(CompileModelRequest {
            path: FCT_SALES.into(),
            content: None,
        })
        .await
        .unwrap();
    let errors: Vec<_> = compiled
        .diagnostics
        .iter()
        .filter(|d| d.severity == kiln_api::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(compiled.sql.unwrap().contains("stg_tickit__sale_lines"));
}

#[tokio::test(flavor = "multi_thread")]
async fn moving_files_and_folders() {
    let (_dir, root, studio) = studio().await;

    // A model moved to another folder keeps its name: no ref changes, the graph follows.
    let moved_model = "models/marts/marketing/fct_sales.sql";
    let done = studio.move_path(move_request(FCT_SALES, moved_model)).await.unwrap();
    assert_eq!(done.moved[0].to, moved_model);
    assert!(done.rewritten.is_empty(), "{:?}", done.rewritten);
    assert!(root.join(moved_model).is_file() && !root.join(FCT_SALES).exists());
    let graph = studio.graph(Empty {}).await.unwrap();
    let node = graph.nodes.iter().find(|n| n.id == "model.tickit.fct_sales").unwrap();
    assert_eq!(node.path, moved_model);

    // A plain file into a folder that does not exist yet.
    let done = studio
        .move_path(move_request("models/docs.md", "models/docs/overview.md"))
        .await
        .unwrap();
    assert_eq!(done.moved[0].from, "models/docs.md");
    assert_eq!(done.moved[0].to, "models/docs/overview.md");
    assert!(root.join("models/docs/overview.md").is_file());

    // A folder with everything in it: each file is reported at its new place.
    let done = studio
        .move_path(move_request("models/marts/sales", "models/sales_marts"))
        .await
        .unwrap();
    let mut pairs: Vec<(String, String)> = done.moved.into_iter().map(|m| (m.from, m.to)).collect();
    pairs.sort();
    assert_eq!(
        pairs,
        vec![
            (
                "models/marts/sales/_sales.yml".to_string(),
                "models/sales_marts/_sales.yml".to_string()
            ),
            (
                "models/marts/sales/fct_listings.sql".to_string(),
                "models/sales_marts/fct_listings.sql".to_string()
            ),
        ]
    );
    assert!(!root.join("models/marts/sales").exists());
    assert!(root.join("models/sales_marts/fct_listings.sql").is_file());
    let paths = listed(&studio).await;
    assert!(paths.contains(&"models/sales_marts/fct_listings.sql".to_string()));
    assert!(!paths.iter().any(|p| p.starts_with("models/marts/sales")));

    // A missing source is NotFound, naming it.
    let error = studio
        .move_path(move_request("models/nope.sql", "models/nope2.sql"))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotFound);
    assert!(error.diagnostic.message.contains("models/nope.sql"));

    // Through the operation table too, as the transports call it.
    let answer = studio
        .dispatch(
            "movePath",
            serde_json::json!({ "from": "models/docs/overview.md", "to": "models/overview.md" }),
        )
        .await
        .unwrap();
    assert_eq!(answer["moved"][0]["to"], "models/overview.md");
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_files_and_folders_after_checking_references() {
    let (_dir, root, studio) = studio().await;

    let refs = studio.path_references(path(STG_SALES)).await.unwrap();
    assert!(refs.checked);
    assert_eq!(refs.defines, vec!["stg_tickit__sales"]);
    let referrers: Vec<&str> = refs.referenced_by.iter().map(|r| r.name.as_str()).collect();
    for expected in ["fct_sales", "dim_events", "int_buyers_extracted_from_users"] {
        assert!(
            referrers.contains(&expected),
            "{expected} refers to stg_tickit__sales: {referrers:?}"
        );
    }
    assert!(refs.referenced_by.iter().all(|r| r.target == "stg_tickit__sales"));
    // A folder's references leave out what is inside the folder itself.
    let refs = studio.path_references(path("models/marts")).await.unwrap();
    assert!(refs.defines.contains(&"fct_sales".to_string()));
    assert!(
        refs.referenced_by.iter().all(|r| !r.path.starts_with("models/marts/")),
        "{:?}",
        refs.referenced_by
    );
    let refs = studio.path_references(path("models/docs.md")).await.unwrap();
    assert!(refs.checked && refs.defines.is_empty() && refs.referenced_by.is_empty());

    std::fs::write(root.join("models/notes.md"), "scratch\n").unwrap();
    let done = studio.delete_path(path("models/notes.md")).await.unwrap();
    assert_eq!(done.deleted, vec!["models/notes.md"]);
    assert!(!root.join("models/notes.md").exists());

    // A folder goes with everything in it (the analyses: nothing selects from them).
    let mut analyses: Vec<String> = std::fs::read_dir(root.join("analyses"))
        .unwrap()
        .map(|e| format!("analyses/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    analyses.sort();
    assert!(analyses.len() >= 2);
    let done = studio.delete_path(path("analyses/")).await.unwrap();
    assert_eq!(done.deleted, analyses);
    assert!(!root.join("analyses").exists());
    let ids = node_ids(&studio).await;
    assert!(ids.iter().any(|id| id == "model.tickit.fct_sales"));
    assert!(
        !ids.iter().any(|id| id.starts_with("analysis.")),
        "the graph forgot the deleted analyses: {ids:?}"
    );
    assert!(!listed(&studio).await.iter().any(|p| p.starts_with("analyses")));

    let error = studio.delete_path(path("models/notes.md")).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotFound);
    assert!(error.diagnostic.message.contains("models/notes.md"));
}
