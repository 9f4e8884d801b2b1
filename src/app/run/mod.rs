//! `defsim run`: simulate one scenario and write its outputs; in streaming mode also one
//! shard of a run (`--shard K/N`), with checkpoints (`--checkpoint`, `--resume`) and
//! precision stopping (`--precision`).

use std::fs;
use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};

use super::{
    Job, STREAMING_THRESHOLD, SUMMARY_INPUTS, claim, commit, on_threads, out_dir, stage,
    warn_few_trials, writing,
};
use crate::analysis::run::RunSummary;
use crate::cli::RunArgs;
use crate::engine::KeepInputs;
use crate::export;
use crate::export::plots::{self, Thresholds, Trials};

mod streaming;

pub(crate) use streaming::TrialTables;
use streaming::{Invocation, resume, run_streaming};
pub use streaming::{part_thresholds, simulate_streaming};

/// `defsim run`. With `--threads N` (N > 0) the whole run, not only the simulation, works on
/// N threads: the statistics, drivers and plots that follow the simulation run in a pool of
/// N threads too (with the default 0 they use every core, as the simulation does).
pub fn run(args: &RunArgs) -> Result<()> {
    on_threads(args.sim.threads, || run_on_this_pool(args))
}

/// [`run`] on the current rayon pool.
fn run_on_this_pool(args: &RunArgs) -> Result<()> {
    if let Some(checkpoint) = &args.resume {
        return resume(args, checkpoint);
    }
    let path = args.scenario.as_deref().expect("clap requires a scenario");
    let streaming = args.streaming
        || args.shard.is_some()
        || args.checkpoint
        || !args.precision.is_empty()
        || args.sim.trials.is_some_and(|t| t > STREAMING_THRESHOLD);
    let keep_inputs = if args.trials_csv || args.trials_parquet {
        KeepInputs::All
    } else {
        SUMMARY_INPUTS
    };
    if !streaming {
        let job = Job::load(path, &args.sim, keep_inputs)?;
        if job.options.trials <= STREAMING_THRESHOLD {
            return run_in_memory(args, path, job);
        }
    }
    // A streaming run keeps its drivers' sample as its waves pass.
    let job = Job::load_limited(path, &args.sim, keep_inputs, None)?;
    let invocation = Invocation::of(args, path);
    run_streaming(&invocation, job, None)
}

/// A run with every trial's outcomes in memory: exact quantiles, median trials.
fn run_in_memory(args: &RunArgs, path: &Path, job: Job) -> Result<()> {
    let started = Instant::now();
    let target = out_dir(&args.sim, &job.scenario.name);
    claim(&target)?;
    warn_few_trials(job.options.trials);
    let sim_start = Instant::now();
    let mut results = job.simulate_with(args.design)?;
    let simulate_seconds = sim_start.elapsed().as_secs_f64();
    let summary = job.summarize(&mut results, args.design);

    let staging = stage(&target)?;
    let dir = staging.path();
    if args.trials_csv {
        export::csv::write_trials(&dir.join("trials.csv"), &results)
            .with_context(|| writing(&target, "trials.csv"))?;
    }
    if args.trials_parquet {
        export::parquet::write_trials(&dir.join("trials.parquet"), &results)
            .with_context(|| writing(&target, "trials.parquet"))?;
    }
    let thresholds = Thresholds::from_scenario(&results.schema, &job.scenario);
    let info = run_info(
        &path.display().to_string(),
        &args.sim.set,
        &summary,
        args.sim.threads,
        simulate_seconds,
        started,
    );
    write_outputs(
        &target,
        dir,
        &summary,
        &results.schema,
        Trials::Columns(&results),
        &thresholds,
        args.no_plots,
        &info,
    )?;
    let written = commit(staging)?;
    print_headline(&summary, &written);
    Ok(())
}

/// `run.json` of a run.
pub fn run_info(
    scenario_file: &str,
    overrides: &[String],
    summary: &RunSummary,
    threads: usize,
    simulate_seconds: f64,
    started: Instant,
) -> export::json::RunInfo {
    export::json::RunInfo {
        defsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_file: scenario_file.to_string(),
        overrides: overrides
            .iter()
            .filter_map(|o| crate::scenario::Override::parse(o))
            .collect(),
        seed: summary.seed,
        trials: summary.trials,
        threads: super::worker_threads(threads),
        simulate_seconds,
        wall_seconds: started.elapsed().as_secs_f64(),
        started_unix: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    }
}

/// Writes the outputs of a whole run into `dir`: summary.json, summary.csv, timeseries.csv,
/// plots/ (unless `no_plots`), report.html and run.json.
#[allow(clippy::too_many_arguments)] // where, what, and how: all of a whole run's outputs
pub fn write_outputs(
    target: &Path,
    dir: &Path,
    summary: &RunSummary,
    schema: &crate::engine::Schema,
    trials: Trials<'_>,
    thresholds: &Thresholds,
    no_plots: bool,
    info: &export::json::RunInfo,
) -> Result<()> {
    export::json::write(&dir.join("summary.json"), summary)
        .with_context(|| writing(target, "summary.json"))?;
    export::csv::write_summary(&dir.join("summary.csv"), summary)
        .with_context(|| writing(target, "summary.csv"))?;
    export::csv::write_timeseries(&dir.join("timeseries.csv"), summary)
        .with_context(|| writing(target, "timeseries.csv"))?;
    let plots = if no_plots {
        Vec::new()
    } else {
        plots::run_plots(summary, trials, thresholds, &dir.join("plots"))
            .with_context(|| writing(target, "plots/"))?
    };
    fs::write(
        dir.join("report.html"),
        export::html::report::render(super::FRAMING, summary, schema, &plots),
    )
    .with_context(|| writing(target, "report.html"))?;
    export::json::write(&dir.join("run.json"), info)
        .with_context(|| writing(target, "run.json"))?;
    Ok(())
}

/// The few lines a person reads after a run.
pub fn print_headline(summary: &RunSummary, dir: &Path) {
    crate::out::println!(
        "{}: {} trials, seed {}, {}-{}{}",
        summary.scenario.name,
        summary.trials,
        summary.seed,
        summary.start_year,
        summary.start_year + summary.horizon_years as i32 - 1,
        if summary.quantiles.is_sketch() {
            " (streaming: quantiles from the sketch)"
        } else {
            ""
        }
    );
    for (name, p) in &summary.probabilities {
        crate::out::println!(
            "  P({name}) = {:.4}  [{:.4}, {:.4}]",
            p.p,
            p.ci95[0],
            p.ci95[1]
        );
    }
    crate::out::println!(
        "  {:<24} {:>14} {:>14} {:>14} {:>14}",
        "outcome",
        "mean",
        "p05",
        "p50",
        "p95"
    );
    let fmt = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |x| format!("{x:.4}"));
    for (name, s) in &summary.outcomes {
        crate::out::println!(
            "  {name:<24} {:>14} {:>14} {:>14} {:>14}",
            fmt(s.mean),
            fmt(s.p05),
            fmt(s.p50),
            fmt(s.p95)
        );
    }
    if let Some(p) = &summary.precision {
        crate::out::println!("  precision: {}", p.note);
    }
    crate::out::println!("results in {}", dir.display());
}
