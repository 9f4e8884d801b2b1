//! Statistics of simulation results: pure functions and mergeable accumulators.
//!
//! Everything here reads numbers produced by the engine and returns numbers; nothing draws,
//! writes files or keeps global state. Outcome statistics are exact (over all trials);
//! yearly series may be summarised by the mergeable [`Sketch`], whose error is stated on
//! the type. Accumulators ([`Sketch`], [`Mean`], [`ExactSum`]) merge with `+=` exactly:
//! any order or grouping of merges gives the same bits, so per-thread and sharded runs
//! combine to identical results. ([`NeumaierSum`] is deterministic only for a fixed order.)

/// Reproducible bootstrap resampling and percentile intervals.
pub mod bootstrap;
/// The per-trial Gaussian copula of correlated uncertain parameters.
pub mod copula;
/// Exact, order-independent summation (a dense superaccumulator).
pub mod exact;
/// Conditions on outcomes: the expression language of `[criteria]` and `discover --where`.
pub mod expr;
/// Compensated sums and a mergeable, exact mean (yearly means).
pub mod moments;
/// PRIM scenario discovery: peeling trajectory, boxes, quasi-p-values.
pub mod prim;
/// Proportions with 95% Wilson score intervals (probabilities in `summary.json`).
pub mod proportion;
/// Rank sensitivity: Spearman, PRCC with batch-means intervals, decile deltas.
pub mod rank;
/// Rank correlations with Fisher intervals and the R² of a rank regression (run drivers).
pub mod rank_regression;
/// Order statistics of a column by radix selection, without copying or reordering it.
pub mod select;
/// A mergeable log-bucketed quantile sketch with integer counts, with a stated relative error.
pub mod sketch;
/// Sobol first-order (Saltelli 2010) and total (Jansen) indices with bootstrap intervals.
pub mod sobol;
/// SplitMix64 seed mixing shared by the engine's streams and the bootstrap.
pub(crate) mod splitmix;
/// Exact outcome summaries: mean, sd, se, type-7 quantiles, min, max.
pub mod summary;
/// Awkward columns for tests that compare a fast path with the plain one.
#[cfg(test)]
pub(crate) mod testdata;

pub use exact::ExactSum;
pub use moments::{Mean, NeumaierSum, mean_variance, variance_about};
pub use proportion::{Proportion, Z95, proportion, wilson};
pub use sketch::Sketch;
pub use summary::{
    OutcomeStats, quantile_type7_by, quantile_type7_sorted, quantiles_type7,
    quantiles_type7_counted, quantiles_type7_present, summarize, summarize_present,
};

/// The probabilities at which outcome quantiles are reported (`p05` .. `p95` in
/// `summary.json` and `summary.csv`), in increasing order.
pub const QUANTILES: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];
