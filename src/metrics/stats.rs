//! Output analysis: Student-t confidence intervals over replications, and
//! MSER-5 truncation of an initial transient.
//!
//! - [`student_t_quantile`] inverts the t distribution's CDF, computed from
//!   the regularized incomplete beta function (a continued fraction), by
//!   bisection: slow by numerical-library standards (microseconds), exact to
//!   double precision, and dependency-free.
//! - [`Interval::of`] is the classic replication interval: the sample mean
//!   of R independent estimates ± `t(0.975, R − 1) · s / √R`.
//! - [`mser`] is White's Marginal Standard Error Rule on a series of batch
//!   means; [`BatchSeries`] accumulates the batch means of 5 consecutive
//!   observations (MSER-5) in bounded memory.
//!
//! Everything here is plain arithmetic in a fixed order, so the same inputs
//! give the same bits on every platform (transcendentals come from `libm`).

use crate::time::SimTime;
use serde::Serialize;

/// The confidence level of every interval simbench reports.
pub const CONFIDENCE: f64 = 0.95;

/// Observations per batch in MSER-5.
pub const MSER_BATCH: u64 = 5;

/// Most batch means a [`BatchSeries`] keeps before it halves them by merging
/// neighbours (and doubles its batch size): 2^20, 16 MiB.
pub const MSER_MAX_BATCHES: usize = 1 << 20;

/// The `p` quantile of Student's t distribution with `df` degrees of
/// freedom (`0 < p < 1`, `df > 0`).
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    assert!(p > 0.0 && p < 1.0 && df > 0.0, "student_t_quantile({p}, {df})");
    if p < 0.5 {
        return -student_t_quantile(1.0 - p, df);
    }
    if p == 0.5 {
        return 0.0;
    }
    // Bracket, then bisect: the CDF is monotone.
    let mut hi = 1.0;
    while student_t_cdf(hi, df) < p {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid == lo || mid == hi {
            break;
        }
        if student_t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// P(T ≤ t) for Student's t with `df` degrees of freedom.
pub fn student_t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * regularized_incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// I_x(a, b), by the continued fraction of Numerical Recipes (§6.4), on the
/// side of the symmetry relation where it converges fast.
fn regularized_incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b) + a * libm::log(x) + b * libm::log(1.0 - x);
    let front = libm::exp(ln_front);
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b
    }
}

/// Modified Lentz evaluation of the incomplete beta continued fraction.
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-16;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=1000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// A mean with its 95% confidence half-width.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Interval {
    pub mean: f64,
    pub half_width: f64,
}

impl Interval {
    /// The Student-t interval of independent, identically distributed
    /// estimates (one per replication): `mean ± t(0.975, n − 1) · s / √n`.
    /// With fewer than two samples the half-width is 0 (unknown).
    pub fn of(samples: &[f64]) -> Interval {
        let n = samples.len();
        if n == 0 {
            return Interval::default();
        }
        let mean = samples.iter().sum::<f64>() / n as f64;
        if n < 2 {
            return Interval { mean, half_width: 0.0 };
        }
        let ss: f64 = samples.iter().map(|x| (x - mean) * (x - mean)).sum();
        let stddev = libm::sqrt(ss / (n - 1) as f64);
        let t = student_t_quantile(0.5 + CONFIDENCE / 2.0, (n - 1) as f64);
        Interval { mean, half_width: t * stddev / libm::sqrt(n as f64) }
    }

    pub fn low(&self) -> f64 {
        self.mean - self.half_width
    }

    pub fn high(&self) -> f64 {
        self.mean + self.half_width
    }

    /// Whether `value` lies in the closed interval.
    pub fn contains(&self, value: f64) -> bool {
        self.low() <= value && value <= self.high()
    }

    /// Both ends rounded to `digits` significant digits, for reports.
    pub fn rounded(self, digits: usize) -> Interval {
        use super::round_significant;
        Interval { mean: round_significant(self.mean, digits), half_width: round_significant(self.half_width, digits) }
    }
}

