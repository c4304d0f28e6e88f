//! Virtual time: integer nanoseconds behind newtypes.
//!
//! Every stage shares these two types. The engine's clock never holds a float:
//! [`SimTime`] is an instant since the start of a run and [`SimDuration`] a
//! span, both in whole nanoseconds. Floats appear only at the edges, when a
//! distribution is sampled (and rounded to a whole nanosecond) and when a
//! report converts to seconds.
//!
//! Invariant: arithmetic saturates instead of wrapping, so a pathological
//! scenario cannot make time go backwards; validation keeps real scenarios far
//! below `u64::MAX` ns (about 584 years).

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// Nanoseconds per second, as an integer.
pub const NANOS_PER_SEC: u64 = 1_000_000_000;

/// An instant of virtual time, in nanoseconds since the run began.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(u64);

/// A span of virtual time, in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(u64);

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// Later than any real event; used as "never".
    pub const NEVER: SimTime = SimTime(u64::MAX);

    pub const fn from_nanos(nanos: u64) -> Self {
        SimTime(nanos)
    }

    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Seconds as a float, for reports only.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_SEC as f64
    }

    /// The span from `earlier` to `self`, or zero if `earlier` is later.
    pub fn saturating_since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);
    pub const MAX: SimDuration = SimDuration(u64::MAX);

    pub const fn from_nanos(nanos: u64) -> Self {
        SimDuration(nanos)
    }

    pub const fn from_micros(micros: u64) -> Self {
        SimDuration(micros.saturating_mul(1_000))
    }

    pub const fn from_millis(millis: u64) -> Self {
        SimDuration(millis.saturating_mul(1_000_000))
    }

    pub const fn from_secs(secs: u64) -> Self {
        SimDuration(secs.saturating_mul(NANOS_PER_SEC))
    }

    /// Rounds a non-negative number of nanoseconds to the nearest whole one;
    /// NaN and negatives become zero, values past `u64::MAX` saturate.
    pub fn from_nanos_f64(nanos: f64) -> Self {
        if nanos.is_nan() || nanos <= 0.0 {
            SimDuration(0)
        } else if nanos >= u64::MAX as f64 {
            SimDuration(u64::MAX)
        } else if nanos < (1u64 << 53) as f64 {
            // Round half away from zero, as `f64::round`, without its
            // out-of-line call: the truncation and the difference are exact
            // (below 2^53 the fraction is representable). Signed
            // conversions: one instruction each, where unsigned ones branch.
            let whole = nanos as i64;
            let fraction = nanos - whole as f64;
            SimDuration(if fraction >= 0.5 { whole as u64 + 1 } else { whole as u64 })
        } else {
            // From 2^53 up every `f64` is whole.
            SimDuration(nanos as u64)
        }
    }

    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Seconds as a float, for reports only.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_SEC as f64
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn min(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.min(other.0))
    }

    pub fn saturating_sub(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_sub(other.0))
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, rhs: SimDuration) {
        self.0 = self.0.saturating_add(rhs.0);
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, rhs: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign for SimDuration {
    fn add_assign(&mut self, rhs: SimDuration) {
        self.0 = self.0.saturating_add(rhs.0);
    }
}

impl Sub for SimTime {
    type Output = SimDuration;
    /// Saturating: an earlier minus a later instant is zero.
    fn sub(self, rhs: SimTime) -> SimDuration {
        self.saturating_since(rhs)
    }
}

/// Human units chosen by magnitude: `0`, `40µs`, `250ms`, `1.5s`, `2m 05s`.
impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_seconds(self.as_secs_f64()))
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6}s", self.as_secs_f64())
    }
}

/// Formats seconds in the unit that suits their magnitude, with three
/// significant digits: `0`, `850ns`, `40.0µs`, `250ms`, `1.50s`, `15.0s`,
/// `2.5min`, `1.2h`.
pub fn format_seconds(secs: f64) -> String {
    if !secs.is_finite() {
        return "-".to_string();
    }
    if secs == 0.0 {
        return "0".to_string();
    }
    // Round first so the unit suits the printed value (0.9996 s is "1.00s").
    let secs = round_three(secs);
    let abs = secs.abs();
    let (value, unit) = if abs < 1e-6 {
        (secs * 1e9, "ns")
    } else if abs < 1e-3 {
        (secs * 1e6, "µs")
    } else if abs < 1.0 {
        (secs * 1e3, "ms")
    } else if abs < 120.0 {
        (secs, "s")
    } else if abs < 7200.0 {
        (secs / 60.0, "min")
    } else {
        (secs / 3600.0, "h")
    };
    format!("{}{unit}", three_significant(value))
}

/// `value` rounded to three significant digits.
fn round_three(value: f64) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let magnitude = value.abs().log10().floor() as i32;
    let scale = 10f64.powi(2 - magnitude);
    (value * scale).round() / scale
}

/// Three significant digits without an exponent: `1.50`, `15.0`, `250`,
/// `0.0583`. Rounds first, so 99.96 becomes `100`, not `100.0`.
pub fn three_significant(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let rounded = round_three(value);
    let magnitude = rounded.abs().log10().floor() as i32;
    let decimals = (2 - magnitude).max(0) as usize;
    format!("{rounded:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates() {
        assert_eq!(SimTime::NEVER + SimDuration::from_secs(1), SimTime::NEVER);
        assert_eq!(SimTime::ZERO - SimTime::from_nanos(5), SimDuration::ZERO);
    }

    #[test]
    fn rounding_from_float() {
        assert_eq!(SimDuration::from_nanos_f64(1.5).as_nanos(), 2);
        assert_eq!(SimDuration::from_nanos_f64(-3.0), SimDuration::ZERO);
        assert_eq!(SimDuration::from_nanos_f64(f64::NAN), SimDuration::ZERO);
        assert_eq!(SimDuration::from_nanos_f64(1e30), SimDuration::MAX);
    }

    #[test]
    fn rounding_matches_f64_round() {
        let mut cases = vec![0.5, 1.5, 2.5, 0.49999999999999994, 4503599627370495.5, 9007199254740993.0, 1.8e19];
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Magnitudes from 1e-3 to 1e19, and exact halves.
            cases.push(f64::from_bits((x >> 12) | (0x3f5u64 << 52)) * (1u64 << (x % 60)) as f64);
            cases.push((x % 1_000_000) as f64 + 0.5);
        }
        for v in cases {
            let expected = if v >= u64::MAX as f64 { u64::MAX } else { v.round() as u64 };
            assert_eq!(SimDuration::from_nanos_f64(v).as_nanos(), expected, "{v}");
        }
    }

    #[test]
    fn human_units() {
        assert_eq!(format_seconds(0.0), "0");
        assert_eq!(format_seconds(15.0), "15.0s");
        assert_eq!(format_seconds(0.25), "250ms");
        assert_eq!(format_seconds(40e-6), "40.0µs");
        assert_eq!(format_seconds(1.5), "1.50s");
        assert_eq!(format_seconds(300.0), "5.00min");
        assert_eq!(format_seconds(0.09998), "100ms");
        assert_eq!(format_seconds(0.9996), "1.00s");
        assert_eq!(three_significant(0.058333), "0.0583");
        assert_eq!(three_significant(1.4), "1.40");
    }
}
