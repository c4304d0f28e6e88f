//! Shared resources over a run: per-link totals and utilisation over time.
//!
//! [`ResourceRecorder`] follows the engine's [`ResourceChange`]s (reported
//! only for scenarios with links or services). For each resource (the CPU,
//! every link, every service's servers) it integrates the busy fraction (`busy / capacity`, capped at 1)
//! over time, exactly in busy-nanoseconds, and keeps:
//! - totals: busy time, peak occupancy, bytes delivered (links);
//! - a utilisation series in [`BINS`] equal bins of virtual time that start
//!   1 ms wide and double (merging neighbours) whenever the run outgrows
//!   them, so memory stays fixed however long the run.
//!
//! Invariants: bins hold busy-nanoseconds ≤ their width; the series is a pure
//! function of the calls received.

use crate::engine::{Resource, ResourceChange};
use crate::time::SimTime;

/// Bins of the utilisation series.
pub const BINS: usize = 120;
/// The first bins' width, in nanoseconds.
const FIRST_WIDTH_NS: u64 = 1_000_000;

/// One resource's state and totals.
#[derive(Clone, Debug, Default)]
struct Track {
    /// Current busy fraction (0..=1) and since when.
    level: f64,
    since: u64,
    busy: u32,
    peak: u32,
    /// Busy-nanoseconds (fraction × time) in all.
    busy_ns: f64,
    bytes: u64,
    bins: Vec<f64>,
}

/// Totals and series of the CPU, the links and the services.
#[derive(Clone, Debug)]
pub struct ResourceRecorder {
    /// In order of first report (a handful: searched linearly).
    tracks: Vec<(Resource, Track)>,
    width: u64,
}

impl Default for ResourceRecorder {
    fn default() -> Self {
        ResourceRecorder { tracks: Vec::new(), width: FIRST_WIDTH_NS }
    }
}

/// A link's totals over a run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LinkTotals {
    pub bytes: u64,
    /// Time with at least one transfer, in nanoseconds.
    pub busy_ns: f64,
    pub peak_transfers: u32,
}

/// One resource's utilisation over time: `(bin middle in s, fraction)`.
#[derive(Clone, Debug, PartialEq)]
pub struct UtilisationSeries {
    /// `cpu` or `link <name>`.
    pub resource: String,
    pub points: Vec<(f64, f64)>,
}

impl ResourceRecorder {
    fn find(&self, resource: Resource) -> Option<&Track> {
        self.tracks.iter().find(|(r, _)| *r == resource).map(|(_, t)| t)
    }

    pub fn record(&mut self, change: &ResourceChange) {
        let i = match self.tracks.iter().position(|(r, _)| *r == change.resource) {
            Some(i) => i,
            None => {
                self.tracks.push((change.resource, Track { bins: vec![0.0; BINS], ..Track::default() }));
                self.tracks.len() - 1
            }
        };
        let now = change.time.as_nanos();
        self.settle(i, now);
        let t = &mut self.tracks[i].1;
        t.level = (f64::from(change.busy) / f64::from(change.capacity.max(1))).min(1.0);
        t.busy = change.busy;
        t.peak = t.peak.max(change.busy);
        t.bytes += change.bytes;
    }

    /// Integrates track `i`'s current level from its `since` to `now`.
    fn settle(&mut self, i: usize, now: u64) {
        while now > self.width * BINS as u64 {
            self.widen();
        }
        let width = self.width;
        let t = &mut self.tracks[i].1;
        if t.level > 0.0 && now > t.since {
            t.busy_ns += t.level * (now - t.since) as f64;
            let mut from = t.since;
            while from < now {
                let bin = (from / width) as usize;
                let end = ((bin as u64 + 1) * width).min(now);
                t.bins[bin.min(BINS - 1)] += t.level * (end - from) as f64;
                from = end;
            }
        }
        t.since = now;
    }

