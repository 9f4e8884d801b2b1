//! The Monte Carlo engine: per-trial random substreams, trials run in parallel, results
//! reduced in a fixed order.
//!
//! The engine knows a model only through [`Model`]: draw a trial's parameters, draw and step
//! a year, report outcomes. It fills [`Results`], which statistics, exports and checks read.
//! Guarantees: the same model, seed and trial count give bit-identical results whatever the
//! number of threads (trials are grouped in fixed blocks whose partial results are merged in
//! block order); no allocation per trial or trial-year (each block allocates its scratch
//! once); a non-finite outcome stops the run with the seed and trial index that reproduce it.

pub(crate) mod design;
mod family;
mod floor;
mod results;
mod run;
mod schema;
pub mod stream;
mod streams;

pub use design::{Design, LatinHypercube, Saltelli};
pub use family::{Family, FamilyRun, run_family};
pub use floor::{floor, simulate_only};
pub use results::{Results, SeriesStats, zeroed_columns};
pub use run::{KeepInputs, RunOptions, TrialError, run, run_design};
pub use schema::{
    Band, Criterion, Direction, Outcome, OutcomeKind, Schema, Series, SeriesKind, Tone, count_word,
};
pub use stream::{ShardPlan, StreamOutcome, StreamStats, stream};
pub use streams::{Streams, stream_key};

/// A simulation model as the engine sees it. Implementations keep the economics pure:
/// randomness enters only through [`Model::draw_params`] and [`Model::draw_year`], which
/// must draw the same number of variates from each stream whatever the state.
pub trait Model: Sync {
    /// Per-thread scratch (parameters, state, shocks), reused across trials.
    type Worker: Send;

    /// Names of inputs, outcomes, series, years and streams.
    fn schema(&self) -> &Schema;

    /// Allocates the scratch for one thread.
    fn worker(&self) -> Self::Worker;

    /// Draws the trial's uncertain parameters, writes their values to `inputs`
    /// (in [`Schema::inputs`] order) and resets the state to the start of the trial.
    fn draw_params(&self, worker: &mut Self::Worker, streams: &mut Streams, inputs: &mut [f64]);

    /// Sets the trial's uncertain parameters from a point `unit` of the unit cube (one
    /// coordinate in `(0, 1)` per input, in [`Schema::inputs`] order) through each
    /// parameter's inverse CDF, writes their values to `inputs` and resets the state, as
    /// [`Model::draw_params`] does. Used by sampling designs ([`design`]).
    fn draw_params_at(&self, worker: &mut Self::Worker, unit: &[f64], inputs: &mut [f64]);

    /// Draws year `t`'s annual shocks.
    fn draw_year(&self, worker: &mut Self::Worker, streams: &mut Streams, t: usize);

    /// Advances one year with the shocks drawn; writes the year's series values.
    fn step(&self, worker: &mut Self::Worker, t: usize, series: &mut [f64]);

    /// Writes the trial's outcomes (in [`Schema::outcomes`] order).
    fn outcomes(&self, worker: &mut Self::Worker, outcomes: &mut [f64]);
}

/// Runs one trial from its parameters to its outcomes, exactly as [`run`] does.
/// `on_year` sees the worker after each step (for `trace`).
pub fn replay<M: Model>(
    model: &M,
    seed: u64,
    trial: u64,
    mut on_year: impl FnMut(&M::Worker, usize, &[f64]),
) -> (Vec<f64>, Vec<f64>) {
    let schema = model.schema();
    let mut streams = Streams::new(&schema.streams);
    let mut worker = model.worker();
    let mut inputs = vec![0.0; schema.inputs.len()];
    let mut series = vec![0.0; schema.series.len()];
    let mut outcomes = vec![0.0; schema.outcomes.len()];
    streams.reseed(seed, trial);
    model.draw_params(&mut worker, &mut streams, &mut inputs);
    for t in 0..schema.years.len() {
        model.draw_year(&mut worker, &mut streams, t);
        model.step(&mut worker, t, &mut series);
        on_year(&worker, t, &series);
    }
    model.outcomes(&mut worker, &mut outcomes);
    (inputs, outcomes)
}
