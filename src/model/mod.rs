//! The model: scenarios made executable.
//!
//! [`program`] compiles every task class's step tree into one flat, shared
//! instruction arena the engine interprets; [`dist`] samples the
//! scenario's duration distributions from caller-supplied random bits.
//! The types a scenario is made of are defined by the scenario stage and
//! re-exported here, so the engine can name everything it runs from one
//! place.

pub mod dist;
pub mod estimate;
pub mod program;

pub use crate::scenario::runtime::{self, Runtime};
pub use crate::scenario::{
    Arrivals, Bound, BranchThreads, Call, ChooseBranch, Count, Dist, Fail, GatherBranch, GatherMode, InnerKind, Jitter,
    Link, LinkId, Machine, OnExpiry, Outcomes, Pool, PoolId, Queue, QueueId, QueueUse, RateLimit, Retry, Scenario,
    Service, ServiceId, Slowdown, Step, StepKind, Strategy, StrategyKind, TaskClass, Transfer, Warmup, WhenFull,
    queues_used,
};
pub use program::{CompiledWorkload, Op, ProgramId};
