//! A run's drawn inputs, re-drawn without simulating: trial `k`'s uncertain parameters depend
//! only on (seed, trial, stream name) (or on the design's point), so they can be drawn again
//! for any set of trials, exactly as the run drew them, at the cost of the draws alone.
//! Statistics that need inputs beside outcomes (a run's drivers) use this instead of
//! keeping every trial's inputs in memory during the run.

use rayon::prelude::*;

use super::design::Design;
use super::run::BLOCK;
use super::run::begin_trial;
use super::{Model, Streams};

/// The inputs of trials `0..n` of a run with `seed` (and `design`, when the run used one):
/// `inputs[j][i]` is input `j` (in [`super::Schema::inputs`] order) of trial `i`, the very
/// values the run drew.
pub fn draw_inputs<M: Model>(
    model: &M,
    seed: u64,
    n: u64,
    design: Option<&dyn Design>,
) -> Vec<Vec<f64>> {
    let k = model.schema().inputs.len();
    let n = usize::try_from(n).expect("a trial count that fits in memory");
    // Each block writes its trials straight into its chunk of every column: no second copy
    // of the inputs, row-major or otherwise, is ever held.
    let mut columns = super::zeroed_columns(k, n);
    let mut blocks: Vec<Vec<&mut [f64]>> = (0..n.div_ceil(BLOCK)).map(|_| Vec::new()).collect();
    for column in &mut columns {
        for (block, chunk) in blocks.iter_mut().zip(column.chunks_mut(BLOCK)) {
            block.push(chunk);
        }
    }
    // Without a design, only the streams the parameters draw from need seeding.
    let param_streams = design.is_none().then(|| model.param_streams()).flatten();
    blocks
        .into_par_iter()
        .enumerate()
        .for_each(|(b, mut chunks)| {
            let mut worker = model.worker();
            let mut streams = Streams::new(&model.schema().streams);
            let mut unit = vec![0.0; k];
            let mut inputs = vec![0.0; k];
            let (first, len) = (b * BLOCK, BLOCK.min(n - b * BLOCK));
            for i in 0..len {
                let trial = (first + i) as u64;
                match &param_streams {
                    Some(which) => {
                        streams.reseed_only(seed, trial, which);
                        model.draw_params(&mut worker, &mut streams, &mut inputs);
                    }
                    None => begin_trial(
                        model,
                        design,
                        seed,
                        trial,
                        &mut worker,
                        &mut streams,
                        &mut unit,
                        &mut inputs,
                    ),
                }
                for (chunk, &v) in chunks.iter_mut().zip(&inputs) {
                    chunk[i] = v;
                }
            }
        });
    columns
}