    /// Doubles the bin width, merging neighbours.
    fn widen(&mut self) {
        for (_, t) in &mut self.tracks {
            for b in 0..BINS / 2 {
                t.bins[b] = t.bins[2 * b] + t.bins[2 * b + 1];
            }
            t.bins[BINS / 2..].fill(0.0);
        }
        self.width *= 2;
    }

    /// Brings every track up to `end` (call once, at the run's end).
    pub fn finish(&mut self, end: SimTime) {
        for i in 0..self.tracks.len() {
            self.settle(i, end.as_nanos());
        }
    }

    /// Link `i`'s totals (zero if it never carried anything).
    pub fn link(&self, i: usize) -> LinkTotals {
        self.find(Resource::Link(i as u16)).map_or(LinkTotals::default(), |t| LinkTotals {
            bytes: t.bytes,
            busy_ns: t.busy_ns,
            peak_transfers: t.peak,
        })
    }

    /// A resource's busy-nanoseconds (occupancy / capacity, integrated).
    pub fn busy_ns(&self, resource: Resource) -> f64 {
        self.find(resource).map_or(0.0, |t| t.busy_ns)
    }

    /// The CPU's busy-nanoseconds as reported (slots in use / slots).
    pub fn cpu_busy_ns(&self) -> f64 {
        self.busy_ns(Resource::Cpu)
    }

    /// Whether any change was recorded.
    pub fn is_empty(&self) -> bool {
        self.tracks.is_empty()
    }

    /// The series up to `end`: the CPU first, then links by index (named by
    /// `link_names`), then services (named by `service_names`).
    pub fn series(&self, end: SimTime, link_names: &[String], service_names: &[String]) -> Vec<UtilisationSeries> {
        if self.tracks.is_empty() {
            return Vec::new();
        }
        let end = end.as_nanos();
        let bins = (end.div_ceil(self.width) as usize).clamp(1, BINS);
        let resources = std::iter::once((Resource::Cpu, "cpu".to_string()))
            .chain(link_names.iter().enumerate().map(|(i, n)| (Resource::Link(i as u16), format!("link {n}"))))
            .chain(
                service_names.iter().enumerate().map(|(i, n)| (Resource::Service(i as u16), format!("service {n}"))),
            );
        resources
            .map(|(r, resource)| {
                let zero = vec![0.0; BINS];
                let values = self.find(r).map_or(&zero, |t| &t.bins);
                let points = (0..bins)
                    .map(|b| {
                        let start = b as u64 * self.width;
                        let len = (start + self.width).min(end).saturating_sub(start).max(1);
                        let mid = (start as f64 + len as f64 / 2.0) / 1e9;
                        (mid, (values[b] / len as f64).min(1.0))
                    })
                    .collect();
                UtilisationSeries { resource, points }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimDuration;

    fn change(ms: u64, resource: Resource, busy: u32) -> ResourceChange {
        ResourceChange { time: SimTime::ZERO + SimDuration::from_millis(ms), resource, busy, capacity: 1, bytes: 0 }
    }

    #[test]
    fn a_link_busy_half_the_run_reads_half() {
        let mut r = ResourceRecorder::default();
        r.record(&change(0, Resource::Link(0), 2));
        r.record(&change(500, Resource::Link(0), 0));
        let end = SimTime::ZERO + SimDuration::from_secs(1);
        r.finish(end);
        assert_eq!(r.link(0).busy_ns, 5e8);
        assert_eq!(r.link(0).peak_transfers, 2);
        let series = r.series(end, &["up".to_string()], &[]);
        assert_eq!(series[1].resource, "link up");
        // 1 s in 120 bins widens to 16 ms bins: 63 bins, the first 31 full.
        assert_eq!(series[1].points.len(), 63);
        assert_eq!(series[1].points[0].1, 1.0);
        assert_eq!(series[1].points[40].1, 0.0);
        assert!(series[0].points.iter().all(|p| p.1 == 0.0), "the CPU was idle");
    }
}
