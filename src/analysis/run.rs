//! The run summary: what `summary.json` holds. Built from [`Results`] by pure statistics;
//! every exporter (JSON, CSV, plots, reports) and `check` read this one structure.

use indexmap::IndexMap;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analysis::check::density::{QuantileSe, summarize_present_with_se};
use crate::analysis::drivers::Drivers;
use crate::engine::{OutcomeKind, Results, Schema, SeriesStats, StreamOutcome, StreamStats};
use crate::scenario::Scenario;
use crate::stats::{OutcomeStats, Proportion, QUANTILES, proportion};

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
    /// `support.supplier`: the foreign supplier's name (plots say "foreign support" without it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    /// The `--set` overrides of the run (absent when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<crate::scenario::Override>,
}

/// One year of a yearly series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YearPoint {
    /// Calendar year.
    pub year: i32,
    /// Mean over trials.
    pub mean: f64,
    /// Sketch quantiles (relative error at most 2^-8).
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
    /// A lever given as a yearly path (`{ path = [...] }`): its value in every year of the
    /// horizon, from the start year (absent for any other parameter, and in summaries
    /// written before it was added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yearly: Option<Vec<f64>>,
}

/// The content of `summary.json`: its keys are public (documented in the README); more may
/// be added, none renamed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub scenario: ScenarioInfo,
    pub seed: u64,
    pub trials: u64,
    /// How the uncertain parameters were sampled: `mc` (Monte Carlo) or `lhs` (Latin
    /// hypercube). `mc` in summaries written before it was added.
    #[serde(default = "monte_carlo")]
    pub design: String,
    /// How the outcome quantiles were computed: `"exact"` (type 7 over every trial) or, in
    /// streaming runs, from the mergeable sketch with its error bound. `"exact"` in summaries
    /// written before it was added.
    #[serde(default)]
    pub quantiles: QuantileMethod,
    pub start_year: i32,
    pub horizon_years: usize,
    pub defsim_version: String,
    /// Statistics of every outcome, in the model's order.
    pub outcomes: IndexMap<String, OutcomeStats>,
    /// Probabilities with 95% Wilson intervals.
    pub probabilities: IndexMap<String, Proportion>,
    /// Yearly series: mean and sketch quantiles per year.
    pub timeseries: IndexMap<String, Vec<YearPoint>>,
    /// Every parameter with its distribution and source.
    pub parameters: Vec<ParamInfo>,
    /// Per outcome, the trials at its min, max and median (for `defsim trace`). Absent in
    /// summaries written before it was added, which still read.
    #[serde(default)]
    pub extremes: IndexMap<String, Extremes>,
    /// With `[[correlations]]`: the Spearman rank correlation asked for and achieved over
    /// the run's trials for every correlated pair (absent without correlations).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub correlations: Vec<AchievedCorrelation>,
    /// Which uncertain inputs drive each criterion's outcome, from the run's first
    /// `min(trials, 100,000)` trials (absent where a verb does not compute them, and in
    /// summaries written before they were added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drivers: Option<Drivers>,
    /// With `--precision`: the targets, the half-widths reached and the trial count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<super::precision::PrecisionReport>,
    /// Per outcome, the standard error of each stored quantile, estimated from all the
    /// run's values when the summary is written, and whether the outcome is discrete
    /// (0/1 or integer-valued, from the model's schema): what `check` compares quantiles
    /// with ([`crate::analysis::check::density`]). Absent from streaming runs' summaries (a
    /// sketch cannot give it) and from summaries written before it was added, which still
    /// read: `check` then falls back to the re-run's estimate or to its rank test.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub quantile_se: IndexMap<String, QuantileSe>,
}

/// One correlated pair of parameters: the rank correlation asked for and the one the run's
/// draws reached (less for discrete or narrowly truncated laws; `null` when either key is
/// fixed, so has no spread).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AchievedCorrelation {
    /// The two keys, in scenario order.
    pub keys: [String; 2],
    /// The rank correlation stated in the scenario.
    pub rank: f64,
    /// Spearman's rank correlation of the two parameters over the run's trials.
    pub achieved: Option<f64>,
}

