//! Reading input files (scenarios, runtime profiles, baselines and reports,
//! sweep shards) with a size cap, so that `/dev/zero` or a runaway file
//! given as input is refused with a message instead of read until memory
//! runs out.
//!
//! The cap is process-wide: [`DEFAULT_MAX_INPUT_BYTES`] unless the CLI's
//! `--max-input-size` sets another ([`set_max_input_bytes`]). It is a guard,
//! never an input to a result: a file under the cap reads the same whatever
//! the cap. Files are read as streams (at most cap + 1 bytes), so pipes and
//! process substitution (`<(…)`) work as before.

use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// 256 MiB: far above any honest scenario or report (a million-sample
/// empirical distribution is about 10 MB of JSON).
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

static MAX_INPUT_BYTES: AtomicU64 = AtomicU64::new(DEFAULT_MAX_INPUT_BYTES);

/// Sets the cap for every later read (the CLI's `--max-input-size`).
pub fn set_max_input_bytes(bytes: u64) {
    MAX_INPUT_BYTES.store(bytes, Ordering::Relaxed);
}

/// The cap in force.
pub fn max_input_bytes() -> u64 {
    MAX_INPUT_BYTES.load(Ordering::Relaxed)
}

/// Reads the whole file, or fails with [`io::ErrorKind::FileTooLarge`] and a
/// message naming the cap and how to raise it.
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    let cap = max_input_bytes();
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!(
                "it is larger than the input size cap of {} (raise it with `--max-input-size`, e.g. `--max-input-size 2GiB`)",
                describe(cap)
            ),
        ));
    }
    Ok(bytes)
}

/// [`read`], as UTF-8 text.
pub fn read_to_string(path: &Path) -> io::Result<String> {
    String::from_utf8(read(path)?).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// 268435456 → "256 MiB".
fn describe(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if bytes >= size && bytes % size == 0 {
            return format!("{} {unit}", bytes / size);
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_are_described_in_binary_units() {
        assert_eq!(describe(DEFAULT_MAX_INPUT_BYTES), "256 MiB");
        assert_eq!(describe(3 << 30), "3 GiB");
        assert_eq!(describe(1000), "1000 bytes");
    }
}
