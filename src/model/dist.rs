//! Sampling duration distributions and repeat counts.
//!
//! The [`Dist`] and [`Count`] enums are part of the scenario
//! (`crate::scenario`); this module gives them their run-time behaviour. A [`Dist`] is validated (every parameter finite and in range) before it
//! reaches this module. Sampling takes its randomness from a caller-supplied
//! source of uniform `u64`s, so the engine decides which seeded stream a draw
//! comes from; this module only turns uniform bits into a duration.
//!
//! Determinism: transcendental functions come from the `libm` crate (a pure
//! Rust port of musl's libm), not from the platform's C library, so the same
//! bits give the same nanoseconds on every operating system.

use crate::scenario::{Count, Dist};
use crate::time::SimDuration;

/// How many redraws a truncated normal takes before clamping at zero.
const NORMAL_RETRIES: u32 = 8;

impl Dist {
    /// The distribution's mean in nanoseconds (exact for every kind but the
    /// truncated normal, where it is the untruncated mean).
    pub fn mean_ns(&self) -> f64 {
        match self {
            Dist::Constant(d) => d.as_nanos() as f64,
            Dist::Uniform { min, max } => (min.as_nanos() as f64 + max.as_nanos() as f64) / 2.0,
            Dist::Exponential { mean_ns } => *mean_ns,
            Dist::Normal { mean_ns, .. } => *mean_ns,
            Dist::LogNormal { mu, sigma } => libm::exp(mu + sigma * sigma / 2.0),
            Dist::BoundedPareto { min_ns, max_ns, alpha } => {
                let (l, h, a) = (*min_ns, *max_ns, *alpha);
                if (a - 1.0).abs() < 1e-12 {
                    (h * l / (h - l)) * libm::log(h / l)
                } else {
                    let la = libm::pow(l, a);
                    (la / (1.0 - libm::pow(l / h, a)))
                        * (a / (a - 1.0))
                        * (1.0 / libm::pow(l, a - 1.0) - 1.0 / libm::pow(h, a - 1.0))
                }
            }
            Dist::Empirical(samples) | Dist::Sequence(samples) => {
                samples.iter().map(|d| d.as_nanos() as f64).sum::<f64>() / samples.len() as f64
            }
        }
    }

    /// Draws the duration of task `index` of its class: a sequence's
    /// `index`-th value (cyclically), any other kind's [`Dist::sample`].
    #[inline]
    pub fn sample_for(&self, index: u64, bits: &mut impl FnMut() -> u64) -> SimDuration {
        match self {
            Dist::Sequence(values) => values[cyclic(index, values.len())],
            _ => self.sample(bits),
        }
    }

    /// Draws one duration, taking uniform 64-bit words from `bits`. Inlined
    /// into the engine's draw sites (whether LLVM inlines it otherwise
    /// depends on how the crate is split into codegen units: +1.7 % of
    /// instructions on M/M/8 when it is not).
    #[inline]
    pub fn sample(&self, bits: &mut impl FnMut() -> u64) -> SimDuration {
        match self {
            Dist::Constant(d) => *d,
            Dist::Uniform { min, max } => {
                let span = max.as_nanos() - min.as_nanos();
                SimDuration::from_nanos(min.as_nanos() + below_inclusive(bits(), span))
            }
            Dist::Exponential { mean_ns } => SimDuration::from_nanos_f64(-mean_ns * libm::log(open_unit(bits()))),
            Dist::Normal { mean_ns, stddev_ns } => {
                for _ in 0..NORMAL_RETRIES {
                    let x = mean_ns + stddev_ns * standard_normal(bits);
                    if x >= 0.0 {
                        return SimDuration::from_nanos_f64(x);
                    }
                }
                SimDuration::ZERO
            }
            Dist::LogNormal { mu, sigma } => SimDuration::from_nanos_f64(libm::exp(mu + sigma * standard_normal(bits))),
            Dist::BoundedPareto { min_ns, max_ns, alpha } => {
                let u = unit(bits());
                let ratio = libm::pow(min_ns / max_ns, *alpha);
                let x = min_ns / libm::pow(1.0 - u * (1.0 - ratio), 1.0 / alpha);
                SimDuration::from_nanos_f64(x.clamp(*min_ns, *max_ns))
            }
            Dist::Empirical(samples) => {
                let last = samples.len() as u64 - 1;
                samples[below_inclusive(bits(), last) as usize]
            }
            // Only steps take sequences (the decoder refuses them elsewhere),
            // and steps draw with `sample_for`.
            Dist::Sequence(_) => unreachable!("a sequence is drawn by task index (Dist::sample_for)"),
        }
    }
}

impl Count {
    /// Draws the count of task `index` of its class, taking uniform 64-bit
    /// words from `bits` (none for a fixed count or a sequence).
    pub fn sample_for(&self, index: u64, bits: &mut impl FnMut() -> u64) -> u32 {
        match self {
            Count::Fixed(n) => *n,
            Count::Uniform { min, max } => min + below_inclusive(bits(), u64::from(max - min)) as u32,
            Count::Geometric { mean } => {
                // Inversion: the smallest n with P(N ≤ n) ≥ u, P(N > n) = q^n.
                let q = 1.0 - 1.0 / mean;
                if q <= 0.0 {
                    return 1;
                }
                let n = libm::ceil(libm::log(open_unit(bits())) / libm::log(q));
                if n >= f64::from(Count::MAX_GEOMETRIC) { Count::MAX_GEOMETRIC } else { (n as u32).max(1) }
            }
            Count::Empirical(values) => values[below_inclusive(bits(), values.len() as u64 - 1) as usize],
            Count::Sequence(values) => values[cyclic(index, values.len())],
        }
    }
}