impl AchievedCorrelation {
    /// Every correlated pair of `scenario` with its achieved rank correlation in `results`
    /// (which must keep the inputs when the scenario has correlations).
    pub fn of(scenario: &Scenario, results: &Results) -> Vec<AchievedCorrelation> {
        let mut out = Vec::new();
        let order = |k: &str| scenario.params.iter().position(|p| p.key == k);
        for c in &scenario.correlations {
            for (a, ka) in c.keys.iter().enumerate() {
                for kb in &c.keys[a + 1..] {
                    let (x, y) = if order(ka) <= order(kb) {
                        (ka, kb)
                    } else {
                        (kb, ka)
                    };
                    let column = |k: &str| {
                        let i = results.schema.inputs.iter().position(|n| n == k)?;
                        results.all_inputs().map(|cols| cols[i].as_slice())
                    };
                    let achieved = match (column(x), column(y)) {
                        (Some(cx), Some(cy)) => {
                            Some(crate::stats::rank::spearman(cx, cy)).filter(|r| r.is_finite())
                        }
                        _ => None,
                    };
                    out.push(AchievedCorrelation {
                        keys: [x.clone(), y.clone()],
                        rank: c.rank,
                        achieved,
                    });
                }
            }
        }
        out
    }
}

/// How a summary's outcome quantiles were computed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum QuantileMethod {
    /// Type 7 over every trial's value: serialises as `"exact"`.
    #[default]
    Exact,
    /// From the mergeable sketch of a streaming run: serialises as
    /// `{"method": "sketch", "relative_error": 2^-8}`, the bound on the relative error of
    /// each quantile against the order statistic `x[floor((n - 1) q)]`.
    Sketch,
}

impl QuantileMethod {
    /// Whether the quantiles come from the sketch.
    pub fn is_sketch(self) -> bool {
        self == QuantileMethod::Sketch
    }
}

#[derive(Serialize, Deserialize)]
struct SketchQuantiles {
    method: String,
    relative_error: f64,
}

impl Serialize for QuantileMethod {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            QuantileMethod::Exact => serializer.serialize_str("exact"),
            QuantileMethod::Sketch => SketchQuantiles {
                method: "sketch".into(),
                relative_error: crate::stats::sketch::RELATIVE_ERROR,
            }
            .serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for QuantileMethod {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Name(String),
            Sketch(SketchQuantiles),
        }
        match Either::deserialize(deserializer)? {
            Either::Name(n) if n == "exact" => Ok(QuantileMethod::Exact),
            Either::Sketch(s) if s.method == "sketch" => Ok(QuantileMethod::Sketch),
            _ => Err(serde::de::Error::custom(
                "quantiles: expected \"exact\" or {\"method\": \"sketch\", ..}",
            )),
        }
    }
}

fn monte_carlo() -> String {
    "mc".to_string()
}

/// Which trials hold an outcome's smallest, largest and median value: the addresses
/// (`defsim trace --trial K` with the run's seed) of the cases an analyst wants to see.
/// Ties go to the smallest trial index, so the indices are deterministic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extremes {
    /// Trial with the smallest value (`None` when the outcome has no observation).
    pub min_trial: Option<u64>,
    /// Trial with the largest value.
    pub max_trial: Option<u64>,
    /// Trial whose value is nearest the median `p50` (which may lie between two trials).
    pub median_trial: Option<u64>,
}

impl Extremes {
    /// The extremes of one outcome column (NaN = absent), given its median.
    pub fn of(column: &[f64], median: Option<f64>) -> Extremes {
        let (min_trial, max_trial) = min_max_trials(column);
        Extremes {
            min_trial,
            max_trial,
            median_trial: median.and_then(|m| nearest_trial(column, m)),
        }
    }
}

/// The trials of the smallest and largest present (non-NaN) value of `column`, in one pass;
/// a later trial replaces an earlier one only when strictly smaller (larger), so ties go to
/// the smallest trial index.
fn min_max_trials(column: &[f64]) -> (Option<u64>, Option<u64>) {
    let mut found: Option<(usize, f64, usize, f64)> = None;
    for (i, &v) in column.iter().enumerate() {
        if v.is_nan() {
            continue;
        }
        match &mut found {
            None => found = Some((i, v, i, v)),
            Some((lo_i, lo, hi_i, hi)) => {
                if v < *lo {
                    (*lo_i, *lo) = (i, v);
                }
                if v > *hi {
                    (*hi_i, *hi) = (i, v);
                }
            }
        }
    }
    match found {
        Some((lo, _, hi, _)) => (Some(lo as u64), Some(hi as u64)),
        None => (None, None),
    }
}

/// The trial whose present value is nearest `m` (strictly nearer replaces; ties go to the
/// smallest trial index); `None` when no value is present.
fn nearest_trial(column: &[f64], m: f64) -> Option<u64> {
    let mut best: Option<(usize, f64)> = None;
    for (i, &v) in column.iter().enumerate() {
        if v.is_nan() {
            continue;
        }
        let d = (v - m).abs();
        if best.is_none_or(|(_, bd)| d < bd) {
            best = Some((i, d));
        }
    }
    best.map(|(i, _)| i as u64)
}

