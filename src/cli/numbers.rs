//! Value parsers for numeric flags, so that `--seed -1` is read as a value
//! (the flags also set `allow_negative_numbers`) and refused with a message
//! naming the flag's meaning ("seed must be a non-negative integer")
//! instead of clap's tip to write `-- -1`, which would make `-1` the FILE.
//! Flags whose values carry a unit (`--max-memory 8GiB`, `--max-sim-time
//! 1h`, `--hlog-interval 1s`) set `allow_hyphen_values`, since `-1GiB` is
//! no number to clap, and their parsers refuse it through [`hyphenated`].

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

/// Why a value with a unit that starts with `-` is refused, if it does:
/// negative (`-1GiB`: "`what` must be non-negative"), or another flag
/// where the value should be (`--max-memory --quiet`). `example` is a
/// value to write instead.
pub fn hyphenated(text: &str, what: &str, example: &str) -> Option<String> {
    let rest = text.trim_start().strip_prefix('-')?;
    Some(match rest.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        true => format!("{what} must be non-negative, e.g. {example}"),
        false => format!("expected {what} (e.g. {example}), found the flag \"{text}\""),
    })
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
    if let Some(refusal) = hyphenated(text, "the hlog interval", "1s") {
        return Err(refusal);
    }
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
        assert_eq!(hyphenated("-1GiB", "the size", "8GiB").unwrap(), "the size must be non-negative, e.g. 8GiB");
        assert_eq!(hyphenated("-.5s", "the duration", "1h").unwrap(), "the duration must be non-negative, e.g. 1h");
        assert_eq!(
            hyphenated("--quiet", "the size", "8GiB").unwrap(),
            "expected the size (e.g. 8GiB), found the flag \"--quiet\""
        );
        assert_eq!(hyphenated("1GiB", "the size", "8GiB"), None);
        assert!(hlog_interval("-1s").unwrap_err().contains("non-negative"));
    }
}
