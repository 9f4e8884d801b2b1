//! The analyst's model (version 2 keys): lever paths, forced states, per-line outcomes and
//! the independence scope, criteria, correlated parameters. Known answers and common random
//! numbers, at library level and end to end.

mod common;

use std::path::Path;

use assert_cmd::Command;
use defsim::analysis::run::RunSummary;
use defsim::engine::{self, Model, RunOptions};
use defsim::model::ViabilityModel;
use defsim::model::state::YearDraws;
use defsim::scenario::Scenario;
use defsim::stats::rank::spearman;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn load(file: &str, sets: &[&str]) -> Scenario {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    defsim::model::load(&root().join("scenarios").join(file), &sets).unwrap()
}

/// A scenario file written next to the shipped ones' parent, extending the baseline.
fn extend(dir: &Path, body: &str) -> Scenario {
    let rest = format!("name = \"test\"\n\n{body}\n");
    let file = common::child_scenario(dir, "test.toml", "baseline.toml", &rest);
    defsim::model::load(&file, &[]).unwrap_or_else(|e| panic!("{e}"))
}

fn options(trials: u64, keep_inputs: bool) -> RunOptions {
    RunOptions {
        seed: 20250117,
        trials,
        threads: 0,
        keep_inputs: if keep_inputs {
            defsim::engine::KeepInputs::All
        } else {
            defsim::engine::KeepInputs::None
        },
        progress: false,
    }
}

/// Columns as bits, so that absent values (NaN) compare equal.
fn bits(columns: &[Vec<f64>]) -> Vec<Vec<u64>> {
    columns
        .iter()
        .map(|c| c.iter().map(|v| v.to_bits()).collect())
        .collect()
}

fn outcome<'a>(r: &'a engine::Results, name: &str) -> &'a [f64] {
    r.outcome(name)
        .unwrap_or_else(|| panic!("no outcome {name}"))
}

/// One trial replayed: every year's draws, sanctions state, growth shock and growth.
fn replay(model: &ViabilityModel, trial: u64) -> Vec<(YearDraws, bool, f64, f64, f64)> {
    let mut years = Vec::new();
    engine::replay(model, 20250117, trial, |w, _, _| {
        years.push((
            w.draws,
            w.record.sanctioned,
            w.state.shock,
            w.record.growth,
            w.params.sanctions.growth_penalty,
        ))
    });
    years
}

#[test]
fn forcing_sanctions_keeps_every_other_draw_and_growth_shock() {
    let free = ViabilityModel::new(&load("baseline.toml", &[]));
    let forced = ViabilityModel::new(&load("sanctions-2027.toml", &[]));
    let mut differing_years = 0;
    for trial in 0..300 {
        let (a, b) = (replay(&free, trial), replay(&forced, trial));
        for (t, (ya, yb)) in a.iter().zip(&b).enumerate() {
            // Every component drew the same numbers, the sanctions chain's uniform included.
            assert_eq!(ya.0, yb.0, "trial {trial}, year {t}: draws");
            // The AR(1) growth shock never sees sanctions.
            assert_eq!(ya.2, yb.2, "trial {trial}, year {t}: growth shock");
            let year = 2025 + t as i32;
            if year == 2027 || year == 2028 {
                assert!(yb.1, "trial {trial}: {year} is forced sanctioned");
            }
            if year < 2027 {
                assert_eq!(ya.1, yb.1, "trial {trial}, {year}: free before the path");
            }
            // Growth differs by the sanctions penalty exactly where the states differ.
            let penalty = ya.4;
            let want = ya.3 + penalty * (f64::from(u8::from(ya.1)) - f64::from(u8::from(yb.1)));
            assert!(
                (yb.3 - want).abs() <= 1e-15,
                "trial {trial}, {year}: growth {} vs {}",
                yb.3,
                want
            );
            differing_years += usize::from(ya.1 != yb.1);
        }
    }
    assert!(
        differing_years > 300,
        "forcing changed {differing_years} trial-years"
    );
}

