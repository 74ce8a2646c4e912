//! The customers and consignment orders of the Redshift streaming-ingestion workshop
//! (`projects/logistics`), as its two producers put them on the Kinesis data streams
//! `customer_stream` and `order_stream` — `lambda/code/customer/customer_producer.py` and
//! `lambda/code/order/order_producer.py` in aws-samples/amazon-redshift-streaming-workshop — and
//! [`run_logistics`], which sends them to Kiln's endpoint with Kinesis `PutRecords`.
//!
//! Record shapes, as the producers build them with Faker's `en_AU` locale and `json.dumps`
//! (`", "` and `": "` separators, keys in the producers' order):
//!
//! - customer: `{"userid", "job", "company", "ssn", "username", "name", "sex", "mail",
//!   "birthdate", "address", "state"}`; `userid` counts from 0, `birthdate` is `YYYY-MM-DD`,
//!   `address` is Faker's two-line Australian address (`"…\n<city>, <STATE>, <postcode>"`) and
//!   `state` is `address.split(',')[-2]`, so it keeps the space before the abbreviation (`" VIC"`).
//! - order: `{"consignmentid", "delivery_address", "delivery_state", "origin_address",
//!   "origin_state", "userid", "timestamp", "days_to_deliver", "delivery_distance", "revenue",
//!   "cost", "delay_probability"}`; `consignmentid` counts from 0, `timestamp` is Python's
//!   `datetime.isoformat()` (no zone, microseconds unless zero), `days_to_deliver` is 2 to 6,
//!   `delivery_distance ~ N(m, m/5)` and `revenue ~ N(m/6, m/18)` with `m = 10 + 100 ·
//!   days_to_deliver`, `cost = revenue − U(0,1) · revenue / 2`, and `delay_probability` is LOW,
//!   MEDIUM when `U(0,1) < 0.3`, then HIGH when `U(0,1) < 0.05 + (hour + minute) / 100` of the order
//!   time (so late in the hour and late in the day most orders are HIGH, as in the workshop).
//! - partition keys are random UUIDs (`str(uuid.uuid4())`).
//!
//! Where this differs from the producers, and why (also in the project's README): names, streets
//! and cities come from small built-in lists instead of Faker's; postcodes fall in the state's
//! real range; e-mail addresses use example domains and SSNs the never-issued area 900–999, so no
//! record looks like a real person's; birthdates are adults' (18 to 92 in 2022), where Faker draws
//! ages 0 to 115; the two normal draws are cut at three standard deviations (the producer's revenue
//! is negative one time in 740); an order's `userid` is one of the customers put first (the
//! producer draws 0..=15521 whatever exists), and its origin is that customer's address, so the
//! workshop's route query — which takes the customer's state as the origin — agrees with
//! `origin_state`. Orders are paced by `--rate` instead of 90–110 a minute. Like the producers,
//! which keep their last key in DynamoDB, a run goes on from what the streams hold
//! ([`run_logistics`]): customers not there yet, consignments after the last one.
//!
//! Everything is a function of the seed, the customer count, the start time, the rate and the
//! record's index: the same arguments always give the same records.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::firehose::{pace, run_limit, KinesisClient, KinesisRecord, PutReport, RunSummary, SendError, Tick};
use crate::names::{FIRST_NAMES, LAST_NAMES};

/// The Kinesis data stream of customer profiles.
pub const CUSTOMER_STREAM: &str = "customer_stream";
/// The Kinesis data stream of consignment orders.
pub const ORDER_STREAM: &str = "order_stream";
/// The seed of `kiln demo logistics` and of the project's `customer` seed file.
pub const DEFAULT_SEED: u64 = 0x6c6f_6769_7374_6963; // "logistic"
/// Customers put before the orders, unless told otherwise; the project's `customer` seed has these.
pub const DEFAULT_CUSTOMERS: u32 = 100;
/// Orders a second, unless told otherwise.
pub const DEFAULT_RATE: u32 = 10;
/// The fewest and most days an order takes (`random.choice(range(2, 7))`).
pub const MIN_DAYS: u32 = 2;
pub const MAX_DAYS: u32 = 6;
/// Normal draws are kept within this many standard deviations of the mean.
pub const MAX_SIGMAS: f64 = 3.0;

