use super::*;
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::time::Instant;

/// Hash of every file in a lake (manifest included), in a fixed order.
fn lake_hash(dir: &Path) -> u64 {
    let mut hasher = DefaultHasher::new();
    for table in TABLES {
        fs::read(dir.join(table).join(format!("{table}.txt")))
            .unwrap()
            .hash(&mut hasher);
    }
    fs::read(dir.join("_manifest.json")).unwrap().hash(&mut hasher);
    hasher.finish()
}

/// A table read back from disk: header names and rows of raw fields.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn read(dir: &Path, name: &str) -> Self {
        let text = fs::read_to_string(dir.join(name).join(format!("{name}.txt"))).unwrap();
        let mut lines = text.lines();
        let header: Vec<String> = lines.next().unwrap().split('|').map(str::to_string).collect();
        let rows: Vec<Vec<String>> = lines
            .map(|l| l.split('|').map(str::to_string).collect::<Vec<_>>())
            .collect();
        for row in &rows {
            assert_eq!(row.len(), header.len(), "{name}: ragged row {row:?}");
        }
        Self { header, rows }
    }

    fn col(&self, name: &str) -> usize {
        self.header.iter().position(|h| h == name).unwrap()
    }

    fn ints(&self, name: &str) -> Vec<i64> {
        let c = self.col(name);
        self.rows.iter().map(|r| r[c].parse().unwrap()).collect()
    }

    /// Decimal(8,2) text as integer cents, asserting the exact two-decimal format.
    fn cents(&self, name: &str) -> Vec<i64> {
        let c = self.col(name);
        self.rows
            .iter()
            .map(|r| {
                let (whole, frac) = r[c].split_once('.').unwrap();
                assert_eq!(frac.len(), 2, "{name} must have two decimals: {}", r[c]);
                whole.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap()
            })
            .collect()
    }

    fn strs(&self, name: &str) -> Vec<&str> {
        let c = self.col(name);
        self.rows.iter().map(|r| r[c].as_str()).collect()
    }
}

fn assert_unique_keys(values: &[i64], what: &str) {
    let set: HashSet<_> = values.iter().collect();
    assert_eq!(set.len(), values.len(), "{what} has duplicate keys");
}

fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 19
        && s.starts_with("2008-")
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':'
        && b.iter()
            .enumerate()
            .all(|(i, c)| [4, 7, 10, 13, 16].contains(&i) || c.is_ascii_digit())
}

