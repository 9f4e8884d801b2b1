//! Trials in parallel; outcomes in trial order, yearly series in exact accumulators.
//!
//! Trials run in blocks of [`BLOCK`]; each block writes its own slice of every outcome
//! column, so outcomes do not depend on who ran which block. Yearly series go into one
//! accumulator per worker thread (no per-block sketches to grow and merge), and those
//! merge exactly ([`crate::stats::Sketch`] counts, [`crate::stats::Mean`] exact sums of
//! fixed runs of trials): the same bits whatever the number of threads or the order in
//! which blocks ran.

use std::sync::Mutex;

use rayon::prelude::*;

use super::design::Design;
use super::results::MEAN_RUN;
use super::{Model, Results, SeriesStats, Streams, zeroed_columns};

/// Trials per block: the unit of parallel work. Results depend on it (the yearly means sum
/// runs of [`CHUNK`] trials that start at block boundaries), never on the number of threads.
pub const BLOCK: usize = 4096;

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Seed of the run.
    pub seed: u64,
    /// Number of trials.
    pub trials: u64,
    /// Worker threads (0: all cores).
    pub threads: usize,
    /// Which trials' drawn inputs to keep in [`Results::inputs`].
    pub keep_inputs: KeepInputs,
    /// Show a progress bar on stderr (drawn only when stderr is a terminal).
    pub progress: bool,
}

/// Which trials' drawn inputs a run keeps ([`Results::inputs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeepInputs {
    /// None.
    None,
    /// Those of the first `k` trials by index (all when the run has fewer): the drivers'
    /// sample, kept as the blocks pass instead of drawn a second time afterwards, at
    /// `8 x inputs x k` bytes whatever the trial count.
    First(u64),
    /// Every trial's (for `trials.csv`, sensitivity and the achieved correlations).
    All,
}

impl KeepInputs {
    /// Trials kept of a run of `n`.
    pub fn of(self, n: u64) -> u64 {
        match self {
            KeepInputs::None => 0,
            KeepInputs::First(k) => k.min(n),
            KeepInputs::All => n,
        }
    }
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
pub(super) struct Block<'a> {
    pub(super) first: u64,
    pub(super) len: usize,
    pub(super) outcomes: Vec<&'a mut [f64]>,
    pub(super) inputs: Vec<&'a mut [f64]>,
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
    let mut outcomes = zeroed_columns(schema.outcomes.len(), n);
    let keep = opts.keep_inputs != KeepInputs::None;
    let kept = opts.keep_inputs.of(opts.trials) as usize;
    let mut inputs = if keep {
        zeroed_columns(schema.inputs.len(), kept)
    } else {
        Vec::new()
    };
    let empty_series =
        || vec![vec![SeriesStats::default(); schema.years.len()]; schema.series.len()];

    let bar = super::stream::progress_bar(opts.progress, opts.trials);
    let blocks = split_blocks(&mut outcomes, &mut inputs, n);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .expect("a thread pool can be built");
    // One series accumulator per worker thread, taken by the blocks that thread runs (the
    // lock is never contended: a block holds it only on its own thread).
    let per_thread: Vec<Mutex<Option<Vec<Vec<SeriesStats>>>>> = (0..pool.current_num_threads())
        .map(|_| Mutex::new(None))
        .collect();
    let errors: Vec<Option<TrialError>> = pool.install(|| {
        blocks
            .into_par_iter()
            .map(|block| {
                let len = block.len as u64;
                let thread = rayon::current_thread_index().expect("inside the pool");
                let mut slot = per_thread[thread].lock().expect("not poisoned");
                let acc = slot.get_or_insert_with(empty_series);
                let r = run_block(model, opts.seed, design, block, acc);
                bar.inc(len);
                r.err()
            })
            .collect()
    });
    // The first failing trial in trial order, whatever the schedule.
    if let Some(e) = errors.into_iter().flatten().next() {
        return Err(e);
    }
    let mut series = empty_series();
    for acc in per_thread
        .into_iter()
        .filter_map(|m| m.into_inner().expect("not poisoned"))
    {
        for (into, from) in series.iter_mut().zip(&acc) {
            for (a, p) in into.iter_mut().zip(from) {
                *a += p;
            }
        }
    }
    bar.finish_and_clear();
    Ok(Results {
        schema: schema.clone(),
        seed: opts.seed,
        trials: opts.trials,
        outcomes,
        inputs: keep.then_some(inputs),
        series,
    })
}

