//! The files of `defsim sensitivity`: `sensitivity.json`, `sensitivity.csv`, one tornado
//! (rank) or bar (Sobol) chart per outcome (PNG and SVG) and `sensitivity.html` (its
//! template is [`super::html::sensitivity`]), from a [`SensitivityReport`].

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
        x_label: "PRCC (bars, 95% interval); Spearman (dots)".into(),
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
    framing: super::html::Framing,
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
            charts.insert(name.clone(), format!("{prefix}-{name}"));
        }
    }
    std::fs::write(
        dir.join("sensitivity.html"),
        super::html::sensitivity::render(framing, report, &charts, &header[1..], cells),
    )?;
    Ok(())
}
