//! `sensitivity`: which uncertain inputs drive each outcome, as a plain report.
//!
//! Inputs are the scenario's per-trial uncertain parameters (`Schema::inputs`); the annual
//! shocks (growth, sanctions, support, gold, power, conflict) are not inputs: they stay
//! random in every trial and their effect is the variance no input explains.
//! * rank: one ordinary run keeping its inputs -> Spearman, PRCC with Fisher-z intervals,
//!   decile deltas ([`crate::stats::rank`]).
//! * sobol: a Saltelli design of `N (k + 2)` runs ([`crate::engine::Saltelli`]) -> first
//!   order and total indices ([`crate::stats::sobol`]).
//!
//! Everything is deterministic from the seed (Sobol's bootstrap generators are keyed by it;
//! the rank intervals are analytic).

use indexmap::IndexMap;
use serde::Serialize;

use crate::engine::{self, Schema};
use crate::stats::rank::{self, RankEffect};
use crate::stats::sobol::{self, SobolIndex};

/// One input's effect on one outcome (flattened into the JSON and CSV).
#[derive(Debug, Serialize)]
pub struct Row<E: Serialize> {
    /// The input's key.
    pub input: String,
    /// Its effect.
    #[serde(flatten)]
    pub effect: E,
}

/// One outcome's analysis.
#[derive(Debug, Serialize)]
pub struct OutcomeReport<E: Serialize> {
    /// Trials (rank) or base points (sobol) used.
    pub n: usize,
    /// Why there are no effects, when there are none.
    pub note: Option<String>,
    /// Effects sorted by decreasing |PRCC| (rank) or total index (sobol).
    pub effects: Vec<Row<E>>,
}

/// The content of `sensitivity.json`.
#[derive(Debug, Serialize)]
pub struct SensitivityReport<E: Serialize> {
    /// Scenario name.
    pub scenario: String,
    /// `rank` or `sobol`.
    pub method: &'static str,
    /// The seed.
    pub seed: u64,
    /// Model runs simulated.
    pub model_runs: u64,
    /// Sobol base points N (sobol only).
    pub base_samples: Option<u64>,
    /// How the 95% intervals are computed.
    pub intervals: &'static str,
    /// Bootstrap resamples of every interval (sobol; null for rank, whose intervals are
    /// analytic).
    pub bootstrap_resamples: Option<usize>,
    /// The uncertain inputs, in the model's order.
    pub inputs: Vec<String>,
    /// With `[[correlations]]` (rank method): which inputs are correlated, and what that
    /// means for PRCC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    /// Each outcome's analysis.
    pub outcomes: IndexMap<String, OutcomeReport<E>>,
}

/// The outcomes asked for, checked against the model's names (all when none is given);
/// the error says which name is unknown and lists the outcomes.
pub fn select_outcomes(schema: &Schema, asked: &[String]) -> Result<Vec<usize>, String> {
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
                    format!(
                        "--outcome {name}: no such outcome; outcomes are {}",
                        schema.outcome_names().join(", ")
                    )
                })
        })
        .collect()
}

/// The rank report (Spearman, PRCC, decile deltas) of a run that kept its inputs.
pub fn rank_report(
    scenario: &str,
    schema: &Schema,
    results: &engine::Results,
    outcomes: &[usize],
) -> SensitivityReport<RankEffect> {
    let inputs = results
        .all_inputs()
        .expect("the run kept every trial's inputs");
    let mut out = IndexMap::new();
    // Outcomes present in every trial are analysed together (one ranking); an optional
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
    for (&o, effects) in complete.iter().zip(rank::rank_sensitivity(&cols, &ys)) {
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
            rank::rank_sensitivity(&sub_cols, &[&y])
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
    let method = ("rank", None, None);
    SensitivityReport::new(method, scenario, schema, results, out)
}

/// The Sobol report of a Saltelli design's run with `base` base points.
pub fn sobol_report(
    scenario: &str,
    schema: &Schema,
    results: &engine::Results,
    outcomes: &[usize],
    base: u64,
) -> SensitivityReport<SobolIndex> {
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
    let method = ("sobol", Some(base), Some(sobol::RESAMPLES));
    SensitivityReport::new(method, scenario, schema, results, out)
}

impl<E: Serialize> SensitivityReport<E> {
    /// The report on `scenario`'s `results` by `(method, base_samples, bootstrap_resamples)`.
    fn new(
        (method, base_samples, bootstrap_resamples): (&'static str, Option<u64>, Option<usize>),
        scenario: &str,
        schema: &Schema,
        results: &engine::Results,
        outcomes: IndexMap<String, OutcomeReport<E>>,
    ) -> SensitivityReport<E> {
        SensitivityReport {
            scenario: scenario.to_string(),
            method,
            seed: results.seed,
            model_runs: results.trials,
            base_samples,
            intervals: if bootstrap_resamples.is_some() {
                "percentile bootstrap"
            } else {
                "Fisher z, Bonett-Wright variance"
            },
            bootstrap_resamples,
            inputs: schema.inputs.clone(),
            warning: None,
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
