//! `kiln serve` over real HTTP: a server on a random port, a real client, the token check, the
//! API, the SPA fallback and the event stream.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use kiln_api::{OpenProjectRequest, Studio, StudioOptions};
use reqwest::StatusCode;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if matches!(name.to_string_lossy().as_ref(), "lake" | "target" | ".kiln" | "logs") {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(&name));
        } else {
            std::fs::copy(entry.path(), to.join(&name)).unwrap();
        }
    }
}

struct Running {
    _dir: tempfile::TempDir,
    server: kiln_serve::Server,
    base: String,
    client: reqwest::Client,
}

async fn serve() -> Running {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tickit");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../projects/tickit"),
        &root,
    );
    kiln_demo::generate_tickit(&root.join("lake"), 0.01).unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>Kiln Studio</title><div id=root></div>",
    )
    .unwrap();
    std::fs::write(dist.join("assets/app.js"), "console.log('kiln')").unwrap();
    let studio = Studio::new(StudioOptions {
        config_dir: Some(dir.path().join("config")),
        ..Default::default()
    });
    studio
        .open_project(OpenProjectRequest {
            path: root.to_string_lossy().into_owned(),
        })
        .await
        .unwrap();
    let server = kiln_serve::start(studio, 0, kiln_serve::new_token(), Some(dist))
        .await
        .unwrap();
    let base = format!("http://{}", server.addr);
    Running {
        _dir: dir,
        server,
        base,
        client: reqwest::Client::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_the_api_and_the_ui_behind_the_token() {
    let app = serve().await;
    let token = app.server.token.clone();
    assert!(app.server.addr.ip().is_loopback());
    assert_eq!(app.server.url, format!("{}/?token={token}", app.base));

    // Nothing without the token, and nothing with a wrong one.
    let denied = app.client.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(denied.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = denied.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("token"));
    let wrong = app
        .client
        .post(format!("{}/api/projectInfo", app.base))
        .header("x-kiln-token", "nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let no_header = app
        .client
        .post(format!("{}/api/projectInfo", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(no_header.status(), StatusCode::UNAUTHORIZED);

    // The printed URL opens the UI and leaves a cookie for its assets.
    let page = app.client.get(&app.server.url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let cookie = page
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(cookie, format!("kiln_token={token}"));
    assert!(page.text().await.unwrap().contains("<div id=root>"));
    let script = app
        .client
        .get(format!("{}/assets/app.js", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), StatusCode::OK);
    assert_eq!(script.text().await.unwrap(), "console.log('kiln')");
    let route = app
        .client
        .get(format!("{}/models/fct_sales", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(route.status(), StatusCode::OK);
    assert!(
        route.text().await.unwrap().contains("Kiln Studio"),
        "client-side routes get index.html"
    );

    // Operations.
    let call = |op: &str, body: serde_json::Value| {
        app.client
            .post(format!("{}/api/{op}", app.base))
            .header("x-kiln-token", &token)
            .json(&body)
            .send()
    };
    let info = call("projectInfo", serde_json::json!({})).await.unwrap();
    assert_eq!(info.status(), StatusCode::OK);
    let info: serde_json::Value = info.json().await.unwrap();
    assert_eq!(info["name"], "tickit");
    assert_eq!(info["targetKind"], "duckdb");
    let empty_body = app
        .client
        .post(format!("{}/api/graph", app.base))
        .header("x-kiln-token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(empty_body.status(), StatusCode::OK);
    let graph: serde_json::Value = empty_body.json().await.unwrap();
    assert!(graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["id"] == "model.tickit.fct_sales" && n["layer"] == "marts"));

    let outside = call("readFile", serde_json::json!({ "path": "../../etc/passwd" }))
        .await
        .unwrap();
    assert_eq!(outside.status(), StatusCode::BAD_REQUEST);
    let error: serde_json::Value = outside.json().await.unwrap();
    assert_eq!(error["error"]["code"], "K1007");
    let file = call(
        "readFile",
        serde_json::json!({ "path": "models/marts/sales/fct_sales.sql" }),
    )
    .await
    .unwrap();
    let file: serde_json::Value = file.json().await.unwrap();
    let conflict = call(
        "writeFile",
        serde_json::json!({ "path": "models/marts/sales/fct_sales.sql", "content": "select 1", "expectedVersion": "0-0" }),
    )
    .await
    .unwrap();
    assert_eq!(conflict.status(), StatusCode::CONFLICT);
    assert_eq!(
        conflict.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "K1006"
    );
    let saved = call(
        "writeFile",
        serde_json::json!({ "path": "models/marts/sales/fct_sales.sql", "content": file["content"], "expectedVersion": file["version"] }),
    )
    .await
    .unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
    let broken = call(
        "compileModel",
        serde_json::json!({ "path": "models/marts/sales/fct_sales.sql", "content": "select *\nfrom {{ ref('nope') }}" }),
    )
    .await
    .unwrap();
    let broken: serde_json::Value = broken.json().await.unwrap();
    assert_eq!(broken["diagnostics"][0]["code"], "K2002");
    assert_eq!(broken["diagnostics"][0]["line"], 2);
    let unknown = call("noSuchOperation", serde_json::json!({})).await.unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let not_json = app
        .client
        .post(format!("{}/api/readFile", app.base))
        .header("x-kiln-token", &token)
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    app.server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_engine_events_as_server_sent_events() {
    let app = serve().await;
    let token = app.server.token.clone();
    let denied = app.client.get(format!("{}/api/events", app.base)).send().await.unwrap();
    assert_eq!(denied.status(), StatusCode::UNAUTHORIZED);

    let mut stream = app
        .client
        .get(format!("{}/api/events?token={token}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert!(stream.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));

    let query = app
        .client
        .post(format!("{}/api/runQuery", app.base))
        .header("x-kiln-token", &token)
        .json(&serde_json::json!({ "sql": "select 1 as one; select 2 as two", "queryId": "sse-test" }))
        .send()
        .await
        .unwrap();
    assert_eq!(query.status(), StatusCode::OK);
    let query: serde_json::Value = query.json().await.unwrap();
    assert_eq!(query["statements"][1]["firstPage"][0][0], 2);

    let mut buffer = String::new();
    let done = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let chunk = stream.chunk().await.unwrap().expect("the stream stays open");
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            let events: Vec<serde_json::Value> = buffer
                .lines()
                .filter_map(|line| line.strip_prefix("data:"))
                .filter_map(|data| serde_json::from_str(data.trim()).ok())
                .collect();
            if let Some(last) = events
                .iter()
                .find(|e| e["type"] == "queryProgress" && e["done"] == true)
            {
                return (events.clone(), last.clone());
            }
        }
    })
    .await
    .expect("a queryProgress event arrives on the stream");
    let (events, last) = done;
    assert_eq!(last["queryId"], "sse-test");
    assert_eq!(last["statement"], 1);
    assert_eq!(last["totalRows"], 1);
    assert!(events.iter().all(|e| e["type"].is_string()));
    app.server.stop();
}
