//! Deterministic generator for the TICKIT sample database (Amazon Redshift's ticket marketplace).
//!
//! [`generate_tickit`] writes the seven TICKIT tables as pipe-delimited text files with a header
//! line, one folder per table, the layout the `projects/tickit` sources expect under `lake/`:
//!
//! ```text
//! lake/category/category.txt  lake/date/date.txt  lake/event/event.txt  lake/listing/listing.txt
//! lake/sale/sale.txt          lake/user/user.txt  lake/venue/venue.txt  lake/_manifest.json
//! ```
//!
//! The same scale always produces byte-identical files: every table draws from its own ChaCha
//! stream with a fixed seed, and nothing reads the clock or the environment.
//!
//! [`sensors`] simulates the IoT sensors of `projects/sensors` (`kiln demo sensors`),
//! [`logistics`] the customers and orders of `projects/logistics` (`kiln demo logistics`), and
//! [`firehose`] sends them to a Firehose delivery stream or Kinesis data streams over HTTP.

mod calendar;
pub mod firehose;
pub mod logistics;
mod names;
pub mod sensors;

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use calendar::{Day, SECONDS_PER_DAY};

/// Seed of every random stream; changing it changes every generated file.
pub const SEED: u64 = 0x7469_636b_6974; // "tickit"

/// The seven tables, in the order they are written.
pub const TABLES: [&str; 7] = ["category", "date", "venue", "user", "event", "listing", "sale"];

/// Smallest and largest accepted scale. Above the maximum the ids would no longer fit the
/// Redshift column types (sales ids are `integer`).
pub const MIN_SCALE: f64 = 1e-6;
pub const MAX_SCALE: f64 = 1000.0;

/// Scale-1 row counts of the tables that grow with the scale (the real sample's sizes).
const EVENTS_AT_1: f64 = 8_798.0;
const LISTINGS_AT_1: f64 = 192_497.0;
const SALES_AT_1: f64 = 172_456.0;
const USERS_AT_1: f64 = 49_990.0;
const VENUES: u32 = 202;

/// Floors that keep tiny scales useful: every table has rows, some users never buy and every
/// sale can find a listing with tickets left.
const MIN_EVENTS: u64 = 10;
const MIN_LISTINGS: u64 = 20;
const MIN_SALES: u64 = 10;
const MIN_USERS: u64 = 20;

/// One written table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSummary {
    pub table: String,
    pub rows: u64,
    pub path: PathBuf,
}

/// Why the lake could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "scale {scale} is out of range; pass a number between {MIN_SCALE} and {MAX_SCALE} \
         (1 is the size of the real TICKIT sample, 0.1 a quick demo)"
    )]
    InvalidScale { scale: f64 },
    #[error("could not create the lake folder {}: {source}; check that the path is writable", path.display())]
    CreateDir { path: PathBuf, source: io::Error },
    #[error("could not write {}: {source}; check free disk space and permissions", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("could not encode the lake manifest: {0}; this is a bug in kiln-demo, please report it")]
    Manifest(#[from] serde_json::Error),
}

/// Row counts of every table at a scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowCounts {
    pub category: u64,
    pub date: u64,
    pub venue: u64,
    pub user: u64,
    pub event: u64,
    pub listing: u64,
    pub sale: u64,
}

impl RowCounts {
    /// Counts for `scale`; category, date and venue are fixed, the rest grow linearly.
    pub fn at_scale(scale: f64) -> Result<Self, DemoError> {
        if !scale.is_finite() || !(MIN_SCALE..=MAX_SCALE).contains(&scale) {
            return Err(DemoError::InvalidScale { scale });
        }
        // The range check above bounds every product far below u64::MAX, so the cast is exact.
        let scaled = |base: f64, floor: u64| ((base * scale).round() as u64).max(floor);
        let listing = scaled(LISTINGS_AT_1, MIN_LISTINGS);
        Ok(Self {
            category: names::CATEGORIES.len() as u64,
            date: u64::from(calendar::DAYS),
            venue: u64::from(VENUES),
            user: scaled(USERS_AT_1, MIN_USERS),
            event: scaled(EVENTS_AT_1, MIN_EVENTS),
            listing,
            // Each listing holds at least one ticket, so this many sales always fit.
            sale: scaled(SALES_AT_1, MIN_SALES).min(listing),
        })
    }

