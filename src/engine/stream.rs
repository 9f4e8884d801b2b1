//! Streaming runs: memory constant in the trial count, statistics that merge exactly.
//!
//! A streaming run keeps no outcome column. Each block of [`BLOCK`] trials is simulated into
//! block-sized scratch columns and reduced at once to [`StreamStats`]: per outcome the count,
//! the exact sums of values and squares ([`ExactSum`]), min and max with their trials, the
//! count of values equal to 1 (indicator hits) and the quantile sketch; per yearly series and
//! year the [`SeriesStats`]. Block statistics are merged into the run's in block order. Every
//! merged quantity is exact and order-independent (integer counts, exact sums, min/max with
//! ties to the smallest trial; the sketches and series statistics as [`crate::stats`]
//! documents them), so a run split into shards ([`ShardPlan`]) or interrupted and resumed
//! merges to the same statistics, and the same bytes, as one uninterrupted run.

use std::ops::{ControlFlow, Range};
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::design::Design;
use super::run::{Block, run_block};
use super::{Model, RunOptions, Schema, SeriesStats, TrialError};
use crate::stats::{ExactSum, Sketch};

pub use super::run::BLOCK;

/// Blocks simulated in parallel between two merges (and two calls of the wave callback).
pub const WAVE_BLOCKS: u64 = 32;

/// Number of blocks of a run of `trials` trials.
pub fn block_count(trials: u64) -> u64 {
    trials.div_ceil(BLOCK as u64)
}

/// Trials of block `b` in a run of `trials` trials.
pub fn block_trials(b: u64, trials: u64) -> Range<u64> {
    let first = b * BLOCK as u64;
    first..(first + BLOCK as u64).min(trials)
}

/// The trials of the blocks `blocks` in a run of `trials` trials.
pub fn blocks_trials(blocks: &Range<u64>, trials: u64) -> Range<u64> {
    let at = |b: u64| b.saturating_mul(BLOCK as u64).min(trials);
    at(blocks.start)..at(blocks.end)
}

/// The progress bar of a streaming run over `trials` trials: drawn on stderr when `show`
/// (and stderr is a terminal), else hidden. One bar serves a run however many calls of
/// [`stream`] it takes; the caller clears it at the end.
pub fn progress_bar(show: bool, trials: u64) -> ProgressBar {
    let target = if show {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(trials), target);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} trials, {per_sec}, eta {eta}")
            .expect("a valid template"),
    );
    bar
}

/// Shard `k` of `n`'s deterministic share of the blocks of a run: the contiguous blocks
/// `floor(k B / n) .. floor((k + 1) B / n)` of the run's `B` blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardPlan {
    /// This shard, `0 <= k < n`.
    pub k: u64,
    /// Number of shards.
    pub n: u64,
}

impl ShardPlan {
    /// The blocks of this shard in a run of `trials` trials.
    pub fn blocks(&self, trials: u64) -> Range<u64> {
        let b = u128::from(block_count(trials));
        let at = |k: u64| (b * u128::from(k) / u128::from(self.n)) as u64;
        at(self.k)..at(self.k + 1)
    }

    /// The trials of this shard.
    pub fn trials(&self, trials: u64) -> Range<u64> {
        blocks_trials(&self.blocks(trials), trials)
    }
}

/// Exact, mergeable statistics of one outcome over the trials seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamOutcome {
    /// Trials in which the outcome is present.
    pub n: u64,
    /// Present values equal to 1 (the hits of a 0/1 indicator).
    pub ones: u64,
    /// Exact sum of the values.
    pub sum: ExactSum,
    /// Exact sum of the squares (each square split exactly into two doubles).
    pub sum_sq: ExactSum,
    /// Smallest value (`+inf` while empty) and the first trial holding it.
    pub min: f64,
    pub min_trial: u64,
    /// Largest value (`-inf` while empty) and the first trial holding it.
    pub max: f64,
    pub max_trial: u64,
    /// Quantile sketch of the values.
    pub sketch: Sketch,
}

impl Default for StreamOutcome {
    fn default() -> Self {
        Self {
            n: 0,
            ones: 0,
            sum: ExactSum::new(),
            sum_sq: ExactSum::new(),
            min: f64::INFINITY,
            min_trial: u64::MAX,
            max: f64::NEG_INFINITY,
            max_trial: u64::MAX,
            sketch: Sketch::new(),
        }
    }
}

impl StreamOutcome {
    /// Records trial `trial`'s value (NaN = absent).
    #[inline]
    pub fn add(&mut self, trial: u64, v: f64) {
        if v.is_nan() {
            return;
        }
        self.n += 1;
        self.ones += u64::from(v == 1.0);
        self.sum.add(v);
        let sq = v * v;
        self.sum_sq.add(sq);
        self.sum_sq.add(v.mul_add(v, -sq));
        if v < self.min || (v == self.min && trial < self.min_trial) {
            self.min = v;
            self.min_trial = trial;
        }
        if v > self.max || (v == self.max && trial < self.max_trial) {
            self.max = v;
            self.max_trial = trial;
        }
        self.sketch.add(v);
    }

