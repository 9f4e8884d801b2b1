//! `defsim run`: simulate one scenario and write its outputs.

use std::fs;
use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};

use super::{Job, claim, commit, out_dir, stage, warn_few_trials, writing};
use crate::analysis::run::RunSummary;
use crate::cli::RunArgs;
use crate::export;
use crate::export::plots::{self, Thresholds};

/// `defsim run`.
pub fn run(args: &RunArgs) -> Result<()> {
    let started = Instant::now();
    let job = Job::load(&args.scenario, &args.sim, args.trials_csv)?;
    let target = out_dir(&args.sim, &job.scenario.name);
    claim(&target)?;
    warn_few_trials(job.options.trials);
    let sim_start = Instant::now();
    let results = job.simulate_with(args.design)?;
    let simulate_seconds = sim_start.elapsed().as_secs_f64();
    let summary = job.summarize(&results, args.design);

    let staging = stage(&target)?;
    let dir = staging.path();
    export::json::write(&dir.join("summary.json"), &summary)
        .with_context(|| writing(&target, "summary.json"))?;
    export::csv::write_summary(&dir.join("summary.csv"), &summary)
        .with_context(|| writing(&target, "summary.csv"))?;
    export::csv::write_timeseries(&dir.join("timeseries.csv"), &summary)
        .with_context(|| writing(&target, "timeseries.csv"))?;
    if args.trials_csv {
        export::csv::write_trials(&dir.join("trials.csv"), &results)
            .with_context(|| writing(&target, "trials.csv"))?;
    }
    let plots = if args.no_plots {
        Vec::new()
    } else {
        let thresholds = Thresholds::from_scenario(&results.schema, &job.scenario);
        plots::run_plots(&summary, &results, &thresholds, &dir.join("plots"))
            .with_context(|| writing(&target, "plots/"))?
    };
    fs::write(
        dir.join("report.html"),
        export::html::report::render(&summary, &results.schema, &plots),
    )
    .with_context(|| writing(&target, "report.html"))?;
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
    export::json::write(&dir.join("run.json"), &info)
        .with_context(|| writing(&target, "run.json"))?;
    let written = commit(staging)?;
    print_headline(&summary, &written);
    Ok(())
}

/// The few lines a person reads after a run.
fn print_headline(summary: &RunSummary, dir: &Path) {
    crate::out::println!(
        "{}: {} trials, seed {}, {}-{}",
        summary.scenario.name,
        summary.trials,
        summary.seed,
        summary.start_year,
        summary.start_year + summary.horizon_years as i32 - 1
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
    crate::out::println!("results in {}", dir.display());
}
