//! `summary.csv`, `timeseries.csv` and `trials.csv`.

use std::path::Path;

use crate::engine::Results;
use crate::summary::RunSummary;

/// One row per outcome: n, mean, sd, se, quantiles, min, max (empty cells where absent).
pub fn write_summary(path: &Path, summary: &RunSummary) -> csv::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "outcome", "n", "mean", "sd", "se", "p05", "p10", "p25", "p50", "p75", "p90", "p95", "min",
        "max",
    ])?;
    for (name, s) in &summary.outcomes {
        let cell = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        let mut row = vec![name.clone(), s.n.to_string()];
        row.extend(
            [
                s.mean, s.sd, s.se, s.p05, s.p10, s.p25, s.p50, s.p75, s.p90, s.p95, s.min, s.max,
            ]
            .map(cell),
        );
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// One row per year and metric: mean and the 5-25-50-75-95% quantiles.
pub fn write_timeseries(path: &Path, summary: &RunSummary) -> csv::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(["year", "metric", "mean", "p05", "p25", "p50", "p75", "p95"])?;
    for (metric, points) in &summary.timeseries {
        for p in points {
            let values = [p.mean, p.p05, p.p25, p.p50, p.p75, p.p95].map(|v| v.to_string());
            let mut row = vec![p.year.to_string(), metric.clone()];
            row.extend(values);
            w.write_record(&row)?;
        }
    }
    w.flush()?;
    Ok(())
}

/// One row per trial: its index, drawn inputs and outcomes (an absent outcome is empty).
pub fn write_trials(path: &Path, results: &Results) -> csv::Result<()> {
    let inputs = results.inputs.as_deref().unwrap_or(&[]);
    let mut w = csv::Writer::from_path(path)?;
    let mut header = vec!["trial".to_string()];
    header.extend(results.schema.inputs.iter().cloned());
    header.extend(results.schema.outcomes.iter().cloned());
    w.write_record(&header)?;
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    for i in 0..results.trials as usize {
        row.clear();
        row.push(i.to_string());
        for column in inputs.iter().chain(&results.outcomes) {
            let v = column[i];
            row.push(if v.is_nan() {
                String::new()
            } else {
                v.to_string()
            });
        }
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}
