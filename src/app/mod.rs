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
use crate::engine::{self, KeepInputs, LatinHypercube, Model, Results, RunOptions};
use crate::export::Staging;
use crate::export::plots::Thresholds;
use crate::export::staging;
use crate::model::{self, ViabilityModel};
use crate::scenario::Scenario;

/// What a run that [`Job::summarize`] will summarise keeps of its drawn inputs: the
/// drivers' sample (at most `8 x inputs x DRIVER_TRIALS` bytes, 14.4 MB for the baseline's
/// 18), so that the drivers need not draw them a second time.
pub(crate) const SUMMARY_INPUTS: KeepInputs = KeepInputs::First(DRIVER_TRIALS);

/// A scenario and the options of one simulation, resolved from the command line.
pub(crate) struct Job {
    /// The validated scenario (with `--set` applied).
    pub(crate) scenario: Scenario,
    /// Seed, trials, threads.
    pub(crate) options: RunOptions,
}

impl Job {
    /// Loads `path` with the shared simulation options.
    pub(crate) fn load(path: &Path, sim: &SimArgs, keep_inputs: KeepInputs) -> Result<Job> {
        Job::load_limited(path, sim, keep_inputs, Some(MAX_TRIALS))
    }

    /// [`Job::load`] with another limit on the trial count (`None`: a streaming run, which
    /// has none).
    pub(crate) fn load_limited(
        path: &Path,
        sim: &SimArgs,
        keep_inputs: KeepInputs,
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
            // The achieved rank correlations need every trial's drawn inputs.
            keep_inputs: if scenario.correlations.is_empty() {
                keep_inputs
            } else {
                KeepInputs::All
            },
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

    /// The summary of `results` (simulated by this job with `design`), with its drivers,
    /// whose inputs are those of the first `min(trials, DRIVER_TRIALS)` trials, kept by the
    /// run: taken from `results` when the run kept just them ([`SUMMARY_INPUTS`];
    /// `results.inputs` is then `None`), copied when it kept every trial's.
    ///
    /// # Panics
    /// If the run kept fewer inputs: a job to summarise keeps [`SUMMARY_INPUTS`] or all.
    pub fn summarize(&self, results: &mut Results, design: SamplingDesign) -> RunSummary {
        let m = results.trials.min(DRIVER_TRIALS) as usize;
        let inputs = match self.options.keep_inputs {
            SUMMARY_INPUTS => results.inputs.take(),
            _ => results
                .inputs
                .as_ref()
                .map(|cols| cols.iter().map(|c| c[..m].to_vec()).collect()),
        }
        .filter(|cols: &Vec<Vec<f64>>| cols.iter().all(|c| c.len() == m))
        .expect("a job to summarise keeps the inputs of the drivers' trials");
        let results = &*results;
        // The statistics and the drivers read the same results and nothing of each other:
        // computed side by side, so neither waits for the other's slowest part.
        let (mut summary, drivers) = rayon::join(
            || RunSummary::new(&self.scenario, results),
            || drivers::drivers(results, inputs),
        );
        summary.design = design.name().to_string();
        summary.drivers = Some(drivers);
        summary
    }

    /// The schema of the job's model: its inputs, outcomes and series.
    pub(crate) fn schema(&self) -> engine::Schema {
        ViabilityModel::new(&self.scenario).schema().clone()
    }

    /// Simulates the job.
    pub(crate) fn simulate(&self) -> Result<Results> {
        self.simulate_with(SamplingDesign::Mc)
    }

    /// Simulates the job with the uncertain parameters sampled by `design`.
    pub(crate) fn simulate_with(&self, design: SamplingDesign) -> Result<Results> {
        let model = ViabilityModel::new(&self.scenario);
        let o = &self.options;
        Ok(match design {
            SamplingDesign::Mc => engine::run(&model, o)?,
            SamplingDesign::Lhs => {
                let lhs = LatinHypercube::new(o.trials, model.schema().inputs.len(), o.seed);
                engine::run_design(&model, o, &lhs)?
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
        let job = Job::load(path, &SimArgs { set, ..sim.clone() }, KeepInputs::None)?;
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