#[test]
fn forced_support_path_overrides_the_chain_only_where_it_says() {
    let tmp = tempfile::tempdir().unwrap();
    let s = extend(
        tmp.path(),
        "[support]\npath = [\"withdrawn\", \"free\", \"full\"]\nfrom = 2026",
    );
    let model = ViabilityModel::new(&s);
    let base = ViabilityModel::new(&load("baseline.toml", &[]));
    for trial in 0..100 {
        let mut states = Vec::new();
        engine::replay(&model, 1, trial, |w, _, _| states.push(w.record.support));
        let mut free = Vec::new();
        engine::replay(&base, 1, trial, |w, _, _| free.push(w.record.support));
        assert_eq!(states[0], free[0], "2025 is free");
        assert_eq!(states[1], 2, "2026 forced withdrawn");
        assert_eq!(states[3], 0, "2028 forced full");
        // 2027 moves freely from the forced state: withdrawn stays (recover_prob 0).
        assert_eq!(states[2], 2, "trial {trial}: 2027 moves from withdrawn");
    }
}

#[test]
fn a_constant_path_is_the_fixed_value_and_a_timed_path_switches_on_time() {
    let tmp = tempfile::tempdir().unwrap();
    let fixed = load("baseline.toml", &["plan.oversight=0.4"]);
    let path = extend(
        tmp.path(),
        "[plan]\noversight = { path = [0.4], from = 2025 }",
    );
    let ra = engine::run(&ViabilityModel::new(&fixed), &options(2000, false)).unwrap();
    let rb = engine::run(&ViabilityModel::new(&path), &options(2000, false)).unwrap();
    assert!(
        bits(&ra.outcomes) == bits(&rb.outcomes),
        "a one-entry path is the fixed lever"
    );

    let late = load("captive-power-2027.toml", &[]);
    let model = ViabilityModel::new(&late);
    let mut years = Vec::new();
    engine::replay(&model, 7, 3, |w, _, _| {
        years.push((w.record.grid, w.record.availability))
    });
    assert_eq!(years[0].0, years[0].1, "2025: the grid alone");
    assert_eq!(years[1].0, years[1].1, "2026: the grid alone");
    for (t, y) in years.iter().enumerate().skip(2) {
        assert_eq!(y.1, 0.95, "{}: captive availability", 2025 + t);
    }
    // Before and after the path's entries: the first and the last value.
    let early = extend(
        tmp.path(),
        "[plan]\nmax_budget_share = { path = [0.01, 0.02], from = 2027 }",
    );
    let l = early.lever_path("plan.max_budget_share").unwrap();
    assert_eq!(
        l.yearly,
        [
            0.01, 0.01, 0.01, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02
        ]
    );
}

#[test]
fn criteria_known_answers_on_the_baseline() {
    let tmp = tempfile::tempdir().unwrap();
    let s = extend(
        tmp.path(),
        "[criteria]\n\
         same_as_viable = \"independence >= 0.35 and unit_cost_ratio <= 1.5 and peak_fiscal_burden <= 0.03\"\n\
         no_late_breakeven = \"not (breakeven_year > 2030)\"\n\
         early_or_viable = \"breakeven_year <= 2030 or viable == 1\"\n\
         always = \"gdp_final_musd > 0\"",
    );
    let r = engine::run(&ViabilityModel::new(&s), &options(4000, false)).unwrap();
    assert_eq!(outcome(&r, "same_as_viable"), outcome(&r, "viable"));
    // The baseline never breaks even: the comparison is unknown, so `not` of it counts 0.
    assert!(outcome(&r, "breakeven_year").iter().all(|v| v.is_nan()));
    assert!(outcome(&r, "no_late_breakeven").iter().all(|v| *v == 0.0));
    // unknown `or` true is true: exactly the viable trials.
    assert_eq!(outcome(&r, "early_or_viable"), outcome(&r, "viable"));
    assert!(outcome(&r, "always").iter().all(|v| *v == 1.0));
    let summary = RunSummary::new(&s, &r);
    let p = &summary.probabilities["same_as_viable"];
    assert_eq!(p.p, summary.probabilities["viable"].p);
    assert!(p.ci95[0] <= p.p && p.p <= p.ci95[1]);
}

