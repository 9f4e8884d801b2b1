//! One function per verb (one file each), each reading as load scenario -> simulate ->
//! summarise -> export; this module holds what the verbs share.

mod check;
mod compare;
mod discover;
mod explore;
mod list;
mod merge;
mod run;
mod sensitivity;
mod sweep;
mod trace;
mod validate;

pub use check::{Regression, check};
pub use compare::compare;
pub use discover::discover;
pub use explore::{explore, simulate_columns};
pub use list::{list, schema};
pub use merge::merge;
pub use run::run;
pub use sensitivity::sensitivity;
pub use sweep::sweep;
pub use trace::trace;
pub use validate::validate;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::analysis::drivers::{self, DRIVER_TRIALS};
use crate::analysis::run::RunSummary;
use crate::cli::{SamplingDesign, SimArgs};
use crate::engine::{self, LatinHypercube, Model, Results, RunOptions};
use crate::export::Staging;
use crate::export::plots::Thresholds;
use crate::export::staging;
use crate::model::{self, ViabilityModel};
use crate::scenario::Scenario;

/// A scenario and the options of one simulation, resolved from the command line.
pub(crate) struct Job {
    /// The validated scenario (with `--set` applied).
    pub(crate) scenario: Scenario,
    /// Seed, trials, threads.
    pub(crate) options: RunOptions,
}

impl Job {
    /// Loads `path` with the shared simulation options.
    pub(crate) fn load(path: &Path, sim: &SimArgs, keep_inputs: bool) -> Result<Job> {
        Job::load_limited(path, sim, keep_inputs, Some(MAX_TRIALS))
    }

    /// [`Job::load`] with another limit on the trial count (`None`: a streaming run, which
    /// has none).
    pub(crate) fn load_limited(
        path: &Path,
        sim: &SimArgs,
        keep_inputs: bool,
        limit: Option<u64>,
    ) -> Result<Job> {
        let scenario = model::load(path, &sim.set)?;
        for w in &scenario.warnings {
            eprintln!("warning: {}: {w}", path.display());
        }
        let options = RunOptions {
            seed: sim.seed.unwrap_or(scenario.seed),
            trials: sim.trials.unwrap_or(scenario.trials),
            threads: sim.threads,
            // The achieved rank correlations need the drawn inputs.
            keep_inputs: keep_inputs || !scenario.correlations.is_empty(),
            progress: std::io::stderr().is_terminal() && !crate::out::quiet(),
        };
        anyhow::ensure!(
            options.trials >= 1,
            BadInput("--trials must be at least 1".into())
        );
        if let Some(limit) = limit {
            anyhow::ensure!(
                options.trials <= limit,
                BadInput(format!(
                    "{} trials is more than this verb keeps in memory ({limit}): it keeps every \
                     trial's outcomes; `defsim run` streams any trial count",
                    options.trials
                ))
            );
        }
        Ok(Job { scenario, options })
    }

    /// The summary of `results` (simulated by this job with `design`), with its drivers:
    /// the inputs of the first `min(trials, DRIVER_TRIALS)` trials are taken from `results`
    /// (moved out of [`Results::first_inputs`], so they are never held twice), or else
    /// re-drawn exactly as the run drew them.
    pub fn summarize(&self, results: &mut Results, design: SamplingDesign) -> RunSummary {
        let first = std::mem::take(&mut results.first_inputs);
        let results = &*results;
        // The statistics and the drivers read the same results and nothing of each other:
        // computed side by side, so neither waits for the other's slowest part.
        let (mut summary, drivers) = rayon::join(
            || RunSummary::new(&self.scenario, results),
            || self.drivers(results, first, design),
        );
        summary.design = design.name().to_string();
        summary.drivers = Some(drivers);
        summary
    }

