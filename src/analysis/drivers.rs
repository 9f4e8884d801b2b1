//! A run's drivers: which uncertain inputs move each viability criterion's outcome, and how
//! much of its spread the inputs explain together (the rest being the annual shocks).
//!
//! Computed on the run's first `min(trials, DRIVER_TRIALS)` trials by index, a set that any
//! split of the run into blocks or shards reproduces, with the inputs re-drawn exactly as the
//! run drew them ([`crate::engine::draw_inputs`]). For each outcome that a criterion of the
//! model's schema tests ([`crate::engine::Criterion`]): every input's Spearman rank correlation with its 95% interval, and the R² of
//! the rank regression on all inputs ([`crate::stats::rank_regression`]).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::engine::Results;
use crate::stats::rank_regression::rank_regressions;

/// Trials the drivers rest on, at most (the first ones by index).
pub const DRIVER_TRIALS: u64 = 100_000;

/// One input's rank correlation with an outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputDriver {
    /// The input's key.
    pub key: String,
    /// Spearman rank correlation (`null` when the input did not vary).
    pub spearman: Option<f64>,
    /// Its 95% interval (Fisher's z, Bonett-Wright variance).
    pub ci95: [f64; 2],
}

/// What drives one outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeDrivers {
    /// The criterion (a 0/1 outcome and probability) that tests this outcome.
    pub criterion: String,
    /// The criterion's name in words (`unit cost`).
    pub short: String,
    /// Share of the outcome's rank variance explained by a linear regression on all inputs'
    /// ranks (`null` when the outcome is constant or no input varies).
    pub r2: Option<f64>,
    /// Its 95% interval.
    pub r2_ci95: [f64; 2],
    /// Every uncertain input, in the model's input order.
    pub inputs: Vec<InputDriver>,
}

/// The `drivers` object of `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drivers {
    /// Trials used: the run's first ones by index.
    pub trials: u64,
    /// Per outcome that a criterion tests, in the schema's order of criteria.
    pub outcomes: IndexMap<String, OutcomeDrivers>,
}

/// The drivers of `results`, given the inputs of its first trials (`inputs[j][i]`, as many
/// trials as [`Drivers::trials`] will say: `min(results.trials, DRIVER_TRIALS)`).
pub fn drivers(results: &Results, inputs: &[Vec<f64>]) -> Drivers {
    let m = inputs
        .first()
        .map_or(results.trials.min(DRIVER_TRIALS) as usize, |c| c.len());
    let driven: Vec<(&str, &crate::engine::Criterion)> = results
        .schema
        .criteria()
        .filter(|(_, c)| results.outcome(&c.of).is_some())
        .collect();
    let names: Vec<&str> = driven.iter().map(|(_, c)| c.of.as_str()).collect();
    let columns: Vec<&[f64]> = names
        .iter()
        .map(|o| &results.outcome(o).expect("present")[..m])
        .collect();
    // The driven outcomes are never absent; a model where one is would need its trials
    // filtered per outcome.
    assert!(
        columns.iter().all(|c| c.iter().all(|v| !v.is_nan())),
        "driven outcomes have a value in every trial"
    );
    let x: Vec<&[f64]> = inputs.iter().map(Vec::as_slice).collect();
    let regs = rank_regressions(&x, &columns);
    let outcomes = driven
        .iter()
        .zip(regs)
        .map(|((criterion, c), r)| {
            let inputs = results
                .schema
                .inputs
                .iter()
                .zip(&r.inputs)
                .map(|(key, c)| InputDriver {
                    key: key.clone(),
                    spearman: c.spearman,
                    ci95: c.ci95,
                })
                .collect();
            (
                c.of.clone(),
                OutcomeDrivers {
                    criterion: criterion.to_string(),
                    short: c.short.clone(),
                    r2: r.r2,
                    r2_ci95: r.r2_ci95,
                    inputs,
                },
            )
        })
        .collect();
    Drivers {
        trials: m as u64,
        outcomes,
    }
}
