//! Decoding of downstream services (the top-level `services`) and `call`
//! steps.
//!
//! Invariants of what this returns: a [`Service`] has at least one server,
//! a failure probability in [0, 1], a rate limit with a rate > 0 and a
//! burst ≥ 1, and slowdown windows with `from < until`, a factor > 0, in
//! increasing order without overlap; a [`Call`] names a declared service,
//! and its [`Retry`] has at least one attempt, a multiplier ≥ 1, a
//! `max_backoff` ≥ 0 and a budget in [0, 1].

use super::{Anchor, Decoder, Fields, Node};
use crate::scenario::suggest::closest;
use crate::scenario::{Call, Jitter, RateLimit, Retry, Service, ServiceId, Slowdown};
use crate::time::SimDuration;

pub(super) const SERVICE_FIELDS: &[&str] = &["concurrency", "service", "fail", "rate_limit", "slowdown"];
pub(super) const RETRY_FIELDS: &[&str] = &["attempts", "backoff", "multiplier", "max_backoff", "jitter", "budget"];
pub(super) const RATE_LIMIT_FIELDS: &[&str] = &["rate", "burst"];
pub(super) const SLOWDOWN_FIELDS: &[&str] = &["from", "until", "factor"];
pub(super) const CALL_FIELDS: &[&str] = &["service", "timeout", "retry"];
pub(super) const JITTERS: &[&str] = &["none", "full", "equal"];

impl Decoder {
    /// `"services": {"inventory": {"concurrency": 8, "service": …}}`.
    pub(super) fn services(&mut self, node: &Node) -> Option<Vec<Service>> {
        let expected = "an object of services such as {\"inventory\": {\"service\": \"20ms\"}}";
        self.named(node, expected, |d| &mut d.services, Decoder::service)
    }

    fn service(&mut self, name: &str, node: &Node) -> Option<Service> {
        let expected = "a service such as {\"concurrency\": 8, \"service\": {\"exponential\": {\"mean\": \"20ms\"}}}";
        let fields = self.object(node, SERVICE_FIELDS, expected)?;
        let concurrency = self.optional(&fields, "concurrency", 1, Decoder::small_count);
        let service = self.required(&fields, "service", "the service-time distribution").and_then(|n| self.dist(&n));
        let fail = self.optional(&fields, "fail", 0.0, Decoder::probability);
        let rate_limit = self.optional(&fields, "rate_limit", None, |d, n| d.rate_limit(n).map(Some));
        let slowdowns = self.optional(&fields, "slowdown", Vec::new(), Decoder::slowdowns);
        Some(Service {
            name: name.to_string(),
            concurrency: concurrency?,
            service: service?,
            fail: fail?,
            rate_limit: rate_limit?,
            slowdowns: slowdowns?,
        })
    }

    fn rate_limit(&mut self, node: &Node) -> Option<RateLimit> {
        let fields = self.object(node, RATE_LIMIT_FIELDS, "a token bucket such as {\"rate\": 200, \"burst\": 20}")?;
        let rate = self
            .required(&fields, "rate", "tokens per second")
            .and_then(|n| self.number(&n, "a rate > 0 (requests per second)", |r| r > 0.0));
        let burst = self.optional(&fields, "burst", 1, Decoder::small_count);
        Some(RateLimit { rate_per_s: rate?, burst: burst? })
    }

    fn slowdowns(&mut self, node: &Node) -> Option<Vec<Slowdown>> {
        let items =
            self.list(node, "a list of slowdowns such as [{\"from\": \"20s\", \"until\": \"40s\", \"factor\": 5}]")?;
        let mut out: Vec<Slowdown> = Vec::new();
        let mut ok = true;
        for item in &items {
            let Some(fields) = self.object(item, SLOWDOWN_FIELDS, "{\"from\": …, \"until\": …, \"factor\": …}")
            else {
                ok = false;
                continue;
            };
            let from = self.required(&fields, "from", "when the slowdown starts").and_then(|n| self.duration(&n));
            let until = self.required(&fields, "until", "when it ends").and_then(|n| self.duration(&n));
            let factor = self
                .required(&fields, "factor", "the service-time multiplier")
                .and_then(|n| self.number(&n, "a factor > 0", |f| f > 0.0));
            let (Some(from), Some(until), Some(factor)) = (from, until, factor) else {
                ok = false;
                continue;
            };
            let previous_end = out.last().map_or(SimDuration::ZERO, |s| s.until);
            if until <= from || from < previous_end {
                let message = format!("a slowdown from {from} until {until} is empty or overlaps the one before");
                let hint = "give each window a \"from\" before its \"until\", in time order without overlap";
                self.problem(item, Anchor::Value, message, Some(hint.into()));
                ok = false;
                continue;
            }
            out.push(Slowdown { from, until, factor });
        }
        ok.then_some(out)
    }