    /// The drivers of `results` (simulated by this job with `design`): the inputs of the
    /// first `min(trials, DRIVER_TRIALS)` trials taken from `results` when it kept them
    /// all, else `first` when it holds them ([`Results::first_inputs`], which
    /// [`Job::simulate_with`] keeps), else re-drawn exactly as the run drew them; against
    /// the outcomes the criteria test.
    fn drivers(
        &self,
        results: &Results,
        first: Vec<Vec<f64>>,
        design: SamplingDesign,
    ) -> drivers::Drivers {
        let m = results.trials.min(DRIVER_TRIALS);
        let inputs = match &results.inputs {
            Some(all) => all.iter().map(|c| c[..m as usize].to_vec()).collect(),
            None if !first.is_empty() && first.iter().all(|c| c.len() as u64 == m) => first,
            None => {
                let model = ViabilityModel::new(&self.scenario);
                let seed = self.options.seed;
                match design {
                    SamplingDesign::Mc => engine::draw_inputs(&model, seed, m, None),
                    SamplingDesign::Lhs => {
                        let k = model.schema().inputs.len();
                        let lhs = LatinHypercube::new(results.trials, k, seed);
                        engine::draw_inputs(&model, seed, m, Some(&lhs))
                    }
                }
            }
        };
        drivers::drivers(results, inputs)
    }

    /// The schema of the job's model: its inputs, outcomes and series.
    pub(crate) fn schema(&self) -> engine::Schema {
        ViabilityModel::new(&self.scenario).schema().clone()
    }

    /// Simulates the job.
    pub(crate) fn simulate(&self) -> Result<Results> {
        self.simulate_keeping(SamplingDesign::Mc, 0)
    }

    /// Simulates the job with the uncertain parameters sampled by `design`, keeping the
    /// inputs of the first `min(trials, DRIVER_TRIALS)` trials for [`Job::summarize`]'s
    /// drivers.
    pub(crate) fn simulate_with(&self, design: SamplingDesign) -> Result<Results> {
        self.simulate_keeping(design, DRIVER_TRIALS)
    }

    /// Simulates the job with `design`, keeping the inputs of the first `first` trials.
    fn simulate_keeping(&self, design: SamplingDesign, first: u64) -> Result<Results> {
        let model = ViabilityModel::new(&self.scenario);
        let o = &self.options;
        Ok(match design {
            SamplingDesign::Mc => engine::run_keeping_first_inputs(&model, o, None, first)?,
            SamplingDesign::Lhs => {
                let lhs = LatinHypercube::new(o.trials, model.schema().inputs.len(), o.seed);
                engine::run_keeping_first_inputs(&model, o, Some(&lhs), first)?
            }
        })
    }
}

/// The viability model's own words on every page (its question, its yearly shocks).
pub(crate) const FRAMING: crate::export::html::Framing<'static> = crate::export::html::Framing {
    question: model::QUESTION,
    shocks: model::SHOCKS,
};

/// The most trials a verb that keeps every trial's outcomes in memory takes (sensitivity,
/// discover, compare, sweep, check of an exact-quantile baseline): the outcome columns (8
/// bytes per trial and outcome, about 20 outcomes) then stay under 8 GB. `defsim run`
/// streams above [`STREAMING_THRESHOLD`] and has no limit.
pub(crate) const MAX_TRIALS: u64 = 50_000_000;

/// Trial counts above this make `defsim run` stream (as with `--streaming`): memory
/// constant in the trial count, quantiles from the sketch. `validate` reports it.
pub(crate) const STREAMING_THRESHOLD: u64 = 10_000_000;

/// Loads one job per `(scenario file, --set list)`, all with the seed and trials of the first
/// (so they draw common random numbers). Every job is loaded before any is simulated, so bad
/// input writes nothing.
fn load_common<'p>(
    sim: &SimArgs,
    each: impl IntoIterator<Item = (&'p Path, Vec<String>)>,
) -> Result<Vec<Job>> {
    let mut sim = sim.clone();
    let mut jobs = Vec::new();
    for (path, set) in each {
        let job = Job::load(path, &SimArgs { set, ..sim.clone() }, false)?;
        sim.seed = Some(job.options.seed);
        sim.trials = Some(job.options.trials);
        jobs.push(job);
    }
    Ok(jobs)
}

