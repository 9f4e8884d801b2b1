//! Comparing scenarios run with common random numbers (`defsim compare`).
//!
//! Scenarios run with the same seed and trial count share, trial by trial, every random
//! stream of the components they have in common (streams are seeded by (seed, trial,
//! component name)): trial `i` sees the same sanctions, support and growth shocks in each.
//! So the difference of an outcome between two scenarios can be estimated from the per-trial
//! differences `d_i = b_i - a_i` (the *paired* estimate), whose spread removes the variation
//! the scenarios share:
//!
//! * paired: `mean(d) ± z sd(d) / sqrt(n)`, over the trials where both have a value;
//! * unpaired (as if the runs were independent): `mean(b) - mean(a) ± z sqrt(se_a² + se_b²)`.
//!
//! Both are reported; the paired interval is the honest one for common random numbers and is
//! narrower wherever the scenarios' outcomes are positively correlated across trials. For a
//! 0/1 indicator the mean is the probability and the paired difference is that of the
//! indicators. `z` is [`Z95`]; `sd` has divisor `n - 1` ([`mean_variance`], compensated). Everything here is a pure function of
//! the per-trial outcomes and the summaries.

use serde::{Deserialize, Serialize};

use crate::analysis::run::{RunSummary, ScenarioInfo};
use crate::engine::Results;
use crate::stats::{Proportion, Z95, mean_variance};

/// An estimated difference (scenario minus the first) with its 95% confidence interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// The estimate.
    pub diff: f64,
    /// 95% interval `[lower, upper]`.
    pub ci95: [f64; 2],
    /// Trials it rests on (paired: trials where both scenarios have a value).
    pub n: u64,
}

impl Difference {
    /// Width of the interval.
    pub fn width(&self) -> f64 {
        self.ci95[1] - self.ci95[0]
    }
}

/// One outcome of one scenario, and its differences from the first scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeRow {
    /// Outcome name.
    pub outcome: String,
    /// Scenario name.
    pub scenario: String,
    /// Trials with a value.
    pub n: u64,
    /// Mean over those trials (the probability, for a 0/1 indicator).
    pub mean: Option<f64>,
    /// Paired difference from the first scenario (absent for the first itself).
    pub paired: Option<Difference>,
    /// Unpaired difference from the first scenario (absent for the first itself).
    pub unpaired: Option<Difference>,
}

/// The headline probability (every criterion met) of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadlineRow {
    /// Scenario name.
    pub scenario: String,
    /// The probability with its Wilson interval.
    #[serde(flatten)]
    pub p: Proportion,
}

/// The content of `compare.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioComparison {
    /// The common seed.
    pub seed: u64,
    /// The common trial count.
    pub trials: u64,
    /// The scenarios, first (the reference) first.
    pub scenarios: Vec<ScenarioInfo>,
    /// Name of the model's headline outcome (`viable`); not written to `compare.json`.
    #[serde(skip)]
    pub headline_name: String,
    /// The headline probability per scenario (`viable` in `compare.json`, the name the
    /// viability model's headline has there).
    #[serde(rename = "viable")]
    pub headline: Vec<HeadlineRow>,
    /// Every probability of every scenario (the headline, each criterion, each analyst's
    /// `[criteria]` entry, each presence), probability by probability. Absent in files
    /// written before it was added.
    #[serde(default)]
    pub probabilities: Vec<ProbabilityRow>,
    /// Every outcome of every scenario, outcome by outcome (a scenario without the outcome,
    /// such as another scenario's `[criteria]` entry, has no row for it).
    pub outcomes: Vec<OutcomeRow>,
}

/// The paired difference `b - a` over trials where both are present (not NaN); `None` with
/// fewer than 2 such trials.
pub fn paired(a: &[f64], b: &[f64]) -> Option<Difference> {
    assert_eq!(a.len(), b.len(), "paired samples of different lengths");
    let diffs = a
        .iter()
        .zip(b)
        .filter(|(x, y)| !x.is_nan() && !y.is_nan())
        .map(|(x, y)| y - x);
    let n = diffs.clone().count() as u64;
    let (mean, variance) = mean_variance(diffs)?;
    let variance = variance?;
    let half = Z95 * variance.sqrt() / (n as f64).sqrt();
    Some(Difference {
        diff: mean,
        ci95: [mean - half, mean + half],
        n,
    })
}

/// The unpaired difference of means `mean_b - mean_a ± z sqrt(se_a² + se_b²)`; `None` when
/// either has no mean or no standard error (fewer than 2 values).
pub fn unpaired(
    a: &crate::stats::OutcomeStats,
    b: &crate::stats::OutcomeStats,
) -> Option<Difference> {
    let (ma, mb, sa, sb) = (a.mean?, b.mean?, a.se?, b.se?);
    let diff = mb - ma;
    let half = Z95 * (sa * sa + sb * sb).sqrt();
    Some(Difference {
        diff,
        ci95: [diff - half, diff + half],
        n: a.n.min(b.n),
    })
}

