//! Hand-checked steps and property tests of the yearly step.

use super::*;
use crate::model::params::{LineParams, LineSettings, SupportTerms};

/// A small, fully fixed parameter set with round numbers, for hand-checked steps.
pub(crate) fn simple() -> (Params, Settings) {
    let mut p = Params::default();
    p.macro_.gdp0_musd = 20_000.0;
    p.macro_.trend_growth = 0.05;
    p.macro_.revenue_share = 0.15;
    p.macro_.population0_m = 24.5;
    p.macro_.population_growth = 0.03;
    p.sanctions.import_premium = 0.25;
    p.sanctions.growth_penalty = 0.017;
    p.sanctions.financing_cut = 0.3;
    p.support.states = [
        SupportTerms {
            credit_share: 0.4,
            supply_reliability: 0.9,
            supplier_premium: 1.0,
            russia_share: 0.8,
        },
        SupportTerms {
            credit_share: 0.15,
            supply_reliability: 0.7,
            supplier_premium: 1.15,
            russia_share: 0.5,
        },
        SupportTerms {
            credit_share: 0.0,
            supply_reliability: 0.6,
            supplier_premium: 1.3,
            russia_share: 0.1,
        },
    ];
    p.power.grid_availability = 1.0;
    p.power.captive_availability = 0.95;
    p.power.captive_cost_premium = 1.2;
    p.military.out_of_scope_imports_musd = 250.0;
    p.plan.capex_scale = 1.0;
    p.plan.max_budget_share = 0.03;
    p.plan.credit_rate = 0.05;
    p.plan.export_price_ratio = 0.9;
    p.social.poverty_gap_usd_per_person_year = 120.0;
    p.social.extreme_poverty_share = 0.19;
    p.viability = crate::model::params::Viability {
        min_independence: 0.35,
        max_unit_cost_ratio: 1.5,
        max_fiscal_burden: 0.03,
    };
    let line = LineParams {
        capex_musd: 30.0,
        capacity: 10_000.0,
        lead_time_years: 1.0,
        import_price_usd: 600.0,
        import_content: 0.6,
        localization_rate: 0.05,
        min_import_content: 0.3,
        initial_cost_ratio: 1.5,
        learning_rate: 0.9,
        energy_share: 0.1,
        om_rate: 0.05,
        military_demand: 6_000.0,
        civil_demand: 0.0,
        export_demand: 0.0,
    };
    p.lines = [line.clone(), line.clone(), line.clone(), line];
    let ls = LineSettings {
        enabled: true,
        exportable: false,
        unit: "unit".into(),
        capex_schedule: vec![0.5, 0.5],
    };
    let s = Settings {
        start_year: 2025,
        horizon_years: 11,
        sanctions_initial: false,
        support_initial: 0,
        start_offset: 0,
        credit_tenor_years: 10,
        lines: [ls.clone(), ls.clone(), ls.clone(), ls],
        sanctions_forced: Vec::new(),
        support_forced: Vec::new(),
        lever_paths: Vec::new(),
        scope_enabled: false,
    };
    (p, s)
}

/// Walks every year with the same shocks; returns the records.
pub(crate) fn walk(p: &Params, s: &Settings, d: &YearDraws) -> (State, Vec<YearRecord>) {
    walk_draws(p, s, &vec![*d; s.horizon_years])
}

/// Walks one year per element of `draws`; returns the records.
pub(crate) fn walk_draws(
    p: &Params,
    s: &Settings,
    draws: &[YearDraws],
) -> (State, Vec<YearRecord>) {
    let mut state = State::new(s.horizon_years);
    start(p, s, &mut state);
    let recs = draws
        .iter()
        .enumerate()
        .map(|(t, d)| step(p, s, &mut state, d, t))
        .collect();
    (state, recs)
}

/// Shocks that change nothing: zero normals, uniforms that never trigger a transition
/// or a disruption (probabilities are 0 in [`simple`]).
pub(crate) fn calm() -> YearDraws {
    YearDraws {
        sanctions_u: 0.5,
        support_u: 0.5,
        disrupt_u: [0.5; 4],
        loss_u: [0.5; 4],
        ..YearDraws::default()
    }
}