/// The eight states and territories (Faker `en_AU`'s `state_abbr`), with each one's postcode range
/// (Australia Post's main ranges).
pub const STATES: [(&str, u32, u32); 8] = [
    ("ACT", 2600, 2620),
    ("NSW", 2000, 2999),
    ("NT", 800, 899),
    ("QLD", 4000, 4999),
    ("SA", 5000, 5799),
    ("TAS", 7000, 7799),
    ("VIC", 3000, 3999),
    ("WA", 6000, 6797),
];

/// The workshop's fleet (its FleetData.csv): vehicles per state, 222 in all.
pub const FLEET: [(&str, u32); 8] = [
    ("ACT", 28),
    ("NSW", 26),
    ("NT", 31),
    ("QLD", 28),
    ("SA", 29),
    ("TAS", 27),
    ("VIC", 27),
    ("WA", 26),
];
/// The day of the fleet snapshot (FleetData.csv's `last_update`).
pub const FLEET_DATE: &str = "2022-08-01";

const JOBS: [&str; 24] = [
    "Accountant",
    "Architect",
    "Barista",
    "Civil engineer",
    "Chef",
    "Data scientist",
    "Dentist",
    "Electrician",
    "Farm manager",
    "Graphic designer",
    "Journalist",
    "Librarian",
    "Logistics coordinator",
    "Mechanic",
    "Nurse",
    "Paramedic",
    "Pharmacist",
    "Physiotherapist",
    "Plumber",
    "Retail manager",
    "Software developer",
    "Surveyor",
    "Teacher",
    "Veterinarian",
];
const COMPANY_SUFFIXES: [&str; 6] = ["Ltd", "PLC", "Inc", "Group", "LLC", "and Sons"];
const MAIL_DOMAINS: [&str; 4] = ["example.com", "example.com.au", "example.net", "example.org"];
const STREET_SUFFIXES: [&str; 20] = [
    "Street",
    "Road",
    "Avenue",
    "Crescent",
    "Parade",
    "Close",
    "Court",
    "Lane",
    "Place",
    "Way",
    "Drive",
    "Terrace",
    "Boulevard",
    "Grove",
    "Circuit",
    "Highway",
    "Esplanade",
    "Rise",
    "Walk",
    "Square",
];
const UNIT_PREFIXES: [&str; 5] = ["Unit", "Flat", "Level", "Suite", "Apt."];
const CITY_PREFIXES: [&str; 8] = ["North", "South", "East", "West", "Lake", "Port", "St.", "New"];
const CITY_SUFFIXES: [&str; 16] = [
    "ville", "stad", "borough", "side", "port", "ton", "bury", "land", "mouth", "furt", "chester", "haven", "fort",
    "shire", "burgh", "view",
];

/// Random streams of the two kinds of record (ChaCha stream numbers).
const CUSTOMER_RNG: u64 = 1;
const ORDER_RNG: u64 = 2;
const FLEET_RNG: u64 = 3;

/// A fresh random stream for record `index` of one kind: records are independent of each other.
fn rng_for(seed: u64, kind: u64, index: u64) -> ChaCha8Rng {
    // SplitMix64 of the seed and the index, so neighbouring indices get unrelated keys.
    let mut z = seed ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    let mut rng = ChaCha8Rng::seed_from_u64(z ^ (z >> 31));
    rng.set_stream(kind);
    rng
}

fn pick<'a, T: ?Sized>(rng: &mut ChaCha8Rng, items: &[&'a T]) -> &'a T {
    items[rng.random_range(0..items.len())]
}

