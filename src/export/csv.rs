//! `summary.csv`, `timeseries.csv` and `trials.csv`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use rayon::prelude::*;

use crate::analysis::compare::{Difference, ScenarioComparison};
use crate::analysis::run::RunSummary;
use crate::analysis::sweep::Sweep;
use crate::engine::Results;

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
///
/// Rows are formatted in parallel, in blocks of [`TRIAL_ROWS`] trials, and written in trial
/// order: the file is the same whatever the number of threads.
pub fn write_trials(path: &Path, results: &Results) -> csv::Result<()> {
    debug_assert!(
        results.inputs.is_none() || results.all_inputs().is_some(),
        "a trials file holds every trial's inputs or none"
    );
    let inputs = results.all_inputs().unwrap_or(&[]);
    let columns: Vec<&[f64]> = inputs
        .iter()
        .chain(&results.outcomes)
        .map(|c| c.as_slice())
        .collect();
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    {
        let mut w = csv::Writer::from_writer(&mut file);
        let mut header = vec!["trial".to_string()];
        header.extend(results.schema.inputs.iter().cloned());
        header.extend(results.schema.outcomes.iter().map(|o| o.name.clone()));
        w.write_record(&header)?;
        w.flush()?;
    }
    let n = results.trials as usize;
    let starts: Vec<usize> = (0..n).step_by(TRIAL_ROWS).collect();
    for wave in starts.chunks(WAVE_BLOCKS) {
        let blocks: Vec<csv::Result<Vec<u8>>> = wave
            .par_iter()
            .map(|&first| trial_rows(&columns, first..(first + TRIAL_ROWS).min(n), 0))
            .collect();
        for block in blocks {
            file.write_all(&block?)?;
        }
    }
    file.flush()?;
    Ok(())
}

/// A `trials.csv` written as a streaming run goes, a wave of trials at a time.
pub struct TrialsCsv {
    file: std::io::BufWriter<std::fs::File>,
}

impl TrialsCsv {
    /// Creates `path` with the header of `schema`.
    pub fn create(path: &Path, schema: &crate::engine::Schema) -> csv::Result<TrialsCsv> {
        let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
        {
            let mut w = csv::Writer::from_writer(&mut file);
            let mut header = vec!["trial".to_string()];
            header.extend(schema.inputs.iter().cloned());
            header.extend(schema.outcomes.iter().map(|o| o.name.clone()));
            w.write_record(&header)?;
            w.flush()?;
        }
        Ok(TrialsCsv { file })
    }

    /// Appends the trials `first ..` (input columns, then outcome columns).
    pub fn append(&mut self, first: u64, columns: &[&[f64]]) -> csv::Result<()> {
        let n = columns.first().map_or(0, |c| c.len());
        let starts: Vec<usize> = (0..n).step_by(TRIAL_ROWS).collect();
        let blocks: Vec<csv::Result<Vec<u8>>> = starts
            .par_iter()
            .map(|&s| trial_rows(columns, s..(s + TRIAL_ROWS).min(n), first))
            .collect();
        for block in blocks {
            self.file.write_all(&block?)?;
        }
        Ok(())
    }

    /// Flushes the file.
    pub fn finish(mut self) -> csv::Result<()> {
        self.file.flush()?;
        Ok(())
    }
}

/// Trials formatted per parallel task.
const TRIAL_ROWS: usize = 16_384;

/// Formatted blocks held in memory at once (bounds memory for very large runs).
const WAVE_BLOCKS: usize = 8;

/// The CSV rows of `trials`.
fn trial_rows(
    columns: &[&[f64]],
    trials: std::ops::Range<usize>,
    offset: u64,
) -> csv::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    let mut cell = String::new();
    for i in trials {
        cell.clear();
        write!(cell, "{}", offset + i as u64).expect("writing to a String cannot fail");
        w.write_field(&cell)?;
        for column in columns {
            let v = column[i];
            cell.clear();
            if !v.is_nan() {
                write!(cell, "{v}").expect("writing to a String cannot fail");
            }
            w.write_field(&cell)?;
        }
        w.write_record(None::<&[u8]>)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// `compare.csv`: one row per outcome and scenario, with both differences from the first.
pub fn write_comparison(path: &Path, table: &ScenarioComparison) -> csv::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "outcome",
        "scenario",
        "n",
        "mean",
        "paired_diff",
        "paired_ci_low",
        "paired_ci_high",
        "paired_n",
        "unpaired_diff",
        "unpaired_ci_low",
        "unpaired_ci_high",
    ])?;
    let num = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    let diff = |d: &Option<Difference>| match d {
        Some(d) => [d.diff, d.ci95[0], d.ci95[1]]
            .map(|v| v.to_string())
            .to_vec(),
        None => vec![String::new(); 3],
    };
    for row in &table.outcomes {
        let mut rec = vec![
            row.outcome.clone(),
            row.scenario.clone(),
            row.n.to_string(),
            num(row.mean),
        ];
        rec.extend(diff(&row.paired));
        rec.push(
            row.paired
                .as_ref()
                .map(|d| d.n.to_string())
                .unwrap_or_default(),
        );
        rec.extend(diff(&row.unpaired));
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

/// The short table a person reads after a comparison.
/// `sweep.csv`: one row per step: the value, the headline probability with its interval, and the mean and
/// 5/50/95% of each chosen outcome.
pub fn write_sweep(path: &Path, table: &Sweep) -> csv::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    let mut header = vec![table.key.clone()];
    header.extend(table.key2.clone());
    header.extend([
        format!("p_{}", table.headline),
        format!("p_{}_ci_low", table.headline),
        format!("p_{}_ci_high", table.headline),
    ]);
    // A 0/1 outcome (a criterion, an analyst's `[criteria]` entry): its probability and
    // Wilson interval; any other: its mean and 5/50/95%.
    for o in &table.chosen {
        if table.is_probability(o) {
            header.extend([
                format!("p_{o}"),
                format!("p_{o}_ci_low"),
                format!("p_{o}_ci_high"),
            ]);
        } else {
            for stat in ["mean", "p05", "p50", "p95"] {
                header.push(format!("{o}_{stat}"));
            }
        }
    }
    w.write_record(&header)?;
    let num = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    for step in &table.steps {
        let mut row = vec![step.value.to_string()];
        row.extend(step.value2.map(|v| v.to_string()));
        match step.probabilities.get(&table.headline) {
            Some(p) => row.extend([p.p, p.ci95[0], p.ci95[1]].map(|v| v.to_string())),
            None => row.extend([String::new(), String::new(), String::new()]),
        }
        for o in &table.chosen {
            if table.is_probability(o) {
                let p = step.probabilities.get(o);
                row.extend([p.map(|p| p.p), p.map(|p| p.ci95[0]), p.map(|p| p.ci95[1])].map(num));
            } else {
                let s = &step.outcomes[o];
                row.extend([s.mean, s.p05, s.p50, s.p95].map(num));
            }
        }
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}