#[test]
fn deterministic_growth_compounds_the_trend() {
    let (p, s) = simple();
    let (_, recs) = walk(&p, &s, &calm());
    for (t, r) in recs.iter().enumerate() {
        let expected = 20_000.0 * 1.05f64.powi(t as i32 + 1);
        assert!(
            (r.gdp - expected).abs() < 1e-9 * expected,
            "year {t}: {} vs {expected}",
            r.gdp
        );
        assert!(
            (r.revenue - 0.15 * r.gdp).abs() < 1e-9 * r.gdp,
            "gold index 1 leaves revenue at its share"
        );
    }
}

#[test]
fn growth_falls_by_the_sanctions_penalty_and_is_floored() {
    let (mut p, mut s) = simple();
    s.sanctions_initial = true;
    p.sanctions.lift_prob = 0.0;
    let (_, recs) = walk(&p, &s, &calm());
    assert!((recs[0].growth - (0.05 - 0.017)).abs() < 1e-15);
    assert!(recs.iter().all(|r| r.sanctioned));
    p.macro_.trend_growth = -0.95;
    let (_, recs) = walk(&p, &s, &calm());
    assert_eq!(recs[0].growth, GROWTH_FLOOR);
}

#[test]
fn markov_chains_follow_their_uniforms() {
    let (mut p, _) = simple();
    p.sanctions.onset_prob = 0.1;
    p.sanctions.lift_prob = 0.6;
    assert!(next_sanctions(&p, false, 0.05));
    assert!(!next_sanctions(&p, false, 0.1));
    assert!(!next_sanctions(&p, true, 0.59));
    assert!(next_sanctions(&p, true, 0.6));
    p.support.reduce_prob = 0.08;
    p.support.withdraw_prob = 0.15;
    p.support.restore_prob = 0.10;
    p.support.recover_prob = 0.0;
    assert_eq!(next_support(&p, 0, 0.07), 1);
    assert_eq!(next_support(&p, 0, 0.08), 0);
    assert_eq!(next_support(&p, 1, 0.14), 2);
    assert_eq!(next_support(&p, 1, 0.24), 0);
    assert_eq!(next_support(&p, 1, 0.25), 1);
    assert_eq!(
        next_support(&p, 2, 0.0),
        2,
        "recover_prob 0 makes withdrawal absorbing"
    );
}

#[test]
fn annuity_repays_the_principal_at_its_rate() {
    assert!((annuity(100.0, 0.0, 10) - 10.0).abs() < 1e-12);
    // Present value of the payments at the rate is the principal.
    let pay = annuity(100.0, 0.05, 10);
    let pv: f64 = (1..=10).map(|i| pay / 1.05f64.powi(i)).sum();
    assert!((pv - 100.0).abs() < 1e-9);
}

#[test]
fn credit_becomes_debt_service_from_the_next_year() {
    let (p, s) = simple();
    let (_, recs) = walk(&p, &s, &calm());
    assert_eq!(recs[0].debt_service, 0.0);
    // Year 0: each line wants 15, 40% on credit: 4 * 6 = 24 of credit.
    let credit0: f64 = recs[0].lines.iter().map(|l| l.credit).sum();
    assert!((credit0 - 24.0).abs() < 1e-12);
    let credit1: f64 = recs[1].lines.iter().map(|l| l.credit).sum();
    assert!((recs[1].debt_service - annuity(credit0, 0.05, 10)).abs() < 1e-12);
    let both = annuity(credit0, 0.05, 10) + annuity(credit1, 0.05, 10);
    assert!((recs[2].debt_service - both).abs() < 1e-12);
}

#[test]
fn the_budget_rations_domestic_capital_and_carries_a_backlog() {
    let (mut p, s) = simple();
    p.plan.max_budget_share = 0.001; // 3 MUSD of budget against 36 MUSD of domestic wants
    let mut state = State::new(s.horizon_years);
    start(&p, &s, &mut state);
    let r = step(&p, &s, &mut state, &calm(), 0);
    let paid: f64 = r.lines.iter().map(|l| l.paid).sum();
    assert!(
        (paid - r.budget).abs() < 1e-9,
        "everything available is spent"
    );
    let backlog: f64 = state.lines.iter().map(|l| l.backlog).sum();
    assert!((backlog - (36.0 - paid)).abs() < 1e-9);
}