/// A standard normal draw (Box–Muller), redrawn until within [`MAX_SIGMAS`].
fn normal(rng: &mut ChaCha8Rng, mean: f64, sd: f64) -> f64 {
    loop {
        // 1 − U(0,1) is in (0, 1], so the logarithm is finite.
        let u1: f64 = 1.0 - rng.random::<f64>();
        let u2: f64 = rng.random();
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        if z.abs() < MAX_SIGMAS {
            return mean + sd * z;
        }
    }
}

/// A random UUID (version 4), as `str(uuid.uuid4())` prints it.
fn uuid4(rng: &mut ChaCha8Rng) -> String {
    let mut b: [u8; 16] = rng.random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// An Australian postal address as Faker `en_AU` writes it: a street line, then
/// `<city>, <STATE>, <postcode>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub text: String,
    /// The state's abbreviation, one of [`STATES`].
    pub state: &'static str,
}

impl Address {
    fn random(rng: &mut ChaCha8Rng) -> Address {
        let number = match rng.random_range(0..10) {
            0..=4 => rng.random_range(1..100),
            5..=8 => rng.random_range(1..1000),
            _ => rng.random_range(1..10),
        };
        let street_name = if rng.random_bool(0.5) {
            pick(rng, &LAST_NAMES)
        } else {
            pick(rng, &FIRST_NAMES)
        };
        let street = format!("{number} {street_name} {}", pick(rng, &STREET_SUFFIXES));
        let line = match rng.random_range(0..10) {
            0..=2 => format!("{} {} {street}", pick(rng, &UNIT_PREFIXES), rng.random_range(1..100)),
            3 => format!("{}/{street}", rng.random_range(1..30)),
            _ => street,
        };
        let base = pick(rng, &LAST_NAMES);
        let mut city = format!("{base}{}", pick(rng, &CITY_SUFFIXES));
        if rng.random_range(0..4) == 0 {
            city = format!("{} {city}", pick(rng, &CITY_PREFIXES));
        }
        let (state, low, high) = STATES[rng.random_range(0..STATES.len())];
        let postcode = rng.random_range(low..=high);
        Address {
            text: format!("{line}\n{city}, {state}, {postcode:04}"),
            state,
        }
    }

    /// `address.split(',')[-2]`, as both producers take the state: with its leading space.
    pub fn producer_state(&self) -> String {
        format!(" {}", self.state)
    }
}

/// A customer profile, the JSON object a `customer_stream` record carries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Customer {
    pub userid: u64,
    pub job: &'static str,
    pub company: String,
    pub ssn: String,
    pub username: String,
    pub name: String,
    /// `M` or `F`.
    pub sex: &'static str,
    pub mail: String,
    /// `YYYY-MM-DD`.
    pub birthdate: String,
    pub address: String,
    /// `" <STATE>"`, see [`Address::producer_state`].
    pub state: String,
}

/// A consignment order, the JSON object an `order_stream` record carries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Order {
    pub consignmentid: u64,
    pub delivery_address: String,
    pub delivery_state: String,
    pub origin_address: String,
    pub origin_state: String,
    pub userid: u64,
    /// When the order is placed, `YYYY-MM-DDTHH:MM:SS[.ffffff]` (UTC, no zone).
    pub timestamp: String,
    pub days_to_deliver: u32,
    pub delivery_distance: f64,
    pub revenue: f64,
    pub cost: f64,
    /// `LOW`, `MEDIUM` or `HIGH`.
    pub delay_probability: &'static str,
}

