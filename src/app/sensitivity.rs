//! `defsim sensitivity`: which uncertain inputs drive each outcome.
//!
//! Inputs are the scenario's per-trial uncertain parameters (`Schema::inputs`); the annual
//! shocks (growth, sanctions, support, gold, power, conflict) are not inputs: they stay
//! random in every trial and their effect is the variance no input explains.
//! * rank: one ordinary run keeping its inputs -> Spearman, PRCC with bootstrap intervals,
//!   decile deltas ([`crate::stats::rank`]) -> tornado charts.
//! * sobol: a Saltelli design of `N (k + 2)` runs ([`crate::engine::Saltelli`]) -> first
//!   order and total indices ([`crate::stats::sobol`]) -> bar charts.
//!
//! Both write `sensitivity.csv`, `sensitivity.json`, one chart per outcome (PNG and SVG) and
//! `sensitivity.html` through a [`Staging`](crate::export::Staging) folder. Everything is deterministic from the
//! seed (bootstrap generators are keyed by it), whatever `--threads`.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;
use indexmap::IndexMap;
use serde::Serialize;

use super::{BadInput, Job, commit, out_dir, stage};
use crate::cli::{SensitivityArgs, SensitivityMethod};
use crate::engine::{self, Model, Saltelli, Schema, design};
use crate::export;
use crate::export::plots::tornado::{BarChart, Bars};
use crate::model::ViabilityModel;
use crate::stats::rank::{self, RankEffect};
use crate::stats::sobol::{self, SobolIndex};

/// Most inputs shown on one chart (the strongest).
const CHART_INPUTS: usize = 20;

/// One input's effect on one outcome (flattened into the JSON and CSV).
#[derive(Debug, Serialize)]
struct Row<E: Serialize> {
    input: String,
    #[serde(flatten)]
    effect: E,
}

/// One outcome's analysis.
#[derive(Debug, Serialize)]
struct OutcomeReport<E: Serialize> {
    /// Trials (rank) or base points (sobol) used.
    n: usize,
    /// Why there are no effects, when there are none.
    note: Option<String>,
    /// Effects sorted by decreasing |PRCC| (rank) or total index (sobol).
    effects: Vec<Row<E>>,
}

/// `sensitivity.json`.
#[derive(Debug, Serialize)]
struct Report<E: Serialize> {
    scenario: String,
    method: &'static str,
    seed: u64,
    /// Model runs simulated.
    model_runs: u64,
    /// Sobol base points N (sobol only).
    base_samples: Option<u64>,
    bootstrap_resamples: usize,
    inputs: Vec<String>,
    outcomes: IndexMap<String, OutcomeReport<E>>,
}

/// `defsim sensitivity`.
pub fn sensitivity(args: &SensitivityArgs) -> Result<()> {
    let job = Job::load(&args.scenario, &args.sim, true)?;
    let model = ViabilityModel::new(&job.scenario);
    let schema = model.schema().clone();
    anyhow::ensure!(
        !schema.inputs.is_empty(),
        BadInput(format!(
            "{}: the scenario has no uncertain parameter (every value is fixed): nothing to rank",
            args.scenario.display()
        ))
    );
    let outcomes = select_outcomes(&schema, &args.outcomes)?;
    let target = out_dir(&args.sim, &format!("sensitivity-{}", job.scenario.name));
    match args.method {
        SensitivityMethod::Rank => {
            let results = engine::run(&model, &job.options)?;
            let report = rank_report(&job, &schema, &results, &outcomes);
            write(&target, &report, rank_chart, rank_row)?;
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
            let report = sobol_report(&job, &schema, &results, &outcomes, args.samples);
            write(&target, &report, sobol_chart, sobol_row)?;
            print_top(&report, |e: &SobolIndex| e.total, "total index");
        }
    }
    println!("results in {}", target.display());
    Ok(())
}

/// The outcomes asked for, checked against the model's names (all when none is given).
fn select_outcomes(schema: &Schema, asked: &[String]) -> Result<Vec<usize>> {
    if asked.is_empty() {
        return Ok((0..schema.outcomes.len()).collect());
    }
    asked
        .iter()
        .map(|name| {
            schema
                .outcomes
                .iter()
                .position(|o| o.name == *name)
                .ok_or_else(|| {
                    BadInput(format!(
                        "--outcome {name}: no such outcome; outcomes are {}",
                        schema.outcome_names().join(", ")
                    ))
                    .into()
                })
        })
        .collect()
}

