//! `defsim discover`: scenario discovery with PRIM. Which ranges of the uncertain inputs
//! hold the trials where a condition on an outcome is true (`--where "viable == 1"`)?
//!
//! load scenario -> trials (simulated with their inputs kept, or read from a `trials.csv`
//! with `--from`) -> condition per trial (an absent outcome never meets it) -> peeling
//! trajectory ([`crate::stats::prim`], alpha 0.05, minimum mass 0.05) -> the chosen box
//! (`--box K`, default the best F1 of coverage and density) with quasi-p-values -> CSV,
//! JSON and charts in `output/discover-<name>/` through a [`Staging`](crate::export::Staging) folder.

use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use super::{BadInput, Job, commit, out_dir, stage};
use crate::cli::DiscoverArgs;
use crate::engine::{self, Model};
use crate::export;
use crate::export::plots::prim::{BoxScatter, write_box, write_trajectory};
use crate::model::ViabilityModel;
use crate::stats::prim::{self, PrimBox, PrimOptions};

/// Most trials drawn on the box scatter (an evenly spaced subsample).
const SCATTER_POINTS: usize = 3000;

/// A parsed `NAME OP VALUE`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// Outcome name.
    pub name: String,
    /// Operator, one of `== != < <= > >=`.
    pub op: &'static str,
    /// Right-hand side.
    pub value: f64,
}

impl Condition {
    /// Parses `NAME OP VALUE` (spaces optional).
    pub fn parse(s: &str) -> Result<Condition, BadInput> {
        let bad = |why: &str| {
            BadInput(format!(
                "--where \"{s}\": {why}; write NAME OP VALUE with OP one of == != < <= > >=, \
                 e.g. \"viable == 1\""
            ))
        };
        for op in ["==", "!=", "<=", ">=", "<", ">"] {
            if let Some((name, value)) = s.split_once(op) {
                let name = name.trim();
                if name.is_empty() {
                    return Err(bad("no outcome name"));
                }
                let value: f64 = value
                    .trim()
                    .parse()
                    .map_err(|_| bad(&format!("`{}` is not a number", value.trim())))?;
                return Ok(Condition {
                    name: name.to_string(),
                    op,
                    value,
                });
            }
        }
        Err(bad("no comparison operator"))
    }

    /// Whether `v` meets the condition (NaN, an absent outcome, never does).
    pub fn holds(&self, v: f64) -> bool {
        match self.op {
            "==" => v == self.value,
            "!=" => !v.is_nan() && v != self.value,
            "<" => v < self.value,
            "<=" => v <= self.value,
            ">" => v > self.value,
            _ => v >= self.value,
        }
    }
}

impl std::fmt::Display for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.name, self.op, self.value)
    }
}

/// One input's line of the chosen box.
#[derive(Debug, Serialize)]
struct Limit {
    input: String,
    lo: f64,
    hi: f64,
    restricted: bool,
    /// NaN (null) for an unrestricted input.
    quasi_p: f64,
    data_lo: f64,
    data_hi: f64,
}

/// `discover.json`.
#[derive(Debug, Serialize)]
struct Discovery {
    scenario: String,
    condition: String,
    source: String,
    trials: usize,
    cases: usize,
    peel_alpha: f64,
    min_mass: f64,
    chosen_box: usize,
    rule: &'static str,
    chosen: PrimBox,
    limits: Vec<Limit>,
    trajectory: Vec<PrimBox>,
}