#[test]
fn per_line_outcomes_and_the_independence_scope() {
    let r = engine::run(
        &ViabilityModel::new(&load("ammunition-only.toml", &[])),
        &options(3000, false),
    )
    .unwrap();
    for line in ["small_arms", "vehicles"] {
        assert!(
            outcome(&r, &format!("{line}.independence"))
                .iter()
                .all(|v| *v == 0.0)
        );
        assert!(
            outcome(&r, &format!("{line}.unit_cost_ratio"))
                .iter()
                .all(|v| *v == 1.0)
        );
    }
    // Judged on the enabled lines: the criterion reads independence_enabled.
    let enabled = outcome(&r, "independence_enabled");
    let meets = outcome(&r, "meets_min_independence");
    for (e, m) in enabled.iter().zip(meets) {
        assert_eq!(*m, f64::from(u8::from(*e >= 0.35)));
    }
    assert!(meets.contains(&1.0));
    // The country-wide independence is unchanged by the scope.
    let all = load(
        "ammunition-only.toml",
        &["viability.independence_scope=\"all\""],
    );
    let ra = engine::run(&ViabilityModel::new(&all), &options(3000, false)).unwrap();
    assert_eq!(outcome(&ra, "independence"), outcome(&r, "independence"));
    assert!(
        outcome(&ra, "meets_min_independence")
            .iter()
            .all(|v| *v == 0.0)
    );

    // A line without military demand has no independence (absent), and n counts the others.
    let no_demand = load("baseline.toml", &["lines.explosives.military_demand=0"]);
    let rn = engine::run(&ViabilityModel::new(&no_demand), &options(500, false)).unwrap();
    assert!(
        outcome(&rn, "explosives.independence")
            .iter()
            .all(|v| v.is_nan())
    );
    let summary = RunSummary::new(&no_demand, &rn);
    assert_eq!(summary.outcomes["explosives.independence"].n, 0);
    assert_eq!(summary.outcomes["ammunition.independence"].n, 500);
}

#[test]
fn v1_outcomes_do_not_move_when_v2_keys_are_added() {
    let base = ViabilityModel::new(&load("baseline.toml", &[]));
    let tmp = tempfile::tempdir().unwrap();
    let v2 = extend(
        tmp.path(),
        "[support]\nsupplier = \"Russia\"\n\n[viability]\nindependence_scope = \"all\"\n\n\
         [criteria]\nhalf = \"independence >= 0.5\"",
    );
    let ra = engine::run(&base, &options(3000, false)).unwrap();
    let rb = engine::run(&ViabilityModel::new(&v2), &options(3000, false)).unwrap();
    let n = base.schema().outcomes.len();
    assert!(
        bits(&ra.outcomes) == bits(&rb.outcomes[..n]),
        "v1 outcomes moved"
    );
}