/// One probability (a 0/1 outcome such as `viable` or an analyst's criterion, or the share
/// of trials where an optional outcome is present) of one scenario, with its Wilson interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbabilityRow {
    /// The probability's name, as in `summary.json` (`viable`, `ammo_reliant`).
    pub name: String,
    /// Scenario name.
    pub scenario: String,
    /// The probability with its Wilson interval.
    #[serde(flatten)]
    pub p: Proportion,
}

/// Names in `lists` in first-seen order: the first list's order, then each later list's
/// names the earlier ones lack (scenarios with different `[criteria]`).
fn union<'a>(lists: impl IntoIterator<Item = Vec<&'a str>>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for list in lists {
        for name in list {
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// Compares `runs` (each scenario's summary and results, all with one seed and trial
/// count), the first being the reference. Scenarios may differ in their outcomes (their
/// own `[criteria]`): an outcome is reported for each scenario that has it, and differenced
/// against the first where both have it.
pub fn compare(runs: &[(&RunSummary, &Results)]) -> ScenarioComparison {
    let (first, first_results) = runs[0];
    let headline = first_results.schema.headline_name();
    let names = union(runs.iter().map(|(_, r)| r.schema.outcome_names()));
    let index = |r: &Results, name: &str| r.schema.outcome_names().iter().position(|n| *n == name);
    let mut outcomes = Vec::new();
    for name in names {
        let reference = index(first_results, name);
        for (k, (summary, results)) in runs.iter().enumerate() {
            let (Some(o), Some(s)) = (index(results, name), summary.outcomes.get(name)) else {
                continue;
            };
            let (p, u) = match (k, reference) {
                (0, _) | (_, None) => (None, None),
                (_, Some(r)) => (
                    paired(&first_results.outcomes[r], &results.outcomes[o]),
                    unpaired(&first.outcomes[name], s),
                ),
            };
            outcomes.push(OutcomeRow {
                outcome: name.to_string(),
                scenario: summary.scenario.name.clone(),
                n: s.n,
                mean: s.mean,
                paired: p,
                unpaired: u,
            });
        }
    }
    let mut probabilities = Vec::new();
    for name in union(
        runs.iter()
            .map(|(s, _)| s.probabilities.keys().map(String::as_str).collect()),
    ) {
        for (s, _) in runs {
            if let Some(p) = s.probabilities.get(name) {
                probabilities.push(ProbabilityRow {
                    name: name.to_string(),
                    scenario: s.scenario.name.clone(),
                    p: p.clone(),
                });
            }
        }
    }
    ScenarioComparison {
        seed: first.seed,
        trials: first.trials,
        scenarios: runs.iter().map(|(s, _)| s.scenario.clone()).collect(),
        headline_name: headline.to_string(),
        headline: runs
            .iter()
            .filter_map(|(s, _)| {
                Some(HeadlineRow {
                    scenario: s.scenario.name.clone(),
                    p: s.probabilities.get(headline)?.clone(),
                })
            })
            .collect(),
        probabilities,
        outcomes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::summarize;

    #[test]
    fn paired_difference_of_a_sample_with_itself_is_exactly_zero() {
        let a = [1.0, 2.5, f64::NAN, 7.25];
        let d = paired(&a, &a).unwrap();
        assert_eq!((d.diff, d.ci95, d.n), (0.0, [0.0, 0.0], 3));
    }

    #[test]
    fn paired_interval_matches_a_hand_computation() {
        // d = [1, 2, 3, 4]: mean 2.5, sd sqrt(5/3), n 4.
        let a = [0.0, 0.0, 0.0, 0.0];
        let b = [1.0, 2.0, 3.0, 4.0];
        let d = paired(&a, &b).unwrap();
        let half = Z95 * (5.0f64 / 3.0).sqrt() / 2.0;
        assert_eq!(d.diff, 2.5);
        assert!((d.ci95[0] - (2.5 - half)).abs() < 1e-12);
        assert!((d.ci95[1] - (2.5 + half)).abs() < 1e-12);
    }

    #[test]
    fn paired_is_narrower_than_unpaired_when_samples_move_together() {
        let a: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.37).sin() * 10.0).collect();
        let b: Vec<f64> = a
            .iter()
            .enumerate()
            .map(|(i, x)| x + 1.0 + (i % 7) as f64 * 0.01)
            .collect();
        let p = paired(&a, &b).unwrap();
        let u = unpaired(&summarize(&mut a.clone()), &summarize(&mut b.clone())).unwrap();
        assert!((p.diff - u.diff).abs() < 1e-9);
        assert!(p.width() < u.width() / 10.0);
    }

    #[test]
    fn too_few_values_give_no_interval() {
        assert_eq!(paired(&[1.0, f64::NAN], &[2.0, 3.0]), None);
        assert_eq!(
            unpaired(&summarize(&mut []), &summarize(&mut [1.0, 2.0])),
            None
        );
    }
}
