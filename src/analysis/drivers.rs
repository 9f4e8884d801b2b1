//! A run's drivers: which uncertain inputs move each viability criterion's outcome, and how
//! much of its spread the inputs explain together (the rest being the annual shocks).
//!
//! Computed on the run's first `min(trials, DRIVER_TRIALS)` trials by index, a set that any
//! split of the run into blocks or shards reproduces. A run in memory keeps those trials'
//! inputs as it draws them ([`crate::engine::KeepInputs::First`]). A run that keeps no
//! outcome column (streaming, shards, checkpoints) keeps those trials' inputs and driven outcomes as its
//! waves pass ([`DriverSample`]); a shard keeps its own share of them in its part, and
//! `merge` joins the shares in trial order, so every mode gives the same drivers. For each
//! outcome that a criterion of the model's schema tests ([`crate::engine::Criterion`]):
//! every input's Spearman rank correlation with its 95% interval, and the R² of the rank
//! regression on all inputs ([`crate::stats::rank_regression`]).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::engine::{Results, Schema};
use crate::stats::rank_regression::{RankRegression, rank_regressions, rank_regressions_owned};

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
/// trials as [`Drivers::trials`] will say: `min(results.trials, DRIVER_TRIALS)`). The input
/// columns are taken by value and turned into their ranks where they lie (no second copy).
pub fn drivers(results: &Results, inputs: Vec<Vec<f64>>) -> Drivers {
    let m = inputs
        .first()
        .map_or(results.trials.min(DRIVER_TRIALS) as usize, |c| c.len());
    compute(
        &results.schema,
        m,
        |columns| rank_regressions_owned(inputs, columns),
        |o| results.outcome(o).map(|c| &c[..m]),
    )
}

/// The drivers of a streaming run, a set of shards or a checkpointed run, from the sample
/// of its first trials that they kept ([`DriverSample`]); `None` when the sample does not
/// hold the first `min(trials, DRIVER_TRIALS)` trials of a run of `trials` trials (a part or
/// checkpoint written by a defsim that kept none).
pub fn from_sample(schema: &Schema, sample: &DriverSample, trials: u64) -> Option<Drivers> {
    if sample.first != 0 || sample.len() != trials.min(DRIVER_TRIALS) {
        return None;
    }
    let x: Vec<&[f64]> = sample.inputs.iter().map(Vec::as_slice).collect();
    Some(compute(
        schema,
        sample.len() as usize,
        |columns| rank_regressions(&x, columns),
        |o| {
            sample
                .outcomes
                .iter()
                .position(|n| n == o)
                .map(|i| sample.columns[i].as_slice())
        },
    ))
}