#[test]
fn correlated_uniforms_reach_their_rank_and_keep_their_marginals() {
    let tmp = tempfile::tempdir().unwrap();
    // Two uniforms at rank 0.6.
    let body = "[power]\ngrid_availability = { dist = \"uniform\", low = 0.2, high = 0.8 }\n\
                [corruption]\nleakage = { dist = \"uniform\", low = 0.1, high = 0.4 }\n";
    let plain = extend(tmp.path(), body);
    let tied = extend(
        tmp.path(),
        &format!(
            "{body}\n[[correlations]]\nkeys = [\"power.grid_availability\", \"corruption.leakage\"]\nrank = 0.6\nsource = \"test\""
        ),
    );
    let n = 200_000;
    let run = |s: &Scenario| {
        let m = ViabilityModel::new(s);
        let r = engine::run(&m, &options(n, true)).unwrap();
        let col = |k: &str| {
            let i = m.schema().inputs.iter().position(|x| x == k).unwrap();
            r.inputs.as_ref().unwrap()[i].clone()
        };
        (
            col("power.grid_availability"),
            col("corruption.leakage"),
            r,
            s.clone(),
        )
    };
    let (g0, l0, _, _) = run(&plain);
    let (g1, l1, r1, s1) = run(&tied);
    // Spearman's rho at n = 200,000 near 0.6 has sd about (1 - 0.36) / sqrt(n) = 0.0014.
    let rho = spearman(&g1, &l1);
    assert!((rho - 0.6).abs() < 0.01, "achieved {rho}");
    assert!(spearman(&g0, &l0).abs() < 0.01);
    // Marginals unchanged: two-sample Kolmogorov-Smirnov at alpha 0.001,
    // D < 1.95 sqrt(2 / n).
    let ks = |a: &[f64], b: &[f64]| {
        let (mut a, mut b) = (a.to_vec(), b.to_vec());
        a.sort_by(f64::total_cmp);
        b.sort_by(f64::total_cmp);
        let (mut i, mut j, mut d) = (0usize, 0usize, 0.0f64);
        while i < a.len() && j < b.len() {
            if a[i] <= b[j] {
                i += 1;
            } else {
                j += 1;
            }
            d = d.max((i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs());
        }
        d
    };
    let bound = 1.95 * (2.0 / n as f64).sqrt();
    assert!(
        ks(&g0, &g1) < bound,
        "grid marginal moved: {}",
        ks(&g0, &g1)
    );
    assert!(
        ks(&l0, &l1) < bound,
        "leakage marginal moved: {}",
        ks(&l0, &l1)
    );
    // summary.json reports the pair with what it reached.
    let summary = RunSummary::new(&s1, &r1);
    assert_eq!(summary.correlations.len(), 1);
    let c = &summary.correlations[0];
    assert_eq!(c.rank, 0.6);
    assert!((c.achieved.unwrap() - rho).abs() < 1e-12);
}

#[test]
fn correlations_under_latin_hypercube_and_a_fixed_key_warns() {
    let s = load("correlated-risks.toml", &[]);
    let m = ViabilityModel::new(&s);
    let d = engine::LatinHypercube::new(20_000, m.schema().inputs.len(), 5);
    let r = engine::run_design(&m, &options(20_000, true), &d).unwrap();
    let summary = RunSummary::new(&s, &r);
    for c in &summary.correlations {
        let a = c.achieved.unwrap();
        // sd of rho at n = 20,000 is below 0.007: 0.03 is over four of them.
        assert!((a - c.rank).abs() < 0.03, "{c:?}");
    }
    // Fixing one correlated key is not an error: a warning, and the others keep their draws.
    let fixed = load("correlated-risks.toml", &["macro.revenue_share=0.158"]);
    assert!(
        fixed
            .warnings
            .iter()
            .any(|w| w.contains("macro.revenue_share")),
        "{:?}",
        fixed.warnings
    );
    let mf = ViabilityModel::new(&fixed);
    let ra = engine::run(&m, &options(2000, true)).unwrap();
    let rb = engine::run(&mf, &options(2000, true)).unwrap();
    let col = |m: &ViabilityModel, r: &engine::Results, k: &str| {
        let i = m.schema().inputs.iter().position(|x| x == k).unwrap();
        r.inputs.as_ref().unwrap()[i].clone()
    };
    assert_eq!(
        col(&m, &ra, "power.grid_availability"),
        col(&mf, &rb, "power.grid_availability")
    );
}

#[test]
fn sobol_refuses_correlations_and_rank_warns() {
    let tmp = tempfile::tempdir().unwrap();
    // `defsim sensitivity` of the correlated scenario with `extra` options into `out`.
    let sensitivity = |extra: [&str; 2], out: &str| {
        Command::cargo_bin("defsim")
            .unwrap()
            .current_dir(root())
            .args(["sensitivity", "scenarios/correlated-risks.toml"])
            .args(extra)
            .arg("--out")
            .arg(tmp.path().join(out))
            .output()
            .unwrap()
    };
    let out = sensitivity(["--method", "sobol"], "s");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("independent inputs"), "{err}");
    assert!(!tmp.path().join("s").exists(), "nothing written");
    let out = sensitivity(["--trials", "2000"], "r");
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("warning") && err.contains("PRCC"), "{err}");
    let json = std::fs::read_to_string(tmp.path().join("r/sensitivity.json")).unwrap();
    assert!(json.contains("\"warning\""));
}

#[test]
fn check_reports_added_outcomes_without_failing() {
    let tmp = tempfile::tempdir().unwrap();
    let s = load("baseline.toml", &[]);
    let r = engine::run(&ViabilityModel::new(&s), &options(2000, false)).unwrap();
    let mut old = RunSummary::new(&s, &r);
    let new = old.clone();
    for name in ["independence_enabled", "ammunition.independence"] {
        old.outcomes.shift_remove(name);
    }
    let v = defsim::analysis::check::verdict(&old, &new, 0.001);
    assert!(v.holds, "{v:?}");
    let added: Vec<&str> = v
        .items
        .iter()
        .filter(|c| c.method == defsim::analysis::check::Method::Added)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(added, ["independence_enabled", "ammunition.independence"]);
    // A missing one still fails.
    let v = defsim::analysis::check::verdict(&new, &old, 0.001);
    assert!(!v.holds);
    drop(tmp);
}