fn rank_report(
    job: &Job,
    schema: &Schema,
    results: &engine::Results,
    outcomes: &[usize],
) -> Report<RankEffect> {
    let inputs = results.inputs.as_ref().expect("the run kept its inputs");
    let mut out = IndexMap::new();
    // Outcomes present in every trial are analysed together (one bootstrap); an optional
    // outcome on the trials where it is present.
    let complete: Vec<usize> = outcomes
        .iter()
        .copied()
        .filter(|&o| results.outcomes[o].iter().all(|v| !v.is_nan()))
        .collect();
    let cols: Vec<&[f64]> = inputs.iter().map(|c| c.as_slice()).collect();
    let ys: Vec<&[f64]> = complete
        .iter()
        .map(|&o| results.outcomes[o].as_slice())
        .collect();
    let mut found: IndexMap<usize, (usize, Vec<RankEffect>)> = IndexMap::new();
    let n = results.trials as usize;
    for (&o, effects) in complete.iter().zip(rank::rank_sensitivity(
        &cols,
        &ys,
        rank::RESAMPLES,
        results.seed,
    )) {
        found.insert(o, (n, effects));
    }
    for &o in outcomes.iter().filter(|o| !complete.contains(o)) {
        let keep: Vec<usize> = (0..n)
            .filter(|&t| !results.outcomes[o][t].is_nan())
            .collect();
        let sub: Vec<Vec<f64>> = inputs
            .iter()
            .map(|c| keep.iter().map(|&t| c[t]).collect())
            .collect();
        let y: Vec<f64> = keep.iter().map(|&t| results.outcomes[o][t]).collect();
        let sub_cols: Vec<&[f64]> = sub.iter().map(|c| c.as_slice()).collect();
        let effects = if keep.len() >= 10 {
            rank::rank_sensitivity(&sub_cols, &[&y], rank::RESAMPLES, results.seed)
                .pop()
                .expect("one outcome")
        } else {
            Vec::new()
        };
        found.insert(o, (keep.len(), effects));
    }
    for &o in outcomes {
        let (n, effects) = found.swap_remove(&o).expect("every outcome analysed");
        let note = if effects.is_empty() {
            Some(format!("present in only {n} trials: too few to rank"))
        } else if effects.iter().all(|e| e.spearman.is_nan()) {
            Some("constant in this run: no input moves it".to_string())
        } else {
            None
        };
        out.insert(
            schema.outcomes[o].name.clone(),
            outcome_report(&schema.inputs, n, note, effects, |e| e.prcc.abs()),
        );
    }
    let method = ("rank", None, rank::RESAMPLES);
    Report::new(method, job, schema, results, out)
}

fn sobol_report(
    job: &Job,
    schema: &Schema,
    results: &engine::Results,
    outcomes: &[usize],
    base: u64,
) -> Report<SobolIndex> {
    let n = base as usize;
    let k = schema.inputs.len();
    let mut out = IndexMap::new();
    for &o in outcomes {
        let f = &results.outcomes[o];
        let (note, effects) = if f.iter().any(|v| v.is_nan()) {
            (
                Some("absent in some runs: Sobol indices need every run".to_string()),
                Vec::new(),
            )
        } else {
            let fab: Vec<&[f64]> = (0..k).map(|i| &f[(2 + i) * n..(3 + i) * n]).collect();
            let idx =
                sobol::sobol_indices(&f[..n], &f[n..2 * n], &fab, sobol::RESAMPLES, results.seed);
            let note = idx
                .iter()
                .all(|e| e.first.is_nan())
                .then(|| "constant in this run: no input moves it".to_string());
            (note, idx)
        };
        out.insert(
            schema.outcomes[o].name.clone(),
            outcome_report(&schema.inputs, n, note, effects, |e| e.total),
        );
    }
    let method = ("sobol", Some(base), sobol::RESAMPLES);
    Report::new(method, job, schema, results, out)
}

