//! Control flow: `repeat` (R-REPEAT), `choose` (R-CHOOSE) and io failures
//! that follow a per-task pattern (R-SEQUENCE).
//!
//! A repeat's iteration and a choose's branch run as a child fiber of the
//! step's fiber, inline (no loop hop: the body of a Python `for` or `if` is
//! not a task), in role [`Role::Body`]: an outcome raised inside passes
//! through to whatever handles it above, as an exception leaves a loop.
//! Each iteration is its own draw instance (ordinal = iteration number),
//! so iterations draw independent durations.
//!
//! Draws: a repeat's count and a choose's pick come from the task's step
//! stream at the step's own site, which no other draw uses, so adding a
//! `choose` or `repeat` leaves every other draw of the task where it was.
//! The count is re-derived at each iteration's end from the same
//! coordinates instead of being stored: the fiber's `counter` holds the
//! iteration number.

use super::interpreter::Flow;
use super::*;
use crate::model::Count;
use crate::model::dist::cyclic;
use crate::model::program::ProgramId;

impl<'a, O: Observer> Sim<'a, O> {
    /// An io step whose failure probability is task k's entry of a pattern.
    #[inline(never)]
    pub(super) fn op_io_pattern(&mut self, f: FiberId, dist: DistId, pattern: u32) -> Flow {
        let d = self.sample(f, dist);
        let (task_index, ..) = self.draw_site(f);
        let probabilities = &self.w.fail_patterns[pattern as usize];
        let p = probabilities[cyclic(task_index, probabilities.len())];
        let failing = p > 0.0 && self.draw_failure(f, p);
        self.await_io(f, d, failing)
    }

    #[inline(never)]
    pub(super) fn op_repeat(&mut self, f: FiberId, body: ProgramId, times: u32) -> Flow {
        self.begin(f, None);
        self.fibers[f].counter = 0;
        if self.repeat_count(f, times) == 0 {
            self.step_done(f);
            return Flow::Continue;
        }
        self.start_scope(f, body, Role::Body, 0)
    }

    #[inline(never)]
    pub(super) fn op_choose(&mut self, f: FiberId, first: u32, len: u32) -> Flow {
        self.begin(f, None);
        let choices = first as usize..(first + len) as usize;
        let program = if len == 1 {
            self.w.choices[choices.start].program
        } else {
            let u = self.unit_draw(f);
            let choices = &self.w.choices[choices];
            choices.iter().find(|c| u < c.upto).unwrap_or(&choices[choices.len() - 1]).program
        };
        self.start_scope(f, program, Role::Body, 0)
    }

    /// An iteration or a branch ended (or was unwound past, on a thread):
    /// the repeat starts its next iteration, or the step is done.
    pub(super) fn body_finished(&mut self, p: FiberId, unwinding: bool) {
        if !unwinding {
            let Fiber { pc, counter, .. } = self.fibers[p];
            if let Op::Repeat { body, times } = self.w.ops[pc as usize] {
                let next = counter + 1;
                if next < self.repeat_count(p, times) {
                    self.fibers[p].counter = next;
                    self.start_scope(p, body, Role::Body, next);
                    return;
                }
            }
            self.step_done(p);
        }
        self.run_fiber_now(p);
    }

    /// How many iterations the repeat at `f`'s pc runs for this task.
    fn repeat_count(&mut self, f: FiberId, times: u32) -> u32 {
        let count = &self.w.counts[times as usize];
        if let Count::Fixed(n) = count {
            return *n;
        }
        let (task_index, class, site) = self.draw_site(f);
        let rng = self.classes[class].steps.at(task_index, site);
        count.sample_for(task_index, &mut || next_word(rng))
    }

    /// A uniform draw in [0, 1) at `f`'s site on the task's step stream.
    fn unit_draw(&mut self, f: FiberId) -> f64 {
        let (task_index, class, site) = self.draw_site(f);
        let word = next_word(self.classes[class].steps.at(task_index, site));
        (word >> 11) as f64 / (1u64 << 53) as f64
    }
}
