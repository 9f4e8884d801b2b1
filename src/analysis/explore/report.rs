//! The content of `explore.json`: what `defsim explore` reports, read by every exporter.

use serde::Serialize;

use super::{self as ex, effects};

/// One lever as `explore.json` states it.
#[derive(Debug, Clone, Serialize)]
pub struct LeverInfo {
    /// The scenario key.
    pub key: String,
    /// Its levels as labels (factorial: the values; Latin hypercube: the bins' ranges).
    pub levels: Vec<String>,
}

/// One policy in `explore.json`.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyRow {
    /// Index in design order (`trace --policy I` would replay it).
    pub index: usize,
    /// Each lever's value, as `--set` writes it.
    pub values: indexmap::IndexMap<String, String>,
    /// Its statistics.
    #[serde(flatten)]
    pub stats: ex::PolicyStats,
}

/// The content of `explore.json`.
#[derive(Debug, Clone, Serialize)]
pub struct ExploreReport {
    /// `experiment.name`.
    pub experiment: String,
    /// The scenario's name.
    pub scenario: String,
    /// Seed shared by every policy.
    pub seed: u64,
    /// Trials per policy.
    pub trials: u64,
    /// `factorial` or `lhs`.
    pub design: String,
    /// The criterion.
    pub criterion: String,
    /// Names of the outcomes in each policy's `outcomes` list.
    pub outcome_names: Vec<String>,
    /// The levers.
    pub levers: Vec<LeverInfo>,
    /// Every policy.
    pub policies: Vec<PolicyRow>,
    /// The scenario as written.
    pub scenario_as_written: ex::PolicyStats,
    /// The Pareto front (policy indices, cheapest first).
    pub front: Vec<usize>,
    /// Main effect of each lever (in lever order).
    pub effects: Vec<effects::MainEffect>,
    /// The two strongest levers (indices).
    pub strongest: Vec<usize>,
    /// Mean P(criterion) at each pair of levels of the two strongest levers (the heat map).
    pub two_way: Option<effects::TwoWay>,
    /// The recommended policy (index): the cheapest reaching the target when one does,
    /// else the one with the highest P(criterion).
    pub recommended: Option<usize>,
    /// Warnings about the experiment (also printed).
    pub warnings: Vec<String>,
    /// Against the target, when one is set.
    pub target: Option<ex::TargetReport>,
    /// The answer in words (the first paragraph of explore.html).
    pub answer: Vec<String>,
}
