//! What each verb computes, as plain report structs: no I/O, no command-line types, nothing
//! printed. `app/` loads the scenarios, calls these and hands the reports to `export/`.
//!
//! Every report reads only the engine's [`crate::engine::Results`] (with the model's
//! schema) and the statistics of [`crate::stats`].

/// The answer in words on the first screen of every report.
pub mod answer;
/// `check`: a re-run against a baseline summary, statistically or byte for byte.
pub mod check;
/// `compare`: paired and unpaired differences between scenarios (common random numbers).
pub mod compare;
/// `discover`: PRIM boxes of the inputs where a condition on an outcome holds.
pub(crate) mod discover;
/// Which uncertain inputs drive a run's criteria (rank correlations, rank regression).
pub mod drivers;
/// `explore`: policies against futures: designs, Pareto front, regret, main effects.
pub mod explore;
/// `run --precision`: the targets of precision stopping and what a run reached.
pub mod precision;
/// `run`: the run summary (`summary.json`).
pub mod run;
/// `sensitivity`: rank (PRCC) and Sobol reports per outcome.
pub(crate) mod sensitivity;
/// `sweep`: one key along evenly spaced values.
pub mod sweep;

pub use check::CheckVerdict;
pub use compare::ScenarioComparison;
pub use run::RunSummary;
