//! What the verbs compute, as plain report structs: pure functions of results and
//! summaries (no I/O, no command-line types).

/// The answer in words on the first screen of every report.
pub mod answer;
/// Which uncertain inputs drive a run's criteria (rank correlations, rank regression).
pub mod drivers;
/// Policies against futures: designs, Pareto front, regret, main effects.
pub mod explore;
