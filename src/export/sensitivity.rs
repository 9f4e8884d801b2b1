//! The files of `defsim sensitivity`: `sensitivity.json`, `sensitivity.csv`, one tornado
//! (rank) or bar (Sobol) chart per outcome (PNG and SVG) and `sensitivity.html`, from a
//! [`SensitivityReport`].

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;
use indexmap::IndexMap;
use serde::Serialize;

use super::plots::tornado::{BarChart, Bars};
use crate::analysis::sensitivity::{Row, SensitivityReport};
use crate::stats::rank::RankEffect;
use crate::stats::sobol::SobolIndex;

/// Most inputs shown on one chart (the strongest).
const CHART_INPUTS: usize = 20;

pub fn rank_chart(outcome: &str, rows: &[Row<RankEffect>]) -> BarChart {
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

pub fn sobol_chart(outcome: &str, rows: &[Row<SobolIndex>]) -> BarChart {
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
pub fn rank_row(e: &RankEffect) -> Vec<f64> {
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

pub fn sobol_row(e: &SobolIndex) -> Vec<f64> {
    vec![
        e.first,
        e.first_ci95[0],
        e.first_ci95[1],
        e.total,
        e.total_ci95[0],
        e.total_ci95[1],
    ]
}

/// Writes `sensitivity.json`, `sensitivity.csv`, one chart per outcome and
/// `sensitivity.html` into `dir`.
pub fn write<E: Serialize>(
    dir: &Path,
    report: &SensitivityReport<E>,
    chart: fn(&str, &[Row<E>]) -> BarChart,
    cells: fn(&E) -> Vec<f64>,
) -> Result<()> {
    super::json::write(&dir.join("sensitivity.json"), report)?;
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
            super::plots::tornado::write(&base, &chart(name, &o.effects))?;
            charts.insert(name.clone(), format!("{prefix}-{name}.svg"));
        }
    }
    std::fs::write(
        dir.join("sensitivity.html"),
        html(report, &charts, header, cells),
    )?;
    Ok(())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A self-contained page: method, then per outcome its chart and table.
fn html<E: Serialize>(
    report: &SensitivityReport<E>,
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