/// Re-reads a lake and checks every constraint the dbt project's tests rely on.
fn check_constraints(dir: &Path) {
    let category = Table::read(dir, "category");
    let date = Table::read(dir, "date");
    let venue = Table::read(dir, "venue");
    let user = Table::read(dir, "user");
    let event = Table::read(dir, "event");
    let listing = Table::read(dir, "listing");
    let sale = Table::read(dir, "sale");

    // Keys: unique and present (parse() fails on an empty field).
    let cat_ids = category.ints("catid");
    let date_ids = date.ints("dateid");
    let venue_ids = venue.ints("venueid");
    let user_ids = user.ints("userid");
    let event_ids = event.ints("eventid");
    let list_ids = listing.ints("listid");
    let sale_ids = sale.ints("salesid");
    for (keys, what) in [
        (&cat_ids, "category"),
        (&date_ids, "date"),
        (&venue_ids, "venue"),
        (&user_ids, "user"),
        (&event_ids, "event"),
        (&list_ids, "listing"),
        (&sale_ids, "sale"),
    ] {
        assert_unique_keys(keys, what);
    }
    let usernames: HashSet<_> = user.strs("username").into_iter().collect();
    assert_eq!(usernames.len(), user.rows.len(), "usernames must be unique");
    assert!(user.strs("username").iter().all(|u| u.len() == 8));

    // Dimensions.
    assert!(category
        .strs("catgroup")
        .iter()
        .all(|g| *g == "Sports" || *g == "Shows"));
    assert_eq!(date_ids.first(), Some(&1827));
    assert_eq!(date_ids.last(), Some(&2191));
    assert!(date.strs("holiday").iter().all(|h| *h == "true" || *h == "false"));
    let us_states: HashSet<&str> = names::CITIES.iter().map(|(_, s)| *s).collect();
    assert!(venue.strs("venuestate").iter().all(|s| us_states.contains(s)));
    assert!(venue.ints("venueseats").iter().all(|s| *s > 0));
    for col in ["likesports", "likejazz", "likemusicals"] {
        let values = user.strs(col);
        assert!(values.iter().all(|v| ["true", "false", ""].contains(v)));
        assert!(values.contains(&""), "{col} should have some NULLs");
    }
    assert!(user.strs("phone").iter().all(|p| p.len() == 14));

    // Event foreign keys.
    let cat_set: HashSet<_> = cat_ids.iter().copied().collect();
    let date_set: HashSet<_> = date_ids.iter().copied().collect();
    let venue_set: HashSet<_> = venue_ids.iter().copied().collect();
    let user_set: HashSet<_> = user_ids.iter().copied().collect();
    assert!(event.ints("venueid").iter().all(|v| venue_set.contains(v)));
    assert!(event.ints("catid").iter().all(|c| cat_set.contains(c)));
    assert!(event.ints("dateid").iter().all(|d| date_set.contains(d)));
    assert!(event.strs("starttime").iter().all(|t| is_timestamp(t)));
    let event_start: HashMap<i64, &str> = event_ids.iter().copied().zip(event.strs("starttime")).collect();

    // Listings.
    let list_seller = listing.ints("sellerid");
    let list_event = listing.ints("eventid");
    let list_tickets = listing.ints("numtickets");
    let list_price = listing.cents("priceperticket");
    let list_total = listing.cents("totalprice");
    let list_time = listing.strs("listtime");
    assert!(list_seller.iter().all(|s| user_set.contains(s)));
    assert!(list_event.iter().all(|e| event_start.contains_key(e)));
    assert!(listing.ints("dateid").iter().all(|d| date_set.contains(d)));
    for i in 0..listing.rows.len() {
        assert!(list_tickets[i] >= 1);
        assert!(list_price[i] >= 100, "price per ticket must be at least 1.00");
        assert_eq!(list_total[i], list_price[i] * list_tickets[i]);
        assert!(is_timestamp(list_time[i]));
        assert!(list_time[i] < event_start[&list_event[i]]);
    }
    let by_list: HashMap<i64, usize> = list_ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();

    // Sales.
    let s_list = sale.ints("listid");
    let s_seller = sale.ints("sellerid");
    let s_buyer = sale.ints("buyerid");
    let s_event = sale.ints("eventid");
    let s_date = sale.ints("dateid");
    let s_qty = sale.ints("qtysold");
    let s_paid = sale.cents("pricepaid");
    let s_commission = sale.cents("commission");
    let s_time = sale.strs("saletime");
    let date_of: HashMap<i64, &str> = date_ids.iter().copied().zip(date.strs("caldate")).collect();
    let mut sold_per_listing: HashMap<i64, i64> = HashMap::new();
    for i in 0..sale.rows.len() {
        let l = by_list[&s_list[i]];
        assert_eq!(s_seller[i], list_seller[l], "sale seller must be the listing's");
        assert_eq!(s_event[i], list_event[l], "sale event must be the listing's");
        assert!(user_set.contains(&s_buyer[i]));
        assert_ne!(s_buyer[i], s_seller[i], "nobody buys from themselves");
        assert!((1..=8).contains(&s_qty[i]));
        assert!(s_qty[i] <= list_tickets[l]);
        assert_eq!(s_paid[i], s_qty[i] * list_price[l]);
        assert!(s_paid[i] >= 100);
        assert_eq!(s_commission[i], (s_paid[i] * 15 + 50) / 100);
        assert!(is_timestamp(s_time[i]));
        assert!(list_time[l] < s_time[i], "listtime must precede saletime");
        assert!(
            s_time[i].starts_with(date_of[&s_date[i]]),
            "dateid must be the sale's day"
        );
        *sold_per_listing.entry(s_list[i]).or_default() += s_qty[i];
    }
    for (list, sold) in sold_per_listing {
        assert!(sold <= list_tickets[by_list[&list]], "listing {list} oversold");
    }

    // Some users never buy, and they are real users.
    let buyers: HashSet<_> = s_buyer.iter().copied().collect();
    assert!(user_ids.iter().any(|u| !buyers.contains(u)));
}

fn line_count(path: &Path) -> u64 {
    let text = fs::read_to_string(path).unwrap();
    text.lines().count() as u64 - 1
}

