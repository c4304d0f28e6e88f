//! The Universal Scalability Law (Gunther): throughput at concurrency N,
//! X(N) = λN / (1 + σ(N − 1) + κN(N − 1)), with σ the contention and κ
//! the coherency penalty; throughput peaks at N* = √((1 − σ)/κ).
//!
//! [`fit`] finds λ, σ, κ by least squares on the measured points. For fixed
//! (σ, κ) the best λ is closed-form (X is linear in λ), so the fit searches
//! σ, κ ∈ [0, 1] on a coarse grid and refines it by a shrinking pattern
//! search: deterministic, no random start, the same bits on every machine.

use serde::Serialize;

/// A fitted curve.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Usl {
    /// Throughput of one unit of concurrency (per second).
    pub lambda: f64,
    pub sigma: f64,
    pub kappa: f64,
    /// The concurrency of the highest throughput; `None` when κ = 0 (no peak).
    pub peak_concurrency: Option<f64>,
    /// Throughput at the peak.
    pub peak_throughput: Option<f64>,
    /// Coefficient of determination of the fit.
    pub r_squared: f64,
}

impl Usl {
    pub fn throughput(&self, n: f64) -> f64 {
        model(self.lambda, self.sigma, self.kappa, n)
    }
}

fn model(lambda: f64, sigma: f64, kappa: f64, n: f64) -> f64 {
    lambda * n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0))
}

/// The best λ for (σ, κ), and the residual sum of squares.
fn best_lambda(points: &[(f64, f64)], sigma: f64, kappa: f64) -> (f64, f64) {
    let shape: Vec<f64> = points.iter().map(|&(n, _)| model(1.0, sigma, kappa, n)).collect();
    let num: f64 = points.iter().zip(&shape).map(|(&(_, x), s)| x * s).sum();
    let den: f64 = shape.iter().map(|s| s * s).sum();
    let lambda = if den > 0.0 { num / den } else { 0.0 };
    let rss = points.iter().zip(&shape).map(|(&(_, x), s)| (x - lambda * s).powi(2)).sum();
    (lambda, rss)
}

/// Fits the USL to (concurrency, throughput) points; `None` with fewer than
/// three distinct concurrencies or a concurrency below 1.
pub fn fit(points: &[(f64, f64)]) -> Option<Usl> {
    let mut ns: Vec<f64> = points.iter().map(|p| p.0).collect();
    ns.sort_by(f64::total_cmp);
    ns.dedup();
    if ns.len() < 3 || ns[0] < 1.0 || points.iter().any(|p| !p.0.is_finite() || !p.1.is_finite()) {
        return None;
    }
    let rss = |s: f64, k: f64| best_lambda(points, s, k).1;
    // Coarse grid, κ on a log scale since it is usually tiny.
    let mut best = (0.0, 0.0, rss(0.0, 0.0));
    let kappas: Vec<f64> = std::iter::once(0.0).chain((0..=40).map(|i| 10f64.powf(-8.0 + i as f64 * 0.2))).collect();
    for i in 0..=50 {
        let s = i as f64 / 50.0;
        for &k in &kappas {
            let r = rss(s, k);
            if r < best.2 {
                best = (s, k, r);
            }
        }
    }
    // Pattern search, σ additively and κ multiplicatively (and from 0).
    let (mut s, mut k, mut r) = best;
    let mut ds = 0.02;
    let mut fk = 1.6f64;
    for _ in 0..400 {
        let mut improved = false;
        let ks = if k == 0.0 { vec![1e-9] } else { vec![k * fk, k / fk, 0.0] };
        let candidates: Vec<(f64, f64)> =
            [(s + ds, k), (s - ds, k)].into_iter().chain(ks.into_iter().map(|kk| (s, kk))).collect();
        for (cs, ck) in candidates {
            if !(0.0..=1.0).contains(&cs) || ck < 0.0 {
                continue;
            }
            let cr = rss(cs, ck);
            if cr < r {
                (s, k, r) = (cs, ck, cr);
                improved = true;
            }
        }
        if !improved {
            ds /= 2.0;
            fk = fk.sqrt();
            if ds < 1e-12 && fk < 1.0 + 1e-12 {
                break;
            }
        }
    }
    let (lambda, rss_best) = best_lambda(points, s, k);
    let mean = points.iter().map(|p| p.1).sum::<f64>() / points.len() as f64;
    let tss: f64 = points.iter().map(|p| (p.1 - mean).powi(2)).sum();
    let peak = (k > 0.0 && s < 1.0).then(|| ((1.0 - s) / k).sqrt());
    Some(Usl {
        lambda,
        sigma: s,
        kappa: k,
        peak_concurrency: peak,
        peak_throughput: peak.map(|n| model(lambda, s, k, n)),
        r_squared: if tss > 0.0 { 1.0 - rss_best / tss } else { 1.0 },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synthetic(lambda: f64, sigma: f64, kappa: f64) -> Vec<(f64, f64)> {
        [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0].iter().map(|&n| (n, model(lambda, sigma, kappa, n))).collect()
    }

    #[test]
    fn recovers_the_parameters_of_exact_data() {
        let usl = fit(&synthetic(100.0, 0.05, 0.001)).unwrap();
        assert!((usl.sigma - 0.05).abs() < 1e-3, "{usl:?}");
        assert!((usl.kappa - 0.001).abs() < 1e-5, "{usl:?}");
        assert!((usl.lambda - 100.0).abs() < 0.5, "{usl:?}");
        let peak = usl.peak_concurrency.unwrap();
        assert!((peak - (0.95f64 / 0.001).sqrt()).abs() < 1.0, "{usl:?}");
        assert!(usl.r_squared > 0.9999);
    }

    #[test]
    fn linear_scaling_has_no_peak() {
        let usl = fit(&synthetic(10.0, 0.0, 0.0)).unwrap();
        assert!(usl.sigma < 1e-3 && usl.kappa < 1e-9, "{usl:?}");
        assert!(usl.peak_concurrency.is_none_or(|p| p > 1e3), "{usl:?}");
    }

    #[test]
    fn too_few_points_give_no_fit() {
        assert!(fit(&[(1.0, 1.0), (2.0, 2.0)]).is_none());
        assert!(fit(&[(0.0, 1.0), (2.0, 2.0), (3.0, 3.0)]).is_none());
    }
}
