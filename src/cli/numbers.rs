//! Value parsers for numeric flags, so that `--seed -1` is read as a value
//! (the flags also set `allow_negative_numbers`) and refused with a message
//! naming the flag's meaning ("seed must be a non-negative integer")
//! instead of clap's tip to write `-- -1`, which would make `-1` the FILE.

use std::fmt::Display;
use std::str::FromStr;

/// A whole number of at least `min`; `what` names it in the message.
pub fn whole<T>(what: &'static str, min: T) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static
where
    T: FromStr + PartialOrd + Display + Copy + Send + Sync + 'static,
{
    move |text: &str| {
        let expected = || match min.to_string().as_str() {
            "0" => format!("{what} must be a non-negative integer"),
            min => format!("{what} must be an integer ≥ {min}"),
        };
        let text = text.trim();
        match text.parse::<T>() {
            Ok(n) if n >= min => Ok(n),
            Ok(_) => Err(expected()),
            // A whole number too large for the type (not a negative one).
            Err(_) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
                Err(format!("{} (at most {})", expected(), max_of::<T>()))
            }
            Err(_) => Err(expected()),
        }
    }
}

/// A finite number > 0; `what` names it in the message.
pub fn positive(what: &'static str) -> impl Fn(&str) -> Result<f64, String> + Clone + Send + Sync + 'static {
    move |text: &str| match text.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("{what} must be a number > 0")),
    }
}

/// The largest value of `T`, as text, found by parsing: `u64::MAX` and
/// smaller types' maxima.
fn max_of<T: FromStr + Display>() -> String {
    ["18446744073709551615", "4294967295", "65535", "255"]
        .iter()
        .find_map(|m| m.parse::<T>().ok())
        .map(|m| m.to_string())
        .unwrap_or_default()
}

/// `--hlog-interval`: a duration (`250ms`, `1s`, `1min`) of whole
/// milliseconds, at least 1 ms, since the interval log writes its
/// timestamps and lengths in seconds with three decimals.
pub fn hlog_interval(text: &str) -> Result<simbench::time::SimDuration, String> {
    let expected = "the hlog interval must be a duration of whole milliseconds, at least 1ms (e.g. 250ms, 1s, 1min)";
    match simbench::scenario::parse_duration(text.trim()) {
        Ok(d) if d.as_nanos() >= 1_000_000 && d.as_nanos() % 1_000_000 == 0 => Ok(d),
        Ok(d) => Err(format!("{expected}; {d} is not")),
        Err(e) => Err(format!("{expected}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_and_malformed_numbers_get_the_flags_meaning() {
        let seed = whole("seed", 0u64);
        assert_eq!(seed("42"), Ok(42));
        assert_eq!(seed("-1").unwrap_err(), "seed must be a non-negative integer");
        assert_eq!(seed("x").unwrap_err(), "seed must be a non-negative integer");
        let jobs = whole("jobs", 1u16);
        assert_eq!(jobs("0").unwrap_err(), "jobs must be an integer ≥ 1");
        assert_eq!(jobs("70000").unwrap_err(), "jobs must be an integer ≥ 1 (at most 65535)");
        assert_eq!(positive("precision")("-0.5").unwrap_err(), "precision must be a number > 0");
        assert_eq!(positive("precision")("0.5"), Ok(0.5));
    }
}
