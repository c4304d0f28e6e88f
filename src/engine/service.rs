//! Downstream services: FIFO multi-server queues with a token-bucket rate
//! limiter, slowdown windows and a service-wide retry budget.
//!
//! A *request* is one attempt of a `call` step. It arrives, may be rejected
//! at once by the rate limiter, waits first come first served for one of
//! `concurrency` servers, and is served for its sampled time. The fiber
//! that sent it waits for it under its own generation number; a request
//! whose fiber has moved on (client timeout, task cancelled) is still served
//! when its turn comes: that is wasted work, and what makes retry storms.
//!
//! Invariants:
//! - `busy ≤ concurrency`, and the queue is non-empty only when every server
//!   is busy;
//! - every admitted request is served exactly once, then its slot is freed;
//! - the token bucket holds at most `burst` tokens and refills at `rate`
//!   per second of virtual time.

use super::ids::{FiberId, RequestId, Slab};
use crate::model::{RateLimit, Service, Slowdown};
use crate::time::{SimDuration, SimTime};
use std::collections::VecDeque;

/// Retries a service allows beyond its budget's share (so that the first
/// failures of a run may be retried).
pub const BUDGET_MIN_RETRIES: f64 = 10.0;

/// One attempt in the service's hands.
#[derive(Clone, Copy, Debug)]
pub struct Request {
    pub fiber: FiberId,
    /// The fiber's generation while it waits for this request.
    pub generation: u32,
    pub arrived: SimTime,
    /// Names the attempt's draws: (class, task index within class, site).
    pub class: u16,
    pub task_index: u64,
    pub site: u64,
}

/// Requests in flight, in a slab whose slots are reused.
pub type Requests = Slab<RequestId, Request>;

/// One service's queue, servers, bucket and budget.
#[derive(Debug)]
pub struct ServiceState {
    concurrency: u32,
    busy: u32,
    queue: VecDeque<RequestId>,
    bucket: Option<(RateLimit, f64, SimTime)>,
    slowdowns: Vec<Slowdown>,
    first_attempts: u64,
    retries: u64,
}

impl ServiceState {
    pub fn new(service: &Service) -> ServiceState {
        ServiceState {
            concurrency: service.concurrency,
            busy: 0,
            queue: VecDeque::new(),
            bucket: service.rate_limit.map(|r| (r, f64::from(r.burst), SimTime::ZERO)),
            slowdowns: service.slowdowns.clone(),
            first_attempts: 0,
            retries: 0,
        }
    }

    pub fn busy(&self) -> u32 {
        self.busy
    }

    pub fn concurrency(&self) -> u32 {
        self.concurrency
    }

    /// Counts a call's first attempt (the base of the retry budget).
    pub fn first_attempt(&mut self) {
        self.first_attempts += 1;
    }

    /// Whether the budget (retries per first attempt; `None`: unlimited)
    /// allows one more retry; if so, counts it.
    pub fn allow_retry(&mut self, budget: Option<f64>) -> bool {
        let allowed =
            budget.is_none_or(|b| (self.retries + 1) as f64 <= b * self.first_attempts as f64 + BUDGET_MIN_RETRIES);
        if allowed {
            self.retries += 1;
        }
        allowed
    }

    /// Takes a token at `now`; false when the bucket is empty (a rejection).
    pub fn take_token(&mut self, now: SimTime) -> bool {
        let Some((limit, tokens, since)) = &mut self.bucket else { return true };
        let refill = limit.rate_per_s * (now - *since).as_secs_f64();
        *tokens = (*tokens + refill).min(f64::from(limit.burst));
        *since = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// A request arrives: true if a server is free and takes it now (the
    /// caller starts it), false if it joins the queue.
    pub fn arrive(&mut self, request: RequestId) -> bool {
        if self.busy < self.concurrency {
            self.busy += 1;
            true
        } else {
            self.queue.push_back(request);
            false
        }
    }

    /// A server finished: the next queued request it takes, if any.
    pub fn depart(&mut self) -> Option<RequestId> {
        match self.queue.pop_front() {
            Some(next) => Some(next),
            None => {
                self.busy -= 1;
                None
            }
        }
    }

    /// The slowdown factor for a service starting at `now` (1 outside every
    /// window).
    pub fn factor(&self, now: SimTime) -> f64 {
        let t = now - SimTime::ZERO;
        self.slowdowns.iter().find(|s| s.from <= t && t < s.until).map_or(1.0, |s| s.factor)
    }
}

/// The `k`-th retry's backoff before jitter: `backoff × multiplier^(k−1)`,
/// at most `max`.
pub fn backoff(base: SimDuration, multiplier: f64, max: SimDuration, k: u32) -> SimDuration {
    let ns = base.as_nanos() as f64 * multiplier.powi(k.saturating_sub(1) as i32);
    if ns >= max.as_nanos() as f64 { max } else { SimDuration::from_nanos(ns as u64) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Dist;

    fn service(concurrency: u32, rate_limit: Option<RateLimit>) -> ServiceState {
        ServiceState::new(&Service {
            name: "s".into(),
            concurrency,
            service: Dist::Constant(SimDuration::from_millis(1)),
            fail: 0.0,
            rate_limit,
            slowdowns: vec![],
        })
    }

    #[test]
    fn servers_then_fifo_queue() {
        let mut s = service(1, None);
        assert!(s.arrive(RequestId::new(0)));
        assert!(!s.arrive(RequestId::new(1)));
        assert!(!s.arrive(RequestId::new(2)));
        assert_eq!(s.depart(), Some(RequestId::new(1)));
        assert_eq!(s.depart(), Some(RequestId::new(2)));
        assert_eq!(s.depart(), None);
        assert_eq!(s.busy(), 0);
    }

    #[test]
    fn the_bucket_refills_at_its_rate_up_to_its_burst() {
        let mut s = service(1, Some(RateLimit { rate_per_s: 10.0, burst: 2 }));
        let t = |ms| SimTime::ZERO + SimDuration::from_millis(ms);
        assert!(s.take_token(t(0)) && s.take_token(t(0)));
        assert!(!s.take_token(t(0)));
        assert!(!s.take_token(t(50)), "half a token");
        assert!(s.take_token(t(100)));
        assert!(s.take_token(t(10_000)) && s.take_token(t(10_000)) && !s.take_token(t(10_000)), "burst caps saving");
    }

    #[test]
    fn backoff_grows_geometrically_to_its_cap() {
        let ms = SimDuration::from_millis;
        assert_eq!(backoff(ms(100), 2.0, ms(1000), 1), ms(100));
        assert_eq!(backoff(ms(100), 2.0, ms(1000), 3), ms(400));
        assert_eq!(backoff(ms(100), 2.0, ms(1000), 5), ms(1000));
    }

    #[test]
    fn the_budget_allows_its_share_plus_a_minimum() {
        let mut s = service(1, None);
        for _ in 0..100 {
            s.first_attempt();
        }
        // 0.1 × 100 + 10 = 20 retries.
        assert_eq!((0..30).filter(|_| s.allow_retry(Some(0.1))).count(), 20);
        assert!(s.allow_retry(None));
    }
}
