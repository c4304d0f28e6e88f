//! simbench: a deterministic discrete-event simulator that compares blocking,
//! threaded and cooperative (asyncio-style) execution of I/O-bound workloads.
//!
//! Data flows one way through the stages, each importing only those before it:
//! [`scenario`] (parse, validate) → [`model`] (validated scenario, compiled
//! programs) → [`engine`] (clock, queue, seeded streams, dispatch) →
//! [`metrics`] (histograms, summaries, timelines, replications) →
//! [`validate`] (queueing-theory oracle) → [`sweep`] (capacity studies: grids
//! of scenario fields, plans, the USL fit) → [`report`] (JSON, Markdown,
//! terminal, charts, HTML) → [`simulation`] (a scenario file to its report,
//! what `simbench run` does) → `cli`. [`time`] holds the virtual-time
//! newtypes every stage shares.
//!
//! The one entry point for library use is [`Simulation`]:
//!
//! ```
//! let run = simbench::Simulation::from_path("scenarios/downloads.json")?.run()?;
//! print!("{}", simbench::report::markdown::render(&run.report));
//! # Ok::<(), simbench::SimulationError>(())
//! ```

pub mod engine;
pub mod metrics;
pub mod model;
pub mod report;
pub mod scenario;
pub mod simulation;
pub mod sweep;
pub mod time;
pub mod validate;

pub use simulation::{Run, Simulation, SimulationError};
