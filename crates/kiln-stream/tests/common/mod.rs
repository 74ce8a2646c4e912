//! An endpoint on 127.0.0.1:0, served in-process by `kiln_stream::api::serve`, for the client
//! tests.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use kiln_stream::log::LogOptions;
use kiln_stream::{Hub, HubOptions, ShardLimit};

pub struct Endpoint {
    pub url: String,
    pub port: u16,
    pub hub: Arc<Hub>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Endpoint {
    /// Starts an endpoint over the hub at `root`; `throttle` sets a per-shard records/second limit.
    pub async fn start(root: &Path, throttle: Option<u32>) -> Endpoint {
        let opts = HubOptions {
            log: LogOptions {
                // The client tests check the API, not durability (the log's own tests do).
                fsync: false,
                ..LogOptions::default()
            },
            shard_limit: throttle.map(|records_per_second| ShardLimit {
                records_per_second,
                bytes_per_second: 64 << 20,
            }),
        };
        Endpoint::start_with(root, opts).await
    }

    pub async fn start_with(root: &Path, opts: HubOptions) -> Endpoint {
        let hub = Arc::new(Hub::open(root, opts).unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(kiln_stream::api::serve(listener, hub.clone(), async move {
            let _ = stopped.await;
        }));
        Endpoint {
            url: format!("http://127.0.0.1:{port}"),
            port,
            hub,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops the server and returns what `serve` returned.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.unwrap(),
            None => Ok(()),
        }
    }
}