/// `defsim discover`.
pub fn discover(args: &DiscoverArgs) -> Result<()> {
    let cond = Condition::parse(&args.condition)?;
    let job = Job::load(&args.scenario, &args.sim, true)?;
    let model = ViabilityModel::new(&job.scenario);
    let schema = model.schema().clone();
    anyhow::ensure!(
        schema.outcome(&cond.name).is_some(),
        BadInput(format!(
            "--where: no outcome `{}`; outcomes are {}",
            cond.name,
            schema.outcome_names().join(", ")
        ))
    );
    anyhow::ensure!(
        !schema.inputs.is_empty(),
        BadInput(format!(
            "{}: the scenario has no uncertain parameter: nothing to discover",
            args.scenario.display()
        ))
    );
    let (inputs, outcome, source) = match &args.from {
        Some(file) => {
            let (inputs, y) = read_trials(file, &schema.inputs, &cond.name)?;
            (inputs, y, file.display().to_string())
        }
        None => {
            let r = engine::run(&model, &job.options)?;
            let o = schema
                .outcomes
                .iter()
                .position(|n| n.name == cond.name)
                .expect("checked");
            let inputs = r.inputs.expect("kept");
            let y = r.outcomes[o].clone();
            (
                inputs,
                y,
                format!("simulated: {} trials, seed {}", r.trials, r.seed),
            )
        }
    };
    let y: Vec<bool> = outcome.iter().map(|&v| cond.holds(v)).collect();
    let x: Vec<&[f64]> = inputs.iter().map(|c| c.as_slice()).collect();
    let opts = PrimOptions::default();
    let path = prim::peel(&x, &y, opts);
    let chosen = match args.box_index {
        Some(k) if k < path.len() => k,
        Some(k) => {
            return Err(BadInput(format!(
                "--box {k}: the trajectory has boxes 0 to {}",
                path.len() - 1
            ))
            .into());
        }
        None => prim::default_box(&path),
    };
    let full = &path[0];
    let b = &path[chosen];
    let limits: Vec<Limit> = schema
        .inputs
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let restricted = prim::restricted(b, full, j);
            Limit {
                input: name.clone(),
                lo: b.limits[j][0],
                hi: b.limits[j][1],
                restricted,
                quasi_p: if restricted {
                    prim::quasi_p(&x, &y, b, j)
                } else {
                    f64::NAN
                },
                data_lo: full.limits[j][0],
                data_hi: full.limits[j][1],
            }
        })
        .collect();
    let report = Discovery {
        scenario: job.scenario.name.clone(),
        condition: cond.to_string(),
        source,
        trials: y.len(),
        cases: full.hits,
        peel_alpha: opts.alpha,
        min_mass: opts.min_mass,
        chosen_box: chosen,
        rule: if args.box_index.is_some() {
            "--box"
        } else {
            "best F1 score of coverage and density"
        },
        chosen: b.clone(),
        limits,
        trajectory: path.clone(),
    };
    let target = out_dir(&args.sim, &format!("discover-{}", job.scenario.name));
    write(&target, &report, &x, &y)?;
    print_box(&report);
    println!("results in {}", target.display());
    Ok(())
}