/// `json.dumps` of a record: the keys in order, `", "` between members and `": "` after keys.
pub fn python_json<T: Serialize>(value: &T) -> String {
    struct Python;
    impl serde_json::ser::Formatter for Python {
        fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
            if first {
                Ok(())
            } else {
                w.write_all(b", ")
            }
        }
        fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
            w.write_all(b": ")
        }
        fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
            if first {
                Ok(())
            } else {
                w.write_all(b", ")
            }
        }
    }
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, Python);
    // Records are strings, integers and finite floats: they always serialise, as UTF-8.
    match value.serialize(&mut serializer) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Civil date of a day count since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Python's `datetime.isoformat()` of a naive UTC time given in epoch milliseconds.
pub fn isoformat(epoch_ms: i64) -> String {
    let seconds = epoch_ms.div_euclid(1000);
    let micros = epoch_ms.rem_euclid(1000) * 1000;
    let (year, month, day) = civil(seconds.div_euclid(86_400));
    let s = seconds.rem_euclid(86_400);
    let time = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    );
    if micros == 0 {
        time
    } else {
        format!("{time}.{micros:06}")
    }
}

/// The customers and orders of a run: customer `u` has `userid` `u`; order `k` is consignment `k`,
/// placed at `start_ms + (k - first_order) / rate` seconds by one of the `customers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogisticsSimulator {
    seed: u64,
    customers: u32,
    start_ms: i64,
    rate: u32,
    first_order: u64,
}

impl LogisticsSimulator {
    /// Records of `seed`, with `customers` customers (at least 1) and orders from `start_ms`
    /// (epoch milliseconds) at `rate` a second (at least 1).
    pub fn new(seed: u64, customers: u32, start_ms: i64, rate: u32) -> Self {
        LogisticsSimulator {
            seed,
            customers: customers.max(1),
            start_ms,
            rate: rate.max(1),
            first_order: 0,
        }
    }

    /// The same records, the run's orders starting at consignment `first` (placed at `start_ms`).
    pub fn starting_at(self, first: u64) -> Self {
        LogisticsSimulator {
            first_order: first,
            ..self
        }
    }

