//! Shared resources: pool permits (FIFO), links (processor sharing, see
//! `link.rs`) and the CPU occupancy reported to the observer.

use super::*;

impl<'a, O: Observer> Sim<'a, O> {
    /// Returns a permit: to the first live waiter (FIFO), else to the pool.
    pub(super) fn release(&mut self, pool: u16) {
        while let Some((f, generation)) = self.pools[pool as usize].waiters.pop_front() {
            if self.is_current(f, generation, State::Permit) {
                let pc = self.fibers[f].pc;
                self.trace_fiber(f, TraceWhat::Acquired { pc });
                self.fibers[f].pc += 1;
                self.resume(f);
                return;
            }
        }
        self.pools[pool as usize].available += 1;
    }

    // ----- links ----------------------------------------------------------

    /// A link's completion event: wake every transfer whose work is done.
    pub(super) fn on_link_done(&mut self, link: u16, generation: u32) {
        if !self.links[link as usize].fire(self.now, generation) {
            return;
        }
        let mut bytes_done = 0;
        loop {
            let fibers = &self.fibers;
            let live = |f: FiberId, g: u32| fibers[f].generation == g && fibers[f].state == State::Transfer;
            let Some(f) = self.links[link as usize].pop_finished(live) else { break };
            if let Op::Transfer { bytes, .. } = self.w.ops[self.fibers[f].pc as usize] {
                bytes_done += bytes;
            }
            self.step_done(f);
            self.resume_from_outside(f);
        }
        self.link_changed(link, bytes_done);
    }

    /// A cancelled fiber parked at the transfer op `pc` leaves its link.
    pub(super) fn cancel_transfer(&mut self, pc: u32) {
        if let Op::Transfer { link, .. } = self.w.ops[pc as usize] {
            self.links[link as usize].cancel(self.now);
            self.link_changed(link, 0);
        }
    }

    /// The set of transfers on `link` changed: schedule its next end and
    /// report the change (with `bytes` of payload just delivered).
    pub(super) fn link_changed(&mut self, link: u16, bytes: u64) {
        let fibers = &self.fibers;
        let live = |f: FiberId, g: u32| fibers[f].generation == g && fibers[f].state == State::Transfer;
        if let Some((at, generation)) = self.links[link as usize].reschedule(self.now, live) {
            self.queue.push(at, Event::LinkDone { link, generation });
        }
        if self.resources {
            let busy = self.links[link as usize].active();
            let resource = Resource::Link(link);
            self.observer.resource(&ResourceChange { time: self.now, resource, busy, capacity: 1, bytes });
        }
    }

    /// Reports the CPU's occupancy if it changed: slots in use, or under
    /// cooperative whether a step holds the loop.
    pub(super) fn report_cpu(&mut self) {
        let (busy, capacity) = if self.cooperative() {
            (u32::from(self.event_loop.occupied), 1)
        } else {
            (self.cpu.in_use(), self.cpu.slots())
        };
        if busy != self.cpu_reported {
            self.cpu_reported = busy;
            let change = ResourceChange { time: self.now, resource: Resource::Cpu, busy, capacity, bytes: 0 };
            self.observer.resource(&change);
        }
    }
}
