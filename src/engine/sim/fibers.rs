//! Fibers: creation (a root per task, children for gather branches,
//! spawns, timeout and `to_thread` bodies), freeing, and what a parent does
//! when a child ends.

use super::*;

impl<'a, O: Observer> Sim<'a, O> {
    pub(super) fn new_root(&mut self, task: TaskId) -> FiberId {
        let class = self.tasks[task].class() as usize;
        let program = self.w.class_programs[class];
        self.alloc_fiber(Fiber { pc: program, task, role: Role::Root, ..Fiber::FREE })
    }

    pub(super) fn new_child(&mut self, parent: FiberId, program: u32, role: Role, ordinal: u32) -> FiberId {
        let instance = self.child_instance(parent, ordinal);
        let task = self.fibers[parent].task;
        self.alloc_fiber(Fiber { pc: program, task, parent, instance, role, ..Fiber::FREE })
    }

    /// The draw instance of `parent`'s child number `ordinal` at its op: a
    /// hash of the path from the root, so that a child draws alike whether
    /// it runs as a fiber or as a work item (R-THREADS-SUBMIT).
    #[inline]
    pub(super) fn child_instance(&self, parent: FiberId, ordinal: u32) -> u64 {
        let p = self.fibers[parent];
        let offset = p.pc - self.classes[self.tasks[p.task].class() as usize].base;
        mix(p.instance, (u64::from(offset) << 32) | u64::from(ordinal))
    }

    pub(super) fn alloc_fiber(&mut self, mut fiber: Fiber) -> FiberId {
        let task = fiber.task;
        // A to_thread body is a thread's work; a try's body or except, a
        // retry's attempt, a repeat's iteration and a choose's branch are
        // blocks of their parent's coroutine: no task is created for them.
        let coroutine = !matches!(fiber.role, Role::Offload | Role::Try | Role::Except | Role::Body);
        let head = self.tasks[task].fibers;
        fiber.next = head;
        fiber.state = State::Running;
        // A reused slot keeps counting generations, so that events for its
        // previous fiber are recognised as stale.
        let id = self.fibers.insert_with(|old| Fiber { generation: old.map_or(0, |old| old.generation), ..fiber });
        if head.is_some() {
            self.fibers[head].prev = id;
        }
        let t = &mut self.tasks[task];
        t.fibers = id;
        if self.cooperative() && coroutine {
            let live = self.live_fibers();
            self.stats.peak_coroutines = self.stats.peak_coroutines.max(live);
            if self.overheads.active {
                self.loop_debt += self.overheads.creation(live);
            }
        }
        id
    }

    pub(super) fn free_fiber(&mut self, f: FiberId) {
        let Fiber { next, prev, task, generation, .. } = self.fibers[f];
        if prev.is_some() {
            self.fibers[prev].next = next;
        } else {
            self.tasks[task].fibers = next;
        }
        if next.is_some() {
            self.fibers[next].prev = prev;
        }
        self.fibers[f] = Fiber { generation: generation.wrapping_add(1), ..Fiber::FREE };
        self.fibers.remove(f);
    }

    /// Fibers alive now, of every task.
    #[inline]
    pub(super) fn live_fibers(&self) -> u64 {
        self.fibers.len() as u64
    }

    /// `f` reached its end (or is unwinding): wait for spawned programs,
    /// return permits, and tell the parent.
    pub(super) fn finish_fiber(&mut self, f: FiberId) {
        let Fiber { pc, task, parent, role, spawn_live, flags, .. } = self.fibers[f];
        let unwinding = self.tasks[task].unwinding();
        if spawn_live != 0 && !unwinding {
            self.park(f, State::Spawned);
            return;
        }
        if unwinding {
            for i in 0..self.w.held_pools(pc).len() {
                let pool = self.w.held_pools(pc)[i];
                self.release(pool);
            }
        }
        if flags & Fiber::HAS_DETACHED != 0 {
            self.orphan_detached(f);
        }
        self.free_fiber(f);
        if parent.is_none() {
            if role == Role::Root {
                self.root_finished(task);
            } else {
                self.orphan_finished(task);
            }
        } else {
            self.child_finished(parent, role);
        }
    }

    pub(super) fn child_finished(&mut self, p: FiberId, role: Role) {
        let task = self.fibers[p].task;
        let unwinding = self.tasks[task].unwinding();
        match role {
            Role::Root | Role::Producer => unreachable!("a root or a producer has no parent"),
            Role::Gather if self.cooperative() => {
                let fiber = &mut self.fibers[p];
                fiber.counter -= 1;
                if fiber.counter == 0 {
                    self.step_done(p);
                    self.resume(p);
                }
            }
            Role::Gather => {
                let unwinding = unwinding && !self.branch_caught(p);
                self.fibers[p].counter += 1;
                if unwinding || !self.start_gather_child(p) {
                    if !unwinding {
                        self.step_done(p);
                    }
                    self.resume(p);
                }
            }
            Role::Spawn(slot) => {
                let bit = 1u32 << slot;
                let on_thread = !self.cooperative();
                let fiber = &mut self.fibers[p];
                fiber.spawn_done |= bit;
                fiber.spawn_live &= !bit;
                match fiber.state {
                    State::Join if fiber.counter == u32::from(slot) => {
                        self.step_done(p);
                        self.resume(p);
                    }
                    State::Spawned if fiber.spawn_live == 0 => self.finish_fiber(p),
                    // On a thread the parent waited for the spawned program.
                    State::Children if on_thread => {
                        self.step_done(p);
                        self.resume(p);
                    }
                    _ => {}
                }
            }
            Role::Offload => {
                if self.cooperative() {
                    self.executor_done();
                }
                if !unwinding {
                    self.step_done(p);
                }
                self.resume_from_outside(p);
            }
            Role::Timeout => {
                if self.fibers[p].deadline_passed() {
                    if self.scoped {
                        self.raise(p, Outcome::TimedOut);
                    } else {
                        self.tasks[task].number_flags |= Task::UNWINDING;
                    }
                } else if !unwinding {
                    self.step_done(p);
                }
                self.resume(p);
            }
            Role::Detached(_) | Role::GatherUntil | Role::Hedge => self.waiting_child_finished(p, role),
            Role::Try | Role::Except => self.scope_finished(p, role, unwinding),
            Role::Body => self.body_finished(p, unwinding),
        }
    }

    /// Threads: starts the gather child whose ordinal is the parent's
    /// counter, if any is left. Returns false when the gather is complete.
    pub(super) fn start_gather_child(&mut self, p: FiberId) -> bool {
        let Fiber { pc, counter, .. } = self.fibers[p];
        let Op::Gather { first, len, .. } = self.w.ops[pc as usize] else {
            unreachable!("gather children return to a gather op")
        };
        let mut ordinal = counter;
        for b in first..first + len {
            let Branch { program, copies } = self.w.branches[b as usize];
            if ordinal < copies {
                let child = self.new_child(p, program, Role::Gather, counter);
                self.run_fiber_now(child);
                return true;
            }
            ordinal -= copies;
        }
        false
    }
}
