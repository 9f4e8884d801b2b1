//! `defsim discover`: load the scenario, simulate its trials keeping their inputs (or read
//! them from a `trials.csv` with `--from`), find the boxes ([`crate::analysis::discover`])
//! and write them ([`crate::export::discover`]) to `output/discover-<name>/` through a
//! staging folder.

use std::path::Path;

use anyhow::Result;

use super::{BadInput, Job, claim, commit, out_dir, stage, warn_few_trials};
use crate::analysis::discover::{self as analysis, Condition, Discovery};
use crate::cli::DiscoverArgs;
use crate::engine::{self, KeepInputs, Model};
use crate::export;
use crate::model::ViabilityModel;

/// No trial meets the condition (exit 1: the run worked, but found nothing to explain).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NothingToDiscover(pub String);

/// `defsim discover`, wholly on `--threads` worker threads.
pub fn discover(args: &DiscoverArgs) -> Result<()> {
    super::on_threads(args.sim.threads, || discover_on_this_pool(args))
}

/// [`discover`] on the current rayon pool.
fn discover_on_this_pool(args: &DiscoverArgs) -> Result<()> {
    let job = Job::load(&args.scenario, &args.sim, KeepInputs::All)?;
    let model = ViabilityModel::new(&job.scenario);
    let schema = model.schema().clone();
    let names: Vec<String> = schema.outcomes.iter().map(|o| o.name.clone()).collect();
    let cond = Condition::parse(&args.condition, &names).map_err(BadInput)?;
    anyhow::ensure!(
        !schema.inputs.is_empty(),
        BadInput(format!(
            "{}: the scenario has no uncertain parameter: nothing to discover",
            args.scenario.display()
        ))
    );
    let target = out_dir(&args.sim, &format!("discover-{}", job.scenario.name));
    claim(&target)?;
    // `columns[k]` holds outcome `cond.used[k]` of every trial.
    let (inputs, columns, source) = match &args.from {
        Some(file) => {
            let mut inputs = Vec::new();
            let mut columns = Vec::new();
            for &i in &cond.used {
                let (x, y) = read_trials(file, &schema.inputs, &names[i])?;
                inputs = x;
                columns.push(y);
            }
            (inputs, columns, file.display().to_string())
        }
        None => {
            let r = engine::run(&model, &job.options)?;
            let trials = r.trials as usize;
            let inputs = (r.inputs)
                .filter(|cols| cols.iter().all(|c| c.len() == trials))
                .expect("the run kept every trial's inputs");
            let ys = cond.used.iter().map(|&i| r.outcomes[i].clone()).collect();
            (
                inputs,
                ys,
                format!("simulated: {} trials, seed {}", r.trials, r.seed),
            )
        }
    };
    let trials = inputs.first().map_or(0, Vec::len);
    let y: Vec<bool> = (0..trials).map(|t| cond.holds(&columns, t)).collect();
    warn_few_trials(y.len() as u64);
    if !y.iter().any(|&hit| hit) {
        return Err(NothingToDiscover(format!(
            "no trial of {} meets `{cond}` ({} trials): there is nothing to discover; \
             try another condition or more trials",
            args.scenario.display(),
            y.len()
        ))
        .into());
    }
    let x: Vec<&[f64]> = inputs.iter().map(|c| c.as_slice()).collect();
    let report = analysis::discover(
        &job.scenario.name,
        &cond,
        source,
        &schema.inputs,
        &x,
        &y,
        args.box_index,
    )
    .map_err(BadInput)?;
    let staging = stage(&target)?;
    export::discover::write(staging.path(), &report, &x, &y)?;
    commit(staging)?;
    print_box(&report);
    crate::out::println!("results in {}", target.display());
    Ok(())
}

