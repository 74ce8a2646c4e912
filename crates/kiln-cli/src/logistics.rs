//! `kiln demo logistics`: the customers and consignment orders of `projects/logistics`
//! (kiln-demo's simulator of the streaming workshop's two producers), put on its Kinesis data
//! streams `customer_stream` and `order_stream` through the local endpoint — the customers first,
//! then the orders at the chosen rate, with a line a second saying what went. A run goes on from
//! what the streams hold: customers not there yet, consignments after the last one.

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Args;
use kiln_demo::firehose::{Tick, DEFAULT_ENDPOINT};
use kiln_demo::logistics::{self, LogisticsRun, Resumed, CUSTOMER_STREAM, ORDER_STREAM};

#[derive(Args, Debug, Clone)]
pub struct LogisticsArgs {
    /// The Kinesis/Firehose endpoint: `kiln stream serve`'s or the studio's.
    #[arg(long, default_value = DEFAULT_ENDPOINT)]
    pub endpoint_url: String,
    /// Orders a second.
    #[arg(long, default_value_t = logistics::DEFAULT_RATE,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub rate: u32,
    /// Stop sending orders after this many seconds (default: until Ctrl-C).
    #[arg(long)]
    pub duration: Option<u64>,
    /// Stop after this many orders.
    #[arg(long)]
    pub count: Option<u64>,
    /// Customers on customer_stream (userids 0 to N-1; those not there yet are put before the
    /// orders); the orders are theirs.
    #[arg(long, default_value_t = logistics::DEFAULT_CUSTOMERS,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub customers: u32,
    /// The random seed: the same seed, customer count and rate give the same records (the times
    /// follow the clock). The project's seeds/customer.csv holds the default seed's first 100.
    #[arg(long, default_value_t = logistics::DEFAULT_SEED)]
    pub seed: u64,
}

pub fn demo(args: &LogisticsArgs) -> anyhow::Result<ExitCode> {
    let start_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default();
    let run = LogisticsRun {
        endpoint_url: args.endpoint_url.clone(),
        seed: args.seed,
        customers: args.customers,
        rate: args.rate,
        duration: args.duration.map(Duration::from_secs),
        count: args.count,
        start_ms,
    };
    let stop = crate::producer::stop_on_ctrl_c();
    let until = crate::producer::until(args.count, args.duration, "orders");
    println!(
        "Customers 0 to {} on Kinesis stream '{CUSTOMER_STREAM}' (those not there yet), then orders on \
         '{ORDER_STREAM}' at {}, {} a second, until {until}",
        args.customers - 1,
        args.endpoint_url,
        args.rate
    );
    let customers = |resumed: &Resumed| {
        if resumed.customers_before > 0 {
            println!(
                "'{CUSTOMER_STREAM}' already has customers 0 to {}; orders go on from consignment {}",
                resumed.customers_before - 1,
                resumed.first_order
            );
        }
        println!(
            "Put {} customers on '{CUSTOMER_STREAM}' ({} refused records were sent again)",
            resumed.put.sent, resumed.put.failed
        );
    };
    let line = |tick: &Tick| {
        println!(
            "[{:>5}s] put {:>5} orders, {} refused and sent again ({} orders in all)",
            tick.second, tick.sent, tick.failed, tick.total_sent
        );
    };
    let total = logistics::run_logistics(&run, &stop, customers, line)?;
    println!(
        "Put {} orders in {:.1} s; {} refused records were sent again",
        total.sent,
        total.elapsed.as_secs_f64(),
        total.failed
    );
    Ok(ExitCode::SUCCESS)
}