#[test]
fn output_starts_after_the_lead_time() {
    let (mut p, s) = simple();
    p.lines[0].lead_time_years = 2.5; // ceil: output from year 3
    let (_, recs) = walk(&p, &s, &calm());
    assert_eq!(recs[2].lines[0].output, 0.0);
    assert!(recs[3].lines[0].output > 0.0);
    assert!(
        recs[1].lines[1].output > 0.0,
        "lead time 1: output from year 1"
    );
    assert_eq!(recs[0].lines[1].capacity, 0.0);
}

#[test]
fn learning_rate_one_without_leakage_costs_the_initial_ratio_on_the_local_part() {
    let (mut p, s) = simple();
    for l in &mut p.lines {
        l.learning_rate = 1.0;
    }
    let (_, recs) = walk(&p, &s, &calm());
    for r in &recs {
        for (lp, ly) in p.lines.iter().zip(&r.lines) {
            // Imported part at the import price, local part at exactly the initial ratio.
            let ic = ly.import_content;
            let expected = lp.import_price_usd * (ic + (1.0 - ic) * lp.initial_cost_ratio);
            assert_eq!(ly.unit_cost, expected);
        }
    }
}

#[test]
fn import_content_falls_after_each_producing_year_to_its_floor() {
    let (p, s) = simple();
    let (_, recs) = walk(&p, &s, &calm());
    let ic: Vec<f64> = recs.iter().map(|r| r.lines[0].import_content).collect();
    assert_eq!(ic[0], 0.6);
    assert_eq!(ic[1], 0.6, "the first output year uses the initial content");
    assert!((ic[2] - 0.6 * 0.95).abs() < 1e-15);
    let mut p2 = p.clone();
    p2.lines[0].localization_rate = 0.9;
    let (_, recs) = walk(&p2, &s, &calm());
    assert_eq!(recs[3].lines[0].import_content, 0.3);
}

#[test]
fn every_line_disabled_produces_nothing_and_costs_nothing() {
    let (p, mut s) = simple();
    for l in &mut s.lines {
        l.enabled = false;
    }
    let (state, recs) = walk(&p, &s, &calm());
    for r in &recs {
        assert!(r.lines.iter().all(|l| l.output == 0.0 && l.capital == 0.0));
        assert_eq!(r.independence, 0.0);
        assert_eq!(r.program_spend, 0.0);
    }
    assert_eq!(state.totals.program_cost, 0.0);
    let o = crate::model::outcomes::outcomes(&p, &s, &state, recs.last().unwrap());
    assert_eq!(o.values[0], 0.0);
    assert_eq!(o.values[2], 0.0);
    assert!(
        o.values
            .iter()
            .enumerate()
            .all(|(i, v)| i == crate::model::outcomes::BREAKEVEN || v.is_finite())
    );
}

#[test]
fn output_goes_to_the_armed_forces_first() {
    let (mut p, mut s) = simple();
    p.lines[3].civil_demand = 5_000.0;
    p.lines[3].export_demand = 5_000.0;
    p.lines[3].military_demand = 1_000.0;
    s.lines[3].exportable = true;
    let (_, recs) = walk(&p, &s, &calm());
    let l = recs[5].lines[3];
    assert_eq!(l.output_military, 1_000.0);
    assert!(l.output_civil > 0.0 && l.output_civil <= 5_000.0 * recs[5].gdp / 20_000.0 + 1e-9);
    assert!((l.output - l.output_military - l.output_civil - l.output_export).abs() < 1e-9);
    assert!(recs[5].sales > 0.0);
}

#[test]
fn disruption_loses_its_share_of_output() {
    let (mut p, s) = simple();
    p.conflict.disruption_prob = 0.5;
    p.conflict.disruption_max_loss = 0.5;
    p.lines[0].military_demand = 1e9; // output is capacity-bound
    let mut hit = calm();
    hit.disrupt_u[0] = 0.1;
    hit.loss_u[0] = 0.5;
    let (_, calm_recs) = walk(&p, &s, &calm());
    let (_, hit_recs) = walk(&p, &s, &hit);
    let (a, b) = (calm_recs[1].lines[0].output, hit_recs[1].lines[0].output);
    assert!((b - a * 0.75).abs() < 1e-9 * a, "{b} vs {a}");
}

mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::model::outcomes::{BREAKEVEN, outcomes};

    /// Random parameters inside their domains (wide, including corners) and random shocks.
    fn scenario() -> impl Strategy<Value = (Params, Settings, Vec<YearDraws>)> {
        let shares = proptest::collection::vec(0.0..=1.0f64, 40);
        let positives = proptest::collection::vec(0.01..5.0f64, 16);
        let normals = proptest::collection::vec(-4.0..4.0f64, 11 * 6);
        let uniforms = proptest::collection::vec(0.0..1.0f64, 11 * 10);
        let flags = proptest::collection::vec(any::<bool>(), 8);
        (shares, positives, normals, uniforms, flags).prop_map(|(u, x, n, w, f)| {
            let (mut p, mut s) = simple();
            p.macro_.trend_growth = x[0] * 0.1 - 0.2;
            p.macro_.volatility = x[1] * 0.05;
            p.macro_.persistence = u[0] * 0.99;
            p.macro_.conflict_drag = u[1] * 0.1;
            p.macro_.gold_revenue_share = u[2];
            p.gold.volatility = x[2] * 0.2;
            p.sanctions.onset_prob = u[3];
            p.sanctions.lift_prob = u[4];
            p.sanctions.growth_penalty = u[5] * 0.1;
            p.sanctions.import_premium = x[3];
            p.sanctions.financing_cut = u[6];
            p.support.reduce_prob = u[7];
            p.support.withdraw_prob = u[8];
            p.support.restore_prob = u[9];
            p.support.recover_prob = u[10];
            p.power.grid_availability = u[11];
            p.power.annual_sd = u[12] * 0.5;
            p.plan.captive_power_share = u[13];
            p.plan.oversight = u[14];
            p.plan.max_budget_share = u[15] * 0.1;
            p.plan.capex_scale = x[4];
            p.plan.credit_rate = u[16] * 0.2;
            p.corruption.leakage = u[17];
            p.corruption.oversight_cost_share = u[18] * 0.1;
            p.conflict.persistence = u[19] * 0.99;
            p.conflict.volatility = x[5] * 0.3;
            p.conflict.disruption_prob = u[20];
            p.conflict.disruption_max_loss = u[21];
            for (l, line) in p.lines.iter_mut().enumerate() {
                line.import_content = u[22 + l];
                line.min_import_content = line.import_content * u[26 + l];
                line.localization_rate = u[30 + l];
                line.learning_rate = 0.5 + 0.5 * u[34 + l];
                line.initial_cost_ratio = x[6 + l];
                line.lead_time_years = x[10 + l];
                line.civil_demand = x[14] * 1000.0;
                line.export_demand = x[15] * 1000.0;
                s.lines[l].enabled = f[l] || l == 0;
                s.lines[l].exportable = f[4 + l];
            }
            s.sanctions_initial = u[38] < 0.5;
            s.support_initial = (u[39] * 2.99) as usize;
            let draws = (0..11)
                .map(|t| YearDraws {
                    macro_eps: n[t * 6],
                    gold_eps: n[t * 6 + 1],
                    power_eps: n[t * 6 + 2],
                    conflict_eps: n[t * 6 + 3],
                    sanctions_u: w[t * 10],
                    support_u: w[t * 10 + 1],
                    disrupt_u: [w[t * 10 + 2], w[t * 10 + 3], w[t * 10 + 4], w[t * 10 + 5]],
                    loss_u: [w[t * 10 + 6], w[t * 10 + 7], w[t * 10 + 8], w[t * 10 + 9]],
                })
                .collect();
            (p, s, draws)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn shares_stay_in_the_unit_interval_and_outcomes_are_finite((p, s, draws) in scenario()) {
            let (state, recs) = walk_draws(&p, &s, &draws);
            for r in &recs {
                for v in [r.independence, r.self_sufficiency, r.russia_dependence, r.availability, r.grid] {
                    prop_assert!((0.0..=1.0).contains(&v), "{v}");
                }
                prop_assert!(r.independence <= r.self_sufficiency);
                prop_assert!(r.gdp > 0.0 && r.revenue >= 0.0);
                for (lp, ly) in p.lines.iter().zip(&r.lines) {
                    prop_assert!(ly.import_content >= lp.min_import_content && ly.import_content <= 1.0);
                    prop_assert!(ly.output >= 0.0 && ly.output <= ly.capacity + 1e-9);
                    prop_assert!(ly.unit_cost_ratio.is_finite() && ly.unit_cost_ratio > 0.0);
                }
            }
            let o = outcomes(&p, &s, &state, recs.last().unwrap());
            for (i, v) in o.values.iter().enumerate() {
                prop_assert!(v.is_finite() || (i == BREAKEVEN && v.is_nan()), "outcome {i} = {v}");
            }
        }

        #[test]
        fn more_capital_never_lowers_capacity((p, s, draws) in scenario(), extra in 0.0..1.0f64) {
            // More budget means more capital paid in; capacity must not fall in any year.
            let mut richer = p.clone();
            richer.plan.max_budget_share = p.plan.max_budget_share + extra * 0.1;
            let (_, poor) = walk_draws(&p, &s, &draws);
            let (_, rich) = walk_draws(&richer, &s, &draws);
            for (a, b) in poor.iter().zip(&rich) {
                for (la, lb) in a.lines.iter().zip(&b.lines) {
                    prop_assert!(lb.capital >= la.capital - 1e-9 * la.capital.abs());
                    prop_assert!(lb.capacity >= la.capacity - 1e-9 * la.capacity.abs(), "{} < {}", lb.capacity, la.capacity);
                }
            }
        }
    }
}

#[test]
fn a_state_reused_across_trials_gives_the_records_and_totals_of_a_fresh_one() {
    // The worker's state keeps caches across trials (the annuity discount, the poverty
    // gap by year, the learning exponents): a trial with other parameters or settings must
    // still see its own, bit for bit. Each cache's every key field is varied on its own.
    let (p, s) = simple();
    let mut other = p.clone();
    other.lines[1].learning_rate = 0.8;
    other.plan.credit_rate = 0.11;
    other.macro_.population_growth = 0.041;
    other.social.extreme_poverty_share = 0.3;
    let mut population = p.clone();
    population.macro_.population0_m *= 1.5;
    let mut gap = p.clone();
    gap.social.poverty_gap_usd_per_person_year *= 2.0;
    let mut growth = p.clone();
    growth.macro_.population_growth = 0.041;
    let mut share = p.clone();
    share.social.extreme_poverty_share = 0.3;
    let mut tenor = s.clone();
    tenor.credit_tenor_years += 3;
    // Learning has set in by the last year, so a stale exponent would show.
    let last = |params: &Params| walk(params, &s, &calm()).1[s.horizon_years - 1].lines[1];
    assert!(last(&p).output > 0.0);
    assert_ne!(last(&p).unit_cost, last(&other).unit_cost);
    let total = |params: &Params, s: &Settings| walk(params, s, &calm()).0.totals;
    // Each key field varied on its own.
    let varied = [
        (&population, &s),
        (&gap, &s),
        (&growth, &s),
        (&share, &s),
        (&p, &tenor),
    ];
    for (params, settings) in varied {
        assert_ne!(
            format!("{:?}", total(params, settings)),
            format!("{:?}", total(&p, &s))
        );
    }
    let mut reused = State::new(s.horizon_years);
    let sequence = [(&p, &s), (&other, &s), (&p, &s)]
        .into_iter()
        .chain(varied)
        .chain([(&p, &s), (&other, &s)]);
    for (params, settings) in sequence {
        let (fresh, fresh_recs) = walk(params, settings, &calm());
        start(params, settings, &mut reused);
        let recs: Vec<YearRecord> = (0..settings.horizon_years)
            .map(|t| step(params, settings, &mut reused, &calm(), t))
            .collect();
        assert_eq!(format!("{recs:?}"), format!("{fresh_recs:?}"));
        assert_eq!(
            format!("{:?}", reused.totals),
            format!("{:?}", fresh.totals)
        );
        assert!(reused.totals.poverty_gap_cost > 0.0);
        assert!(recs[1].debt_service > 0.0);
    }
}