/// One outcome column's statistics, extremes and, for a 0/1 outcome (`indicator`), its count
/// of ones, computed together so that a run's columns are summarised in one parallel pass.
fn summarize_column(
    column: &[f64],
    indicator: bool,
    discrete: bool,
) -> (OutcomeStats, Extremes, u64, QuantileSe) {
    let hits = if indicator {
        column.iter().filter(|v| **v == 1.0).count() as u64
    } else {
        0
    };
    // Read where it lies: no copy of the column (NaN, absent, skipped).
    let (stats, quantile_se) = summarize_present_with_se(column, discrete);
    let extremes = Extremes::of(column, stats.p50);
    (stats, extremes, hits, quantile_se)
}

/// What a summary says about its scenario, apart from the results: lets a summary be built
/// from [`Results`] of any [`crate::engine::Model`] (tests, other models) without a
/// [`Scenario`].
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryMeta {
    /// Name, file, hash and description.
    pub scenario: ScenarioInfo,
    /// First calendar year.
    pub start_year: i32,
    /// Number of years simulated.
    pub horizon_years: usize,
    /// The parameters with their distributions and sources.
    pub parameters: Vec<ParamInfo>,
}

impl SummaryMeta {
    /// The metadata of `scenario`.
    pub fn of(scenario: &Scenario) -> SummaryMeta {
        SummaryMeta {
            scenario: ScenarioInfo {
                name: scenario.name.clone(),
                file: scenario
                    .file
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                resolved_sha256: scenario.resolved_sha256(),
                description: scenario.description.clone(),
                supplier: match scenario.setting("support.supplier") {
                    Some(crate::scenario::Value::Str(s)) => Some(s.clone()),
                    // A model whose scenarios name no supplier field keeps none; the
                    // viability model's default is Russia.
                    _ if scenario.setting("support.initial").is_some() => Some("Russia".into()),
                    _ => None,
                },
                overrides: scenario.overrides.clone(),
            },
            start_year: scenario.start_year,
            horizon_years: scenario.horizon_years,
            parameters: scenario
                .params
                .iter()
                .map(|e| ParamInfo {
                    key: e.key.clone(),
                    dist: match scenario.lever_path(&e.key) {
                        Some(l) => l.describe(scenario.start_year),
                        None => e.param.describe(),
                    },
                    source: e.param.source.clone().unwrap_or_default(),
                    yearly: scenario.lever_path(&e.key).map(|l| l.yearly.clone()),
                })
                .collect(),
        }
    }
}

/// Yearly series: mean and sketch quantiles per year.
fn timeseries(schema: &Schema, series: &[Vec<SeriesStats>]) -> IndexMap<String, Vec<YearPoint>> {
    schema
        .series
        .iter()
        .zip(series)
        .map(|(spec, years)| {
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
            (spec.name.clone(), points)
        })
        .collect()
}

/// An outcome's summary from its streaming statistics.
fn stream_summary(o: &StreamOutcome) -> OutcomeStats {
    if o.n == 0 {
        return OutcomeStats::EMPTY;
    }
    let q = |p: f64| o.sketch.quantile(p).map(|v| v.clamp(o.min, o.max));
    let mut quantiles = [Some(o.min); QUANTILES.len() + 2];
    for (at, p) in QUANTILES.into_iter().enumerate() {
        quantiles[at + 1] = q(p);
    }
    quantiles[QUANTILES.len() + 1] = Some(o.max);
    OutcomeStats::from_quantiles(o.n, o.mean(), o.sd(), quantiles)
}

impl RunSummary {
    /// Summarises a streaming run's statistics (see [`crate::engine::stream`]): moments from
    /// exact sums, quantiles from the sketch (clamped to the exact min and max), extremes
    /// with min and max trials only.
    pub fn from_stream(
        meta: SummaryMeta,
        schema: &Schema,
        seed: u64,
        stats: &StreamStats,
    ) -> RunSummary {
        let outcomes: IndexMap<String, OutcomeStats> = schema
            .outcomes
            .iter()
            .zip(&stats.outcomes)
            .map(|(spec, o)| (spec.name.clone(), stream_summary(o)))
            .collect();
        let mut probabilities = IndexMap::new();
        for (spec, o) in schema.outcomes.iter().zip(&stats.outcomes) {
            if spec.is_indicator() {
                probabilities.insert(spec.name.clone(), proportion(o.ones, stats.trials));
            }
        }
        for (spec, o) in schema.outcomes.iter().zip(&stats.outcomes) {
            if let OutcomeKind::Optional { presence, .. } = &spec.kind {
                probabilities.insert(presence.clone(), proportion(o.n, stats.trials));
            }
        }
        let extremes = schema
            .outcomes
            .iter()
            .zip(&stats.outcomes)
            .map(|(spec, o)| {
                let present = o.n > 0;
                let e = Extremes {
                    min_trial: present.then_some(o.min_trial),
                    max_trial: present.then_some(o.max_trial),
                    median_trial: None,
                };
                (spec.name.clone(), e)
            })
            .collect();
        RunSummary {
            scenario: meta.scenario,
            seed,
            trials: stats.trials,
            design: monte_carlo(),
            quantiles: QuantileMethod::Sketch,
            start_year: meta.start_year,
            horizon_years: meta.horizon_years,
            defsim_version: env!("CARGO_PKG_VERSION").to_string(),
            outcomes,
            probabilities,
            timeseries: timeseries(schema, &stats.series),
            parameters: meta.parameters,
            extremes,
            drivers: None,
            precision: None,
            correlations: Vec::new(),
            quantile_se: IndexMap::new(),
        }
    }

