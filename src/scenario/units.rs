//! Plain numbers, rates and byte sizes as written in scenarios and on the command
//! line (`"1.5"`, `"64MiB"`): one parser for the scenario's SLOs, `compare
//! --limit` and the run guards.

/// A plain decimal number: digits with at most one point, no sign or
/// exponent (`"1.5"`, `"200"`, `".5"`).
pub fn parse_decimal(text: &str) -> Option<f64> {
    let text = text.trim();
    let digits = text.chars().filter(|c| c.is_ascii_digit()).count();
    let points = text.chars().filter(|c| *c == '.').count();
    if digits == 0 || points > 1 || digits + points != text.len() {
        return None;
    }
    text.parse().ok().filter(|x: &f64| x.is_finite())
}

/// A rate with its unit, in tasks per second: `"200/s"`, `"1200/min"`,
/// `"5/h"`.
pub fn parse_rate(text: &str) -> Option<f64> {
    let (number, unit) = text.split_once('/')?;
    let per = match unit.trim() {
        "s" => 1.0,
        "min" => 60.0,
        "h" => 3600.0,
        _ => return None,
    };
    Some(parse_decimal(number)? / per)
}

/// A byte size with its unit: `"4096B"`, `"500KB"`, `"64MiB"`, `"8 GiB"`
/// (decimal KB, MB, GB, TB or binary KiB, MiB, GiB, TiB).
pub fn parse_bytes(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let scale = match unit.trim() {
        "B" => 1.0,
        "KB" | "kB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        "TiB" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some(parse_decimal(number)? * scale)
}

/// A bandwidth in bits per second: `"100Mbit/s"`, `"1Gbit/s"`, `"12.5MB/s"`,
/// `"64kbit/s"` (decimal k, M, G, T; `B/s` multiplies by 8; binary `Kibit`,
/// `Mibit`, `Gibit` and `KiB/s`, `MiB/s`, `GiB/s` too). `None` for anything else.
pub fn parse_bandwidth(text: &str) -> Option<f64> {
    let (size, per) = text.trim().split_once('/')?;
    if per.trim() != "s" {
        return None;
    }
    let split = size.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = size.split_at(split);
    let (prefix, bits) = match unit.trim() {
        u if u.ends_with("bit") => (&u[..u.len() - 3], 1.0),
        u if u.ends_with('B') => (&u[..u.len() - 1], 8.0),
        _ => return None,
    };
    let scale = match prefix {
        "" => 1.0,
        "k" | "K" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some(parse_decimal(number)? * scale * bits)
}

/// A byte count in binary units: `512 B`, `16.5 KiB`, `2.8 MiB`.
pub fn format_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} GiB", b / (1024.0 * 1024.0 * 1024.0))
    } else if b >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", b / (1024.0 * 1024.0))
    } else if b >= 1024.0 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_plain() {
        assert_eq!(parse_decimal("1.5"), Some(1.5));
        assert_eq!(parse_decimal(" .5 "), Some(0.5));
        assert_eq!(parse_decimal("200"), Some(200.0));
        for bad in ["", ".", "1.2.3", "-1", "1e3", "+2", "1,5"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn rates_are_per_second() {
        assert_eq!(parse_rate("200/s"), Some(200.0));
        assert_eq!(parse_rate("1200/min"), Some(20.0));
        assert_eq!(parse_rate("36/h"), Some(0.01));
        assert_eq!(parse_rate("200"), None);
        assert_eq!(parse_rate("2/day"), None);
    }

    #[test]
    fn sizes_take_decimal_and_binary_units() {
        assert_eq!(parse_bytes("4096B"), Some(4096.0));
        assert_eq!(parse_bytes("500KB"), Some(500e3));
        assert_eq!(parse_bytes("64MiB"), Some(64.0 * 1024.0 * 1024.0));
        assert_eq!(parse_bytes("8 GiB"), Some(8.0 * 1024.0 * 1024.0 * 1024.0));
        assert_eq!(parse_bytes("1.5TB"), Some(1.5e12));
        for bad in ["64", "64 gigs", "MiB", "-1KB"] {
            assert_eq!(parse_bytes(bad), None, "{bad}");
        }
    }

    #[test]
    fn bandwidths_are_bits_per_second() {
        assert_eq!(parse_bandwidth("100Mbit/s"), Some(100e6));
        assert_eq!(parse_bandwidth("1 Gbit/s"), Some(1e9));
        assert_eq!(parse_bandwidth("12.5MB/s"), Some(100e6));
        assert_eq!(parse_bandwidth("64kbit/s"), Some(64e3));
        assert_eq!(parse_bandwidth("1Mibit/s"), Some(1024.0 * 1024.0));
        assert_eq!(parse_bandwidth("1KiB/s"), Some(8192.0));
        for bad in ["100Mbit", "100Mbps", "-1Mbit/s", "100Mbit/min", "1Xbit/s", "Mbit/s"] {
            assert_eq!(parse_bandwidth(bad), None, "{bad}");
        }
    }
}
