//! Duration literals: `"5s"`, `"250ms"`, `"40us"`, `"1.5s"`, `"2min"`, `"0"`.
//!
//! Invariant: a literal converts to an exact integer number of nanoseconds or
//! is rejected; no float ever stands between the text and the
//! [`SimDuration`], so `"0.1s"` is exactly 100 000 000 ns.

use crate::time::SimDuration;

/// Units accepted after the number, with their size in nanoseconds.
pub const UNITS: &[(&str, u64)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("μs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("min", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// Why a duration literal was rejected; `Display` completes
/// "expected a duration: …".
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("durations must be ≥ 0")]
    Negative,
    #[error("missing unit; write e.g. \"{0}ms\" or \"{0}s\"")]
    MissingUnit(String),
    #[error("unknown unit \"{0}\"; use one of ns, us, ms, s, min, h")]
    UnknownUnit(String),
    #[error("\"{0}\" is not a number followed by a unit, such as \"250ms\"")]
    Malformed(String),
    #[error("\"{0}\" is finer than the simulator's resolution of 1 ns")]
    TooFine(String),
    #[error("\"{0}\" is too long; the longest duration is about 584 years")]
    TooLong(String),
}

/// Parses a duration literal into exact nanoseconds.
///
/// ```
/// use simbench::scenario::parse_duration;
/// assert_eq!(parse_duration("1.5s").unwrap().as_nanos(), 1_500_000_000);
/// assert_eq!(parse_duration("40us").unwrap().as_nanos(), 40_000);
/// assert!(parse_duration("-1s").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<SimDuration, DurationError> {
    let text = text.trim();
    if text.starts_with('-') {
        return Err(DurationError::Negative);
    }
    let number_len = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(number_len);
    let unit = unit.trim_start();
    let (whole, fraction) = match number.split_once('.') {
        Some((w, f)) => (w, f),
        None => (number, ""),
    };
    if number.is_empty() || (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
        return Err(DurationError::Malformed(text.to_string()));
    }
    let scale = if unit.is_empty() {
        let all_zero = number.chars().all(|c| c == '0' || c == '.');
        if all_zero {
            return Ok(SimDuration::ZERO);
        }
        return Err(DurationError::MissingUnit(number.to_string()));
    } else {
        match UNITS.iter().find(|(name, _)| *name == unit) {
            Some((_, scale)) => *scale,
            None if unit.chars().all(|c| c.is_alphabetic()) => {
                return Err(DurationError::UnknownUnit(unit.to_string()));
            }
            None => return Err(DurationError::Malformed(text.to_string())),
        }
    };
    let too_long = || DurationError::TooLong(text.to_string());
    let whole: u128 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| too_long())? };
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > 18 {
        return Err(DurationError::TooFine(text.to_string()));
    }
    let fraction_value: u128 = if fraction.is_empty() { 0 } else { fraction.parse().expect("digits only") };
    let denominator = 10u128.pow(fraction.len() as u32);
    let fraction_ns = fraction_value * scale as u128;
    if fraction_ns % denominator != 0 {
        return Err(DurationError::TooFine(text.to_string()));
    }
    let nanos = whole.checked_mul(scale as u128).and_then(|w| w.checked_add(fraction_ns / denominator));
    match nanos {
        Some(n) if n <= u64::MAX as u128 => Ok(SimDuration::from_nanos(n as u64)),
        _ => Err(too_long()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(text: &str) -> u64 {
        parse_duration(text).unwrap().as_nanos()
    }

    #[test]
    fn every_unit_converts_exactly() {
        assert_eq!(ns("7ns"), 7);
        assert_eq!(ns("40us"), 40_000);
        assert_eq!(ns("40µs"), 40_000);
        assert_eq!(ns("250ms"), 250_000_000);
        assert_eq!(ns("5s"), 5_000_000_000);
        assert_eq!(ns("2min"), 120_000_000_000);
        assert_eq!(ns("1h"), 3_600_000_000_000);
    }

    #[test]
    fn fractions_are_exact_not_floating_point() {
        assert_eq!(ns("0.1s"), 100_000_000);
        assert_eq!(ns("1.5s"), 1_500_000_000);
        assert_eq!(ns(".5ms"), 500_000);
        assert_eq!(ns("2.50s"), 2_500_000_000);
        assert_eq!(ns("5 s"), 5_000_000_000);
    }

    #[test]
    fn zero_needs_no_unit() {
        assert_eq!(ns("0"), 0);
        assert_eq!(ns("0.0"), 0);
    }

    #[test]
    fn bad_literals_say_why() {
        assert_eq!(parse_duration("-1s"), Err(DurationError::Negative));
        assert_eq!(parse_duration("5"), Err(DurationError::MissingUnit("5".into())));
        assert_eq!(parse_duration("5sec"), Err(DurationError::UnknownUnit("sec".into())));
        assert_eq!(parse_duration("abc"), Err(DurationError::Malformed("abc".into())));
        assert_eq!(parse_duration("1.2.3s"), Err(DurationError::Malformed("1.2.3s".into())));
        assert_eq!(parse_duration("0.5ns"), Err(DurationError::TooFine("0.5ns".into())));
        assert_eq!(parse_duration("999999999h"), Err(DurationError::TooLong("999999999h".into())));
    }
}
