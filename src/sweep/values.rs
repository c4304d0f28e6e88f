//! `--set PATH=VALUES`: the values a sweep takes, written as a list
//! (`1,2,4`), an arithmetic range, end included (`100..2000:100`), or a
//! geometric range (`1..1024:x2`).
//!
//! A range whose bounds and step are integers gives integers; otherwise
//! floats, each rounded to 12 significant digits so `0.1..0.3:0.1` gives
//! `0.1, 0.2, 0.3` and not `0.30000000000000004`. A list item that is not
//! JSON (a number, `true`, `false`) is taken as a string (`250ms`).

use serde_json::Value;

/// Most values one `--set` may produce.
pub const MAX_VALUES: usize = 100_000;

/// Why VALUES could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "\"{text}\": {message}\n  hint: write a list (1,2,4), a range with its step (100..2000:100) or a geometric range (1..1024:x2)"
)]
pub struct ValuesError {
    pub text: String,
    pub message: String,
}

/// Parses VALUES into JSON values, in the order given.
pub fn parse_values(text: &str) -> Result<Vec<Value>, ValuesError> {
    let fail = |message: String| ValuesError { text: text.to_string(), message };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(fail("no values".into()));
    }
    if let Some((bounds, step)) = trimmed.split_once(':')
        && let Some((lo, hi)) = bounds.split_once("..")
    {
        let number = |s: &str, what: &str| -> Result<f64, ValuesError> {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| fail(format!("{what} \"{}\" is not a number", s.trim())))
        };
        let (lo_text, hi_text) = (lo.trim(), hi.trim());
        let (lo, hi) = (number(lo_text, "the start")?, number(hi_text, "the end")?);
        if hi < lo {
            return Err(fail(format!("the end {hi} is below the start {lo}")));
        }
        let integral = |s: &str| s.parse::<i64>().is_ok();
        let step = step.trim();
        let values: Vec<f64> = if let Some(factor) = step.strip_prefix('x') {
            let factor = number(factor, "the factor")?;
            if factor <= 1.0 {
                return Err(fail(format!("the factor {factor} must be above 1")));
            }
            if lo <= 0.0 {
                return Err(fail("a geometric range must start above 0".into()));
            }
            let mut values = Vec::new();
            let mut i = 0i32;
            loop {
                let v = round12(lo * factor.powi(i));
                if v > hi * (1.0 + 1e-12) {
                    break;
                }
                values.push(v);
                i += 1;
                if values.len() > MAX_VALUES {
                    return Err(fail(format!("more than {MAX_VALUES} values")));
                }
            }
            values
        } else {
            let step_value = number(step, "the step")?;
            if step_value <= 0.0 {
                return Err(fail(format!("the step {step_value} must be above 0")));
            }
            let n = ((hi - lo) / step_value + 1e-9).floor();
            if n >= MAX_VALUES as f64 {
                return Err(fail(format!("more than {MAX_VALUES} values")));
            }
            (0..=n as usize).map(|i| round12(lo + i as f64 * step_value)).collect()
        };
        let integers = integral(lo_text) && integral(hi_text) && integral(step.trim_start_matches('x'));
        return Ok(values
            .into_iter()
            .map(|v| if integers { Value::from(v.round() as i64) } else { number_value(v) })
            .collect());
    }
    if trimmed.contains("..") {
        return Err(fail("a range needs a step: LO..HI:STEP or LO..HI:xFACTOR".into()));
    }
    trimmed
        .split(',')
        .map(|item| {
            let item = item.trim();
            if item.is_empty() {
                return Err(fail("an empty item in the list".into()));
            }
            Ok(match serde_json::from_str::<Value>(item) {
                Ok(v @ (Value::Number(_) | Value::Bool(_) | Value::String(_) | Value::Null)) => v,
                _ => Value::String(item.to_string()),
            })
        })
        .collect()
}

/// A float as JSON: an integer when it is one (`200.0` → `200`).
pub fn number_value(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
    }
}

/// `x` rounded to 12 significant digits.
pub fn round12(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.11e}").parse().unwrap_or(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_ranges_and_geometric_ranges() {
        assert_eq!(parse_values("1,2,4").unwrap(), vec![json!(1), json!(2), json!(4)]);
        assert_eq!(
            parse_values("100..500:100").unwrap(),
            vec![json!(100), json!(200), json!(300), json!(400), json!(500)]
        );
        assert_eq!(parse_values("1..1024:x2").unwrap().len(), 11);
        assert_eq!(parse_values("1..1000:x2").unwrap().last(), Some(&json!(512)));
        assert_eq!(parse_values("0.1..0.3:0.1").unwrap(), vec![json!(0.1), json!(0.2), json!(0.3)]);
        assert_eq!(parse_values("250ms,1s").unwrap(), vec![json!("250ms"), json!("1s")]);
        assert_eq!(parse_values("true,false").unwrap(), vec![json!(true), json!(false)]);
    }

    #[test]
    fn bad_values_say_what_is_wrong() {
        assert!(parse_values("").is_err());
        assert!(parse_values("1..10").unwrap_err().message.contains("step"));
        assert!(parse_values("10..1:1").unwrap_err().message.contains("below"));
        assert!(parse_values("1..10:0").is_err());
        assert!(parse_values("0..10:x2").is_err());
        assert!(parse_values("1..10:x1").is_err());
        assert!(parse_values("1,,2").is_err());
    }
}