    pub fn customers(&self) -> u32 {
        self.customers
    }

    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// The customer with `userid` (any id, also beyond the run's customers).
    pub fn customer(&self, userid: u64) -> Customer {
        let mut rng = rng_for(self.seed, CUSTOMER_RNG, userid);
        let female = rng.random_bool(0.5);
        // FIRST_NAMES alternates male and female names.
        let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len() / 2) * 2 + usize::from(female)];
        let last = pick(&mut rng, &LAST_NAMES);
        let (first_lc, last_lc) = (first.to_ascii_lowercase(), last.to_ascii_lowercase());
        let username = match rng.random_range(0..4) {
            0 => format!("{}{last_lc}", &first_lc[..1]),
            1 => format!("{first_lc}{last_lc}"),
            2 => format!("{last_lc}{first_lc}"),
            _ => format!("{first_lc}{:02}", rng.random_range(0..100)),
        };
        let company = match rng.random_range(0..3) {
            0 => format!("{} {}", pick(&mut rng, &LAST_NAMES), pick(&mut rng, &COMPANY_SUFFIXES)),
            1 => format!("{}-{}", pick(&mut rng, &LAST_NAMES), pick(&mut rng, &LAST_NAMES)),
            _ => format!(
                "{}, {} and {}",
                pick(&mut rng, &LAST_NAMES),
                pick(&mut rng, &LAST_NAMES),
                pick(&mut rng, &LAST_NAMES)
            ),
        };
        let ssn = format!(
            "{}-{:02}-{:04}",
            rng.random_range(900..1000),
            rng.random_range(1..100),
            rng.random_range(1..10_000)
        );
        let mail = format!(
            "{}{}{}@{}",
            &first_lc[..1],
            last_lc,
            rng.random_range(1..100),
            pick(&mut rng, &MAIL_DOMAINS)
        );
        // Born 1930-01-01 (−14610) to 2004-12-31 (12783): 18 to 92 in 2022.
        let (year, month, day) = civil(rng.random_range(-14_610..=12_783));
        let address = Address::random(&mut rng);
        Customer {
            userid,
            job: pick(&mut rng, &JOBS),
            company,
            ssn,
            username,
            name: format!("{first} {last}"),
            sex: if female { "F" } else { "M" },
            mail,
            birthdate: format!("{year:04}-{month:02}-{day:02}"),
            state: address.producer_state(),
            address: address.text,
        }
    }

    /// When order `k` is placed, in epoch milliseconds (orders before the run's first: at its start).
    pub fn order_time_ms(&self, k: u64) -> i64 {
        let offset = u128::from(k.saturating_sub(self.first_order)) * 1000 / u128::from(self.rate);
        self.start_ms.saturating_add(i64::try_from(offset).unwrap_or(i64::MAX))
    }

    /// Order `k` (consignment `k`).
    pub fn order(&self, k: u64) -> Order {
        let mut rng = rng_for(self.seed, ORDER_RNG, k);
        let userid = rng.random_range(0..u64::from(self.customers));
        let customer = self.customer(userid);
        let delivery = Address::random(&mut rng);
        let time_ms = self.order_time_ms(k);
        let days_to_deliver = rng.random_range(MIN_DAYS..=MAX_DAYS);
        let mean_distance = f64::from(10 + days_to_deliver * 100);
        let delivery_distance = normal(&mut rng, mean_distance, mean_distance / 5.0);
        let revenue = normal(&mut rng, mean_distance / 6.0, mean_distance / 18.0);
        let cost = revenue - rng.random::<f64>() * revenue / 2.0;
        let minute_of_day = time_ms.div_euclid(60_000).rem_euclid(1440);
        let prob = (minute_of_day / 60 + minute_of_day % 60) as f64 / 100.0;
        let mut delay_probability = "LOW";
        if rng.random::<f64>() < 0.3 {
            delay_probability = "MEDIUM";
        }
        if rng.random::<f64>() < 0.05 + prob {
            delay_probability = "HIGH";
        }
        Order {
            consignmentid: k,
            delivery_state: delivery.producer_state(),
            delivery_address: delivery.text,
            origin_address: customer.address,
            origin_state: customer.state,
            userid,
            timestamp: isoformat(time_ms),
            days_to_deliver,
            delivery_distance,
            revenue,
            cost,
            delay_probability,
        }
    }

    /// Customer `userid` as a `customer_stream` record, with its random partition key.
    pub fn customer_record(&self, userid: u64) -> KinesisRecord {
        let mut rng = rng_for(self.seed, CUSTOMER_RNG | 0x100, userid);
        KinesisRecord {
            data: python_json(&self.customer(userid)).into_bytes(),
            partition_key: uuid4(&mut rng),
        }
    }

    /// Order `k` as an `order_stream` record, with its random partition key.
    pub fn order_record(&self, k: u64) -> KinesisRecord {
        let mut rng = rng_for(self.seed, ORDER_RNG | 0x100, k);
        KinesisRecord {
            data: python_json(&self.order(k)).into_bytes(),
            partition_key: uuid4(&mut rng),
        }
    }
}

fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// The project's `seeds/customer.csv`: the first `count` customers of `seed` (the columns of the
/// customer file the workshop's later labs query in S3, plus `job`), the address on one line and
/// `state` without its leading space.
pub fn customers_csv(seed: u64, count: u32) -> String {
    let sim = LogisticsSimulator::new(seed, count, 0, 1);
    let mut out = String::from("userid,company,ssn,username,name,sex,mail,birthdate,job,address,state\n");
    for userid in 0..u64::from(count) {
        let c = sim.customer(userid);
        let fields = [
            c.userid.to_string(),
            c.company,
            c.ssn,
            c.username,
            c.name,
            c.sex.to_string(),
            c.mail,
            c.birthdate,
            c.job.to_string(),
            c.address.replace('\n', ", "),
            c.state.trim().to_string(),
        ];
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

/// The project's `seeds/fleet.csv`: the workshop's 222 vehicles by state ([`FLEET`]), each on the
/// move, in scheduled maintenance (one in ten) or in unscheduled maintenance (one in fifty).
pub fn fleet_csv(seed: u64) -> String {
    let mut out = String::from("vehicle_id,vehicle_location,vehicle_status,last_update\n");
    let mut id = 0u32;
    for (state, vehicles) in FLEET {
        for _ in 0..vehicles {
            id += 1;
            let mut rng = rng_for(seed, FLEET_RNG, u64::from(id));
            let status = match rng.random_range(0..100) {
                0..=9 => "Scheduled maintenance",
                10..=11 => "Unscheduled maintenance",
                _ => "On the move",
            };
            out.push_str(&format!("vehicle_{id:03},{state},{status},{FLEET_DATE}\n"));
        }
    }
    out
}

/// A run of `kiln demo logistics` against an endpoint.
#[derive(Debug, Clone)]
pub struct LogisticsRun {
    pub endpoint_url: String,
    pub seed: u64,
    /// Customers put first (userids `0..customers`).
    pub customers: u32,
    /// Orders a second.
    pub rate: u32,
    /// Stop after the orders of this long; `None`: until stopped.
    pub duration: Option<Duration>,
    /// Stop after this many orders.
    pub count: Option<u64>,
    /// Epoch milliseconds of the first order (the current time for a live run).
    pub start_ms: i64,
}

/// Where a run goes on from: what the streams already held when it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resumed {
    /// Customers already on `customer_stream` (the highest userid there + 1).
    pub customers_before: u64,
    /// The run's first consignment (the highest consignmentid on `order_stream` + 1).
    pub first_order: u64,
    /// The customers this run put.
    pub put: PutReport,
}

/// One more than the highest whole number under `key` in the stream's JSON records (0 if none).
fn next_id(client: &KinesisClient, key: &str) -> Result<u64, SendError> {
    let mut next = 0;
    client.read_all(|data| {
        let id = serde_json::from_slice::<serde_json::Value>(data)
            .ok()
            .and_then(|v| v[key].as_u64());
        if let Some(id) = id {
            next = next.max(id.saturating_add(1));
        }
    })?;
    Ok(next)
}

/// Goes on from what the streams hold, as the workshop's producers do with the last key they keep
/// in DynamoDB: puts the run's customers that `customer_stream` does not have yet (all at once)
/// and calls `on_customers`, then puts orders on `order_stream` from the consignment after its
/// last one, as they fall due, calling `on_tick` once a second, until `run.count` or
/// `run.duration` is reached or `stop` is set. Returns the orders' summary.
pub fn run_logistics(
    run: &LogisticsRun,
    stop: &AtomicBool,
    on_customers: impl FnOnce(&Resumed),
    on_tick: impl FnMut(&Tick),
) -> Result<RunSummary, SendError> {
    let customers = KinesisClient::new(&run.endpoint_url, CUSTOMER_STREAM)?;
    let orders = KinesisClient::new(&run.endpoint_url, ORDER_STREAM)?;
    let customers_before = next_id(&customers, "userid")?;
    let first_order = next_id(&orders, "consignmentid")?;
    let sim = LogisticsSimulator::new(run.seed, run.customers, run.start_ms, run.rate).starting_at(first_order);
    let records: Vec<KinesisRecord> = (customers_before..u64::from(sim.customers()))
        .map(|u| sim.customer_record(u))
        .collect();
    let put = customers.put_all(&records)?;
    on_customers(&Resumed {
        customers_before,
        first_order,
        put,
    });
    let limit = run_limit(sim.rate(), run.count, run.duration);
    pace(sim.rate(), limit, stop, on_tick, |range| {
        let records: Vec<KinesisRecord> = range.map(|k| sim.order_record(first_order + k)).collect();
        orders.put_all(&records)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const START_MS: i64 = 1_653_900_000_000; // 2022-05-30T08:40:00Z

    fn sim() -> LogisticsSimulator {
        LogisticsSimulator::new(DEFAULT_SEED, 20, START_MS, 10)
    }

    fn keys(json: &str) -> Vec<String> {
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        // serde_json's map is ordered by key; the order in the text is checked separately.
        let mut positions: Vec<(usize, String)> = value
            .as_object()
            .unwrap()
            .keys()
            .map(|k| (json.find(&format!("\"{k}\": ")).unwrap(), k.clone()))
            .collect();
        positions.sort();
        positions.into_iter().map(|(_, k)| k).collect()
    }

    #[test]
    fn customers_are_shaped_like_the_producers() {
        let sim = sim();
        for userid in 0..200 {
            let record = sim.customer_record(userid);
            let json = String::from_utf8(record.data).unwrap();
            assert_eq!(
                keys(&json),
                [
                    "userid",
                    "job",
                    "company",
                    "ssn",
                    "username",
                    "name",
                    "sex",
                    "mail",
                    "birthdate",
                    "address",
                    "state"
                ],
                "{json}"
            );
            assert!(
                json.starts_with(&format!("{{\"userid\": {userid}, \"job\": \"")),
                "{json}"
            );
            let c: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert!(c["sex"] == "M" || c["sex"] == "F");
            let ssn = c["ssn"].as_str().unwrap();
            assert!(ssn.len() == 11 && ssn.starts_with('9') && &ssn[3..4] == "-" && &ssn[6..7] == "-");
            assert!(c["mail"].as_str().unwrap().contains("@example."));
            let birth = c["birthdate"].as_str().unwrap();
            assert!(
                ("1930-01-01"..="2004-12-31").contains(&birth) && birth.len() == 10,
                "{birth}"
            );
            // The state is the address's second-to-last comma field, leading space and all.
            let address = c["address"].as_str().unwrap();
            let fields: Vec<&str> = address.split(',').collect();
            assert_eq!(c["state"], fields[fields.len() - 2], "{address}");
            let state = c["state"].as_str().unwrap().trim();
            let (_, low, high) = STATES.iter().find(|(s, ..)| *s == state).unwrap();
            let postcode: u32 = fields[fields.len() - 1].trim().parse().unwrap();
            assert!((*low..=*high).contains(&postcode), "{address}");
            assert_eq!(address.lines().count(), 2, "{address}");
            // Partition keys are version-4 UUIDs.
            let key = &record.partition_key;
            assert_eq!((key.len(), &key[14..15]), (36, "4"), "{key}");
        }
    }

    #[test]
    fn orders_are_shaped_like_the_producers_and_in_range() {
        let sim = sim();
        let mut delays = BTreeMap::new();
        for k in 0..5000 {
            let record = sim.order_record(k);
            let json = String::from_utf8(record.data).unwrap();
            assert_eq!(
                keys(&json),
                [
                    "consignmentid",
                    "delivery_address",
                    "delivery_state",
                    "origin_address",
                    "origin_state",
                    "userid",
                    "timestamp",
                    "days_to_deliver",
                    "delivery_distance",
                    "revenue",
                    "cost",
                    "delay_probability"
                ],
                "{json}"
            );
            let o = sim.order(k);
            assert_eq!(o.consignmentid, k);
            assert!((MIN_DAYS..=MAX_DAYS).contains(&o.days_to_deliver));
            let m = f64::from(10 + 100 * o.days_to_deliver);
            assert!(
                (m - 3.0 * m / 5.0..=m + 3.0 * m / 5.0).contains(&o.delivery_distance),
                "{json}"
            );
            assert!(o.revenue > 0.0 && o.revenue <= m / 3.0, "{json}");
            assert!(o.cost > o.revenue / 2.0 - 1e-9 && o.cost <= o.revenue, "{json}");
            *delays.entry(o.delay_probability).or_insert(0) += 1;
            assert!(o.delivery_state.starts_with(' ') && o.origin_state.starts_with(' '));
            // Two-line addresses ending in "<STATE>, <postcode>".
            assert!(o.delivery_address.contains(&format!("{},", o.delivery_state)));
        }
        // 08:40 to 08:48: prob = 0.48..0.56, so HIGH about half the time, LOW and MEDIUM the rest.
        let high = f64::from(delays["HIGH"]) / 5000.0;
        assert!((0.5..0.65).contains(&high), "{delays:?}");
        assert!(delays["MEDIUM"] > 300 && delays["LOW"] > 1000, "{delays:?}");
    }

    #[test]
    fn orders_reference_the_customers_and_start_from_their_address() {
        let sim = sim();
        let mut seen = std::collections::BTreeSet::new();
        for k in 0..1000 {
            let o = sim.order(k);
            assert!(o.userid < 20, "{o:?}");
            seen.insert(o.userid);
            let customer = sim.customer(o.userid);
            assert_eq!((o.origin_address, o.origin_state), (customer.address, customer.state));
        }
        assert_eq!(seen.len(), 20, "every customer orders");
    }

    #[test]
    fn the_same_arguments_give_the_same_records() {
        let (a, b) = (sim(), sim());
        for k in 0..100 {
            assert_eq!(a.order_record(k), b.order_record(k));
            assert_eq!(a.customer_record(k), b.customer_record(k));
        }
        let other = LogisticsSimulator::new(DEFAULT_SEED + 1, 20, START_MS, 10);
        assert_ne!(other.order(0), a.order(0));
        // Customers do not depend on how many there are: the seed file's are the stream's.
        assert_eq!(
            LogisticsSimulator::new(DEFAULT_SEED, 100, 0, 1).customer(7),
            a.customer(7)
        );
    }

    #[test]
    fn order_times_follow_the_rate_in_pythons_isoformat() {
        let sim = sim();
        assert_eq!(sim.order(0).timestamp, "2022-05-30T08:40:00");
        assert_eq!(sim.order(3).timestamp, "2022-05-30T08:40:00.300000");
        assert_eq!(sim.order(10).timestamp, "2022-05-30T08:40:01");
        // A run going on from consignment 500 places that one at its start.
        let later = sim.starting_at(500);
        assert_eq!(later.order(500).timestamp, "2022-05-30T08:40:00");
        assert_eq!(later.order(510).timestamp, "2022-05-30T08:40:01");
        assert_eq!(later.order(510).revenue, sim.order(510).revenue);
        assert_eq!(isoformat(0), "1970-01-01T00:00:00");
        assert_eq!(isoformat(951_827_696_789), "2000-02-29T12:34:56.789000");
    }

    #[test]
    fn json_is_what_json_dumps_writes() {
        #[derive(Serialize)]
        struct R {
            a: u32,
            b: &'static str,
            c: f64,
        }
        assert_eq!(
            python_json(&R {
                a: 1,
                b: "x\ny",
                c: 90.0
            }),
            r#"{"a": 1, "b": "x\ny", "c": 90.0}"#
        );
    }

    #[test]
    fn seed_files_are_well_formed() {
        let customers = customers_csv(DEFAULT_SEED, 5);
        assert_eq!(customers.lines().count(), 6);
        assert_eq!(customers.lines().next().unwrap().split(',').count(), 11);
        // The address, on one line, has commas: quoted.
        assert!(customers
            .lines()
            .skip(1)
            .all(|l| l.contains(", \"") || l.contains(",\"")));
        let fleet = fleet_csv(DEFAULT_SEED);
        assert_eq!(fleet.lines().count(), 223);
        assert!(fleet.contains("vehicle_222,WA,"));
        let maintenance = fleet.matches("maintenance").count();
        assert!((10..50).contains(&maintenance), "{maintenance}");
    }
}