    /// The count for a table name from [`TABLES`].
    pub fn get(&self, table: &str) -> Option<u64> {
        match table {
            "category" => Some(self.category),
            "date" => Some(self.date),
            "venue" => Some(self.venue),
            "user" => Some(self.user),
            "event" => Some(self.event),
            "listing" => Some(self.listing),
            "sale" => Some(self.sale),
            _ => None,
        }
    }
}

/// Writes the seven TICKIT tables and `_manifest.json` under `lake_dir` (created if missing).
///
/// Existing files of the same names are overwritten; other files are left alone.
pub fn generate_tickit(lake_dir: &Path, scale: f64) -> Result<Vec<TableSummary>, DemoError> {
    let counts = RowCounts::at_scale(scale)?;
    fs::create_dir_all(lake_dir).map_err(|source| DemoError::CreateDir {
        path: lake_dir.to_path_buf(),
        source,
    })?;

    let mut summaries = Vec::with_capacity(TABLES.len());
    summaries.push(write_table(lake_dir, "category", write_categories)?);
    summaries.push(write_table(lake_dir, "date", write_dates)?);
    summaries.push(write_table(lake_dir, "venue", write_venues)?);

    let mut people = People::default();
    summaries.push(write_table(lake_dir, "user", |out| {
        write_users(out, counts.user, &mut people)
    })?);

    let mut events = Vec::new();
    summaries.push(write_table(lake_dir, "event", |out| {
        write_events(out, counts.event, &mut events)
    })?);

    let mut listings = Vec::new();
    summaries.push(write_table(lake_dir, "listing", |out| {
        write_listings(out, counts.listing, &events, &people, &mut listings)
    })?);
    summaries.push(write_table(lake_dir, "sale", |out| {
        write_sales(out, counts.sale, &mut listings, &people)
    })?);

    write_manifest(lake_dir, scale, &summaries)?;
    Ok(summaries)
}

/// A fresh random stream for one table, so each table is independent of the others' draws.
fn rng_for(table: &str) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let stream = TABLES.iter().position(|t| *t == table).unwrap_or(TABLES.len());
    rng.set_stream(stream as u64);
    rng
}

fn write_table<F>(lake_dir: &Path, table: &str, body: F) -> Result<TableSummary, DemoError>
where
    F: FnOnce(&mut BufWriter<File>) -> io::Result<u64>,
{
    let dir = lake_dir.join(table);
    fs::create_dir_all(&dir).map_err(|source| DemoError::CreateDir {
        path: dir.clone(),
        source,
    })?;
    let path = dir.join(format!("{table}.txt"));
    let write = || -> io::Result<u64> {
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&path)?);
        let rows = body(&mut out)?;
        out.flush()?;
        Ok(rows)
    };
    let rows = write().map_err(|source| DemoError::Write {
        path: path.clone(),
        source,
    })?;
    Ok(TableSummary {
        table: table.to_string(),
        rows,
        path,
    })
}

#[derive(Serialize)]
struct Manifest<'a> {
    generator: &'static str,
    seed: u64,
    scale: f64,
    tables: Vec<ManifestTable<'a>>,
}

#[derive(Serialize)]
struct ManifestTable<'a> {
    table: &'a str,
    rows: u64,
    /// Relative to the manifest, so a lake folder can be moved or copied.
    file: String,
}

