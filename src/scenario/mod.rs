//! Scenario files: parse and validate JSON into a [`crate::model::Scenario`].
//! (Being written; see docs/scenario.md.)
