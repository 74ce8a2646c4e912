//! `kiln demo sensors`: the six IoT sensors of `projects/sensors` (kiln-demo's simulator), sent
//! to the project's Firehose delivery stream through the local Kinesis/Firehose endpoint, with a
//! line a second saying what went.

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Args;
use kiln_demo::firehose::{run_sensors, SensorRun, Tick, DEFAULT_ENDPOINT, DEFAULT_STREAM};

#[derive(Args, Debug, Clone)]
pub struct SensorsArgs {
    /// The Kinesis/Firehose endpoint: `kiln stream serve`'s or the studio's.
    #[arg(long, default_value = DEFAULT_ENDPOINT)]
    pub endpoint_url: String,
    /// Readings a second, the six sensors taking turns (6: each sensor once a second).
    #[arg(long, default_value_t = kiln_demo::sensors::DEFAULT_RATE,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub rate: u32,
    /// Stop after this many seconds (default: until Ctrl-C).
    #[arg(long)]
    pub duration: Option<u64>,
    /// Stop after this many readings.
    #[arg(long)]
    pub count: Option<u64>,
    /// The Firehose delivery stream to put the readings into.
    #[arg(long, default_value = DEFAULT_STREAM)]
    pub stream: String,
}

pub fn demo(args: &SensorsArgs) -> anyhow::Result<ExitCode> {
    let start = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let run = SensorRun {
        endpoint_url: args.endpoint_url.clone(),
        stream: args.stream.clone(),
        rate: args.rate,
        duration: args.duration.map(Duration::from_secs),
        count: args.count,
        start,
    };
    let stop = crate::producer::stop_on_ctrl_c();
    let until = crate::producer::until(args.count, args.duration, "readings");
    println!(
        "Sending the 6 sensors' readings to Firehose delivery stream '{}' at {}, {} a second, until {until}",
        args.stream, args.endpoint_url, args.rate
    );
    let line = |tick: &Tick| {
        println!(
            "[{:>5}s] sent {:>5} readings, {} failed ({} sent in all)",
            tick.second, tick.sent, tick.failed, tick.total_sent
        );
    };
    let total = run_sensors(&run, &stop, line)?;
    println!(
        "Sent {} readings in {:.1} s; {} refused records were sent again",
        total.sent,
        total.elapsed.as_secs_f64(),
        total.failed
    );
    Ok(ExitCode::SUCCESS)
}