/// The position of task `index` in a cyclic list of `len` values.
#[inline]
pub fn cyclic(index: u64, len: usize) -> usize {
    (index % len as u64) as usize
}

/// A uniform integer in `[0, span]` by widening multiplication (Lemire),
/// unbiased enough for durations (bias below 2^-64 per value).
fn below_inclusive(word: u64, span: u64) -> u64 {
    if span == u64::MAX {
        return word;
    }
    ((word as u128 * (span as u128 + 1)) >> 64) as u64
}

/// A uniform float in `[0, 1)` from the top 53 bits.
fn unit(word: u64) -> f64 {
    (word >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform float in `(0, 1]`, safe to take the logarithm of.
fn open_unit(word: u64) -> f64 {
    ((word >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A standard normal variate by the Box–Muller transform (two words).
fn standard_normal(bits: &mut impl FnMut() -> u64) -> f64 {
    let u1 = open_unit(bits());
    let u2 = unit(bits());
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny deterministic bit source for statistical checks (SplitMix64).
    fn splitmix(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
    }

    fn sample_mean(dist: &Dist, n: usize) -> f64 {
        let mut bits = splitmix(7);
        (0..n).map(|_| dist.sample(&mut bits).as_nanos() as f64).sum::<f64>() / n as f64
    }

    #[test]
    fn constant_draws_nothing() {
        let mut calls = 0;
        let mut bits = || {
            calls += 1;
            0
        };
        let d = Dist::Constant(SimDuration::from_millis(5)).sample(&mut bits);
        assert_eq!(d, SimDuration::from_millis(5));
        assert_eq!(calls, 0);
    }

    #[test]
    fn uniform_stays_in_bounds_and_reaches_both_ends() {
        let dist = Dist::Uniform { min: SimDuration::from_nanos(10), max: SimDuration::from_nanos(12) };
        let mut bits = splitmix(1);
        let draws: Vec<u64> = (0..1000).map(|_| dist.sample(&mut bits).as_nanos()).collect();
        assert!(draws.iter().all(|&d| (10..=12).contains(&d)));
        assert!(draws.contains(&10) && draws.contains(&12));
    }

    #[test]
    fn means_match_their_parameters() {
        let n = 200_000;
        let cases = [
            Dist::Exponential { mean_ns: 1e6 },
            Dist::Normal { mean_ns: 1e6, stddev_ns: 1e5 },
            Dist::lognormal_from_mean_stddev(SimDuration::from_millis(1), SimDuration::from_micros(500)),
            Dist::BoundedPareto { min_ns: 1e5, max_ns: 1e7, alpha: 1.5 },
        ];
        for dist in cases {
            let (expected, got) = (dist.mean_ns(), sample_mean(&dist, n));
            assert!((got - expected).abs() / expected < 0.02, "{dist:?}: mean {got} vs {expected}");
        }
    }

    #[test]
    fn lognormal_by_median_and_p99_hits_both() {
        let dist = Dist::lognormal_from_median_p99(SimDuration::from_millis(200), SimDuration::from_secs(2));
        let mut bits = splitmix(3);
        let mut draws: Vec<u64> = (0..100_000).map(|_| dist.sample(&mut bits).as_nanos()).collect();
        draws.sort_unstable();
        let median = draws[50_000] as f64;
        let p99 = draws[99_000] as f64;
        assert!((median / 2e8 - 1.0).abs() < 0.03, "median {median}");
        assert!((p99 / 2e9 - 1.0).abs() < 0.08, "p99 {p99}");
    }

    #[test]
    fn a_sequence_gives_task_k_its_kth_value_cyclically() {
        let ms = SimDuration::from_millis;
        let dist = Dist::Sequence(vec![ms(1), ms(2), ms(3)].into_boxed_slice());
        let mut bits = || -> u64 { panic!("a sequence draws no randomness") };
        let got: Vec<SimDuration> = (0..7).map(|k| dist.sample_for(k, &mut bits)).collect();
        assert_eq!(got, [ms(1), ms(2), ms(3), ms(1), ms(2), ms(3), ms(1)]);
        assert_eq!(dist.mean_ns(), 2e6);
        let counts = Count::Sequence(vec![0, 4].into_boxed_slice());
        assert_eq!((0..3).map(|k| counts.sample_for(k, &mut bits)).collect::<Vec<_>>(), [0, 4, 0]);
    }

    #[test]
    fn counts_stay_in_range_and_match_their_means() {
        let n = 200_000;
        let mut bits = splitmix(11);
        let cases = [
            Count::Uniform { min: 2, max: 5 },
            Count::Geometric { mean: 3.0 },
            Count::Geometric { mean: 1.0 },
            Count::Empirical(vec![1, 1, 4].into_boxed_slice()),
        ];
        for count in cases {
            let draws: Vec<u32> = (0..n).map(|k| count.sample_for(k, &mut bits)).collect();
            let low = match count {
                Count::Uniform { min, .. } => min,
                _ => 1,
            };
            assert!(draws.iter().all(|&d| d >= low && d <= count.max()), "{count:?}");
            let mean = draws.iter().map(|&d| f64::from(d)).sum::<f64>() / n as f64;
            assert!((mean - count.mean()).abs() / count.mean() < 0.02, "{count:?}: mean {mean}");
        }
    }

    #[test]
    fn truncated_normal_is_never_negative() {
        let dist = Dist::Normal { mean_ns: 10.0, stddev_ns: 1000.0 };
        let mut bits = splitmix(9);
        let draws: Vec<SimDuration> = (0..10_000).map(|_| dist.sample(&mut bits)).collect();
        // Truncation by redrawing: about half the draws land above zero, none below.
        assert!(draws.iter().filter(|d| d.as_nanos() > 0).count() > 4_000);
    }
}