fn assert_counts(dir: &Path, summaries: &[TableSummary], expected: &RowCounts) {
    assert_eq!(summaries.len(), 7);
    for s in summaries {
        assert_eq!(Some(s.rows), expected.get(&s.table), "{}", s.table);
        assert_eq!(line_count(&s.path), s.rows, "{} file rows", s.table);
        assert_eq!(s.path, dir.join(&s.table).join(format!("{}.txt", s.table)));
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("_manifest.json")).unwrap()).unwrap();
    let tables = manifest["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 7);
    for t in tables {
        let name = t["table"].as_str().unwrap();
        assert_eq!(t["rows"].as_u64(), expected.get(name));
    }
}

#[test]
fn same_scale_gives_identical_files() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    generate_tickit(a.path(), 0.01).unwrap();
    generate_tickit(b.path(), 0.01).unwrap();
    assert_eq!(lake_hash(a.path()), lake_hash(b.path()));

    let c = tempfile::tempdir().unwrap();
    generate_tickit(c.path(), 0.02).unwrap();
    assert_ne!(lake_hash(a.path()), lake_hash(c.path()));
}

#[test]
fn row_counts_at_one_percent() {
    let dir = tempfile::tempdir().unwrap();
    let summaries = generate_tickit(dir.path(), 0.01).unwrap();
    let expected = RowCounts {
        category: 11,
        date: 365,
        venue: 202,
        user: 500,
        event: 88,
        listing: 1925,
        sale: 1725,
    };
    assert_eq!(RowCounts::at_scale(0.01).unwrap(), expected);
    assert_counts(dir.path(), &summaries, &expected);
    let manifest = fs::read_to_string(dir.path().join("_manifest.json")).unwrap();
    assert!(manifest.contains("\"scale\": 0.01"), "{manifest}");
}

#[test]
fn constraints_hold_at_small_scales() {
    for scale in [0.0001, 0.01, 0.05] {
        let dir = tempfile::tempdir().unwrap();
        generate_tickit(dir.path(), scale).unwrap();
        check_constraints(dir.path());
    }
}

#[test]
fn tiny_scale_keeps_a_few_rows_of_each_table() {
    let counts = RowCounts::at_scale(MIN_SCALE).unwrap();
    assert_eq!(counts.user, MIN_USERS);
    assert_eq!(counts.event, MIN_EVENTS);
    assert_eq!(counts.listing, MIN_LISTINGS);
    assert_eq!(counts.sale, MIN_SALES);
}

#[test]
fn invalid_scales_are_rejected_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    for scale in [0.0, -1.0, f64::NAN, f64::INFINITY, 5000.0] {
        let err = generate_tickit(dir.path(), scale).unwrap_err();
        assert!(matches!(err, DemoError::InvalidScale { .. }));
        assert!(err.to_string().contains("pass a number between"));
    }
    // Nothing is written for a rejected scale.
    assert!(fs::read_dir(dir.path()).unwrap().next().is_none());
}

#[test]
fn unwritable_lake_reports_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    fs::write(&blocker, "not a folder").unwrap();
    let err = generate_tickit(&blocker.join("lake"), 0.01).unwrap_err();
    assert!(matches!(err, DemoError::CreateDir { .. }));
    assert!(err.to_string().contains("lake"));
}

#[test]
fn usernames_follow_the_sample_pattern_and_never_collide() {
    let mut seen = HashSet::new();
    for id in 1..=200_000u64 {
        let name = username(id);
        let b = name.as_bytes();
        assert_eq!(b.len(), 8);
        assert!(b[..3].iter().chain(&b[5..]).all(u8::is_ascii_uppercase));
        assert!(b[3..5].iter().all(u8::is_ascii_digit));
        assert!(seen.insert(name));
    }
}

/// Scale 1 is the size of the real sample. Generation takes ~0.5 s and the whole test ~2.5 s
/// in the (opt-level 1) test build; kept in the
/// default run because the full constraint check is the strongest test of the generator.
#[test]
fn full_scale_matches_the_real_sample_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let summaries = generate_tickit(dir.path(), 1.0).unwrap();
    let elapsed = started.elapsed();
    let expected = RowCounts {
        category: 11,
        date: 365,
        venue: 202,
        user: 49_990,
        event: 8_798,
        listing: 192_497,
        sale: 172_456,
    };
    assert_counts(dir.path(), &summaries, &expected);
    check_constraints(dir.path());
    eprintln!("scale 1 generated in {elapsed:?}");
}
