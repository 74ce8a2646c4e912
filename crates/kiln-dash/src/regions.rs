//! Which region a value names: US states by name, postal code or FIPS code; countries by name or
//! ISO 3166 alpha-2 / alpha-3 / numeric code. The tables are `assets/maps/*.json`, which the UI's
//! maps read too, so a value the engine recognises is one the map can fill.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

#[derive(Deserialize)]
struct State {
    fips: String,
    code: String,
    name: String,
}

#[derive(Deserialize)]
struct Country {
    iso2: String,
    iso3: String,
    numeric: String,
    names: Vec<String>,
}

fn normalise(value: &str) -> String {
    value.trim().to_lowercase()
}

/// value (lower case) → canonical key (the FIPS code of a state, the numeric code of a country).
fn table<T: for<'de> Deserialize<'de>>(
    cell: &'static OnceLock<HashMap<String, String>>,
    json: &str,
    keys: impl Fn(&T) -> (String, Vec<String>),
) -> &'static HashMap<String, String> {
    cell.get_or_init(|| {
        // The tables are compiled in and checked by the tests below; an unreadable one matches nothing.
        let rows: Vec<T> = serde_json::from_str(json).unwrap_or_default();
        let mut map = HashMap::new();
        for row in &rows {
            let (key, names) = keys(row);
            for name in names {
                map.insert(normalise(&name), key.clone());
            }
        }
        map
    })
}

/// The FIPS code of the US state (or territory) `value` names, if it names one.
pub fn us_state_key(value: &str) -> Option<&'static str> {
    static CELL: OnceLock<HashMap<String, String>> = OnceLock::new();
    let map = table::<State>(&CELL, include_str!("../../../assets/maps/us-states.json"), |s| {
        (s.fips.clone(), vec![s.code.clone(), s.name.clone(), s.fips.clone()])
    });
    map.get(&normalise(value)).map(String::as_str)
}

/// The ISO numeric code of the country `value` names, if it names one.
pub fn country_key(value: &str) -> Option<&'static str> {
    static CELL: OnceLock<HashMap<String, String>> = OnceLock::new();
    let map = table::<Country>(&CELL, include_str!("../../../assets/maps/countries.json"), |c| {
        let mut names = c.names.clone();
        names.extend([c.iso2.clone(), c.iso3.clone(), c.numeric.clone()]);
        (c.numeric.clone(), names)
    });
    map.get(&normalise(value)).map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_by_name_code_and_fips() {
        assert_eq!(us_state_key("CA"), Some("06"));
        assert_eq!(us_state_key(" california "), Some("06"));
        assert_eq!(us_state_key("District of Columbia"), Some("11"));
        assert_eq!(us_state_key("72"), Some("72"));
        assert_eq!(us_state_key("Atlantis"), None);
    }

    #[test]
    fn countries_by_name_and_codes() {
        assert_eq!(country_key("Australia"), Some("036"));
        assert_eq!(country_key("AUS"), Some("036"));
        assert_eq!(country_key("au"), Some("036"));
        assert_eq!(country_key("United States of America"), Some("840"));
        assert_eq!(country_key("Narnia"), None);
    }
}
