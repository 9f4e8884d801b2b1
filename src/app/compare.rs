//! `defsim compare`: run several scenarios with common random numbers and write their
//! paired and unpaired differences from the first, with overlaid plots.

use std::fs;
use std::path::Path;

use anyhow::Result;

use super::{claim, commit, common_thresholds, load_common, out_dir, stage, warn_few_trials};
use crate::analysis::compare::{Difference, ScenarioComparison, compare as comparison};
use crate::analysis::run::RunSummary;
use crate::cli::CompareArgs;
use crate::engine::Schema;
use crate::export::{self, plots};

/// `defsim compare`, wholly on `--threads` worker threads.
pub fn compare(args: &CompareArgs) -> Result<()> {
    super::on_threads(args.sim.threads, || compare_on_this_pool(args))
}

/// [`compare`] on the current rayon pool.
fn compare_on_this_pool(args: &CompareArgs) -> Result<()> {
    let jobs = load_common(
        &args.sim,
        args.scenarios
            .iter()
            .map(|path| (path.as_path(), args.sim.set.clone())),
    )?;
    let names: Vec<&str> = jobs.iter().map(|j| j.scenario.name.as_str()).collect();
    let target = out_dir(&args.sim, &format!("compare-{}", names.join("-")));
    claim(&target)?;
    warn_few_trials(jobs[0].options.trials);

    let mut runs = Vec::with_capacity(jobs.len());
    for job in &jobs {
        let results = job.simulate()?;
        let summary = RunSummary::new(&job.scenario, &results);
        runs.push((summary, results));
    }
    let pairs: Vec<_> = runs.iter().map(|(s, r)| (s, r)).collect();
    let table = comparison(&pairs);

    let staging = stage(&target)?;
    let dir = staging.path();
    export::json::write(&dir.join("compare.json"), &table)?;
    export::csv::write_comparison(&dir.join("compare.csv"), &table)?;
    let plots = if args.no_plots {
        Vec::new()
    } else {
        plots::compare_plots(&pairs, &common_thresholds(&jobs), &dir.join("plots"))?
    };
    let summaries: Vec<&RunSummary> = runs.iter().map(|(s, _)| s).collect();
    fs::write(
        dir.join("compare.html"),
        export::html::compare::render(super::FRAMING, &table, &summaries, &plots),
    )?;
    let written = commit(staging)?;
    print_table(&table, &runs[0].1.schema, &written);
    Ok(())
}

/// Every probability with its Wilson interval, then the differences of the headline and of
/// the outcomes the criteria hold to a threshold (every outcome is in the CSV).
fn print_table(table: &ScenarioComparison, schema: &Schema, dir: &Path) {
    let mut shown = vec![schema.headline_name()];
    shown.extend(schema.criteria().map(|(_, c)| c.of.as_str()));
    let reference = &table.scenarios[0].name;
    crate::out::println!(
        "compare: {} trials each, seed {} (common random numbers); differences are against {reference}",
        table.trials,
        table.seed
    );
    // Every probability: the headline, each criterion, each analyst's `[criteria]` entry.
    for v in &table.probabilities {
        crate::out::println!(
            "  P({}) {:<24} {:.4}  [{:.4}, {:.4}]",
            v.name,
            v.scenario,
            v.p.p,
            v.p.ci95[0],
            v.p.ci95[1]
        );
    }
    crate::out::println!(
        "  {:<20} {:<20} {:>12} {:>12} {:>27} {:>27}",
        "outcome",
        "scenario",
        "mean",
        "diff",
        "paired 95% CI",
        "unpaired 95% CI"
    );
    let ci = |d: &Option<Difference>| match d {
        Some(d) => format!("[{:.5}, {:.5}]", d.ci95[0], d.ci95[1]),
        None => "-".into(),
    };
    for row in table
        .outcomes
        .iter()
        .filter(|r| shown.contains(&r.outcome.as_str()))
    {
        crate::out::println!(
            "  {:<20} {:<20} {:>12} {:>12} {:>27} {:>27}",
            row.outcome,
            row.scenario,
            row.mean.map_or("-".into(), |m| format!("{m:.5}")),
            row.paired
                .as_ref()
                .map_or("-".into(), |d| format!("{:+.5}", d.diff)),
            ci(&row.paired),
            ci(&row.unpaired)
        );
    }
    crate::out::println!("results in {}", dir.display());
}