    /// Summarises `results` of `scenario`.
    pub fn new(scenario: &Scenario, results: &Results) -> RunSummary {
        let mut s = RunSummary::from_results(SummaryMeta::of(scenario), results);
        s.correlations = AchievedCorrelation::of(scenario, results);
        s
    }

    /// Summarises `results` of any model, described by `meta`.
    pub fn from_results(meta: SummaryMeta, results: &Results) -> RunSummary {
        let schema = &results.schema;
        // Every column's statistics, extremes and hits in one parallel pass (each column is
        // summarised on its own, so the result does not depend on the thread count).
        let columns: Vec<(OutcomeStats, Extremes, u64, QuantileSe)> = schema
            .outcomes
            .par_iter()
            .zip(&results.outcomes)
            .with_max_len(1)
            .map(|(spec, column)| summarize_column(column, spec.is_indicator(), spec.is_discrete()))
            .collect();
        let mut outcomes = IndexMap::new();
        let mut extremes = IndexMap::new();
        let mut quantile_se = IndexMap::new();
        let mut hits = Vec::with_capacity(columns.len());
        for (spec, (stats, e, ones, se)) in schema.outcomes.iter().zip(columns) {
            outcomes.insert(spec.name.clone(), stats);
            extremes.insert(spec.name.clone(), e);
            quantile_se.insert(spec.name.clone(), se);
            hits.push(ones);
        }

        // Every 0/1 outcome as the share of trials where it is 1, then every optional
        // outcome as the share of trials where it is present (the schema's order).
        let mut probabilities = IndexMap::new();
        for (spec, &ones) in schema.outcomes.iter().zip(&hits) {
            if spec.is_indicator() {
                probabilities.insert(spec.name.clone(), proportion(ones, results.trials));
            }
        }
        for spec in &schema.outcomes {
            if let OutcomeKind::Optional { presence, .. } = &spec.kind {
                let present = outcomes[&spec.name].n;
                probabilities.insert(presence.clone(), proportion(present, results.trials));
            }
        }

        let timeseries = timeseries(schema, &results.series);

        RunSummary {
            scenario: meta.scenario,
            seed: results.seed,
            trials: results.trials,
            design: monte_carlo(),
            quantiles: QuantileMethod::Exact,
            start_year: meta.start_year,
            horizon_years: meta.horizon_years,
            defsim_version: env!("CARGO_PKG_VERSION").to_string(),
            outcomes,
            probabilities,
            timeseries,
            parameters: meta.parameters,
            extremes,
            correlations: Vec::new(),
            drivers: None,
            precision: None,
            quantile_se,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extremes_break_ties_by_the_smallest_trial_and_skip_absent_values() {
        let column = [3.0, f64::NAN, 1.0, 5.0, 1.0, 5.0, 2.9, 3.1];
        let e = Extremes::of(&column, Some(3.0));
        assert_eq!(e.min_trial, Some(2));
        assert_eq!(e.max_trial, Some(3));
        assert_eq!(e.median_trial, Some(0));
        // Equally near the median (2.9 and 3.1 around 3.0 are not exactly equidistant in
        // binary, so use a median that is): the earlier trial wins.
        let e = Extremes::of(&[4.0, 2.0, 3.0], Some(3.0));
        assert_eq!(e.median_trial, Some(2));
        let e = Extremes::of(&[4.0, 2.0], Some(3.0));
        assert_eq!(e.median_trial, Some(0));
        let none = Extremes::of(&[f64::NAN, f64::NAN], None);
        assert_eq!(
            (none.min_trial, none.max_trial, none.median_trial),
            (None, None, None)
        );
    }
}
