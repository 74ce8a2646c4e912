//! The IoT sensors of the Firehose → Redshift → QuickSight post (`projects/sensors`): six
//! temperature sensors whose readings follow a sine wave, as its `kinesis_put_streaming_data.py`
//! generates them, as JSON objects `{"guid": …, "ts": …, "temp": …}` for the Firehose delivery
//! stream `sensors`.
//!
//! The post's generator, per sensor thread: `amplitude = sin(arange(0, 20, 0.1))` (200 steps, then
//! the cycle starts again), one reading per step, `temp = round((amplitude + 1) * temp_max +
//! uniform(5, 5) + 60, 2)` — `uniform(5, 5)` is always 5, so the readings have no noise and lie in
//! `65 ..= 65 + 2 * temp_max` °F — and the threads start 0, 5, 15, 20, 35 and 45 minutes apart
//! (300 s offsets), a reading a minute. Here the six sensors report in turn from the start, each
//! that many steps behind the first, so their waves keep the post's phase shift; a step is one
//! reading, not one minute, so at the default 6 readings a second a cycle takes 200 s.
//!
//! Everything is a function of the start time, the rate and the reading's index: the same
//! arguments always give the same readings.

use serde::Serialize;

/// One of the post's sensors.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sensor {
    /// Device GUID, as in the project's `sensor` seed and the messages' `guid`.
    pub guid: &'static str,
    /// The wave's half-range: readings lie in `65 ..= 65 + 2 * temp_max`.
    pub temp_max: f64,
    /// How many steps this sensor is behind the first (its thread's start offset / 60 s).
    pub lag_steps: u64,
}

/// The post's six sensors, in the order of its `sensor_guids` list and threads.
pub const SENSORS: [Sensor; 6] = [
    Sensor {
        guid: "03e39872-e105-4be4-83c0-9ade818465dc",
        temp_max: 25.0,
        lag_steps: 0,
    },
    Sensor {
        guid: "fa565921-fddd-4bfb-a7fd-d617f816df4b",
        temp_max: 10.0,
        lag_steps: 5,
    },
    Sensor {
        guid: "d120422d-5789-435d-9dc6-73d8489b04c2",
        temp_max: 7.0,
        lag_steps: 15,
    },
    Sensor {
        guid: "93238559-4d55-4b2a-bdcb-6aa3be0f3908",
        temp_max: 30.0,
        lag_steps: 20,
    },
    Sensor {
        guid: "dbc05806-6872-4f0a-aca2-f794cc39bd9b",
        temp_max: 5.0,
        lag_steps: 35,
    },
    Sensor {
        guid: "f9ade639-f936-4954-aa5a-1f2ed86c9bcf",
        temp_max: 12.0,
        lag_steps: 45,
    },
];

/// Steps in one cycle of the wave (`arange(0, 20, 0.1)`).
pub const CYCLE_STEPS: u64 = 200;
/// Radians per step.
pub const STEP_RADIANS: f64 = 0.1;
/// The lowest reading any sensor gives: `(−1 + 1) * temp_max + 5 + 60`.
pub const MIN_TEMP: f64 = 65.0;
/// Readings a second unless told otherwise: each sensor once a second.
pub const DEFAULT_RATE: u32 = 6;

impl Sensor {
    /// The highest reading this sensor gives.
    pub fn max_temp(&self) -> f64 {
        MIN_TEMP + 2.0 * self.temp_max
    }

    /// The reading at `step` of the wave (any step: the wave repeats every [`CYCLE_STEPS`]).
    pub fn temperature(&self, step: u64) -> f64 {
        let amplitude = ((step % CYCLE_STEPS) as f64 * STEP_RADIANS).sin();
        round2((amplitude + 1.0) * self.temp_max + 5.0 + 60.0)
    }
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// One reading, the JSON object a record carries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reading {
    pub guid: &'static str,
    /// When the reading is taken, in seconds since 1970-01-01 UTC.
    pub ts: i64,
    /// °F, two decimals.
    pub temp: f64,
}

impl Reading {
    /// `{"guid":"…","ts":…,"temp":…}`: the record's data.
    pub fn to_json(&self) -> String {
        // A struct of a string, an integer and a finite float always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The readings of a run: reading `k` is sensor `k % 6`'s `k / 6`th, taken at
/// `start + k / rate` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SensorSimulator {
    start: i64,
    rate: u32,
}

impl SensorSimulator {
    /// Readings from `start` (epoch seconds) at `rate` readings a second (at least 1).
    pub fn new(start: i64, rate: u32) -> Self {
        SensorSimulator {
            start,
            rate: rate.max(1),
        }
    }

