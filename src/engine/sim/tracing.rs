//! Trace events for observers that ask (`Observer::tracing`): what each
//! fiber begins, awaits and ends. Untraced runs pay one branch.

use super::*;

impl<'a, O: Observer> Sim<'a, O> {
    #[inline]
    pub(super) fn begin(&mut self, f: FiberId, duration: Option<SimDuration>) {
        if self.tracing {
            let pc = self.fibers[f].pc;
            self.trace_fiber(f, TraceWhat::Began { pc, duration: duration.map(SimDuration::as_nanos) });
        }
    }

    #[inline]
    pub(super) fn awaiting(&mut self, f: FiberId) {
        if self.tracing && self.cooperative() {
            let pc = self.fibers[f].pc;
            self.trace_fiber(f, TraceWhat::Awaiting { pc });
        }
    }

    #[inline(always)]
    pub(super) fn trace_fiber(&mut self, f: FiberId, what: TraceWhat) {
        // A producer is no task's fiber (R-PRODUCER): nothing to trace.
        if self.tracing && self.fibers[f].task.is_some() {
            self.trace(self.fibers[f].task, what);
        }
    }

    pub(super) fn trace(&mut self, task: TaskId, what: TraceWhat) {
        if self.tracing {
            let (number, class) = (self.traced_number(task), self.tasks[task].class());
            self.observer.trace(&TraceEvent { time: self.now, task: number, class, what });
        }
    }
}
