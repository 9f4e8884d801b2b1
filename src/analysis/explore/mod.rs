//! What `defsim explore` computes from the policies' trials: pure functions of a table
//! (policies x futures), no I/O.
//!
//! Every policy runs on the same futures (common random numbers), so trial `t` is one
//! future for all of them and they can be compared future by future. [`analyze`] gives,
//! per policy, P(criterion) with its Wilson interval, the mean and 95% quantile of the cost
//! and burden outcomes, Savage regret on program cost and the missed share
//! ([`regret`]), and its paired differences from the scenario as written; across policies,
//! the Pareto front of P against mean program cost ([`front`]), the main effect of each
//! lever and the two strongest ([`effects`]), and, when a target is set, the cheapest
//! policy reaching it. Two policies are *not distinguishable* when the paired interval of
//! their difference covers 0 ([`distinguishable`]).

/// Factorial and Latin hypercube policy designs.
pub mod design;
/// Main effects of levers on P(criterion), with paired intervals.
pub mod effects;
/// The Pareto front of P(criterion) against mean program cost.
pub mod front;
/// Savage regret and missed share, future by future.
pub mod regret;
/// The content of `explore.json`.
pub mod report;

use serde::{Deserialize, Serialize};

use crate::analysis::compare::{Difference, paired};
use crate::stats::{Proportion, proportion, quantile_type7_sorted};
use effects::MainEffect;
use regret::Regret;

/// The outcomes `explore` reports per policy, in this order, besides the criterion.
pub const COST_OUTCOMES: [&str; 4] = [
    "program_cost_musd",
    "excess_cost_musd",
    "peak_fiscal_burden",
    "independence",
];

/// One policy's (or the scenario's) trials: the criterion's 0/1 column and the
/// [`COST_OUTCOMES`] columns, all over the same futures.
#[derive(Debug, Clone, Copy)]
pub struct PolicyTrials<'a> {
    /// 1 when the trial meets the criterion, else 0.
    pub met: &'a [f64],
    /// The [`COST_OUTCOMES`] columns, in that order.
    pub outcomes: [&'a [f64]; 4],
}

/// Mean and 95% quantile of one outcome.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeanP95 {
    /// Mean over the futures.
    pub mean: f64,
    /// 95% quantile (type 7).
    pub p95: f64,
}

/// A policy's paired differences from the scenario as written (policy minus scenario).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VsScenario {
    /// Difference in P(criterion) (a difference of 0/1 indicators, in probability).
    pub p: Option<Difference>,
    /// Difference in mean program cost.
    pub program_cost_musd: Option<Difference>,
}

/// Everything `explore` reports about one policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyStats {
    /// P(criterion) with its 95% Wilson interval.
    pub p: Proportion,
    /// Mean and p95 of each of [`COST_OUTCOMES`], in that order.
    pub outcomes: Vec<MeanP95>,
    /// Savage regret on program cost.
    pub regret: Regret,
    /// Share of futures where another policy meets the criterion and this one does not.
    pub missed_share: f64,
    /// Paired differences from the scenario as written.
    pub vs_scenario: VsScenario,
    /// On the Pareto front of P against mean program cost.
    pub on_front: bool,
}

impl PolicyStats {
    /// Mean program cost.
    pub fn program_cost(&self) -> f64 {
        self.outcomes[0].mean
    }
}

/// The cheapest policy reaching the target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cheapest {
    /// Its index.
    pub policy: usize,
    /// Whether its interval lies wholly above the target (else the target lies inside its
    /// interval: it is not clearly reached).
    pub clearly: bool,
}

/// How the policies stand against the target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetReport {
    /// The target P(criterion).
    pub target: f64,
    /// Policies whose P is at least the target.
    pub reaching: usize,
    /// Of those, the ones whose whole interval lies above it.
    pub clearly_reaching: usize,
    /// Policies whose interval reaches the target (the target cannot be ruled out).
    pub possibly_reaching: usize,
    /// The cheapest policy reaching it (by mean program cost), if any.
    pub cheapest: Option<Cheapest>,
}

/// Everything `explore` reports across policies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Per policy, in design order.
    pub policies: Vec<PolicyStats>,
    /// The scenario as written, for reference.
    pub scenario: PolicyStats,
    /// The Pareto front, cheapest first.
    pub front: Vec<usize>,
    /// Main effect of each lever.
    pub effects: Vec<MainEffect>,
    /// The two levers with the largest effects (fewer when fewer levers have one).
    pub strongest: Vec<usize>,
    /// Mean P(criterion) over the levels of the two strongest levers (when there are two).
    pub two_way: Option<effects::TwoWay>,
    /// The recommended policy: the cheapest reaching the target when one does, else the
    /// one with the highest P(criterion) (the cheaper of equals).
    pub recommended: Option<usize>,
    /// The target, when one is set.
    pub target: Option<TargetReport>,
}

