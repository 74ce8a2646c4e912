//! `kiln stream …`: the project's streams. `serve` runs the studio's engine without its UI: the
//! local Kinesis Data Streams / Firehose endpoint over the streams in `<project>/.kiln/streams`
//! (so producers and consumers written for AWS run against the laptop unmodified), and the loop
//! that keeps the project's streaming views and Firehose deliveries fresh on its warehouse.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use kiln_api::{Empty, OpenProjectRequest, Studio, StudioOptions};

use crate::Global;

#[derive(Subcommand)]
pub enum StreamAction {
    /// Serve the project's Kinesis Data Streams / Firehose endpoint on 127.0.0.1 until Ctrl-C
    /// (AWS JSON 1.1, as boto3, the AWS CLI and the AWS SDKs speak it; any credentials).
    Serve(ServeArgs),
}

#[derive(Args)]
pub struct ServeArgs {
    /// Project folder (the one holding dbt_project.yml, or a folder inside it); defaults to
    /// --project-dir, then the current folder or a parent.
    #[arg(long)]
    pub project: Option<PathBuf>,
    /// Port to listen on; 0 picks a free one (the address is printed).
    #[arg(long, default_value_t = kiln_stream::api::DEFAULT_PORT)]
    pub port: u16,
    /// Loopback address to listen on (127.0.0.1 or ::1): requests are not authenticated, so the
    /// endpoint is never reachable from other machines.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
}

pub fn run(global: &Global, action: &StreamAction) -> anyhow::Result<ExitCode> {
    match action {
        StreamAction::Serve(args) => serve(global, args),
    }
}

/// The address `--host` and `--port` name, refused unless it is a loopback address.
pub fn listen_address(host: &str, port: u16) -> anyhow::Result<SocketAddr> {
    let ip: IpAddr = match host {
        "localhost" => IpAddr::from([127, 0, 0, 1]),
        other => other
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .with_context(|| format!("--host {host} is not an IP address; use 127.0.0.1 or ::1"))?,
    };
    if !ip.is_loopback() {
        anyhow::bail!(
            "--host {host} is not a loopback address: the Kinesis/Firehose endpoint accepts any credentials, so \
             it only listens on 127.0.0.1 or ::1 (reach it from a container or VM through a port forward or an \
             SSH tunnel)"
        );
    }
    Ok(SocketAddr::new(ip, port))
}

fn serve(global: &Global, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let addr = listen_address(&args.host, args.port)?;
    let dir = args
        .project
        .clone()
        .or_else(|| global.project_dir.clone())
        .unwrap_or_else(|| PathBuf::from("."));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        // The studio's engine without its UI: the warehouse, the project's declared streams, the
        // loop that keeps streaming views and deliveries fresh, and the endpoint.
        let studio = Studio::new(StudioOptions {
            profiles_dir: global.profiles_dir.clone(),
            target: global.target.clone(),
            stream_port: Some(addr.port()),
            stream_host: Some(addr.ip()),
            disable_watcher: true,
            ..StudioOptions::default()
        });
        let info = studio
            .open_project(OpenProjectRequest {
                path: dir.to_string_lossy().into_owned(),
            })
            .await
            .map_err(|e| anyhow::anyhow!("{}: {}", e.diagnostic.code, e.diagnostic.message))?;
        let status = studio
            .streams(Empty {})
            .await
            .map_err(|e| anyhow::anyhow!("{}: {}", e.diagnostic.code, e.diagnostic.message))?;
        let Some(endpoint) = status.endpoint else {
            anyhow::bail!(
                "{}",
                status
                    .endpoint_error
                    .unwrap_or_else(|| format!("cannot listen on {addr}"))
            );
        };
        println!(
            "Kinesis/Firehose endpoint on {endpoint} (streams in {}/{})",
            info.root,
            kiln_stream::PROJECT_STREAMS_DIR
        );
        println!(
            "Point clients at it: boto3.client(\"kinesis\", endpoint_url=\"{endpoint}\", region_name=\"us-east-1\") \
             (or \"firehose\"); any credentials are accepted. The AWS CLI and SDKs also read \
             AWS_ENDPOINT_URL={endpoint}. Streaming views and deliveries refresh while it runs. Ctrl-C stops."
        );
        // Without a Ctrl-C handler (it failed to install) the endpoint runs until killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        studio.close_project();
        anyhow::Ok(())
    })?;
    println!("Stopped.");
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_are_accepted() {
        assert_eq!(
            listen_address("127.0.0.1", 4577).unwrap(),
            "127.0.0.1:4577".parse().unwrap()
        );
        assert_eq!(listen_address("::1", 0).unwrap(), "[::1]:0".parse().unwrap());
        assert_eq!(listen_address("[::1]", 1).unwrap(), "[::1]:1".parse().unwrap());
        assert_eq!(
            listen_address("localhost", 2).unwrap().ip(),
            IpAddr::from([127, 0, 0, 1])
        );
        let err = listen_address("0.0.0.0", 4577).unwrap_err().to_string();
        assert!(err.contains("not a loopback address"), "{err}");
        let err = listen_address("192.168.1.10", 4577).unwrap_err().to_string();
        assert!(err.contains("only listens on 127.0.0.1 or ::1"), "{err}");
        let err = listen_address("example.com", 4577).unwrap_err().to_string();
        assert!(err.contains("not an IP address"), "{err}");
    }
}
