//! The run summary: what `summary.json` holds. Built from [`Results`] by pure statistics;
//! every exporter (JSON, CSV, plots, reports) and `check` read this one structure.

use indexmap::IndexMap;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::engine::Results;
use crate::scenario::Scenario;
use crate::stats::{Proportion, Summary, proportion, summarize};

/// The scenario a summary is of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    /// `scenario.name`.
    pub name: String,
    /// The scenario file's name, without its folder.
    pub file: String,
    /// SHA-256 of the resolved scenario (extends and `--set` applied).
    pub resolved_sha256: String,
    /// `scenario.description`.
    #[serde(default)]
    pub description: String,
}

/// One year of a yearly series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YearPoint {
    /// Calendar year.
    pub year: i32,
    /// Mean over trials.
    pub mean: f64,
    /// Sketch quantiles (relative error below 2^-7).
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

/// One parameter as the scenario states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamInfo {
    /// Dotted key path.
    pub key: String,
    /// Its distribution, e.g. `normal(0.05, 0.01) truncated [-0.05, 0.12]`.
    pub dist: String,
    /// Where the number comes from (empty when the scenario gives none).
    pub source: String,
}

/// The content of `summary.json`: keys fixed by INTERFACE.md, more may be added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub scenario: ScenarioInfo,
    pub seed: u64,
    pub trials: u64,
    pub start_year: i32,
    pub horizon_years: usize,
    pub defsim_version: String,
    /// Statistics of every outcome, in the model's order.
    pub outcomes: IndexMap<String, Summary>,
    /// Probabilities with 95% Wilson intervals.
    pub probabilities: IndexMap<String, Proportion>,
    /// Yearly series: mean and sketch quantiles per year.
    pub timeseries: IndexMap<String, Vec<YearPoint>>,
    /// Every parameter with its distribution and source.
    pub parameters: Vec<ParamInfo>,
}

/// Outcomes that are 0/1 indicators, reported as probabilities too.
const INDICATORS: [&str; 4] = [
    "viable",
    "meets_min_independence",
    "meets_max_unit_cost_ratio",
    "meets_max_fiscal_burden",
];

impl RunSummary {
    /// Summarises `results` of `scenario`.
    pub fn new(scenario: &Scenario, results: &Results) -> RunSummary {
        let schema = &results.schema;
        let stats: Vec<Summary> = results
            .outcomes
            .par_iter()
            .map(|column| {
                let mut present: Vec<f64> =
                    column.iter().copied().filter(|v| !v.is_nan()).collect();
                summarize(&mut present)
            })
            .collect();
        let outcomes: IndexMap<String, Summary> =
            schema.outcomes.iter().cloned().zip(stats).collect();

        let mut probabilities = IndexMap::new();
        for name in INDICATORS {
            if let Some(column) = results.outcome(name) {
                let hits = column.iter().filter(|v| **v == 1.0).count() as u64;
                probabilities.insert(name.to_string(), proportion(hits, results.trials));
            }
        }
        if let Some(s) = outcomes.get("breakeven_year") {
            probabilities.insert(
                "breakeven_within_horizon".to_string(),
                proportion(s.n, results.trials),
            );
        }

        let timeseries = schema
            .series
            .iter()
            .zip(&results.series)
            .map(|(name, years)| {
                let points = years
                    .iter()
                    .zip(&schema.years)
                    .map(|(s, &year)| {
                        let q = |p: f64| s.sketch.quantile(p).unwrap_or(f64::NAN);
                        YearPoint {
                            year,
                            mean: s.mean.mean().unwrap_or(f64::NAN),
                            p05: q(0.05),
                            p25: q(0.25),
                            p50: q(0.50),
                            p75: q(0.75),
                            p95: q(0.95),
                        }
                    })
                    .collect();
                (name.clone(), points)
            })
            .collect();

        let parameters = scenario
            .params
            .iter()
            .map(|e| ParamInfo {
                key: e.key.clone(),
                dist: e.param.describe(),
                source: e.param.source.clone().unwrap_or_default(),
            })
            .collect();

        RunSummary {
            scenario: ScenarioInfo {
                name: scenario.name.clone(),
                file: scenario
                    .file
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                resolved_sha256: scenario.resolved_sha256(),
                description: scenario.description.clone(),
            },
            seed: results.seed,
            trials: results.trials,
            start_year: scenario.settings.start_year,
            horizon_years: scenario.settings.horizon_years,
            defsim_version: env!("CARGO_PKG_VERSION").to_string(),
            outcomes,
            probabilities,
            timeseries,
            parameters,
        }
    }
}