/// Whether a paired difference tells two policies apart: its interval does not cover 0.
pub fn distinguishable(d: &Difference) -> bool {
    d.ci95[0] > 0.0 || d.ci95[1] < 0.0
}

fn mean_p95(column: &[f64]) -> MeanP95 {
    let mut v: Vec<f64> = column.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return MeanP95 {
            mean: f64::NAN,
            p95: f64::NAN,
        };
    }
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    v.sort_by(f64::total_cmp);
    MeanP95 {
        mean,
        p95: quantile_type7_sorted(&v, 0.95),
    }
}

fn stats(t: &PolicyTrials, scenario: &PolicyTrials, regret: Regret, missed: f64) -> PolicyStats {
    let hits = t.met.iter().filter(|v| **v == 1.0).count() as u64;
    PolicyStats {
        p: proportion(hits, t.met.len() as u64),
        outcomes: t.outcomes.iter().map(|c| mean_p95(c)).collect(),
        regret,
        missed_share: missed,
        vs_scenario: VsScenario {
            p: paired(scenario.met, t.met),
            program_cost_musd: paired(scenario.outcomes[0], t.outcomes[0]),
        },
        on_front: false,
    }
}

/// Analyses `policies` (in design order; `levels[p][j]` is policy `p`'s level of lever
/// `j`, of `counts[j]` levels) against the scenario as written, with an optional target
/// P(criterion). The scenario's own regret and missed share are measured among the
/// policies and the scenario together.
pub fn analyze(
    policies: &[PolicyTrials],
    scenario: &PolicyTrials,
    levels: &[Vec<usize>],
    counts: &[usize],
    target: Option<f64>,
) -> Analysis {
    assert_eq!(policies.len(), levels.len(), "one level row per policy");
    let costs: Vec<&[f64]> = policies.iter().map(|p| p.outcomes[0]).collect();
    let met: Vec<&[f64]> = policies.iter().map(|p| p.met).collect();
    let regrets = regret::savage_regret(&costs);
    let missed = regret::missed_share(&met);
    let mut rows: Vec<PolicyStats> = policies
        .iter()
        .zip(regrets.iter().zip(&missed))
        .map(|(t, (r, m))| stats(t, scenario, *r, *m))
        .collect();
    let points: Vec<(f64, f64)> = rows.iter().map(|r| (r.p.p, r.program_cost())).collect();
    let front = front::front_order(&points);
    for &i in &front {
        rows[i].on_front = true;
    }
    let with_scenario_costs: Vec<&[f64]> = costs
        .iter()
        .copied()
        .chain([scenario.outcomes[0]])
        .collect();
    let with_scenario_met: Vec<&[f64]> = met.iter().copied().chain([scenario.met]).collect();
    let scenario_stats = stats(
        scenario,
        scenario,
        *regret::savage_regret(&with_scenario_costs)
            .last()
            .expect("the scenario is there"),
        *regret::missed_share(&with_scenario_met)
            .last()
            .expect("the scenario is there"),
    );
    let effects = effects::main_effects(levels, counts, &met);
    let strongest = effects::strongest_two(&effects);
    let p: Vec<f64> = rows.iter().map(|r| r.p.p).collect();
    let two_way = match strongest[..] {
        [a, b] => Some(effects::TwoWay {
            levers: [a, b],
            means: effects::two_way(levels, counts, &p, a, b),
        }),
        _ => None,
    };
    let target = target.map(|target| target_report(&rows, target));
    let recommended = recommended(&rows, target.as_ref());
    Analysis {
        policies: rows,
        scenario: scenario_stats,
        front,
        effects,
        strongest,
        two_way,
        recommended,
        target,
    }
}

/// The cheapest policy reaching the target when one does, else the highest P(criterion)
/// (ties to the cheaper, then to the earlier policy).
pub fn recommended(rows: &[PolicyStats], target: Option<&TargetReport>) -> Option<usize> {
    if let Some(c) = target.and_then(|t| t.cheapest.as_ref()) {
        return Some(c.policy);
    }
    (0..rows.len()).reduce(|a, b| {
        let (pa, pb) = (rows[a].p.p, rows[b].p.p);
        if pb > pa || (pb == pa && rows[b].program_cost() < rows[a].program_cost()) {
            b
        } else {
            a
        }
    })
}