/// Reads the inputs and the outcome `outcome` from a `trials.csv`.
fn read_trials(file: &Path, inputs: &[String], outcome: &str) -> Result<(Vec<Vec<f64>>, Vec<f64>)> {
    let bad = |why: String| BadInput(format!("{}: {why}", file.display()));
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

fn write(target: &Path, report: &Discovery, x: &[&[f64]], y: &[bool]) -> Result<()> {
    let staging = stage(target)?;
    let dir = staging.path();
    export::json::write(&dir.join("discover.json"), report)?;
    let full = &report.trajectory[0];
    let mut w = csv::Writer::from_path(dir.join("trajectory.csv"))?;
    w.write_record([
        "box",
        "n",
        "hits",
        "coverage",
        "density",
        "mass",
        "restricted",
    ])?;
    for (k, b) in report.trajectory.iter().enumerate() {
        let restricted: Vec<&str> = (0..x.len())
            .filter(|&j| prim::restricted(b, full, j))
            .map(|j| report.limits[j].input.as_str())
            .collect();
        w.write_record([
            k.to_string(),
            b.n.to_string(),
            b.hits.to_string(),
            b.coverage.to_string(),
            b.density.to_string(),
            b.mass.to_string(),
            restricted.join(" "),
        ])?;
    }
    w.flush()?;
    let mut w = csv::Writer::from_path(dir.join("box.csv"))?;
    w.write_record([
        "input",
        "lo",
        "hi",
        "restricted",
        "quasi_p",
        "data_lo",
        "data_hi",
    ])?;
    for l in &report.limits {
        w.write_record([
            l.input.clone(),
            l.lo.to_string(),
            l.hi.to_string(),
            l.restricted.to_string(),
            if l.quasi_p.is_nan() {
                String::new()
            } else {
                l.quasi_p.to_string()
            },
            l.data_lo.to_string(),
            l.data_hi.to_string(),
        ])?;
    }
    w.flush()?;
    let title = format!(
        "{}: peeling trajectory for {}",
        report.scenario, report.condition
    );
    write_trajectory(
        &dir.join("trajectory"),
        &title,
        &report.trajectory,
        report.chosen_box,
    )?;
    if x.len() >= 2 {
        // The two inputs whose limits alone exclude the most trials.
        let b = &report.chosen;
        let mut excluded: Vec<(usize, usize)> = (0..x.len())
            .map(|j| {
                let out = x[j]
                    .iter()
                    .filter(|&&v| v < b.limits[j][0] || v > b.limits[j][1])
                    .count();
                (j, out)
            })
            .collect();
        excluded.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let (i, j) = (excluded[0].0, excluded[1].0);
        let stride = y.len().div_ceil(SCATTER_POINTS).max(1);
        let scatter = BoxScatter {
            title: format!(
                "{}: box {} for {}",
                report.scenario, report.chosen_box, report.condition
            ),
            names: [
                report.limits[i].input.clone(),
                report.limits[j].input.clone(),
            ],
            points: (0..y.len())
                .step_by(stride)
                .map(|t| (x[i][t], x[j][t], y[t]))
                .collect(),
            limits: [b.limits[i], b.limits[j]],
            ranges: [full.limits[i], full.limits[j]],
        };
        write_box(&dir.join("box"), &scatter)?;
    }
    commit(staging)?;
    Ok(())
}

fn print_box(r: &Discovery) {
    let b = &r.chosen;
    println!(
        "{}: {} over {} trials ({}): {} cases ({:.4})",
        r.scenario,
        r.condition,
        r.trials,
        r.source,
        r.cases,
        r.cases as f64 / r.trials as f64
    );
    println!(
        "  trajectory: {} boxes; box {} ({}): coverage {:.3}, density {:.3}, {} trials inside (mass {:.3})",
        r.trajectory.len(),
        r.chosen_box,
        r.rule,
        b.coverage,
        b.density,
        b.n,
        b.mass
    );
    println!(
        "  {:<40} {:>12} {:>12} {:>10}",
        "restricted input", "lo", "hi", "quasi-p"
    );
    for l in r.limits.iter().filter(|l| l.restricted) {
        println!(
            "  {:<40} {:>12.5} {:>12.5} {:>10.2e}",
            l.input, l.lo, l.hi, l.quasi_p
        );
    }
    let free = r.limits.iter().filter(|l| !l.restricted).count();
    println!("  ({free} inputs unrestricted)");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_parse_with_or_without_spaces() {
        let c = Condition::parse("viable == 1").unwrap();
        assert_eq!((c.name.as_str(), c.op, c.value), ("viable", "==", 1.0));
        let c = Condition::parse("peak_fiscal_burden<=0.02").unwrap();
        assert_eq!(
            (c.name.as_str(), c.op, c.value),
            ("peak_fiscal_burden", "<=", 0.02)
        );
        assert!(c.holds(0.02) && !c.holds(0.03) && !c.holds(f64::NAN));
        assert_eq!(Condition::parse("x > -3").unwrap().value, -3.0);
        assert!(Condition::parse("viable = 1").is_err());
        assert!(Condition::parse("== 1").is_err());
        assert!(Condition::parse("viable == yes").is_err());
        assert!(!Condition::parse("x != 1").unwrap().holds(f64::NAN));
    }
}
