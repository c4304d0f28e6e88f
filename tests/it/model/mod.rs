//! One test per rule of docs/model.md. Each file covers one step kind or
//! topic; each test is named after the rule it checks (R-IO-THREADED →
//! `r_io_threaded…`), so `cargo test --test it model::io::r_io` runs the io rules.

mod harness;

mod arrivals;
mod blocking;
mod calibration;
mod cpu;
mod detached;
mod flow;
mod gather;
mod gather_mode;
mod gather_until;
mod gil;
mod hedge;
mod io;
mod limit;
mod link;
mod loop_select;
mod metrics;
mod process_pool;
mod processes;
mod producer;
mod queues;
mod randomness;
mod retry;
mod retry_program;
mod runtime;
mod scopes_and_detached;
mod service;
mod spawn;
mod strategies;
mod threads_submit;
mod timeout;
mod timeout_abort;
mod to_thread;
mod trace;
mod try_step;