/// MSER (White 1997): the number of leading items of `series` to delete,
/// `d*` minimising `Σ_{j ≥ d} (Z_j − Z̄_d)² / (m − d)²` over `d ≤ m / 2`
/// (ties: the smallest `d`). Applied to batch means of 5 observations it is
/// MSER-5.
pub fn mser(series: &[f64]) -> usize {
    let m = series.len();
    if m < 2 {
        return 0;
    }
    // Welford's running mean and sum of squares, adding items from the end,
    // gives every suffix's statistic in one pass.
    let mut best = (f64::INFINITY, 0);
    let (mut count, mut mean, mut m2) = (0.0, 0.0, 0.0);
    let mut statistic = vec![0.0; m];
    for d in (0..m).rev() {
        count += 1.0;
        let delta = series[d] - mean;
        mean += delta / count;
        m2 += delta * (series[d] - mean);
        statistic[d] = m2 / (count * count);
    }
    for (d, &value) in statistic.iter().enumerate().take(m / 2 + 1) {
        if value < best.0 {
            best = (value, d);
        }
    }
    best.1
}

/// Batch means of consecutive observations, each with the arrival time of
/// its batch's first observation, for MSER-5. Memory is bounded: at
/// [`MSER_MAX_BATCHES`] batches, neighbours merge and the batch size doubles.
#[derive(Clone, Debug)]
pub struct BatchSeries {
    batch: u64,
    sum: f64,
    count: u64,
    first: SimTime,
    means: Vec<f64>,
    firsts: Vec<SimTime>,
}

impl Default for BatchSeries {
    fn default() -> Self {
        BatchSeries {
            batch: MSER_BATCH,
            sum: 0.0,
            count: 0,
            first: SimTime::ZERO,
            means: Vec::new(),
            firsts: Vec::new(),
        }
    }
}

impl BatchSeries {
    /// Adds one observation of a task that arrived at `arrived`.
    pub fn push(&mut self, value: f64, arrived: SimTime) {
        if self.count == 0 {
            self.first = arrived;
        }
        self.sum += value;
        self.count += 1;
        if self.count == self.batch {
            self.means.push(self.sum / self.batch as f64);
            self.firsts.push(self.first);
            self.sum = 0.0;
            self.count = 0;
            if self.means.len() == MSER_MAX_BATCHES {
                self.coarsen();
            }
        }
    }

    fn coarsen(&mut self) {
        let half = self.means.len() / 2;
        for i in 0..half {
            self.means[i] = 0.5 * (self.means[2 * i] + self.means[2 * i + 1]);
            self.firsts[i] = self.firsts[2 * i];
        }
        self.means.truncate(half);
        self.firsts.truncate(half);
        self.batch *= 2;
    }

    /// Observations per batch (5, or more after coarsening).
    pub fn batch_size(&self) -> u64 {
        self.batch
    }

    /// The complete batches' means, in order (a partial last batch is left
    /// out, as MSER-5 does).
    pub fn means(&self) -> &[f64] {
        &self.means
    }

