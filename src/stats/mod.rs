//! Statistics of simulation results: pure functions and mergeable accumulators.
//!
//! Everything here reads numbers produced by the engine and returns numbers; nothing draws,
//! writes files or keeps global state. Outcome statistics are exact (over all trials);
//! yearly series may be summarised by the mergeable [`Sketch`], whose error is stated on
//! the type. Accumulators ([`Sketch`], [`Mean`], [`NeumaierSum`]) merge with `+=`, so
//! parallel or sharded runs combine the same way; merging in a fixed order gives a
//! deterministic result.

/// Reproducible bootstrap resampling and percentile intervals.
pub mod bootstrap;
/// Compensated sums and a mergeable mean (per-block yearly means).
pub mod moments;
/// PRIM scenario discovery: peeling trajectory, boxes, quasi-p-values.
pub mod prim;
/// Proportions with 95% Wilson score intervals (probabilities in `summary.json`).
pub mod proportion;
/// Rank sensitivity: Spearman, PRCC with bootstrap intervals, decile deltas.
pub mod rank;
/// Rank correlations with Fisher intervals and the R² of a rank regression (run drivers).
pub mod rank_regression;
/// A mergeable log-bucketed quantile sketch for yearly series, with a stated relative error.
pub mod sketch;
/// Sobol first-order (Saltelli 2010) and total (Jansen) indices with bootstrap intervals.
pub mod sobol;
/// Exact outcome summaries: mean, sd, se, type-7 quantiles, min, max.
pub mod summary;

pub use moments::{Mean, NeumaierSum};
pub use proportion::{Proportion, Z95, proportion, wilson};
pub use sketch::Sketch;
pub use summary::{Summary, quantile_type7_sorted, quantiles_type7, summarize};

/// The probabilities at which outcome quantiles are reported (`p05` .. `p95` in
/// `summary.json` and `summary.csv`), in increasing order.
pub const QUANTILES: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];
