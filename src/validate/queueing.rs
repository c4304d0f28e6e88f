//! Closed-form results of queueing theory: the oracle `simbench validate`
//! compares simulations with.
//!
//! Notation: arrival rate λ, mean service time E\[S\] (rate μ = 1/E\[S\]),
//! offered load a = λ E\[S\] (in Erlangs), c servers, utilisation
//! ρ = a / c. Times are in whatever unit λ and E\[S\] use (seconds in
//! simbench). Every formula is a standard textbook result (Kleinrock,
//! *Queueing Systems* vol. 1; Gross & Harris, *Fundamentals of Queueing
//! Theory*); each function names the one it computes.

/// Erlang's B formula: the blocking probability of an M/M/c/c loss system
/// (also M/G/c/c: it is insensitive to the service distribution) with
/// offered load `a`, by the stable recursion
/// `B(0) = 1, B(k) = a B(k−1) / (k + a B(k−1))`.
pub fn erlang_b(c: u32, a: f64) -> f64 {
    (1..=c).fold(1.0, |b, k| a * b / (f64::from(k) + a * b))
}

/// Erlang's C formula: the probability that an arrival waits in an M/M/c
/// queue with offered load `a < c`: `C = c B / (c − a (1 − B))`.
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let b = erlang_b(c, a);
    let c = f64::from(c);
    c * b / (c - a * (1.0 - b))
}

/// M/M/c mean wait in queue: `Wq = C(c, a) / (c μ − λ)`.
pub fn mmc_mean_wait(c: u32, lambda: f64, mean_service: f64) -> f64 {
    let a = lambda * mean_service;
    erlang_c(c, a) / (f64::from(c) / mean_service - lambda)
}

/// M/M/1 mean response (sojourn) time, FIFO or processor sharing:
/// `W = 1 / (μ − λ)`.
pub fn mm1_mean_response(lambda: f64, mean_service: f64) -> f64 {
    1.0 / (1.0 / mean_service - lambda)
}

/// M/M/1 FIFO response-time quantile: the sojourn time is exponential with
/// rate μ − λ, so its `p` quantile is `−ln(1 − p) / (μ − λ)`.
pub fn mm1_response_quantile(lambda: f64, mean_service: f64, p: f64) -> f64 {
    -libm::log(1.0 - p) * mm1_mean_response(lambda, mean_service)
}

/// Pollaczek–Khinchine: M/G/1 FIFO mean wait in queue,
/// `Wq = λ E\[S²\] / (2 (1 − ρ))`.
pub fn pollaczek_khinchine_wait(lambda: f64, mean_service: f64, second_moment: f64) -> f64 {
    let rho = lambda * mean_service;
    lambda * second_moment / (2.0 * (1.0 - rho))
}

/// M/G/1 processor sharing mean response: `E\[S\] / (1 − ρ)`, whatever the
/// service distribution (insensitivity); `1 / (μ − λ)` for M/M/1-PS.
pub fn ps_mean_response(lambda: f64, mean_service: f64) -> f64 {
    mean_service / (1.0 - lambda * mean_service)
}

/// The `p` quantile of an exponential distribution of mean `mean`:
/// `−mean ln(1 − p)` (the response time of M/M/∞, which is the service
/// time).
pub fn exponential_quantile(mean: f64, p: f64) -> f64 {
    -mean * libm::log(1.0 - p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance * b.abs()
    }

    /// Erlang B by its definition: `(a^c / c!) / Σ_{k ≤ c} a^k / k!`.
    fn erlang_b_direct(c: u32, a: f64) -> f64 {
        let terms: Vec<f64> = (0..=c)
            .scan(1.0, |t, k| {
                if k > 0 {
                    *t *= a / f64::from(k);
                }
                Some(*t)
            })
            .collect();
        terms[c as usize] / terms.iter().sum::<f64>()
    }

    #[test]
    fn erlang_b_matches_the_tables() {
        // Erlang B tables (e.g. the ITU-T / teletraffic engineering handbooks).
        assert!(close(erlang_b(1, 1.0), 0.5, 1e-15));
        assert!(close(erlang_b(5, 3.0), 0.110_054, 1e-5));
        assert!(close(erlang_b(10, 5.0), 0.018_385, 1e-4));
        assert!(close(erlang_b(8, 6.0), erlang_b_direct(8, 6.0), 1e-12));
        for (c, a) in [(3, 0.5), (20, 15.0), (50, 45.0)] {
            assert!(close(erlang_b(c, a), erlang_b_direct(c, a), 1e-12), "B({c}, {a})");
        }
        assert_eq!(erlang_b(0, 2.0), 1.0);
    }

    #[test]
    fn erlang_c_matches_known_values() {
        // Two servers at a = 1 (ρ = 0.5): C = 1/3; one server: C = ρ.
        assert!(close(erlang_c(2, 1.0), 1.0 / 3.0, 1e-14));
        assert!(close(erlang_c(1, 0.7), 0.7, 1e-14));
        // Ten servers at a = 8: C ≈ 0.409 (Erlang C tables).
        assert!(close(erlang_c(10, 8.0), 0.409_2, 1e-3));
        // M/M/2 at λ = 1, μ = 1: Wq = (1/3) / (2 − 1) = 1/3.
        assert!(close(mmc_mean_wait(2, 1.0, 1.0), 1.0 / 3.0, 1e-14));
        // M/M/1 as M/M/c with c = 1: Wq = ρ / (μ − λ).
        assert!(close(mmc_mean_wait(1, 0.9, 1.0), 9.0, 1e-12));
    }

    #[test]
    fn mm1_results() {
        // λ = 0.5, μ = 1: W = 2, p99 = 2 ln 100 = 9.2103.
        assert!(close(mm1_mean_response(0.5, 1.0), 2.0, 1e-15));
        assert!(close(mm1_response_quantile(0.5, 1.0, 0.99), 9.210_340_372, 1e-9));
        assert!(close(mm1_response_quantile(900.0, 0.001, 0.99), 0.046_051_702, 1e-8));
    }

    #[test]
    fn pollaczek_khinchine_results() {
        // M/M/1 (E[S²] = 2 E[S]²): Wq = ρ E[S] / (1 − ρ).
        assert!(close(pollaczek_khinchine_wait(0.9, 1.0, 2.0), 9.0, 1e-12));
        // M/D/1 (E[S²] = E[S]²): half of M/M/1's wait.
        assert!(close(pollaczek_khinchine_wait(0.8, 1.0, 1.0), 2.0, 1e-12));
        // PS: E[S] / (1 − ρ), equal to M/M/1's W.
        assert!(close(ps_mean_response(0.7, 1.0), mm1_mean_response(0.7, 1.0), 1e-12));
        assert!(close(exponential_quantile(1.0, 0.99), 4.605_170_186, 1e-9));
    }
}