    /// Adds everything `other` recorded.
    pub fn merge(&mut self, other: &StreamOutcome) {
        self.n += other.n;
        self.ones += other.ones;
        self.sum += &other.sum;
        self.sum_sq += &other.sum_sq;
        if other.min < self.min || (other.min == self.min && other.min_trial < self.min_trial) {
            self.min = other.min;
            self.min_trial = other.min_trial;
        }
        if other.max > self.max || (other.max == self.max && other.max_trial < self.max_trial) {
            self.max = other.max;
            self.max_trial = other.max_trial;
        }
        self.sketch.merge(&other.sketch);
    }

    /// Mean, `None` without observations.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum.total() / self.n as f64)
    }

    /// Sample standard deviation (divisor n - 1) from the exact sums, `None` when n < 2;
    /// exactly 0 when every value is the same.
    pub fn sd(&self) -> Option<f64> {
        if self.n < 2 {
            return None;
        }
        if self.min == self.max {
            return Some(0.0);
        }
        let n = self.n as f64;
        let s = self.sum.total();
        let var = (self.sum_sq.total() - s * (s / n)) / (n - 1.0);
        Some(var.max(0.0).sqrt())
    }
}

/// Everything a streaming run keeps: statistics of the trials seen, mergeable exactly.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StreamStats {
    /// Trials recorded.
    pub trials: u64,
    /// Per outcome, in the schema's order.
    pub outcomes: Vec<StreamOutcome>,
    /// `series[s][t]`: yearly series `s` in year `t`.
    pub series: Vec<Vec<SeriesStats>>,
}

impl StreamStats {
    /// No trials yet, shaped for `schema`.
    pub fn new(schema: &Schema) -> StreamStats {
        StreamStats {
            trials: 0,
            outcomes: vec![StreamOutcome::default(); schema.outcomes.len()],
            series: vec![vec![SeriesStats::default(); schema.years.len()]; schema.series.len()],
        }
    }

    /// Adds everything `other` recorded.
    pub fn merge(&mut self, other: &StreamStats) {
        self.trials += other.trials;
        for (a, b) in self.outcomes.iter_mut().zip(&other.outcomes) {
            a.merge(b);
        }
        for (a, b) in self.series.iter_mut().zip(&other.series) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
    }

    /// Whether the shape fits `schema`.
    pub fn fits(&self, schema: &Schema) -> bool {
        self.outcomes.len() == schema.outcomes.len()
            && self.series.len() == schema.series.len()
            && self.series.iter().all(|s| s.len() == schema.years.len())
    }
}

/// The trials of one wave, in trial order, when the caller asked for rows.
pub struct WaveRows<'a> {
    /// First trial.
    pub first: u64,
    /// `inputs[j]`: input `j` of each trial.
    pub inputs: &'a [Vec<f64>],
    /// `outcomes[o]`: outcome `o` of each trial (NaN = absent).
    pub outcomes: &'a [Vec<f64>],
}

