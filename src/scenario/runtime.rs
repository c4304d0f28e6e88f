//! Runtime profiles: what a real runtime costs beyond the work a program
//! asks for (docs/model.md, R-RUNTIME-*).
//!
//! A profile is a named set of constants ([`CONSTANTS`]): loop CPU per
//! coroutine created and per step, the garbage collector's growth with live
//! coroutines, the late wake-up of timers, thread start and wake-up, the
//! GIL's hand-over, a process pool's start and dispatch, the producer of
//! open-loop arrivals, and memory per coroutine and per thread. Three sources:
//! - `ideal` (the default): every time constant zero, so a scenario runs on
//!   the engine's plain code path and its report does not change;
//! - `cpython`: defaults derived from the calibration tables (CPython 3.11.7
//!   on a 2-core VM; docs/model.md shows the derivation);
//! - a profile file (`simbench.runtime/v1`, written by `simbench calibrate`).
//!
//! A scenario may override single constants on top of any of them.
//!
//! Invariants: every value is a whole number of nanoseconds (durations) or
//! bytes; the memory constants of `ideal` equal those of `cpython`, so the
//! modelled memory of a scenario without a profile is what it always was.

use crate::time::SimDuration;

/// The format tag of a profile file.
pub const PROFILE_FORMAT: &str = "simbench.runtime/v1";

/// What a constant measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A duration, in nanoseconds, written like `"4750ns"`.
    Duration,
    /// A size in bytes, written as an integer or like `"16.5KiB"`.
    Bytes,
}

/// One constant of a profile.
#[derive(Clone, Copy, Debug)]
pub struct Constant {
    pub name: &'static str,
    pub unit: Unit,
    /// Its value in the `cpython` profile (ns or bytes).
    pub cpython: u64,
    /// One line on what it is.
    pub meaning: &'static str,
    /// Added after profile files of `simbench.runtime/v1` were first
    /// written: a file may leave it out, and then it is 0 (the behaviour of
    /// the simbench that wrote the file).
    pub optional: bool,
}

/// Index of each constant in [`Runtime::values`].
pub mod index {
    pub const TASK_CREATE: usize = 0;
    pub const LOOP_STEP: usize = 1;
    pub const GC_PER_1000_LIVE: usize = 2;
    pub const TIMER_SLACK_LOOP: usize = 3;
    pub const TIMER_SLACK_THREAD: usize = 4;
    pub const THREAD_START: usize = 5;
    pub const CONTEXT_SWITCH: usize = 6;
    pub const SWITCH_INTERVAL: usize = 7;
    pub const MEMORY_PER_COROUTINE: usize = 8;
    pub const MEMORY_PER_THREAD: usize = 9;
    pub const TIMER_SLACK_LOOP_PER_S: usize = 10;
    pub const TIMER_SLACK_THREAD_PER_S: usize = 11;
    pub const GIL_HANDOFF: usize = 12;
    pub const POOL_START: usize = 13;
    pub const PROCESS_START: usize = 14;
    pub const PROCESS_DISPATCH: usize = 15;
    pub const PRODUCER_STEP: usize = 16;
    pub const LOOP_TIMEOUT_RESOLUTION: usize = 17;
}

/// Number of constants in a profile.
pub const CONSTANT_COUNT: usize = 18;