impl<E: Serialize> Report<E> {
    /// The report on `job`'s `results` by `(method, base_samples, bootstrap_resamples)`.
    fn new(
        (method, base_samples, bootstrap_resamples): (&'static str, Option<u64>, usize),
        job: &Job,
        schema: &Schema,
        results: &engine::Results,
        outcomes: IndexMap<String, OutcomeReport<E>>,
    ) -> Report<E> {
        Report {
            scenario: job.scenario.name.clone(),
            method,
            seed: results.seed,
            model_runs: results.trials,
            base_samples,
            bootstrap_resamples,
            inputs: schema.inputs.clone(),
            outcomes,
        }
    }
}

/// One outcome's analysis: each input with its effect (`effects` in the order of `inputs`),
/// sorted by decreasing `key`.
fn outcome_report<E: Serialize>(
    inputs: &[String],
    n: usize,
    note: Option<String>,
    effects: Vec<E>,
    key: impl Fn(&E) -> f64,
) -> OutcomeReport<E> {
    let mut rows: Vec<Row<E>> = inputs
        .iter()
        .cloned()
        .zip(effects)
        .map(|(input, effect)| Row { input, effect })
        .collect();
    sort_desc(&mut rows, key);
    OutcomeReport {
        n,
        note,
        effects: rows,
    }
}

/// Sorts by decreasing key, NaN last, ties by input name (a stable, documented order).
fn sort_desc<E: Serialize>(rows: &mut [Row<E>], key: impl Fn(&E) -> f64) {
    rows.sort_by(|a, b| {
        let (x, y) = (key(&a.effect), key(&b.effect));
        match (x.is_nan(), y.is_nan()) {
            (false, false) => y.total_cmp(&x).then_with(|| a.input.cmp(&b.input)),
            (nan_a, nan_b) => nan_a.cmp(&nan_b).then_with(|| a.input.cmp(&b.input)),
        }
    });
}

fn rank_chart(outcome: &str, rows: &[Row<RankEffect>]) -> BarChart {
    let top = &rows[..rows.len().min(CHART_INPUTS)];
    BarChart {
        title: format!("What drives {outcome}: partial rank correlation (PRCC)"),
        x_label: "PRCC (bars, 95% bootstrap interval); Spearman (dots)".into(),
        names: top.iter().map(|r| r.input.clone()).collect(),
        series: vec![Bars {
            label: "PRCC".into(),
            values: top.iter().map(|r| r.effect.prcc).collect(),
            ci95: top.iter().map(|r| r.effect.prcc_ci95).collect(),
            color: (31, 119, 180),
        }],
        dots: Some((
            "Spearman".into(),
            top.iter().map(|r| r.effect.spearman).collect(),
        )),
        x_range: (-1.0, 1.0),
    }
}

fn sobol_chart(outcome: &str, rows: &[Row<SobolIndex>]) -> BarChart {
    let top = &rows[..rows.len().min(CHART_INPUTS)];
    let lo = top
        .iter()
        .flat_map(|r| [r.effect.first_ci95[0], r.effect.first])
        .filter(|v| v.is_finite())
        .fold(-0.05, f64::min);
    let hi = top
        .iter()
        .flat_map(|r| [r.effect.total_ci95[1], r.effect.first_ci95[1]])
        .filter(|v| v.is_finite())
        .fold(1.0, f64::max);
    BarChart {
        title: format!("What drives {outcome}: Sobol indices"),
        x_label: "share of the outcome's variance (95% bootstrap interval)".into(),
        names: top.iter().map(|r| r.input.clone()).collect(),
        series: vec![
            Bars {
                label: "first order S_i".into(),
                values: top.iter().map(|r| r.effect.first).collect(),
                ci95: top.iter().map(|r| r.effect.first_ci95).collect(),
                color: (31, 119, 180),
            },
            Bars {
                label: "total ST_i".into(),
                values: top.iter().map(|r| r.effect.total).collect(),
                ci95: top.iter().map(|r| r.effect.total_ci95).collect(),
                color: (255, 127, 14),
            },
        ],
        dots: None,
        x_range: (lo, hi),
    }
}

/// CSV cells of one row after `outcome,input`.
fn rank_row(e: &RankEffect) -> Vec<f64> {
    vec![
        e.spearman,
        e.spearman_ci95[0],
        e.spearman_ci95[1],
        e.prcc,
        e.prcc_ci95[0],
        e.prcc_ci95[1],
        e.decile_delta,
    ]
}

fn sobol_row(e: &SobolIndex) -> Vec<f64> {
    vec![
        e.first,
        e.first_ci95[0],
        e.first_ci95[1],
        e.total,
        e.total_ci95[0],
        e.total_ci95[1],
    ]
}

/// Writes the JSON, CSV, charts and HTML into a staging folder, then commits it.
fn write<E: Serialize>(
    target: &Path,
    report: &Report<E>,
    chart: fn(&str, &[Row<E>]) -> BarChart,
    cells: fn(&E) -> Vec<f64>,
) -> Result<()> {
    let staging = stage(target)?;
    let dir = staging.path();
    export::json::write(&dir.join("sensitivity.json"), report)?;
    let mut w = csv::Writer::from_path(dir.join("sensitivity.csv"))?;
    let header: &[&str] = if report.method == "rank" {
        &[
            "outcome",
            "input",
            "spearman",
            "spearman_lo",
            "spearman_hi",
            "prcc",
            "prcc_lo",
            "prcc_hi",
            "decile_delta",
        ]
    } else {
        &[
            "outcome", "input", "first", "first_lo", "first_hi", "total", "total_lo", "total_hi",
        ]
    };
    w.write_record(header)?;
    for (name, o) in &report.outcomes {
        for r in &o.effects {
            let mut row = vec![name.clone(), r.input.clone()];
            row.extend(cells(&r.effect).into_iter().map(|v| {
                if v.is_nan() {
                    String::new()
                } else {
                    v.to_string()
                }
            }));
            w.write_record(&row)?;
        }
    }
    w.flush()?;
    let prefix = if report.method == "rank" {
        "tornado"
    } else {
        "sobol"
    };
    let mut charts = IndexMap::new();
    for (name, o) in &report.outcomes {
        if o.note.is_none() && !o.effects.is_empty() {
            let base = dir.join(format!("{prefix}-{name}"));
            export::plots::tornado::write(&base, &chart(name, &o.effects))?;
            charts.insert(name.clone(), format!("{prefix}-{name}.svg"));
        }
    }
    std::fs::write(
        dir.join("sensitivity.html"),
        html(report, &charts, header, cells),
    )?;
    commit(staging)?;
    Ok(())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A self-contained page: method, then per outcome its chart and table.
fn html<E: Serialize>(
    report: &Report<E>,
    charts: &IndexMap<String, String>,
    header: &[&str],
    cells: fn(&E) -> Vec<f64>,
) -> String {
    let mut h = String::new();
    let method = if report.method == "rank" {
        format!(
            "Spearman rank correlation and partial rank correlation (PRCC) of each uncertain \
             parameter with each outcome over {} trials, with 95% percentile intervals from {} \
             bootstrap resamples; decile_delta is the outcome's mean over the parameter's top \
             decile minus its bottom decile.",
            report.model_runs, report.bootstrap_resamples
        )
    } else {
        format!(
            "Sobol first-order (Saltelli 2010) and total (Jansen 1999) indices on a Saltelli \
             design of N = {} scrambled Sobol base points: N (k + 2) = {} model runs, with 95% \
             percentile intervals from {} bootstrap resamples of the base points.",
            report.base_samples.unwrap_or(0),
            report.model_runs,
            report.bootstrap_resamples
        )
    };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Sensitivity: {name}</title>\
         <style>body{{font-family:sans-serif;max-width:1000px;margin:auto}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 6px;\
         text-align:right}}td:first-child{{text-align:left}}</style></head><body>\n\
         <h1>Sensitivity of scenario {name} ({m})</h1>\n<p>Seed {seed}. {method}</p>\n\
         <p>Inputs are the scenario's uncertain per-trial parameters; the annual shocks \
         (growth, sanctions, foreign support, gold, power, conflict) are not inputs: they stay \
         random in every trial, and the variance they cause is what no input explains.</p>\n",
        name = escape(&report.scenario),
        m = report.method,
        seed = report.seed,
    );
    for (name, o) in &report.outcomes {
        let _ = writeln!(h, "<h2 id=\"{0}\">{0}</h2>", escape(name));
        if let Some(note) = &o.note {
            let _ = writeln!(h, "<p><em>{}</em></p>", escape(note));
            continue;
        }
        if let Some(svg) = charts.get(name) {
            let _ = writeln!(
                h,
                "<img src=\"{svg}\" alt=\"chart of {name}\" width=\"900\">"
            );
        }
        let _ = write!(h, "<table><tr>");
        for c in &header[1..] {
            let _ = write!(h, "<th>{c}</th>");
        }
        let _ = writeln!(h, "</tr>");
        for r in &o.effects {
            let _ = write!(h, "<tr><td>{}</td>", escape(&r.input));
            for v in cells(&r.effect) {
                let _ = write!(
                    h,
                    "<td>{}</td>",
                    if v.is_nan() {
                        "-".into()
                    } else {
                        format!("{v:.3}")
                    }
                );
            }
            let _ = writeln!(h, "</tr>");
        }
        let _ = writeln!(h, "</table>");
    }
    h.push_str("</body></html>\n");
    h
}

/// The three strongest inputs of each outcome, on the terminal.
fn print_top<E: Serialize>(report: &Report<E>, key: fn(&E) -> f64, what: &str) {
    println!(
        "{}: sensitivity ({}), {} model runs, seed {}",
        report.scenario, report.method, report.model_runs, report.seed
    );
    for (name, o) in &report.outcomes {
        match &o.note {
            Some(note) => println!("  {name:<26} {note}"),
            None => {
                let top: Vec<String> = o
                    .effects
                    .iter()
                    .take(3)
                    .map(|r| format!("{} {:+.3}", r.input, key(&r.effect)))
                    .collect();
                println!("  {name:<26} {what}: {}", top.join(", "));
            }
        }
    }
}
