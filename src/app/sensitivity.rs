//! `defsim sensitivity`: load the scenario, run it (or its Saltelli design), compute the
//! report ([`crate::analysis::sensitivity`]) and write it ([`crate::export::sensitivity`])
//! through a staging folder.

use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use super::{BadInput, Job, claim, commit, out_dir, stage, warn_few_trials};
use crate::analysis::sensitivity::{SensitivityReport, rank_report, select_outcomes, sobol_report};
use crate::cli::{SensitivityArgs, SensitivityMethod};
use crate::engine::{self, KeepInputs, Model, Saltelli, design};
use crate::export::plots::tornado::BarChart;
use crate::export::sensitivity as export;
use crate::model::ViabilityModel;
use crate::stats::rank::RankEffect;
use crate::stats::sobol::SobolIndex;

/// `defsim sensitivity`, wholly on `--threads` worker threads.
pub fn sensitivity(args: &SensitivityArgs) -> Result<()> {
    super::on_threads(args.sim.threads, || sensitivity_on_this_pool(args))
}

/// [`sensitivity`] on the current rayon pool.
fn sensitivity_on_this_pool(args: &SensitivityArgs) -> Result<()> {
    let job = Job::load(&args.scenario, &args.sim, KeepInputs::All)?;
    let model = ViabilityModel::new(&job.scenario);
    let schema = model.schema().clone();
    anyhow::ensure!(
        !schema.inputs.is_empty(),
        BadInput(format!(
            "{}: the scenario has no uncertain parameter (every value is fixed): nothing to rank",
            args.scenario.display()
        ))
    );
    let outcomes = select_outcomes(&schema, &args.outcomes).map_err(BadInput)?;
    // Before anything is claimed or written.
    anyhow::ensure!(
        !matches!(args.method, SensitivityMethod::Sobol) || job.scenario.correlations.is_empty(),
        BadInput(format!(
            "{}: --method sobol refuses a scenario with [[correlations]]: Sobol indices assume \
             independent inputs, and correlated ones would be split arbitrarily between them; \
             use --method rank (which warns how to read correlated inputs), or drop the \
             correlations",
            args.scenario.display()
        ))
    );
    let target = out_dir(&args.sim, &format!("sensitivity-{}", job.scenario.name));
    claim(&target)?;
    match args.method {
        SensitivityMethod::Rank => {
            warn_few_trials(job.options.trials);
            let warning = correlation_warning(&job);
            if let Some(w) = &warning {
                eprintln!("warning: {}: {w}", args.scenario.display());
            }
            let results = engine::run(&model, &job.options)?;
            let mut report = rank_report(&job.scenario.name, &schema, &results, &outcomes);
            report.warning = warning;
            write(&target, &report, export::rank_chart, export::rank_row)?;
            print_top(&report, |e: &RankEffect| e.prcc, "PRCC");
        }
        SensitivityMethod::Sobol => {
            anyhow::ensure!(
                args.sim.trials.is_none(),
                BadInput(
                    "--trials does not apply to --method sobol: its design has --samples x \
                     (inputs + 2) runs"
                        .into()
                )
            );
            let k = schema.inputs.len();
            anyhow::ensure!(
                (2..=design::SALTELLI_MAX_BASE).contains(&args.samples),
                BadInput(format!(
                    "--samples must be between 2 and {}",
                    design::SALTELLI_MAX_BASE
                ))
            );
            anyhow::ensure!(
                k <= design::SALTELLI_MAX_INPUTS,
                BadInput(format!(
                    "{}: {k} uncertain parameters; the Sobol design supports at most {}",
                    args.scenario.display(),
                    design::SALTELLI_MAX_INPUTS
                ))
            );
            let d = Saltelli::new(args.samples, k, job.options.seed);
            let results = engine::run_design(&model, &job.options, &d)?;
            let report = sobol_report(
                &job.scenario.name,
                &schema,
                &results,
                &outcomes,
                args.samples,
            );
            write(&target, &report, export::sobol_chart, export::sobol_row)?;
            print_top(&report, |e: &SobolIndex| e.total, "total index");
        }
    }
    crate::out::println!("results in {}", target.display());
    Ok(())
}

/// Writes the report's files into a staging folder, then commits it to `target`.
fn write<E: Serialize>(
    target: &Path,
    report: &SensitivityReport<E>,
    chart: fn(&str, &[crate::analysis::sensitivity::Row<E>]) -> BarChart,
    cells: fn(&E) -> Vec<f64>,
) -> Result<()> {
    let staging = stage(target)?;
    export::write(super::FRAMING, staging.path(), report, chart, cells)?;
    commit(staging)?;
    Ok(())
}

/// The three strongest inputs of each outcome, on the terminal.
fn print_top<E: Serialize>(report: &SensitivityReport<E>, key: fn(&E) -> f64, what: &str) {
    crate::out::println!(
        "{}: sensitivity ({}), {} model runs, seed {}",
        report.scenario,
        report.method,
        report.model_runs,
        report.seed
    );
    for (name, o) in &report.outcomes {
        match &o.note {
            Some(note) => crate::out::println!("  {name:<26} {note}"),
            None => {
                let top: Vec<String> = o
                    .effects
                    .iter()
                    .take(3)
                    .map(|r| format!("{} {:+.3}", r.input, key(&r.effect)))
                    .collect();
                crate::out::println!("  {name:<26} {what}: {}", top.join(", "));
            }
        }
    }
}

/// The rank method's caveat for a scenario with correlated inputs.
fn correlation_warning(job: &Job) -> Option<String> {
    let s = &job.scenario;
    if s.correlations.is_empty() {
        return None;
    }
    let mut keys: Vec<&str> = s
        .correlations
        .iter()
        .flat_map(|c| c.keys.iter().map(String::as_str))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    Some(format!(
        "correlated inputs ({}): their Spearman correlations with an outcome include each \
         other's effects, and PRCC, which removes the others' linear effects, then shares the \
         effect between them; read the correlated inputs as a group",
        keys.join(", ")
    ))
}
