//! The files of `defsim discover`: `discover.json`, `trajectory.csv`, `box.csv`, the
//! peeling trajectory chart and the box scatter (PNG and SVG), from a [`Discovery`].

use std::path::Path;

use anyhow::Result;

use super::plots::prim::{BoxScatter, write_box, write_trajectory};
use crate::analysis::discover::Discovery;
use crate::stats::prim;

/// Most trials drawn on the box scatter (an evenly spaced subsample).
const SCATTER_POINTS: usize = 3000;

/// Writes `discover.json`, `trajectory.csv`, `box.csv` and the charts into `dir`.
pub fn write(dir: &Path, report: &Discovery, x: &[&[f64]], y: &[bool]) -> Result<()> {
    super::json::write(&dir.join("discover.json"), report)?;
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
    Ok(())
}