    /// Where MSER puts the end of the transient: the arrival time of the
    /// first observation kept, or zero when nothing is deleted.
    pub fn truncation(&self) -> SimTime {
        match mser(&self.means) {
            0 => SimTime::ZERO,
            d => self.firsts[d],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance * b.abs()
    }

    #[test]
    fn t_quantiles_match_the_tables() {
        // Two-sided 95% critical values (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
        let table = [
            (1.0, 12.706_204_736),
            (2.0, 4.302_652_730),
            (4.0, 2.776_445_105),
            (5.0, 2.570_581_836),
            (9.0, 2.262_157_163),
            (10.0, 2.228_138_852),
            (19.0, 2.093_024_054),
            (30.0, 2.042_272_456),
            (100.0, 1.983_971_519),
        ];
        for (df, want) in table {
            let got = student_t_quantile(0.975, df);
            assert!(close(got, want, 1e-8), "t(0.975, {df}) = {got}, want {want}");
        }
        // Other levels and the normal limit.
        assert!(close(student_t_quantile(0.995, 9.0), 3.249_835_542, 1e-8));
        assert!(close(student_t_quantile(0.9, 3.0), 1.637_744_354, 1e-8));
        assert!(close(student_t_quantile(0.975, 1000.0), 1.962_339_081, 1e-8));
        // Near the normal limit: z + (z³ + z) / (4 df) for large df.
        assert!(close(student_t_quantile(0.975, 1e6), 1.959_966_357, 1e-8));
        assert_eq!(student_t_quantile(0.5, 4.0), 0.0);
        assert!(close(student_t_quantile(0.025, 9.0), -2.262_157_163, 1e-8));
    }

    #[test]
    fn t_cdf_is_symmetric_and_monotone() {
        assert!(close(student_t_cdf(0.0, 5.0), 0.5, 1e-15));
        assert!(close(student_t_cdf(1.0, 1.0), 0.75, 1e-12)); // Cauchy: 1/2 + atan(1)/π
        assert!(close(student_t_cdf(-2.0, 7.0) + student_t_cdf(2.0, 7.0), 1.0, 1e-14));
        let xs: Vec<f64> = (-40..=40).map(|i| f64::from(i) / 4.0).collect();
        assert!(xs.windows(2).all(|w| student_t_cdf(w[0], 3.0) < student_t_cdf(w[1], 3.0)));
    }

    #[test]
    fn intervals_follow_the_textbook_formula() {
        // 1..=10: mean 5.5, s = 3.02765, t(0.975, 9) = 2.262157 → ±2.165851.
        let samples: Vec<f64> = (1..=10).map(f64::from).collect();
        let i = Interval::of(&samples);
        assert_eq!(i.mean, 5.5);
        assert!(close(i.half_width, 2.165_850_6, 1e-7), "{}", i.half_width);
        assert!(i.contains(3.4) && !i.contains(3.3));
        assert_eq!(Interval::of(&[2.0]), Interval { mean: 2.0, half_width: 0.0 });
        assert_eq!(Interval::of(&[]), Interval::default());
        assert_eq!(Interval::of(&[1.5, 1.5, 1.5]).half_width, 0.0);
    }

    #[test]
    fn mser_deletes_an_initial_transient() {
        // A ramp from 0 to 10 over 20 items, then a level series around 10.
        let mut series: Vec<f64> = (0..20).map(|i| f64::from(i) / 2.0).collect();
        series.extend((0..200).map(|i| 10.0 + if i % 2 == 0 { 0.1 } else { -0.1 }));
        let d = mser(&series);
        assert!((18..=21).contains(&d), "d* = {d}");
        // A stationary series needs no truncation.
        let flat: Vec<f64> = (0..100).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect();
        assert_eq!(mser(&flat), 0);
        // Never more than half the series, however it looks.
        let rising: Vec<f64> = (0..100).map(f64::from).collect();
        assert!(mser(&rising) <= 50);
        assert_eq!(mser(&[]), 0);
    }

    #[test]
    fn batch_series_keeps_means_of_five_and_coarsens_when_full() {
        let mut s = BatchSeries::default();
        for i in 0..12u64 {
            s.push(i as f64, SimTime::from_nanos(100 + i));
        }
        assert_eq!(s.means(), [2.0, 7.0]);
        assert_eq!(s.batch_size(), 5);
        assert_eq!(s.firsts, [SimTime::from_nanos(100), SimTime::from_nanos(105)]);
        s.coarsen();
        assert_eq!((s.means(), s.batch_size()), (&[4.5][..], 10));
        assert_eq!(s.firsts, [SimTime::from_nanos(100)]);
    }

    #[test]
    fn batch_series_truncation_is_the_arrival_of_the_first_kept_batch() {
        let mut s = BatchSeries::default();
        // 50 observations on a ramp, then 1000 level ones: MSER-5 deletes
        // about the first 10 batches.
        for i in 0..1050u64 {
            let value = if i < 50 { i as f64 / 5.0 } else { 10.0 + if i % 2 == 0 { 0.5 } else { -0.5 } };
            s.push(value, SimTime::from_nanos(1_000 * i));
        }
        let t = s.truncation();
        assert!((40_000..=60_000).contains(&t.as_nanos()), "{t:?}");
    }
}