/// Simulates the blocks `blocks` of a run of `opts.trials` trials into `stats`, a wave of
/// `wave_blocks` blocks at a time (e.g. [`WAVE_BLOCKS`]), counting each block's trials on
/// `bar` (see [`progress_bar`]; the caller clears it). After each wave `after_wave` sees the
/// statistics so far, the next block to run, and (with `rows`) the wave's trials; it may stop
/// the run (`ControlFlow::Break`). Returns the next block not run.
#[allow(clippy::too_many_arguments)] // the run's model, options, range, state and callback
pub fn stream<M: Model>(
    model: &M,
    opts: &RunOptions,
    design: Option<&dyn Design>,
    blocks: Range<u64>,
    stats: &mut StreamStats,
    (rows, wave_blocks): (bool, u64),
    bar: &ProgressBar,
    mut after_wave: impl FnMut(&StreamStats, u64, Option<WaveRows<'_>>) -> ControlFlow<()>,
) -> Result<u64, TrialError> {
    let schema = model.schema();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .expect("a thread pool can be built");
    let mut next = blocks.start;
    while next < blocks.end {
        let wave = next..(next + wave_blocks.max(1)).min(blocks.end);
        // One accumulator per worker thread (exact merges: who ran which block does not
        // matter), merged into `stats` at the end of the wave.
        let per_thread: Vec<Mutex<Option<StreamStats>>> = (0..pool.current_num_threads())
            .map(|_| Mutex::new(None))
            .collect();
        let done: Vec<Result<Columns, TrialError>> = pool.install(|| {
            wave.clone()
                .into_par_iter()
                .map(|b| {
                    let thread = rayon::current_thread_index().expect("inside the pool");
                    let mut slot = per_thread[thread].lock().expect("not poisoned");
                    let acc = slot.get_or_insert_with(|| StreamStats::new(schema));
                    let r = simulate_block(model, opts, design, b, rows, acc);
                    bar.inc(block_trials(b, opts.trials).count() as u64);
                    r
                })
                .collect()
        });
        let done = done.into_iter().collect::<Result<Vec<_>, _>>()?;
        let mut wave_stats = StreamStats::new(schema);
        for acc in per_thread
            .into_iter()
            .filter_map(|m| m.into_inner().expect("not poisoned"))
        {
            wave_stats.merge(&acc);
        }
        stats.merge(&wave_stats);
        next = wave.end;
        let columns = rows.then(|| concat_rows(&done));
        let view = columns.as_ref().map(|(inputs, outcomes)| WaveRows {
            first: block_trials(wave.start, opts.trials).start,
            inputs,
            outcomes,
        });
        if after_wave(stats, next, view).is_break() {
            break;
        }
    }
    Ok(next)
}

/// One block's columns (empty unless rows were asked for).
struct Columns {
    inputs: Vec<Vec<f64>>,
    outcomes: Vec<Vec<f64>>,
}

/// Simulates block `b` into scratch columns and adds it to `acc`.
fn simulate_block<M: Model>(
    model: &M,
    opts: &RunOptions,
    design: Option<&dyn Design>,
    b: u64,
    rows: bool,
    acc: &mut StreamStats,
) -> Result<Columns, TrialError> {
    let schema = model.schema();
    let trials = block_trials(b, opts.trials);
    let len = trials.clone().count();
    let mut outcomes = vec![vec![0.0; len]; schema.outcomes.len()];
    let mut inputs = if rows {
        vec![vec![0.0; len]; schema.inputs.len()]
    } else {
        Vec::new()
    };
    let block = Block {
        first: trials.start,
        len,
        outcomes: outcomes.iter_mut().map(|c| c.as_mut_slice()).collect(),
        inputs: inputs.iter_mut().map(|c| c.as_mut_slice()).collect(),
    };
    run_block(model, opts.seed, design, block, &mut acc.series)?;
    acc.trials += len as u64;
    for (stats, column) in acc.outcomes.iter_mut().zip(&outcomes) {
        for (i, &v) in column.iter().enumerate() {
            stats.add(trials.start + i as u64, v);
        }
    }
    if !rows {
        outcomes.clear();
    }
    Ok(Columns { inputs, outcomes })
}

/// The wave's columns, blocks concatenated in order.
fn concat_rows(done: &[Columns]) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let join = |pick: &dyn Fn(&Columns) -> &Vec<Vec<f64>>| -> Vec<Vec<f64>> {
        let width = done.first().map_or(0, |d| pick(d).len());
        (0..width)
            .map(|c| {
                done.iter()
                    .flat_map(|d| pick(d)[c].iter().copied())
                    .collect()
            })
            .collect()
    };
    (join(&|d| &d.inputs), join(&|d| &d.outcomes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_block_once_in_order() {
        for trials in [1u64, 4095, 4096, 4097, 100_000, 1_000_003] {
            for n in 1..=9u64 {
                let mut next = 0;
                for k in 0..n {
                    let r = ShardPlan { k, n }.blocks(trials);
                    assert_eq!(r.start, next, "trials {trials}, shard {k}/{n}");
                    next = r.end;
                }
                assert_eq!(next, block_count(trials));
                let t: u64 = (0..n)
                    .map(|k| ShardPlan { k, n }.trials(trials).count() as u64)
                    .sum();
                assert_eq!(t, trials);
            }
        }
    }

    #[test]
    fn outcome_stats_merge_in_any_order_to_the_same_state() {
        let values: Vec<f64> = (0..5000)
            .map(|i| ((i as f64) * 0.731).sin() * 100.0)
            .collect();
        let mut whole = StreamOutcome::default();
        for (i, &v) in values.iter().enumerate() {
            whole.add(i as u64, v);
        }
        let mut parts: Vec<StreamOutcome> = values
            .chunks(700)
            .enumerate()
            .map(|(c, chunk)| {
                let mut s = StreamOutcome::default();
                for (i, &v) in chunk.iter().enumerate() {
                    s.add((c * 700 + i) as u64, v);
                }
                s
            })
            .collect();
        parts.reverse();
        let mut merged = StreamOutcome::default();
        for p in &parts {
            merged.merge(p);
        }
        assert_eq!(merged.n, whole.n);
        assert_eq!(merged.sum, whole.sum);
        assert_eq!(merged.sum_sq, whole.sum_sq);
        assert_eq!(
            (merged.min_trial, merged.max_trial),
            (whole.min_trial, whole.max_trial)
        );
        assert_eq!(merged.mean(), whole.mean());
        assert_eq!(merged.sd(), whole.sd());
        // Known answer: the mean and sd agree with a two-pass computation.
        let m = values.iter().sum::<f64>() / 5000.0;
        let sd = (values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / 4999.0).sqrt();
        assert!((whole.mean().unwrap() - m).abs() < 1e-12);
        assert!((whole.sd().unwrap() - sd).abs() < 1e-9 * sd);
        let mut constant = StreamOutcome::default();
        for i in 0..10 {
            constant.add(i, 0.3);
        }
        assert_eq!(constant.sd(), Some(0.0));
        assert_eq!(constant.mean(), Some(0.3));
    }
}
