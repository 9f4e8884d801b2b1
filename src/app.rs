//! One function per verb, each reading as load scenario -> simulate -> summarise -> export.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};

use crate::cli::{RunArgs, SimArgs, ValidateArgs};
use crate::engine::{self, Results, RunOptions};
use crate::export::{self, Staging};
use crate::model::ViabilityModel;
use crate::scenario::{self, Scenario};
use crate::summary::RunSummary;

/// A scenario and the options of one simulation, resolved from the command line.
pub struct Job {
    /// The validated scenario (with `--set` applied).
    pub scenario: Scenario,
    /// Seed, trials, threads.
    pub options: RunOptions,
}

impl Job {
    /// Loads `path` with the shared simulation options.
    pub fn load(path: &Path, sim: &SimArgs, keep_inputs: bool) -> Result<Job> {
        let scenario = scenario::load(path, &sim.set)?;
        let options = RunOptions {
            seed: sim.seed.unwrap_or(scenario.seed),
            trials: sim.trials.unwrap_or(scenario.trials),
            threads: sim.threads,
            keep_inputs,
            progress: std::io::stderr().is_terminal(),
        };
        anyhow::ensure!(
            options.trials >= 1,
            BadInput("--trials must be at least 1".into())
        );
        Ok(Job { scenario, options })
    }

    /// Simulates the job.
    pub fn simulate(&self) -> Result<Results> {
        let model = ViabilityModel::new(&self.scenario);
        Ok(engine::run(&model, &self.options)?)
    }
}

/// Bad input found outside a scenario file (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// The output folder: `--out`, else `output/<default_name>/`.
pub fn out_dir(sim: &SimArgs, default_name: &str) -> PathBuf {
    sim.out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(default_name))
}

/// `defsim run`.
pub fn run(args: &RunArgs) -> Result<()> {
    let started = Instant::now();
    let job = Job::load(&args.scenario, &args.sim, args.trials_csv)?;
    let target = out_dir(&args.sim, &job.scenario.name);
    let sim_start = Instant::now();
    let results = job.simulate()?;
    let simulate_seconds = sim_start.elapsed().as_secs_f64();
    let summary = RunSummary::new(&job.scenario, &results);

    let staging =
        Staging::new(&target).with_context(|| format!("cannot create {}", target.display()))?;
    let dir = staging.path();
    export::json::write(&dir.join("summary.json"), &summary)?;
    export::csv::write_summary(&dir.join("summary.csv"), &summary)?;
    export::csv::write_timeseries(&dir.join("timeseries.csv"), &summary)?;
    if args.trials_csv {
        export::csv::write_trials(&dir.join("trials.csv"), &results)?;
    }
    let info = export::json::RunInfo {
        defsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_file: args.scenario.display().to_string(),
        overrides: args.sim.set.clone(),
        seed: results.seed,
        trials: results.trials,
        threads: if args.sim.threads == 0 {
            rayon::current_num_threads()
        } else {
            args.sim.threads
        },
        simulate_seconds,
        wall_seconds: started.elapsed().as_secs_f64(),
        started_unix: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    };
    export::json::write(&dir.join("run.json"), &info)?;
    let written = staging
        .commit()
        .with_context(|| format!("cannot move results into {}", target.display()))?;
    print_headline(&summary, &written);
    Ok(())
}

/// The few lines a person reads after a run.
fn print_headline(summary: &RunSummary, dir: &Path) {
    println!(
        "{}: {} trials, seed {}, {}-{}",
        summary.scenario.name,
        summary.trials,
        summary.seed,
        summary.start_year,
        summary.start_year + summary.horizon_years as i32 - 1
    );
    for (name, p) in &summary.probabilities {
        println!(
            "  P({name}) = {:.4}  [{:.4}, {:.4}]",
            p.p, p.ci95[0], p.ci95[1]
        );
    }
    println!(
        "  {:<24} {:>14} {:>14} {:>14} {:>14}",
        "outcome", "mean", "p05", "p50", "p95"
    );
    let fmt = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |x| format!("{x:.4}"));
    for (name, s) in &summary.outcomes {
        println!(
            "  {name:<24} {:>14} {:>14} {:>14} {:>14}",
            fmt(s.mean),
            fmt(s.p05),
            fmt(s.p50),
            fmt(s.p95)
        );
    }
    println!("results in {}", dir.display());
}

/// `defsim validate`.
pub fn validate(args: &ValidateArgs) -> Result<()> {
    for path in &args.scenarios {
        let scenario = scenario::load(path, &args.set)?;
        if args.print {
            print!("{}", scenario.print_resolved());
        } else {
            println!(
                "{}: ok ({}, {} parameters)",
                path.display(),
                scenario.name,
                scenario.params.len()
            );
        }
    }
    Ok(())
}
