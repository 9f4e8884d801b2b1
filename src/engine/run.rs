//! Trials in parallel, reduced in a fixed order.

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use super::design::{self, Design};
use super::{Model, Results, SeriesStats, Streams};

/// Trials per block: the unit of parallel work and of the fixed-order merge. Results depend
/// on it (through the order of floating-point sums), never on the number of threads.
pub const BLOCK: usize = 4096;

/// Blocks simulated before their series statistics are merged: bounds memory.
const WAVE: usize = 64;

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Seed of the run.
    pub seed: u64,
    /// Number of trials.
    pub trials: u64,
    /// Worker threads (0: all cores).
    pub threads: usize,
    /// Keep every trial's drawn inputs (for `trials.csv` and sensitivity).
    pub keep_inputs: bool,
    /// Show a progress bar on stderr (drawn only when stderr is a terminal).
    pub progress: bool,
}

/// A trial produced a non-finite number: a bug, with the address that reproduces it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "trial {trial} (seed {seed}) produced a non-finite {what} = {value}: this is a bug; \
     reproduce it with `--seed {seed}` and trace trial {trial}"
)]
pub struct TrialError {
    /// The run's seed.
    pub seed: u64,
    /// The trial's index.
    pub trial: u64,
    /// Which outcome or series.
    pub what: String,
    /// The value found.
    pub value: f64,
}

/// One block's share of the work: column chunks of the outcomes (and inputs) to fill.
struct Block<'a> {
    first: u64,
    outcomes: Vec<&'a mut [f64]>,
    inputs: Vec<&'a mut [f64]>,
}

/// Runs `opts.trials` trials of `model`.
pub fn run<M: Model>(model: &M, opts: &RunOptions) -> Result<Results, TrialError> {
    run_with(model, opts, None)
}

/// [`run`], with the parameters drawn from a sampling design's points when one is given.
pub(super) fn run_with<M: Model>(
    model: &M,
    opts: &RunOptions,
    design: Option<&dyn Design>,
) -> Result<Results, TrialError> {
    let schema = model.schema();
    let n = usize::try_from(opts.trials).expect("trial count fits in memory");
    let mut outcomes = vec![vec![0.0; n]; schema.outcomes.len()];
    let mut inputs = if opts.keep_inputs {
        vec![vec![0.0; n]; schema.inputs.len()]
    } else {
        Vec::new()
    };
    let mut series = vec![vec![SeriesStats::default(); schema.years.len()]; schema.series.len()];

    let bar = if opts.progress {
        ProgressBar::new(opts.trials)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} trials, {per_sec}, eta {eta}")
            .expect("a valid template"),
    );
    let mut blocks = split_blocks(&mut outcomes, &mut inputs, n);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .expect("a thread pool can be built");
    pool.install(|| {
        while !blocks.is_empty() {
            let wave: Vec<Block> = blocks.drain(..WAVE.min(blocks.len())).collect();
            let partial: Vec<Result<Vec<Vec<SeriesStats>>, TrialError>> = wave
                .into_par_iter()
                .map(|block| {
                    let len = block.outcomes.first().map_or(0, |c| c.len()) as u64;
                    let r = run_block(model, opts.seed, design, block);
                    bar.inc(len);
                    r
                })
                .collect();
            for block_series in partial {
                for (acc, part) in series.iter_mut().zip(block_series?) {
                    for (a, p) in acc.iter_mut().zip(&part) {
                        *a += p;
                    }
                }
            }
        }
        Ok::<(), TrialError>(())
    })?;
    bar.finish_and_clear();
    Ok(Results {
        schema: schema.clone(),
        seed: opts.seed,
        trials: opts.trials,
        outcomes,
        inputs: opts.keep_inputs.then_some(inputs),
        series,
    })
}

/// Cuts every column into blocks of [`BLOCK`] trials.
fn split_blocks<'a>(
    outcomes: &'a mut [Vec<f64>],
    inputs: &'a mut [Vec<f64>],
    n: usize,
) -> Vec<Block<'a>> {
    let mut blocks: Vec<Block> = (0..n.div_ceil(BLOCK))
        .map(|b| Block {
            first: (b * BLOCK) as u64,
            outcomes: Vec::new(),
            inputs: Vec::new(),
        })
        .collect();
    for column in outcomes.iter_mut() {
        for (block, chunk) in blocks.iter_mut().zip(column.chunks_mut(BLOCK)) {
            block.outcomes.push(chunk);
        }
    }
    for column in inputs.iter_mut() {
        for (block, chunk) in blocks.iter_mut().zip(column.chunks_mut(BLOCK)) {
            block.inputs.push(chunk);
        }
    }
    blocks
}

/// Simulates one block's trials in index order; returns its series statistics.
fn run_block<M: Model>(
    model: &M,
    seed: u64,
    design: Option<&dyn Design>,
    mut block: Block,
) -> Result<Vec<Vec<SeriesStats>>, TrialError> {
    let schema = model.schema();
    let years = schema.years.len();
    let mut worker = model.worker();
    let mut streams = Streams::new(&schema.streams);
    let mut inputs = vec![0.0; schema.inputs.len()];
    let mut unit = vec![0.0; schema.inputs.len()];
    let mut year_values = vec![0.0; schema.series.len()];
    let mut outcomes = vec![0.0; schema.outcomes.len()];
    let mut series = vec![vec![SeriesStats::default(); years]; schema.series.len()];
    let len = block.outcomes.first().map_or(0, |c| c.len());
    for i in 0..len {
        let trial = block.first + i as u64;
        design::begin_trial(
            model,
            design,
            seed,
            trial,
            &mut worker,
            &mut streams,
            &mut unit,
            &mut inputs,
        );
        for t in 0..years {
            model.draw_year(&mut worker, &mut streams, t);
            model.step(&mut worker, t, &mut year_values);
            for (s, (&v, by_year)) in year_values.iter().zip(series.iter_mut()).enumerate() {
                if !v.is_finite() {
                    let what = format!("{} in year {}", schema.series[s], schema.years[t]);
                    return Err(TrialError {
                        seed,
                        trial,
                        what,
                        value: v,
                    });
                }
                by_year[t].add(v);
            }
        }
        model.outcomes(&mut worker, &mut outcomes);
        for (o, &v) in outcomes.iter().enumerate() {
            if !(v.is_finite() || (schema.optional[o] && v.is_nan())) {
                return Err(TrialError {
                    seed,
                    trial,
                    what: schema.outcomes[o].clone(),
                    value: v,
                });
            }
            block.outcomes[o][i] = v;
        }
        for (column, &v) in block.inputs.iter_mut().zip(&inputs) {
            column[i] = v;
        }
    }
    Ok(series)
}
