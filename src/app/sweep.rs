//! `defsim sweep`: one scenario along one key, or over the grid of two keys' values, each
//! step run as `--set KEY=VALUE` (two of them on a grid) with the same seed and trials
//! (common random numbers).

use std::fs;
use std::path::Path;

use anyhow::Result;

use super::{
    BadInput, claim, commit, common_thresholds, load_common, out_dir, stage, warn_few_trials,
};
use crate::analysis::run::RunSummary;
use crate::analysis::sweep::{self, Grid, Step, Sweep, value_text};
use crate::cli::SweepArgs;
use crate::export::{self, plots};

/// `defsim sweep`, wholly on `--threads` worker threads.
pub fn sweep(args: &SweepArgs) -> Result<()> {
    super::on_threads(args.sim.threads, || sweep_on_this_pool(args))
}

/// [`sweep`] on the current rayon pool.
fn sweep_on_this_pool(args: &SweepArgs) -> Result<()> {
    let grids: Vec<Grid> = args
        .param
        .iter()
        .map(|p| Grid::parse(p))
        .collect::<Result<_, _>>()
        .map_err(BadInput)?;
    let points = sweep::points(&grids).map_err(BadInput)?;
    let grid = &grids[0];
    let second = grids.get(1);
    let text = |g: &Grid, v: f64| format!("{}={}", g.key, value_text(v));
    // Load every step before simulating any: a bad key or value writes nothing.
    // The first step fixes seed and trials for all (the key could be neither).
    let jobs = load_common(
        &args.sim,
        points.iter().map(|&(x, y)| {
            let mut set = args.sim.set.clone();
            set.push(text(grid, x));
            if let (Some(g), Some(y)) = (second, y) {
                set.push(text(g, y));
            }
            (args.scenario.as_path(), set)
        }),
    )?;
    let known = &jobs[0].scenario;
    let schema = jobs[0].schema();
    let outcome_names = schema.outcome_names();
    // Without `--outcome`: the outcomes the criteria hold to a threshold.
    let chosen: Vec<String> = if args.outcomes.is_empty() {
        schema.criteria().map(|(_, c)| c.of.clone()).collect()
    } else {
        args.outcomes.clone()
    };
    for name in &chosen {
        if !outcome_names.contains(&name.as_str()) {
            return Err(BadInput(format!(
                "--outcome {name}: no such outcome; expected one of {}",
                outcome_names.join(", ")
            ))
            .into());
        }
    }
    let target = out_dir(&args.sim, &format!("sweep-{}", known.name));
    claim(&target)?;
    warn_few_trials(jobs[0].options.trials);

    let mut steps = Vec::with_capacity(jobs.len());
    for (job, &(x, y)) in jobs.iter().zip(&points) {
        let results = job.simulate()?;
        let summary = RunSummary::new(&job.scenario, &results);
        steps.push(Step {
            value: x,
            set: text(grid, x),
            value2: y,
            set2: second.zip(y).map(|(g, y)| text(g, y)),
            probabilities: summary.probabilities,
            outcomes: summary.outcomes,
        });
    }
    let table = Sweep {
        scenario: known.name.clone(),
        file: known
            .file
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
        description: known.description.clone(),
        key: grid.key.clone(),
        key2: second.map(|g| g.key.clone()),
        seed: jobs[0].options.seed,
        trials: jobs[0].options.trials,
        chosen,
        headline: schema.headline_name().to_string(),
        steps,
    };

    let staging = stage(&target)?;
    let dir = staging.path();
    export::json::write(&dir.join("sweep.json"), &table)?;
    export::csv::write_sweep(&dir.join("sweep.csv"), &table)?;
    let plots = if args.no_plots {
        Vec::new()
    } else {
        // A threshold that the sweep changes has no single line to draw.
        plots::sweep_plots(
            &table,
            &schema,
            &common_thresholds(&jobs),
            &dir.join("plots"),
        )?
    };
    fs::write(
        dir.join("sweep.html"),
        export::html::sweep::render(super::FRAMING, &table, &plots),
    )?;
    let written = commit(staging)?;
    print_table(&table, &written);
    Ok(())
}

/// The short table a person reads after a sweep.
fn print_table(table: &Sweep, dir: &Path) {
    crate::out::println!(
        "sweep {} along {}: {} steps, {} trials each, seed {}",
        table.scenario,
        match &table.key2 {
            Some(k2) => format!("{} and {k2}", table.key),
            None => table.key.clone(),
        },
        table.steps.len(),
        table.trials,
        table.seed
    );
    let short = |k: &str| k.rsplit('.').next().unwrap_or("").to_string();
    let mut head = format!("  {:>14}", short(&table.key));
    if let Some(k2) = &table.key2 {
        head += &format!(" {:>14}", short(k2));
    }
    head += &format!(" {:>26}", format!("P({}) [95% CI]", table.headline));
    for o in &table.chosen {
        if table.is_probability(o) {
            head += &format!(" {:>26}", format!("P({o}) [95% CI]"));
        } else {
            head += &format!(" {:>22}", format!("{o} p50"));
        }
    }
    crate::out::println!("{head}");
    for step in &table.steps {
        let p = step.probabilities.get(&table.headline);
        let mut line = format!("  {:>14}", value_text(step.value));
        if let Some(v2) = step.value2 {
            line += &format!(" {:>14}", value_text(v2));
        }
        line += &format!(
            " {:>26}",
            p.map_or("-".into(), |p| format!(
                "{:.4} [{:.4}, {:.4}]",
                p.p, p.ci95[0], p.ci95[1]
            ))
        );
        for o in &table.chosen {
            if let Some(p) = step.probabilities.get(o) {
                let text = format!("{:.4} [{:.4}, {:.4}]", p.p, p.ci95[0], p.ci95[1]);
                line += &format!(" {text:>26}");
            } else {
                let m = step.outcomes[o].p50;
                line += &format!(" {:>22}", m.map_or("-".into(), |v| format!("{v:.5}")));
            }
        }
        crate::out::println!("{line}");
    }
    crate::out::println!("results in {}", dir.display());
}
