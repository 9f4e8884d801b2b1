//! The floor of a run: the random numbers alone.
//!
//! [`floor`] draws exactly what [`super::run`] draws for the same options (the same
//! streams, seeded the same way per trial, the same samplers through
//! [`Model::draw_params`] and [`Model::draw_year`], the same counts, over the same
//! blocks of trials in parallel) and adds them up so that nothing is optimised away; it
//! steps no economics and keeps no statistics. A whole run cannot be faster than this, so
//! `benches/floor.rs` reports a run's time as a multiple of it.

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
                let mut sum = 0.0;
                for trial in b * BLOCK as u64..((b + 1) * BLOCK as u64).min(n) {
                    streams.reseed(opts.seed, trial);
                    model.draw_params(&mut worker, &mut streams, &mut inputs);
                    sum += inputs.iter().sum::<f64>();
                    for t in 0..schema.years.len() {
                        model.draw_year(&mut worker, &mut streams, t);
                        sum += absorb(&worker);
                    }
                }
                sum
            })
            .collect()
    });
    sums.iter().sum()
}