    pub fn start(&self) -> i64 {
        self.start
    }

    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// The `k`th reading.
    pub fn reading(&self, k: u64) -> Reading {
        let count = SENSORS.len() as u64;
        let sensor = &SENSORS[(k % count) as usize];
        let own = k / count;
        let step = (own + CYCLE_STEPS - sensor.lag_steps % CYCLE_STEPS) % CYCLE_STEPS;
        Reading {
            guid: sensor.guid,
            ts: self.start.saturating_add((k / u64::from(self.rate)) as i64),
            temp: sensor.temperature(step),
        }
    }

    /// How many readings are due `elapsed_ms` after the start: those taken in the seconds that
    /// have begun, spread evenly over each second.
    pub fn due(&self, elapsed_ms: u64) -> u64 {
        elapsed_ms.saturating_mul(u64::from(self.rate)) / 1000 + 1
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn readings_stay_in_each_sensors_range_and_reach_both_ends() {
        for sensor in &SENSORS {
            let temps: Vec<f64> = (0..CYCLE_STEPS).map(|s| sensor.temperature(s)).collect();
            let low = temps.iter().copied().fold(f64::INFINITY, f64::min);
            let high = temps.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            assert!(
                low >= MIN_TEMP && high <= sensor.max_temp(),
                "{}: {low}..{high}",
                sensor.guid
            );
            // sin reaches ±1 within 0.005 over 200 steps of 0.1 rad.
            assert!(low - MIN_TEMP < 0.01 * sensor.temp_max, "{}: low {low}", sensor.guid);
            assert!(
                sensor.max_temp() - high < 0.01 * sensor.temp_max,
                "{}: high {high}",
                sensor.guid
            );
            // Two decimals, as NUMERIC(5, 2) keeps them.
            assert!(temps.iter().all(|t| ((t * 100.0).round() - t * 100.0).abs() < 1e-6));
        }
    }

    #[test]
    fn the_posts_formula() {
        // Step 0: sin(0) = 0, so (0 + 1) * temp_max + 65.
        assert_eq!(SENSORS[0].temperature(0), 90.0);
        // Step 16: sin(1.6) = 0.99957…: (1.99957) * 25 + 65 = 114.99.
        assert_eq!(SENSORS[0].temperature(16), 114.99);
        assert_eq!(SENSORS[3].temperature(CYCLE_STEPS + 16), SENSORS[3].temperature(16));
    }

    #[test]
    fn the_simulation_is_periodic_and_deterministic() {
        let sim = SensorSimulator::new(1_700_000_000, 6);
        let period = CYCLE_STEPS * SENSORS.len() as u64;
        for k in 0..period {
            let (a, b) = (sim.reading(k), sim.reading(k + period));
            assert_eq!((a.guid, a.temp), (b.guid, b.temp), "reading {k}");
            assert_eq!(
                b.ts - a.ts,
                (period / 6) as i64,
                "a cycle is 200 s at 6 readings a second"
            );
            assert_eq!(a, SensorSimulator::new(1_700_000_000, 6).reading(k));
        }
        // The six sensors report in turn, six readings a second.
        let first: Vec<(&str, i64)> = (0..7).map(|k| sim.reading(k)).map(|r| (r.guid, r.ts)).collect();
        assert_eq!(first[0], (SENSORS[0].guid, 1_700_000_000));
        assert_eq!(first[5], (SENSORS[5].guid, 1_700_000_000));
        assert_eq!(first[6], (SENSORS[0].guid, 1_700_000_001));
        // Sensor 2 is five steps behind sensor 1: its first reading is sensor 1's 195th step.
        assert_eq!(sim.reading(1).temp, SENSORS[1].temperature(CYCLE_STEPS - 5));
        assert_eq!(sim.reading(6 * 5 + 1).temp, SENSORS[1].temperature(0));
    }

    #[test]
    fn json_is_what_the_delivery_copies() {
        let reading = SensorSimulator::new(1_583_292_719, 6).reading(0);
        assert_eq!(
            reading.to_json(),
            r#"{"guid":"03e39872-e105-4be4-83c0-9ade818465dc","ts":1583292719,"temp":90.0}"#
        );
    }

    #[test]
    fn readings_fall_due_evenly() {
        let sim = SensorSimulator::new(0, 6);
        assert_eq!(sim.due(0), 1);
        assert_eq!(sim.due(999), 6);
        assert_eq!(sim.due(1000), 7);
        assert_eq!(SensorSimulator::new(0, 0).rate(), 1);
    }
}