/// The drivers of the outcomes `outcome(name)` (their first `m` trials), by `regress`: the
/// rank regressions of the given outcome columns on the inputs.
fn compute<'a>(
    schema: &Schema,
    m: usize,
    regress: impl FnOnce(&[&[f64]]) -> Vec<RankRegression>,
    outcome: impl Fn(&str) -> Option<&'a [f64]>,
) -> Drivers {
    let driven: Vec<(&str, &crate::engine::Criterion, &[f64])> = schema
        .criteria()
        .filter_map(|(name, c)| outcome(&c.of).map(|col| (name, c, col)))
        .collect();
    let columns: Vec<&[f64]> = driven.iter().map(|d| d.2).collect();
    // The driven outcomes are never absent; a model where one is would need its trials
    // filtered per outcome.
    assert!(
        columns.iter().all(|c| c.iter().all(|v| !v.is_nan())),
        "driven outcomes have a value in every trial"
    );
    let regs = regress(&columns);
    let outcomes = driven
        .iter()
        .zip(regs)
        .map(|((criterion, c, _), r)| {
            let inputs = schema
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

/// What the drivers need of a run that keeps no outcome column (streaming, shards,
/// checkpoints): the inputs and the criteria's outcomes of its first
/// `min(trials, DRIVER_TRIALS)` trials, kept as the waves pass. A shard keeps its own trials
/// among them; the samples of a run's shards, appended in trial order, are the whole run's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DriverSample {
    /// First trial held.
    pub first: u64,
    /// `inputs[j][i]`: input `j` (schema order) of trial `first + i`.
    pub inputs: Vec<Vec<f64>>,
    /// The outcomes held: each one a criterion of the schema tests, in criteria order.
    pub outcomes: Vec<String>,
    /// `columns[o][i]`: outcome `outcomes[o]` of trial `first + i`.
    pub columns: Vec<Vec<f64>>,
}

impl DriverSample {
    /// An empty sample starting at trial `first`, shaped for `schema`.
    pub fn new(schema: &Schema, first: u64) -> DriverSample {
        let mut outcomes: Vec<String> = Vec::new();
        for (_, c) in schema.criteria() {
            if schema.outcomes.iter().any(|o| o.name == c.of) && !outcomes.contains(&c.of) {
                outcomes.push(c.of.clone());
            }
        }
        DriverSample {
            first,
            inputs: vec![Vec::new(); schema.inputs.len()],
            columns: vec![Vec::new(); outcomes.len()],
            outcomes,
        }
    }

    /// Trials held.
    pub fn len(&self) -> u64 {
        self.columns
            .first()
            .or(self.inputs.first())
            .map_or(0, |c| c.len() as u64)
    }

    /// Whether it holds no trial.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The trial after the last one held.
    pub fn end(&self) -> u64 {
        self.first + self.len()
    }

    /// Keeps, of the trials `first ..` whose `inputs` and `outcomes` (all of the schema's
    /// outcomes, in its order) are given, the ones that follow the sample's last trial and
    /// lie before `min(trials, DRIVER_TRIALS)`.
    pub fn keep(
        &mut self,
        schema: &Schema,
        trials: u64,
        first: u64,
        inputs: &[Vec<f64>],
        outcomes: &[Vec<f64>],
    ) {
        let limit = trials.min(DRIVER_TRIALS);
        let len = outcomes.first().map_or(0, |c| c.len() as u64);
        let (from, to) = (self.end().max(first), limit.min(first + len));
        if from >= to || from != self.end() {
            return;
        }
        let range = (from - first) as usize..(to - first) as usize;
        // Room for every trial still to come at once (no doubling of the columns).
        let room = (limit - from) as usize;
        for kept in self.inputs.iter_mut().chain(self.columns.iter_mut()) {
            kept.reserve_exact(room);
        }
        for (kept, column) in self.inputs.iter_mut().zip(inputs) {
            kept.extend_from_slice(&column[range.clone()]);
        }
        for (kept, name) in self.columns.iter_mut().zip(&self.outcomes) {
            let o = schema
                .outcomes
                .iter()
                .position(|x| &x.name == name)
                .expect("the sample's outcomes are the schema's");
            kept.extend_from_slice(&outcomes[o][range.clone()]);
        }
    }

    /// Appends `next` (the trials that follow this sample's); `false`, leaving the sample
    /// as it was, when it does not follow it or is shaped otherwise.
    pub fn append(&mut self, next: &DriverSample) -> bool {
        if next.first != self.end()
            || next.outcomes != self.outcomes
            || next.inputs.len() != self.inputs.len()
            || next.columns.len() != self.columns.len()
        {
            return false;
        }
        for (a, b) in self.inputs.iter_mut().zip(&next.inputs) {
            a.extend_from_slice(b);
        }
        for (a, b) in self.columns.iter_mut().zip(&next.columns) {
            a.extend_from_slice(b);
        }
        true
    }

    /// Whether its columns are of equal length and fit `schema`.
    pub fn fits(&self, schema: &Schema) -> bool {
        let n = self.len() as usize;
        self.inputs.len() == schema.inputs.len()
            && self.outcomes.len() == self.columns.len()
            && self
                .inputs
                .iter()
                .chain(&self.columns)
                .all(|c| c.len() == n)
            && self
                .outcomes
                .iter()
                .all(|o| schema.outcomes.iter().any(|x| &x.name == o))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Model;

    fn schema() -> Schema {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
        let scenario = crate::model::load(&path, &[]).unwrap();
        crate::model::ViabilityModel::new(&scenario)
            .schema()
            .clone()
    }

    /// `len` trials from `first`: input `j` of trial `t` is `t + j / 100`, outcome `o` is
    /// `-(t + o / 100)`.
    fn wave(s: &Schema, first: u64, len: u64) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
        let col = |sign: f64, j: usize| -> Vec<f64> {
            (first..first + len)
                .map(|t| sign * (t as f64 + j as f64 / 100.0))
                .collect()
        };
        (
            (0..s.inputs.len()).map(|j| col(1.0, j)).collect(),
            (0..s.outcomes.len()).map(|o| col(-1.0, o)).collect(),
        )
    }

    #[test]
    fn a_sample_keeps_the_first_trials_in_order_and_shares_join_into_the_whole() {
        let s = schema();
        let trials = DRIVER_TRIALS + 5000;
        // A whole run in waves of 30,000 trials.
        let mut whole = DriverSample::new(&s, 0);
        for first in (0..trials).step_by(30_000) {
            let (i, o) = wave(&s, first, 30_000.min(trials - first));
            whole.keep(&s, trials, first, &i, &o);
        }
        assert_eq!(whole.len(), DRIVER_TRIALS, "the first 100,000 only");
        assert_eq!(whole.inputs[1][99_999], 99_999.01);
        let of = s.criteria().next().unwrap().1.of.clone();
        let o = s.outcomes.iter().position(|x| x.name == of).unwrap();
        assert_eq!(whole.outcomes[0], of);
        assert_eq!(whole.columns[0][7], -(7.0 + o as f64 / 100.0));
        assert!(whole.fits(&s));
        // Two shards: trials 0..60,000 and 60,000..; joined, the same sample.
        let mut a = DriverSample::new(&s, 0);
        let (i, o) = wave(&s, 0, 60_000);
        a.keep(&s, trials, 0, &i, &o);
        let mut b = DriverSample::new(&s, 60_000);
        let (i, o) = wave(&s, 60_000, trials - 60_000);
        b.keep(&s, trials, 60_000, &i, &o);
        // A wave that does not follow the sample is not kept.
        let mut gap = DriverSample::new(&s, 0);
        gap.keep(&s, trials, 4096, &i, &o);
        assert!(gap.is_empty());
        assert!(!b.clone().append(&a), "a share must follow");
        assert!(a.append(&b));
        assert_eq!(a, whole);
        assert_eq!(from_sample(&s, &a, trials), from_sample(&s, &whole, trials));
        // A sample short of the first min(trials, 100,000): no drivers.
        let mut short = DriverSample::new(&s, 0);
        let (i, o) = wave(&s, 0, 10);
        short.keep(&s, trials, 0, &i, &o);
        assert_eq!(from_sample(&s, &short, trials), None);
        assert!(from_sample(&s, &short, 10).is_some());
    }
}
