//! The floor of a run, and the simulation without its statistics.
//!
//! [`floor`] draws exactly what [`super::run`] draws for the same options (the same
//! streams, seeded the same way per trial, the same samplers through
//! [`Model::draw_params`] and [`Model::draw_year`], the same counts, over the same
//! blocks of trials in parallel) and adds them up so that nothing is optimised away; it
//! steps no economics and keeps no statistics. A whole run cannot be faster than this, so
//! `benches/floor.rs` reports a run's time as a multiple of it.
//!
//! [`simulate_only`] does the same and also steps every year and computes every outcome,
//! as a run does, but keeps no yearly sketches, columns or statistics: the bench's
//! difference between it and the floor is the time of the model's step, and between the
//! whole run and it the time of everything else.

use rayon::prelude::*;

use super::run::BLOCK;
use super::{Model, RunOptions, Streams};

/// Draws every random number of the run `opts` describes (Monte Carlo design) and returns
/// their sum as `absorb` reads them from the worker after each draw: the trial's inputs,
/// then each year's shocks.
pub fn floor<M: Model>(
    model: &M,
    opts: &RunOptions,
    absorb: impl Fn(&M::Worker) -> f64 + Sync,
) -> f64 {
    walk(model, opts, |worker, streams, _, t| {
        model.draw_year(worker, streams, t);
        absorb(worker)
    })
}

/// Draws, steps and computes the outcomes of every trial of the run `opts` describes
/// (Monte Carlo design), exactly as [`super::run`] does, and returns the sum of the trials'
/// inputs, yearly series values and outcomes; nothing else (no sketches, no columns).
pub fn simulate_only<M: Model>(model: &M, opts: &RunOptions) -> f64 {
    let schema = model.schema();
    walk(model, opts, |worker, streams, scratch, t| {
        let (series, outcomes) = scratch.split_at_mut(schema.series.len());
        model.draw_year(worker, streams, t);
        model.step(worker, t, series);
        let mut sum = series.iter().sum::<f64>();
        if t + 1 == schema.years.len() {
            model.outcomes(worker, outcomes);
            // NaN marks an absent optional outcome: left out of the sum.
            sum += outcomes.iter().filter(|v| !v.is_nan()).sum::<f64>();
        }
        sum
    })
}

/// Seeds and draws each trial's parameters in [`super::run`]'s blocks on `opts.threads`
/// threads, calls `year(worker, streams, scratch, t)` for each year (`scratch` has room
/// for the series and then the outcomes) and sums what it returns with the trial's inputs.
fn walk<M: Model>(
    model: &M,
    opts: &RunOptions,
    year: impl Fn(&mut M::Worker, &mut Streams, &mut [f64], usize) -> f64 + Sync,
) -> f64 {
    let schema = model.schema();
    let n = opts.trials;
    let blocks = n.div_ceil(BLOCK as u64);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .expect("a thread pool can be built");
    let sums: Vec<f64> = pool.install(|| {
        (0..blocks)
            .into_par_iter()
            .map(|b| {
                let mut worker = model.worker();
                let mut streams = Streams::new(&schema.streams);
                let mut inputs = vec![0.0; schema.inputs.len()];
                let mut scratch = vec![0.0; schema.series.len() + schema.outcomes.len()];
                let mut sum = 0.0;
                for trial in b * BLOCK as u64..((b + 1) * BLOCK as u64).min(n) {
                    streams.reseed(opts.seed, trial);
                    model.draw_params(&mut worker, &mut streams, &mut inputs);
                    sum += inputs.iter().sum::<f64>();
                    for t in 0..schema.years.len() {
                        sum += year(&mut worker, &mut streams, &mut scratch, t);
                    }
                }
                sum
            })
            .collect()
    });
    sums.iter().sum()
}