/// Every constant, in [`index`] order. The `cpython` figures are derived in
/// docs/model.md (R-RUNTIME-CPYTHON) from ../shared/calibration/README.md.
pub const CONSTANTS: [Constant; CONSTANT_COUNT] = [
    Constant {
        name: "task_create",
        unit: Unit::Duration,
        cpython: 4_750,
        meaning: "loop CPU per coroutine created (a task, a gather child, a spawn, a timeout body)",
        optional: false,
    },
    Constant {
        name: "loop_step",
        unit: Unit::Duration,
        cpython: 486,
        meaning: "loop CPU each time the loop resumes a coroutine",
        optional: false,
    },
    Constant {
        name: "gc_per_1000_live",
        unit: Unit::Duration,
        cpython: 39,
        meaning: "extra loop CPU per creation and per step for every 1000 live coroutines (the garbage collector)",
        optional: false,
    },
    Constant {
        name: "timer_slack_loop",
        unit: Unit::Duration,
        cpython: 130_000,
        meaning: "how late a `sleep` step wakes under cooperative (asyncio.sleep), at the least",
        optional: false,
    },
    Constant {
        name: "timer_slack_thread",
        unit: Unit::Duration,
        cpython: 73_000,
        meaning: "how late a `sleep` step wakes on a thread (time.sleep), at the least",
        optional: false,
    },
    Constant {
        name: "thread_start",
        unit: Unit::Duration,
        cpython: 59_000,
        meaning: "time to start a pool's worker thread (started lazily, one after another)",
        optional: false,
    },
    Constant {
        name: "context_switch",
        unit: Unit::Duration,
        cpython: 0,
        meaning: "CPU (under the GIL, if any) for a thread to resume after a wait",
        optional: false,
    },
    Constant {
        name: "switch_interval",
        unit: Unit::Duration,
        cpython: 5_000_000,
        meaning: "the GIL's switch interval (sys.getswitchinterval); informational: strategies set their own",
        optional: false,
    },
    Constant {
        name: "memory_per_coroutine",
        unit: Unit::Bytes,
        cpython: 2_900,
        meaning: "resident bytes per live coroutine",
        optional: false,
    },
    Constant {
        name: "memory_per_thread",
        unit: Unit::Bytes,
        cpython: 16_896,
        meaning: "resident bytes per thread",
        optional: false,
    },
    Constant {
        name: "timer_slack_loop_per_s",
        unit: Unit::Duration,
        cpython: 2_180_000,
        meaning: "how much later a `sleep` step wakes under cooperative per second it asks for (beyond timer_slack_loop)",
        optional: true,
    },
    Constant {
        name: "timer_slack_thread_per_s",
        unit: Unit::Duration,
        cpython: 700_000,
        meaning: "how much later a `sleep` step wakes on a thread per second it asks for (beyond timer_slack_thread)",
        optional: true,
    },
    Constant {
        name: "gil_handoff",
        unit: Unit::Duration,
        cpython: 50_000,
        meaning: "from the GIL's release to its next holder running (the woken thread's wake-up)",
        optional: true,
    },
    Constant {
        name: "pool_start",
        unit: Unit::Duration,
        cpython: 2_000_000,
        meaning: "`processes`: from creating the pool to its workers taking tasks, beyond process_start per process",
        optional: true,
    },
    Constant {
        name: "process_start",
        unit: Unit::Duration,
        cpython: 1_200_000,
        meaning: "`processes`: starting one worker process (fork), one after another",
        optional: true,
    },
    Constant {
        name: "process_dispatch",
        unit: Unit::Duration,
        cpython: 20_000,
        meaning: "`processes`: the parent's time to send one task to a worker and take its result back, one task at a time",
        optional: true,
    },
    Constant {
        name: "producer_step",
        unit: Unit::Duration,
        cpython: 5_000,
        meaning: "the producer's CPU per open-loop arrival it makes (its sleep's timer, executor.submit); 0: no producer",
        optional: true,
    },
    Constant {
        name: "loop_timeout_resolution",
        unit: Unit::Duration,
        cpython: 1_000_000,
        meaning: "the event loop's selector rounds its timeout up to this (epoll: 1 ms), from the moment the loop went idle; 0: timers wake on time",
        optional: true,
    },
];

/// Names of the built-in profiles.
pub const BUILT_IN: &[&str] = &["ideal", "cpython"];

/// A resolved runtime profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Runtime {
    /// `ideal`, `cpython`, or the profile file as the scenario names it;
    /// with overrides, followed by ` + overrides`.
    pub name: String,
    /// Each constant, in [`index`] order.
    pub values: [u64; CONSTANT_COUNT],
    /// A profile file still to be read (relative to the scenario's
    /// directory) and the overrides to apply on top of it. `parse` resolves
    /// it; a resolved profile has `None`.
    pub pending: Option<PendingProfile>,
}

/// A profile file named by a scenario, not yet read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingProfile {
    pub file: String,
    pub overrides: Vec<(usize, u64)>,
}

impl Default for Runtime {
    fn default() -> Self {
        Runtime::ideal()
    }
}

impl Runtime {
    /// No overhead at all; CPython's memory figures.
    pub fn ideal() -> Runtime {
        let mut values = [0; CONSTANT_COUNT];
        values[index::MEMORY_PER_COROUTINE] = CONSTANTS[index::MEMORY_PER_COROUTINE].cpython;
        values[index::MEMORY_PER_THREAD] = CONSTANTS[index::MEMORY_PER_THREAD].cpython;
        Runtime { name: "ideal".into(), values, pending: None }
    }

    /// The calibration's CPython 3.11 figures.
    pub fn cpython() -> Runtime {
        Runtime { name: "cpython".into(), values: CONSTANTS.map(|c| c.cpython), pending: None }
    }

    /// A built-in profile by name.
    pub fn built_in(name: &str) -> Option<Runtime> {
        match name {
            "ideal" => Some(Runtime::ideal()),
            "cpython" => Some(Runtime::cpython()),
            _ => None,
        }
    }

    /// True when no constant adds time: the engine runs its plain path.
    pub fn is_ideal(&self) -> bool {
        CONSTANTS.iter().zip(&self.values).all(|(c, v)| c.unit == Unit::Bytes || *v == 0 || c.name == "switch_interval")
    }

    /// A duration constant.
    pub fn duration(&self, i: usize) -> SimDuration {
        SimDuration::from_nanos(self.values[i])
    }

    pub fn memory_per_coroutine(&self) -> u64 {
        self.values[index::MEMORY_PER_COROUTINE]
    }

    pub fn memory_per_thread(&self) -> u64 {
        self.values[index::MEMORY_PER_THREAD]
    }

    /// The constant named `name`, if any.
    pub fn position(name: &str) -> Option<usize> {
        CONSTANTS.iter().position(|c| c.name == name)
    }

    /// Applies overrides and marks the name.
    pub fn with_overrides(mut self, overrides: &[(usize, u64)]) -> Runtime {
        for &(i, v) in overrides {
            self.values[i] = v;
        }
        if !overrides.is_empty() {
            self.name.push_str(" + overrides");
        }
        self
    }

    /// A constant's value as a profile file writes it (`"4750ns"`, bytes as
    /// an integer).
    pub fn format_value(i: usize, value: u64) -> String {
        match CONSTANTS[i].unit {
            Unit::Duration => format!("{value}ns"),
            Unit::Bytes => value.to_string(),
        }
    }
}
