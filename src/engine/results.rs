//! The results table: the one contract between simulating and everything after it.

use std::ops::AddAssign;

use super::Schema;
use crate::stats::{Mean, Sketch};

/// A yearly series' values in one year, summarised as the trials stream by. Merges with
/// `+=` exactly: any split of the trials into runs, merged in any order, gives the same
/// statistics bit for bit.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SeriesStats {
    /// Mean over trials (an exact sum of runs of trials summed in trial order).
    pub mean: Mean,
    /// Quantile sketch (relative error at most 2^-8).
    pub sketch: Sketch,
}

impl AddAssign<&SeriesStats> for SeriesStats {
    fn add_assign(&mut self, other: &SeriesStats) {
        self.mean += &other.mean;
        self.sketch += &other.sketch;
    }
}

impl SeriesStats {
    /// Records one trial's value.
    #[inline]
    pub fn add(&mut self, v: f64) {
        self.mean.add(v);
        self.sketch.add(v);
    }

    /// Records a run of trials' values, in trial order: the sketch takes each value, the
    /// mean the plain sum of each [`MEAN_RUN`] of them, added exactly. The mean thus
    /// depends on where runs start (the engine starts them at multiples of [`MEAN_RUN`]
    /// trials), never on the order in which runs arrive.
    #[inline]
    pub fn add_run(&mut self, values: &[f64]) {
        let mean = &mut self.mean;
        self.sketch
            .add_slice_summing(values, MEAN_RUN, |n, sum| mean.add_sum(n as u64, sum));
    }
}

/// Trials whose values are summed in plain floating point before their sum enters a yearly
/// mean's exact sum.
pub const MEAN_RUN: usize = 256;

/// `k` columns of `n` zeros, each allocated zeroed on its own. `vec![vec![0.0; n]; k]`
/// would clone the first column `k - 1` times: copying it and touching every page on the
/// calling thread before any trial runs (some 160 MB, a serial tenth of a second, for a
/// million trials of twenty outcomes). A fresh zeroed allocation of that size is usually
/// mapped lazily (the allocator takes large blocks straight from the system), its pages
/// then first touched by the worker threads that fill them.
pub fn zeroed_columns(k: usize, n: usize) -> Vec<Vec<f64>> {
    (0..k).map(|_| vec![0.0; n]).collect()
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct Results {
    /// The model's names.
    pub schema: Schema,
    /// The run's seed.
    pub seed: u64,
    /// Number of trials.
    pub trials: u64,
    /// `outcomes[o][i]`: outcome `o` of trial `i` (NaN where an optional outcome is absent).
    pub outcomes: Vec<Vec<f64>>,
    /// `inputs[j][i]`: uncertain input `j` of trial `i`, for the trials the run kept
    /// ([`super::KeepInputs`]: the first ones by index, or all); `None` when asked to keep
    /// none, or once the drivers took them (`defsim run` keeps them for its drivers alone).
    pub inputs: Option<Vec<Vec<f64>>>,
    /// `series[s][t]`: yearly series `s` in year `t`.
    pub series: Vec<Vec<SeriesStats>>,
}

impl Results {
    /// The values of the outcome called `name`.
    pub fn outcome(&self, name: &str) -> Option<&[f64]> {
        let i = self.schema.outcomes.iter().position(|o| o.name == name)?;
        Some(&self.outcomes[i])
    }

    /// Every trial's inputs, when the run kept them all (not only the first trials').
    pub fn all_inputs(&self) -> Option<&[Vec<f64>]> {
        self.inputs
            .as_deref()
            .filter(|cols| cols.iter().all(|c| c.len() as u64 == self.trials))
    }

    /// The yearly statistics of the series called `name`.
    pub fn series(&self, name: &str) -> Option<&[SeriesStats]> {
        let i = self.schema.series.iter().position(|s| s.name == name)?;
        Some(&self.series[i])
    }
}