/// Reads the inputs and the outcome `outcome` from a `trials.csv` or a `trials.parquet`
/// (recognised by its leading magic bytes `PAR1`).
fn read_trials(file: &Path, inputs: &[String], outcome: &str) -> Result<(Vec<Vec<f64>>, Vec<f64>)> {
    let bad = |why: String| BadInput(format!("{}: {why}", file.display()));
    if is_parquet(file) {
        return read_trials_parquet(file, inputs, outcome);
    }
    let mut r = csv::Reader::from_path(file).map_err(|e| bad(format!("cannot read: {e}")))?;
    let header = r
        .headers()
        .map_err(|e| bad(format!("cannot read the header: {e}")))?
        .clone();
    let column = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            bad(format!(
                "no column `{name}` (a trials.csv of `defsim run --trials-csv` on this \
                 scenario has one per uncertain parameter and outcome)"
            ))
        })
    };
    let cols: Vec<usize> = inputs.iter().map(|n| column(n)).collect::<Result<_, _>>()?;
    let yc = column(outcome)?;
    let mut x = vec![Vec::new(); inputs.len()];
    let mut y = Vec::new();
    for (line, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| bad(format!("row {}: {e}", line + 2)))?;
        let cell = |c: usize, name: &str, empty_ok: bool| -> Result<f64, BadInput> {
            let s = rec.get(c).unwrap_or("");
            if s.is_empty() && empty_ok {
                return Ok(f64::NAN);
            }
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    bad(format!(
                        "row {}, column {name}: `{s}` is not a number",
                        line + 2
                    ))
                })
        };
        for ((xs, &c), name) in x.iter_mut().zip(&cols).zip(inputs) {
            xs.push(cell(c, name, false)?);
        }
        y.push(cell(yc, outcome, true)?);
    }
    anyhow::ensure!(!y.is_empty(), bad("no trials".into()));
    Ok((x, y))
}

/// Whether `file` starts with Parquet's magic bytes.
fn is_parquet(file: &Path) -> bool {
    use std::io::Read as _;
    let mut magic = [0u8; 4];
    std::fs::File::open(file)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| &magic == b"PAR1")
}

/// [`read_trials`] of a Parquet file.
fn read_trials_parquet(
    file: &Path,
    inputs: &[String],
    outcome: &str,
) -> Result<(Vec<Vec<f64>>, Vec<f64>)> {
    let bad = |why: String| BadInput(format!("{}: {why}", file.display()));
    let mut wanted: Vec<&str> = inputs.iter().map(String::as_str).collect();
    wanted.push(outcome);
    let table = export::parquet::read_columns(file, &wanted).map_err(|e| {
        let why = e.to_string();
        let why = why
            .strip_prefix("Parquet error: ")
            .unwrap_or(&why)
            .to_string();
        if why.starts_with("no column") {
            bad(format!(
                "{why} (a trials.parquet of `defsim run --trials-parquet` on this scenario \
                 has one per uncertain parameter and outcome)"
            ))
        } else {
            bad(format!("cannot read: {why}"))
        }
    })?;
    let mut columns = table.columns;
    let y = columns.pop().unwrap_or_default();
    for (column, name) in columns.iter().zip(inputs) {
        if let Some(row) = column.iter().position(|v| !v.is_finite()) {
            return Err(bad(format!("row {}, column {name}: not a number", row + 1)).into());
        }
    }
    if y.iter().any(|v| v.is_infinite()) {
        return Err(bad(format!("column {outcome}: an infinite value")).into());
    }
    anyhow::ensure!(!y.is_empty(), bad("no trials".into()));
    Ok((columns, y))
}

fn print_box(r: &Discovery) {
    let b = &r.chosen;
    crate::out::println!(
        "{}: {} over {} trials ({}): {} cases ({:.4})",
        r.scenario,
        r.condition,
        r.trials,
        r.source,
        r.cases,
        r.cases as f64 / r.trials as f64
    );
    crate::out::println!(
        "  trajectory: {} boxes; box {} ({}): coverage {:.3}, density {:.3}, {} trials inside (mass {:.3})",
        r.trajectory.len(),
        r.chosen_box,
        r.rule,
        b.coverage,
        b.density,
        b.n,
        b.mass
    );
    crate::out::println!(
        "  {:<40} {:>12} {:>12} {:>10}",
        "restricted input",
        "lo",
        "hi",
        "quasi-p"
    );
    for l in r.limits.iter().filter(|l| l.restricted) {
        crate::out::println!(
            "  {:<40} {:>12.5} {:>12.5} {:>10.2e}",
            l.input,
            l.lo,
            l.hi,
            l.quasi_p
        );
    }
    let free = r.limits.iter().filter(|l| !l.restricted).count();
    crate::out::println!("  ({free} inputs unrestricted)");
}
