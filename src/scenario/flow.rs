//! The scenario's control-flow values: a `choose`'s branches, a `repeat`'s
//! count, and when an io step fails (R-REPEAT, R-CHOOSE, R-SEQUENCE). Their
//! invariants are the decoder's (`decode/flow.rs`); sampling is the model's
//! (`model::dist`).

use super::Step;

/// One branch of a `choose`: its weight (> 0; the weights need not sum to
/// 1) and its program (possibly empty: "do nothing").
#[derive(Clone, Debug, PartialEq)]
pub struct ChooseBranch {
    pub weight: f64,
    pub program: Vec<Step>,
}

/// How many times a `repeat` runs its program (R-REPEAT).
#[derive(Clone, Debug, PartialEq)]
pub enum Count {
    /// Always `n` (0 is allowed: the program is skipped).
    Fixed(u32),
    /// Uniform over `[min, max]`, inclusive.
    Uniform { min: u32, max: u32 },
    /// Geometric on 1, 2, 3, … with the given mean ≥ 1: each iteration is
    /// the last with probability 1 / mean (a pagination loop that stops at
    /// the page without a "next" link). At most [`Count::MAX_GEOMETRIC`].
    Geometric { mean: f64 },
    /// One of the listed counts, each equally likely.
    Empirical(Box<[u32]>),
    /// Task k of its class takes the k-th value, cyclically (R-SEQUENCE).
    Sequence(Box<[u32]>),
}

impl Count {
    /// The cap on a geometric draw, so that one draw cannot loop forever.
    pub const MAX_GEOMETRIC: u32 = 1_000_000;

    /// The mean count.
    pub fn mean(&self) -> f64 {
        match self {
            Count::Fixed(n) => f64::from(*n),
            Count::Uniform { min, max } => (f64::from(*min) + f64::from(*max)) / 2.0,
            Count::Geometric { mean } => *mean,
            Count::Empirical(values) | Count::Sequence(values) => {
                values.iter().map(|&n| f64::from(n)).sum::<f64>() / values.len() as f64
            }
        }
    }

    /// The largest count a draw can give.
    pub fn max(&self) -> u32 {
        match self {
            Count::Fixed(n) => *n,
            Count::Uniform { max, .. } => *max,
            Count::Geometric { .. } => Count::MAX_GEOMETRIC,
            Count::Empirical(values) | Count::Sequence(values) => values.iter().copied().max().unwrap_or(0),
        }
    }
}

/// When an io step fails.
#[derive(Clone, Debug, PartialEq)]
pub enum Fail {
    /// With this probability, drawn per execution (0: never).
    Probability(f64),
    /// Task k of its class fails with the k-th probability, cyclically: a
    /// fixed pattern when they are 0 and 1 (R-SEQUENCE).
    Sequence(Box<[f64]>),
}

impl Fail {
    /// An io step that never fails.
    pub const NEVER: Fail = Fail::Probability(0.0);
}

impl Default for Fail {
    fn default() -> Fail {
        Fail::NEVER
    }
}