/// The criterion thresholds shared by every job's scenario: a threshold that differs
/// between them has no single line to draw.
fn common_thresholds(jobs: &[Job]) -> Thresholds {
    let all: Vec<Thresholds> = jobs
        .iter()
        .map(|j| Thresholds::from_scenario(&j.schema(), &j.scenario))
        .collect();
    Thresholds::common(&all)
}

/// Checks, before anything is simulated, that `target` is a folder the verb may write
/// (missing, empty, or defsim's own with nothing of the user's in it): exit 2 otherwise.
fn claim(target: &Path) -> Result<()> {
    staging::check_target(target).map_err(|r| BadInput(r.0).into())
}

/// A [`Staging`] folder for outputs bound for `target`.
fn stage(target: &Path) -> Result<Staging> {
    claim(target)?;
    Staging::new(target)
        .with_context(|| format!("cannot create a staging folder beside {}", target.display()))
}

/// Moves the staged outputs into their target folder and returns it.
fn commit(staging: Staging) -> Result<PathBuf> {
    let target = staging.target().to_path_buf();
    staging.commit().map_err(|e| {
        match e
            .get_ref()
            .and_then(|i| i.downcast_ref::<staging::Refusal>())
        {
            Some(r) => BadInput(r.0.clone()).into(),
            None => anyhow::Error::new(e)
                .context(format!("cannot move results into {}", target.display())),
        }
    })
}

/// Context for writing `name` into the staging folder of `target`: the message names the
/// file where it will be.
fn writing(target: &Path, name: &str) -> String {
    format!("cannot write {}", target.join(name).display())
}

/// Warns (on stderr) that intervals from fewer than 1,000 trials are wide.
fn warn_few_trials(trials: u64) {
    if trials < FEW_TRIALS {
        eprintln!(
            "warning: {trials} trials: probabilities and quantiles from fewer than 1,000 \
             trials have wide intervals; use --trials 1000 or more for results to rely on"
        );
    }
}

/// Below this many trials a run warns that its intervals are wide.
pub const FEW_TRIALS: u64 = 1000;

/// Bad input found outside a scenario file (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// Runs `work` wholly on a rayon pool of `threads` worker threads (0: on the current pool,
/// which outside any pool is rayon's global one of every core). Verbs that take `--threads N`
/// run inside it from start to end, so that not only the simulation (whose engine builds its
/// own pool of N) but also what follows it (statistics, drivers, plots) works on N threads.
pub(crate) fn on_threads<T: Send>(
    threads: usize,
    work: impl FnOnce() -> Result<T> + Send,
) -> Result<T> {
    match threads {
        0 => work(),
        threads => rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .context("cannot start the worker threads")?
            .install(work),
    }
}

/// The number of worker threads `--threads threads` gives: `threads`, or with 0 the current
/// pool's (every core outside any pool).
pub(crate) fn worker_threads(threads: usize) -> usize {
    match threads {
        0 => rayon::current_num_threads(),
        n => n,
    }
}

/// Checks, before the run, that defsim may write the file `path` the user named
/// ([`staging::check_file_target`]); a refusal is bad input (exit 2).
pub(crate) fn check_named_file(path: &Path, kind: staging::FileKind) -> Result<()> {
    staging::check_file_target(path, kind).map_err(|r| BadInput(r.0).into())
}

/// Writes the file `path` the user named whole or not at all
/// ([`staging::write_user_file_atomic_with`]): a file of the user's that appeared at `path`
/// during the run is refused (exit 2) and left untouched.
pub(crate) fn write_named_file(
    path: &Path,
    kind: staging::FileKind,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<()> {
    match staging::write_user_file_atomic_with(path, kind, fill) {
        Ok(()) => Ok(()),
        Err(staging::FileWriteError::Refused(r)) => Err(BadInput(r.0).into()),
        Err(staging::FileWriteError::Io(e)) => {
            Err(anyhow::Error::new(e).context(format!("cannot write {}", path.display())))
        }
    }
}

/// The output folder: `--out`, else `output/<default_name>/`.
pub(crate) fn out_dir(sim: &SimArgs, default_name: &str) -> PathBuf {
    sim.out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(default_name))
}