    /// A call's settings: a service name, or `{"service": …, "timeout": …,
    /// "retry": …}`.
    pub(super) fn call(&mut self, node: &Node) -> Option<Call> {
        if node.value.is_string() {
            return Some(Call { service: self.service_ref(node)?, timeout: None, retry: None });
        }
        let expected = "a service name, or {\"service\": …, \"timeout\": …, \"retry\": …}";
        let fields = self.object(node, CALL_FIELDS, expected)?;
        let service = self
            .required(&fields, "service", "the name of a service in \"services\"")
            .and_then(|n| self.service_ref(&n));
        let timeout = self.optional(&fields, "timeout", None, |d, n| d.positive_duration(n).map(Some));
        let retry = self.optional(&fields, "retry", None, |d, n| d.retry(n).map(Some));
        Some(Call { service: service?, timeout: timeout?, retry: retry? })
    }

    fn retry(&mut self, node: &Node) -> Option<Retry> {
        let fields =
            self.object(node, RETRY_FIELDS, "a retry policy such as {\"attempts\": 4, \"backoff\": \"100ms\"}")?;
        let policy = self.retry_policy(&fields);
        let budget = self.optional(&fields, "budget", None, |d, n| {
            d.number(n, "a retry budget from 0 to 1 (retries per first attempt)", |b| (0.0..=1.0).contains(&b))
                .map(Some)
        });
        Some(Retry { budget: budget?, ..policy? })
    }

    /// The options a call's `retry` and a `retry` step share: `attempts`
    /// (required), `backoff`, `multiplier`, `max_backoff` and `jitter`, with
    /// their defaults; no budget.
    pub(super) fn retry_policy(&mut self, fields: &Fields) -> Option<Retry> {
        let attempts = self.required(fields, "attempts", "attempts in all, the first included").and_then(|n| {
            if n.value.as_u64() == Some(0) {
                let hint = "attempts counts the first one: 1 means no retry";
                return self.wrong_hint(&n, "at least 1 attempt", hint);
            }
            self.small_count(&n)
        });
        let backoff = self.optional(fields, "backoff", SimDuration::from_millis(100), Decoder::duration);
        let multiplier =
            self.optional(fields, "multiplier", 2.0, |d, n| d.number(n, "a multiplier ≥ 1", |m| m >= 1.0));
        let max_backoff = self.optional(fields, "max_backoff", SimDuration::from_secs(10), Decoder::duration);
        let jitter = self.optional(fields, "jitter", Jitter::Full, Decoder::jitter);
        Some(Retry {
            attempts: attempts?,
            backoff: backoff?,
            multiplier: multiplier?,
            max_backoff: max_backoff?,
            jitter: jitter?,
            budget: None,
        })
    }

    fn jitter(&mut self, node: &Node) -> Option<Jitter> {
        match node.value.as_str() {
            Some("none") => Some(Jitter::None),
            Some("full") => Some(Jitter::Full),
            Some("equal") => Some(Jitter::Equal),
            Some(other) => {
                let hint = match closest(other, JITTERS) {
                    Some(guess) => format!("did you mean \"{guess}\"?"),
                    None => "\"full\" draws the wait uniformly in [0, b]; \"equal\" in [b/2, b]".into(),
                };
                self.wrong_hint(node, "\"none\", \"full\" or \"equal\"", hint)
            }
            None => self.wrong(node, "\"none\", \"full\" or \"equal\""),
        }
    }

    fn service_ref(&mut self, node: &Node) -> Option<ServiceId> {
        let services = std::mem::take(&mut self.services);
        let declaration = |name: &str| format!("\"services\": {{\"{name}\": {{\"service\": \"20ms\"}}}}");
        let found = self.declared(node, "service", &services, declaration);
        self.services = services;
        found.map(|i| i as ServiceId)
    }
}