/// How the policies stand against `target`.
pub fn target_report(rows: &[PolicyStats], target: f64) -> TargetReport {
    let reaching: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].p.p >= target).collect();
    let cheapest = reaching
        .iter()
        .copied()
        .reduce(|a, b| {
            if rows[b].program_cost() < rows[a].program_cost() {
                b
            } else {
                a
            }
        })
        .map(|i| Cheapest {
            policy: i,
            clearly: rows[i].p.ci95[0] > target,
        });
    TargetReport {
        target,
        reaching: reaching.len(),
        clearly_reaching: reaching
            .iter()
            .filter(|&&i| rows[i].p.ci95[0] > target)
            .count(),
        possibly_reaching: rows.iter().filter(|r| r.p.ci95[1] >= target).count(),
        cheapest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four futures, a policy table by hand.
    struct Table {
        met: Vec<Vec<f64>>,
        cols: Vec<[Vec<f64>; 4]>,
    }

    impl Table {
        fn trials(&self) -> Vec<PolicyTrials<'_>> {
            self.met
                .iter()
                .zip(&self.cols)
                .map(|(m, c)| PolicyTrials {
                    met: m,
                    outcomes: [&c[0], &c[1], &c[2], &c[3]],
                })
                .collect()
        }
    }

    fn cols(cost: [f64; 4]) -> [Vec<f64>; 4] {
        [
            cost.to_vec(),
            cost.iter().map(|c| c - 100.0).collect(),
            vec![0.01; 4],
            vec![0.2; 4],
        ]
    }

    #[test]
    fn analysis_of_a_hand_made_table() {
        let t = Table {
            met: vec![
                vec![0.0, 0.0, 1.0, 0.0], // cheap, P 0.25
                vec![1.0, 1.0, 1.0, 0.0], // dear, P 0.75
                vec![1.0, 0.0, 1.0, 0.0], // dearest, P 0.5: dominated
                vec![0.0, 0.0, 0.0, 0.0], // scenario as written
            ],
            cols: vec![
                cols([100.0, 110.0, 120.0, 130.0]),
                cols([150.0, 150.0, 150.0, 150.0]),
                cols([200.0, 100.0, 200.0, 200.0]),
                cols([90.0, 90.0, 90.0, 90.0]),
            ],
        };
        let all = t.trials();
        let (policies, scenario) = (&all[..3], &all[3]);
        let levels = vec![vec![0], vec![1], vec![2]];
        let a = analyze(policies, scenario, &levels, &[3], Some(0.5));
        let p: Vec<f64> = a.policies.iter().map(|r| r.p.p).collect();
        assert_eq!(p, vec![0.25, 0.75, 0.5]);
        assert_eq!(a.front, vec![0, 1]);
        assert!(a.policies[0].on_front && a.policies[1].on_front && !a.policies[2].on_front);
        assert_eq!(a.policies[0].outcomes[0].mean, 115.0);
        // Regret: least cost per future 100, 100, 120, 130.
        assert_eq!(a.policies[0].regret.mean, 2.5); // 0, 10, 0, 0
        assert_eq!(a.policies[1].regret.mean, 37.5); // 50, 50, 30, 20
        // Missed: some policy meets it in futures 0, 1, 2.
        assert_eq!(a.policies[0].missed_share, 0.5);
        assert_eq!(a.policies[1].missed_share, 0.0);
        assert_eq!(a.policies[2].missed_share, 0.25);
        // Against the scenario (never meets it, costs 90).
        let vs = &a.policies[1].vs_scenario;
        assert_eq!(vs.p.as_ref().unwrap().diff, 0.75);
        assert_eq!(vs.program_cost_musd.as_ref().unwrap().diff, 60.0);
        // The scenario: cheapest in every future, so no regret; misses where any meets.
        assert_eq!(a.scenario.regret.mean, 0.0);
        assert_eq!(a.scenario.missed_share, 0.75);
        // Target 0.5: policies 1 and 2 reach it; the cheapest is 1, whose interval (4
        // futures) contains 0.5: not clearly.
        let tr = a.target.unwrap();
        assert_eq!((tr.reaching, tr.clearly_reaching), (2, 0));
        assert_eq!(
            tr.cheapest,
            Some(Cheapest {
                policy: 1,
                clearly: false
            })
        );
        assert_eq!(a.strongest, vec![0]);
        assert_eq!(a.two_way, None, "one lever: no pair");
        assert_eq!(a.recommended, Some(1), "the cheapest reaching the target");
        assert_eq!(
            recommended(&a.policies, None),
            Some(1),
            "without a target: the highest P"
        );
        let e = &a.effects[0];
        assert_eq!((e.low, e.high), (0, 1));
    }

    #[test]
    fn not_distinguishable_when_the_paired_interval_covers_zero() {
        let d = |lo: f64, hi: f64| Difference {
            diff: (lo + hi) / 2.0,
            ci95: [lo, hi],
            n: 10,
        };
        assert!(!distinguishable(&d(-0.1, 0.2)));
        assert!(!distinguishable(&d(0.0, 0.2)));
        assert!(distinguishable(&d(0.01, 0.2)));
        assert!(distinguishable(&d(-0.3, -0.01)));
        // Two policies identical future by future: difference exactly 0, not distinguishable.
        let a = [1.0, 0.0, 1.0];
        assert!(!distinguishable(&paired(&a, &a).unwrap()));
    }
}
