//! Calls to downstream services (`service.rs`): attempts, client
//! timeouts, retries with backoff and jitter, and service completions.

use super::*;

impl<'a, O: Observer> Sim<'a, O> {
    /// The service of the `call` op at `f`'s pc.
    pub(super) fn call_service(&self, f: FiberId) -> u16 {
        let Op::Call { call } = self.w.ops[self.fibers[f].pc as usize] else {
            unreachable!("only a fiber at a call op waits for a service")
        };
        self.w.calls[call as usize].service
    }

    /// Sends attempt `counter` of the call at `f`'s pc. Returns whether `f`
    /// is parked (waiting for it, or for a backoff after an immediate
    /// rejection); if not, its call has failed for good and `failing` is
    /// set.
    pub(super) fn attempt(&mut self, f: FiberId) -> bool {
        let Fiber { pc, counter: k, .. } = self.fibers[f];
        let Op::Call { call } = self.w.ops[pc as usize] else { unreachable!("attempt at a call op") };
        let (service, timeout) = (self.w.calls[call as usize].service, self.w.calls[call as usize].timeout);
        let s = service as usize;
        if k == 1 {
            self.services[s].first_attempt();
        }
        self.observer.call(service, CallEvent::Attempt { retry: k > 1 });
        if !self.services[s].take_token(self.now) {
            self.observer.call(service, CallEvent::Rejected);
            return self.attempt_failed(f, Outcome::Rejected);
        }
        let generation = self.park(f, State::Call);
        let (task_index, class, site) = self.draw_site(f);
        let request = self.requests.insert(Request {
            fiber: f,
            generation,
            arrived: self.now,
            class: class as u16,
            task_index,
            site: mix(site, u64::from(k)),
        });
        if self.services[s].arrive(request) {
            self.start_service(service, request);
        }
        self.service_changed(service);
        if let Some(t) = timeout {
            self.queue.push(self.now + t, Event::CallTimeout { fiber: f, generation });
        }
        true
    }

    /// Attempt `counter` of `f`'s call ended in `outcome`: wait a backoff
    /// and retry if the policy and the budget allow (returns true, `f`
    /// parked), else mark the call failed for good (returns false).
    pub(super) fn attempt_failed(&mut self, f: FiberId, outcome: Outcome) -> bool {
        let Fiber { pc, counter: k, task, .. } = self.fibers[f];
        let Op::Call { call } = self.w.ops[pc as usize] else { unreachable!("attempt at a call op") };
        let (service, retry) = (self.w.calls[call as usize].service, self.w.calls[call as usize].retry);
        if let Some(r) = retry
            && k < r.attempts
            && !self.tasks[task].unwinding()
        {
            if self.services[service as usize].allow_retry(r.budget) {
                let b = backoff(r.backoff, r.multiplier, r.max_backoff, k);
                let wait = match r.jitter {
                    Jitter::None => b,
                    Jitter::Full => self.jitter(f, k, b),
                    Jitter::Equal => {
                        let half = SimDuration::from_nanos(b.as_nanos() / 2);
                        half + self.jitter(f, k, half)
                    }
                };
                let generation = self.park(f, State::Backoff);
                self.fibers[f].counter = k + 1;
                self.queue.push(self.now + wait, Event::RetryCall { fiber: f, generation });
                return true;
            }
            self.observer.call(service, CallEvent::BudgetExhausted);
        }
        let fiber = &mut self.fibers[f];
        fiber.counter = call_ended(outcome);
        fiber.set_failing(true);
        false
    }

    /// A uniform draw in [0, b] for the backoff before attempt k + 1.
    pub(super) fn jitter(&mut self, f: FiberId, k: u32, b: SimDuration) -> SimDuration {
        let (task_index, class, site) = self.draw_site(f);
        let streams = self.classes[class].calls.as_mut().expect("a scenario with calls has call streams");
        let word = next_word(streams.jitter.at(task_index, mix(site, u64::from(k))));
        let u = (word >> 11) as f64 / (1u64 << 53) as f64;
        SimDuration::from_nanos((u * b.as_nanos() as f64) as u64)
    }

    /// A server of `service` takes `request` now.
    pub(super) fn start_service(&mut self, service: u16, request: RequestId) {
        let r = self.requests[request];
        self.observer.call(service, CallEvent::Started { wait: self.now - r.arrived });
        let dist = &self.scenario.services[service as usize].service;
        let base = match dist {
            Dist::Constant(d) => *d,
            _ => {
                let streams = self.classes[r.class as usize].calls.as_mut().expect("call streams");
                let rng = streams.service.at(r.task_index, r.site);
                dist.sample(&mut || next_word(rng))
            }
        };
        let factor = self.services[service as usize].factor(self.now);
        let d = if factor == 1.0 { base } else { SimDuration::from_nanos_f64(base.as_nanos() as f64 * factor) };
        self.queue.push(self.now + d, Event::ServiceDone { service, request });
    }

    pub(super) fn on_service_done(&mut self, service: u16, request: RequestId) {
        let r = self.requests[request];
        self.requests.remove(request);
        let live = self.is_current(r.fiber, r.generation, State::Call);
        let p = self.scenario.services[service as usize].fail;
        let failed = p > 0.0 && {
            let streams = self.classes[r.class as usize].calls.as_mut().expect("call streams");
            let word = next_word(streams.failures.at(r.task_index, r.site));
            ((word >> 11) as f64 / (1u64 << 53) as f64) < p
        };
        self.observer.call(service, CallEvent::Served { failed, abandoned: !live });
        if let Some(next) = self.services[service as usize].depart() {
            self.start_service(service, next);
        }
        self.service_changed(service);
        if !live {
            return;
        }
        if !failed {
            self.step_done(r.fiber);
            self.resume_from_outside(r.fiber);
        } else if !self.attempt_failed(r.fiber, Outcome::Failed) {
            self.resume_from_outside(r.fiber);
        }
    }

    pub(super) fn service_changed(&mut self, service: u16) {
        if self.resources {
            let s = &self.services[service as usize];
            let (busy, capacity) = (s.busy(), s.concurrency());
            let resource = Resource::Service(service);
            self.observer.resource(&ResourceChange { time: self.now, resource, busy, capacity, bytes: 0 });
        }
    }
}