fn write_manifest(lake_dir: &Path, scale: f64, tables: &[TableSummary]) -> Result<(), DemoError> {
    let manifest = Manifest {
        generator: concat!("kiln-demo ", env!("CARGO_PKG_VERSION")),
        seed: SEED,
        scale,
        tables: tables
            .iter()
            .map(|t| ManifestTable {
                table: &t.table,
                rows: t.rows,
                file: format!("{0}/{0}.txt", t.table),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&manifest)?;
    text.push('\n');
    let path = lake_dir.join("_manifest.json");
    fs::write(&path, text).map_err(|source| DemoError::Write { path, source })
}

fn write_categories(out: &mut BufWriter<File>) -> io::Result<u64> {
    writeln!(out, "catid|catgroup|catname|catdesc")?;
    for (id, group, name, desc, _, _) in names::CATEGORIES {
        writeln!(out, "{id}|{group}|{name}|{desc}")?;
    }
    Ok(names::CATEGORIES.len() as u64)
}

fn write_dates(out: &mut BufWriter<File>) -> io::Result<u64> {
    writeln!(out, "dateid|caldate|day|week|month|qtr|year|holiday")?;
    for offset in 0..calendar::DAYS {
        let d = Day::from_offset(offset);
        writeln!(
            out,
            "{}|{}|{}|{}|{}|{}|{}|{}",
            d.date_id(),
            d,
            d.day_name(),
            d.week(),
            d.month_name(),
            d.quarter(),
            d.year(),
            d.is_holiday()
        )?;
    }
    Ok(u64::from(calendar::DAYS))
}

fn write_venues(out: &mut BufWriter<File>) -> io::Result<u64> {
    let mut rng = rng_for("venue");
    writeln!(out, "venueid|venuename|venuecity|venuestate|venueseats")?;
    let prefixes = names::VENUE_PREFIXES.len();
    for i in 0..VENUES as usize {
        // prefix × kind has 240 combinations, so the first 202 indices give unique names.
        let prefix = names::VENUE_PREFIXES[i % prefixes];
        let (kind, min_seats, max_seats) = names::VENUE_KINDS[(i / prefixes) % names::VENUE_KINDS.len()];
        let (city, state) = names::CITIES[rng.random_range(0..names::CITIES.len())];
        let seats = rng.random_range(min_seats..=max_seats) / 10 * 10;
        writeln!(out, "{}|{prefix} {kind}|{city}|{state}|{seats}", i + 1)?;
    }
    Ok(u64::from(VENUES))
}

/// Who may sell and who may buy; users in neither buyer list are the "non-buyers".
#[derive(Default)]
struct People {
    sellers: Vec<u32>,
    buyers: Vec<u32>,
}

/// Usernames are `LLLDDLLL` like the real sample's. An affine map modulo the pattern's size
/// (26^6 · 100, whose only prime factors are 2, 5 and 13) is a bijection, so ids never collide
/// and no set of seen names is needed.
fn username(user_id: u64) -> String {
    const SPACE: u64 = 26u64.pow(6) * 100;
    // Near SPACE × golden ratio, so consecutive ids land far apart and names look random.
    const MULTIPLIER: u64 = 19_092_044_921;
    const OFFSET: u64 = 1_234_567_891;
    // u128 so the product cannot wrap, which would break the bijection.
    let mixed = (u128::from(user_id) * u128::from(MULTIPLIER) + u128::from(OFFSET)) % u128::from(SPACE);
    let mut x = mixed as u64;
    let digits = x % 100;
    x /= 100;
    let mut letters = [b'A'; 6];
    for slot in letters.iter_mut().rev() {
        *slot = b'A' + (x % 26) as u8;
        x /= 26;
    }
    let l = |i: usize| char::from(letters[i]);
    format!("{}{}{}{digits:02}{}{}{}", l(0), l(1), l(2), l(3), l(4), l(5))
}

fn write_users(out: &mut BufWriter<File>, count: u64, people: &mut People) -> io::Result<u64> {
    let mut rng = rng_for("user");
    writeln!(
        out,
        "userid|username|firstname|lastname|city|state|email|phone|likesports|liketheatre|\
         likeconcerts|likejazz|likeclassical|likeopera|likerock|likevegas|likebroadway|likemusicals"
    )?;
    for id in 1..=count {
        let first = names::FIRST_NAMES[rng.random_range(0..names::FIRST_NAMES.len())];
        let last = names::LAST_NAMES[rng.random_range(0..names::LAST_NAMES.len())];
        let (city, state) = names::CITIES[rng.random_range(0..names::CITIES.len())];
        let domain = names::EMAIL_DOMAINS[rng.random_range(0..names::EMAIL_DOMAINS.len())];
        let phone = format!(
            "({}) {}-{:04}",
            rng.random_range(201..=989),
            rng.random_range(200..=999),
            rng.random_range(0..=9999)
        );
        write!(
            out,
            "{id}|{}|{first}|{last}|{city}|{state}|{}.{}{id}@{domain}|{phone}",
            username(id),
            first.to_ascii_lowercase(),
            last.to_ascii_lowercase(),
        )?;
        for _ in 0..10 {
            // Roughly 40 % true, 40 % false and 20 % unknown (NULL), as in the real sample.
            let like = match rng.random_range(0..5) {
                0 | 1 => "true",
                2 | 3 => "false",
                _ => "",
            };
            write!(out, "|{like}")?;
        }
        writeln!(out)?;

        let id = id as u32;
        // The first two users always buy and the last never does, so even the smallest lake
        // has buyers to pair with sellers and at least one non-buyer.
        let buys = id <= 2 || (id as u64 != count && rng.random_range(0..10) != 0);
        if buys {
            people.buyers.push(id);
        }
        if id <= 2 || rng.random_range(0..100) < 60 {
            people.sellers.push(id);
        }
    }
    Ok(count)
}

/// What later tables need to know about an event.
struct EventInfo {
    start: u32,
    category: usize,
}

const START_TIMES: [u32; 6] = [
    14 * 3600,
    14 * 3600 + 1800,
    15 * 3600,
    19 * 3600,
    19 * 3600 + 1800,
    20 * 3600,
];

fn write_events(out: &mut BufWriter<File>, count: u64, events: &mut Vec<EventInfo>) -> io::Result<u64> {
    let mut rng = rng_for("event");
    writeln!(out, "eventid|venueid|catid|dateid|eventname|starttime")?;
    events.reserve(count as usize);
    for id in 1..=count {
        let venue = rng.random_range(1..=VENUES);
        let category = rng.random_range(0..names::CATEGORIES.len());
        let day = Day::from_offset(rng.random_range(0..calendar::DAYS));
        let start = day.offset * SECONDS_PER_DAY + START_TIMES[rng.random_range(0..START_TIMES.len())];
        let name = if let Some(teams) = names::TEAMS.get(category) {
            let home = rng.random_range(0..teams.len());
            // Offsetting by 1..len picks a different team for the visitors.
            let away = (home + rng.random_range(1..teams.len())) % teams.len();
            format!("{} vs {}", teams[home], teams[away])
        } else {
            let shows = names::SHOWS[category - names::TEAMS.len()];
            shows[rng.random_range(0..shows.len())].to_string()
        };
        writeln!(
            out,
            "{id}|{venue}|{}|{}|{name}|{}",
            names::CATEGORIES[category].0,
            day.date_id(),
            calendar::Timestamp(start)
        )?;
        events.push(EventInfo { start, category });
    }
    Ok(count)
}

/// What the sales need to know about a listing.
struct ListingInfo {
    seller: u32,
    event: u32,
    listed: u32,
    event_start: u32,
    price_cents: u64,
    tickets_left: u32,
}

/// An amount in cents, displayed as a `decimal(8,2)` literal.
struct Cents(u64);

impl std::fmt::Display for Cents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// Listings open at most this long before their event.
const LISTING_WINDOW: u32 = 90 * SECONDS_PER_DAY;
/// and close at least this long before it, so there is time to sell.
const LISTING_LEAD: u32 = 2 * 3600;

fn write_listings(
    out: &mut BufWriter<File>,
    count: u64,
    events: &[EventInfo],
    people: &People,
    listings: &mut Vec<ListingInfo>,
) -> io::Result<u64> {
    let mut rng = rng_for("listing");
    writeln!(
        out,
        "listid|sellerid|eventid|dateid|numtickets|priceperticket|totalprice|listtime"
    )?;
    listings.reserve(count as usize);
    for id in 1..=count {
        let event_index = rng.random_range(0..events.len());
        let event = &events[event_index];
        let seller = people.sellers[rng.random_range(0..people.sellers.len())];
        let tickets: u32 = rng.random_range(1..=24);
        let (_, _, _, _, low, high) = names::CATEGORIES[event.category];
        const CENT_ENDINGS: [u64; 6] = [0, 0, 0, 0, 50, 99];
        let price_cents =
            u64::from(rng.random_range(low..=high)) * 100 + CENT_ENDINGS[rng.random_range(0..CENT_ENDINGS.len())];
        // Every event starts at 14:00 or later, so event_start ≥ LISTING_LEAD.
        let latest = event.start.saturating_sub(LISTING_LEAD);
        let listed = latest - rng.random_range(0..=latest.min(LISTING_WINDOW));
        writeln!(
            out,
            "{id}|{seller}|{}|{}|{tickets}|{}|{}|{}",
            event_index + 1,
            calendar::date_id_of(listed),
            Cents(price_cents),
            Cents(price_cents * u64::from(tickets)),
            calendar::Timestamp(listed)
        )?;
        listings.push(ListingInfo {
            seller,
            event: (event_index + 1) as u32,
            listed,
            event_start: event.start,
            price_cents,
            tickets_left: tickets,
        });
    }
    Ok(count)
}

/// Most sales are for one to four tickets; weights for quantities 1..=8.
const QUANTITY_WEIGHTS: [u32; 8] = [30, 30, 15, 10, 5, 4, 3, 3];

fn write_sales(
    out: &mut BufWriter<File>,
    count: u64,
    listings: &mut [ListingInfo],
    people: &People,
) -> io::Result<u64> {
    let mut rng = rng_for("sale");
    writeln!(
        out,
        "salesid|listid|sellerid|buyerid|eventid|dateid|qtysold|pricepaid|commission|saletime"
    )?;
    let weight_total: u32 = QUANTITY_WEIGHTS.iter().sum();
    let mut tickets_left: u64 = listings.iter().map(|l| u64::from(l.tickets_left)).sum();
    for id in 1..=count {
        // Sales never take more tickets than leave one for each sale still to come, so the
        // search below always finds a listing (tickets_left ≥ sales remaining ≥ 1).
        let sales_after = count - id;
        let budget = tickets_left.saturating_sub(sales_after).max(1);

        let mut index = rng.random_range(0..listings.len());
        while listings[index].tickets_left == 0 {
            index = (index + 1) % listings.len();
        }
        let listing = &mut listings[index];

        let mut roll = rng.random_range(0..weight_total);
        let mut wanted = 1u32;
        for (i, w) in QUANTITY_WEIGHTS.iter().enumerate() {
            if roll < *w {
                wanted = i as u32 + 1;
                break;
            }
            roll -= w;
        }
        let qty = wanted
            .min(listing.tickets_left)
            .min(u32::try_from(budget).unwrap_or(u32::MAX));
        listing.tickets_left -= qty;
        tickets_left -= u64::from(qty);

        let mut buyer_index = rng.random_range(0..people.buyers.len());
        if people.buyers[buyer_index] == listing.seller {
            // There are always at least two buyers, so the neighbour is someone else.
            buyer_index = (buyer_index + 1) % people.buyers.len();
        }
        let buyer = people.buyers[buyer_index];

        let sold = rng.random_range(listing.listed + 1..listing.event_start);
        let paid = listing.price_cents * u64::from(qty);
        // 15 % commission, rounded half up to the cent, in integer arithmetic to stay exact.
        let commission = (paid * 15 + 50) / 100;
        writeln!(
            out,
            "{id}|{}|{}|{buyer}|{}|{}|{qty}|{}|{}|{}",
            index + 1,
            listing.seller,
            listing.event,
            calendar::date_id_of(sold),
            Cents(paid),
            Cents(commission),
            calendar::Timestamp(sold)
        )?;
    }
    Ok(count)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