/// Cuts every column into blocks of [`BLOCK`] trials (a shorter column, such as the inputs
/// of the first trials, into as many blocks as it reaches).
fn split_blocks<'a>(
    outcomes: &'a mut [Vec<f64>],
    inputs: &'a mut [Vec<f64>],
    n: usize,
) -> Vec<Block<'a>> {
    let mut blocks: Vec<Block> = (0..n.div_ceil(BLOCK))
        .map(|b| Block {
            first: (b * BLOCK) as u64,
            len: BLOCK.min(n - b * BLOCK),
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

/// Trials whose yearly values are buffered before they are added to the series statistics:
/// adding a chunk column by column keeps each sketch's buckets in cache while it takes a
/// thousand values (adding every value as it comes touches ~250 sketches per trial and is
/// memory-bound). The order of additions into each sketch is still trial order, and the
/// chunk is a multiple of [`MEAN_RUN`], so results do not depend on it.
const CHUNK: usize = 4 * MEAN_RUN;
/// Distance between two (series, year) columns of the chunk buffer: a chunk plus one cache
/// line, so that a trial's values, written one per column, do not all fall in the same few
/// sets of the L1 cache (a power-of-two stride would).
const STRIDE: usize = CHUNK + 8;

/// Simulates one block's trials in index order, adding their yearly values to `series`.
pub(super) fn run_block<M: Model>(
    model: &M,
    seed: u64,
    design: Option<&dyn Design>,
    mut block: Block,
    series: &mut [Vec<SeriesStats>],
) -> Result<(), TrialError> {
    let schema = model.schema();
    let years = schema.years.len();
    let n_series = schema.series.len();
    let per_trial = years * n_series;
    let mut worker = model.worker();
    let mut streams = Streams::new(&schema.streams);
    let mut inputs = vec![0.0; schema.inputs.len()];
    let mut unit = vec![0.0; schema.inputs.len()];
    let mut outcomes = vec![0.0; schema.outcomes.len()];
    // pending[(t * n_series + s) * STRIDE + c]: series s in year t of the chunk's trial c, so
    // that each (series, year) of the chunk is one contiguous run for its accumulator.
    let mut pending = vec![0.0; STRIDE * per_trial];
    let mut year_values = vec![0.0; n_series];
    let len = block.len;
    for chunk_start in (0..len).step_by(CHUNK) {
        let chunk_len = CHUNK.min(len - chunk_start);
        for c in 0..chunk_len {
            let i = chunk_start + c;
            let trial = block.first + i as u64;
            begin_trial(
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
                // Series s of year t goes to pending[(t * n_series + s) * STRIDE + c]; one
                // test of the year's values for a non-finite one (all exponent bits set),
                // found only if there is.
                const EXPONENT: u64 = 0x7ff0_0000_0000_0000;
                let mut exponents = 0;
                let year = &mut pending[t * n_series * STRIDE..(t + 1) * n_series * STRIDE];
                for (column, &v) in year.chunks_exact_mut(STRIDE).zip(&year_values) {
                    column[c] = v;
                    exponents = exponents.max(v.to_bits() & EXPONENT);
                }
                if exponents != EXPONENT {
                    continue;
                }
                if let Some(s) = year_values.iter().position(|v| !v.is_finite()) {
                    let what = format!("{} in year {}", schema.series[s].name, schema.years[t]);
                    return Err(TrialError {
                        seed,
                        trial,
                        what,
                        value: year_values[s],
                    });
                }
            }
            model.outcomes(&mut worker, &mut outcomes);
            for (o, &v) in outcomes.iter().enumerate() {
                if !(v.is_finite() || (schema.outcomes[o].is_optional() && v.is_nan())) {
                    let what = schema.outcomes[o].name.clone();
                    return Err(TrialError {
                        seed,
                        trial,
                        what,
                        value: v,
                    });
                }
                block.outcomes[o][i] = v;
            }
            // A block's input chunks end where the kept trials end (maybe inside it).
            for (column, &v) in block.inputs.iter_mut().zip(&inputs) {
                if let Some(kept) = column.get_mut(i) {
                    *kept = v;
                }
            }
        }
        for (s, by_year) in series.iter_mut().enumerate() {
            for (t, stats) in by_year.iter_mut().enumerate() {
                let at = (t * n_series + s) * STRIDE;
                stats.add_run(&pending[at..at + chunk_len]);
            }
        }
    }
    Ok(())
}

/// Runs the design's rows (trials `0..design.rows()`; `opts.trials` is ignored).
pub fn run_design<M: Model>(
    model: &M,
    opts: &RunOptions,
    design: &dyn Design,
) -> Result<Results, TrialError> {
    let opts = RunOptions {
        trials: design.rows(),
        ..opts.clone()
    };
    run_with(model, &opts, Some(design))
}

/// Starts trial `trial`: seeds the streams and draws the parameters, from the streams
/// without a design, from the design's point with one. `unit` is scratch of the inputs' length.
#[inline]
#[allow(clippy::too_many_arguments)] // the run loop's scratch, borrowed so no trial allocates
pub(super) fn begin_trial<M: Model>(
    model: &M,
    design: Option<&dyn Design>,
    seed: u64,
    trial: u64,
    worker: &mut M::Worker,
    streams: &mut Streams,
    unit: &mut [f64],
    inputs: &mut [f64],
) {
    match design {
        None => {
            streams.reseed(seed, trial);
            model.draw_params(worker, streams, inputs);
        }
        Some(d) => {
            let shock_trial = d.point(trial, unit);
            streams.reseed(seed, shock_trial);
            model.draw_params_at(worker, unit, inputs);
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::RngExt;

    use super::*;
    use crate::engine::{Outcome, OutcomeKind, Schema, Series, replay};

    /// A toy model with known answers: each trial draws `x ~ U(0,1)` once; each year adds a
    /// uniform to a running total, which is the series; the outcome is the final total and `x`.
    /// Trials whose `x` falls below `nan_below` produce a NaN outcome.
    struct Toy {
        schema: Schema,
        nan_below: f64,
    }

    impl Toy {
        fn new(years: usize, nan_below: f64) -> Toy {
            let schema = Schema {
                inputs: vec!["x".into()],
                outcomes: vec![
                    Outcome::named("total", OutcomeKind::Continuous),
                    Outcome::named("x", OutcomeKind::Continuous),
                ],
                series: vec![Series::level("running")],
                years: (0..years as i32).collect(),
                streams: vec!["x".into(), "years".into()],
            };
            Toy { schema, nan_below }
        }
    }

    impl Model for Toy {
        type Worker = (f64, f64, f64); // x, this year's draw, running total

        fn schema(&self) -> &Schema {
            &self.schema
        }
        fn worker(&self) -> Self::Worker {
            (0.0, 0.0, 0.0)
        }
        fn draw_params(&self, w: &mut Self::Worker, streams: &mut Streams, inputs: &mut [f64]) {
            *w = (streams.get(0).random(), 0.0, 0.0);
            inputs[0] = w.0;
        }
        fn draw_params_at(&self, w: &mut Self::Worker, unit: &[f64], inputs: &mut [f64]) {
            *w = (unit[0], 0.0, 0.0); // U(0, 1): the inverse CDF is the identity
            inputs[0] = w.0;
        }
        fn draw_year(&self, w: &mut Self::Worker, streams: &mut Streams, _t: usize) {
            w.1 = streams.get(1).random();
        }
        fn step(&self, w: &mut Self::Worker, _t: usize, series: &mut [f64]) {
            w.2 += w.1;
            series[0] = w.2;
        }
        fn outcomes(&self, w: &mut Self::Worker, out: &mut [f64]) {
            out[0] = if w.0 < self.nan_below { f64::NAN } else { w.2 };
            out[1] = w.0;
        }
    }

    fn opts(trials: u64, threads: usize) -> RunOptions {
        RunOptions {
            seed: 42,
            trials,
            threads,
            keep_inputs: KeepInputs::All,
            progress: false,
        }
    }

    #[test]
    fn known_answers_of_a_toy_model() {
        let years = 4;
        let r = run(&Toy::new(years, -1.0), &opts(40_000, 2)).unwrap();
        let n = 40_000.0;
        // The total of 4 uniforms has mean 2 and variance 4/12; the mean is within 4 se.
        let mean: f64 = r.outcomes[0].iter().sum::<f64>() / n;
        assert!((mean - 2.0).abs() < 4.0 * (4.0 / 12.0 / n).sqrt(), "{mean}");
        // The series' yearly means are t+1 halves; its sketch median of year 0 is about 0.5.
        for (t, s) in r.series[0].iter().enumerate() {
            let m = s.mean.mean().unwrap();
            let sd = ((t + 1) as f64 / 12.0 / n).sqrt();
            assert!((m - (t + 1) as f64 / 2.0).abs() < 4.0 * sd, "year {t}: {m}");
        }
        assert!((r.series[0][0].sketch.quantile(0.5).unwrap() - 0.5).abs() < 0.02);
        assert_eq!(
            r.inputs.as_ref().unwrap()[0],
            r.outcomes[1],
            "inputs are kept per trial"
        );
    }

    #[test]
    fn a_run_keeps_the_inputs_of_its_first_trials_as_it_was_asked() {
        let model = Toy::new(2, -1.0);
        let all = run(&model, &opts(3 * BLOCK as u64 + 7, 2)).unwrap();
        let every = all.all_inputs().expect("all kept");
        // A prefix that ends inside a block, one longer than the run, and none.
        for (keep, len) in [
            (KeepInputs::First(BLOCK as u64 + 100), BLOCK + 100),
            (KeepInputs::First(u64::MAX), 3 * BLOCK + 7),
            (KeepInputs::None, 0),
        ] {
            let o = RunOptions {
                keep_inputs: keep,
                ..opts(3 * BLOCK as u64 + 7, 2)
            };
            let r = run(&model, &o).unwrap();
            assert_eq!(r.outcomes, all.outcomes, "{keep:?}: the same run");
            match &r.inputs {
                None => assert_eq!(keep, KeepInputs::None),
                Some(cols) => {
                    assert_eq!(cols[0].len(), len, "{keep:?}");
                    assert_eq!(cols[0][..], every[0][..len], "{keep:?}: the run's inputs");
                }
            }
            assert_eq!(r.all_inputs().is_some(), len == 3 * BLOCK + 7, "{keep:?}");
        }
    }

    #[test]
    fn results_do_not_depend_on_threads_and_match_replay() {
        let model = Toy::new(3, -1.0);
        let a = run(&model, &opts(10_001, 1)).unwrap();
        let b = run(&model, &opts(10_001, 2)).unwrap();
        assert_eq!(a.outcomes, b.outcomes);
        for (x, y) in a.series[0].iter().zip(&b.series[0]) {
            assert_eq!(x.mean.mean(), y.mean.mean());
            assert_eq!(x.sketch, y.sketch);
        }
        for trial in [0u64, 4095, 4096, 10_000] {
            let (inputs, outcomes) = replay(&model, 42, trial, |_, _, _| {});
            assert_eq!(inputs[0], a.inputs.as_ref().unwrap()[0][trial as usize]);
            assert_eq!(
                outcomes,
                vec![a.outcomes[0][trial as usize], a.outcomes[1][trial as usize]]
            );
        }
    }

    #[test]
    fn a_non_finite_outcome_stops_the_run_with_its_seed_and_trial() {
        let clean = run(&Toy::new(2, -1.0), &opts(20_000, 2)).unwrap();
        // The first trial whose x is below 1e-4 is the one the error must name.
        let first = clean.outcomes[1]
            .iter()
            .position(|x| *x < 1e-4)
            .expect("some trial has a small x") as u64;
        let err = run(&Toy::new(2, 1e-4), &opts(20_000, 2)).unwrap_err();
        assert_eq!(
            (err.seed, err.trial, err.what.as_str()),
            (42, first, "total")
        );
        assert!(err.to_string().contains(&format!("trial {first}")));
    }
}
