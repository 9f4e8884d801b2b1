//! Analytic checks of the whole model with its uncertainty switched off or made tractable,
//! and common random numbers across scenarios.

use std::path::Path;

use defsim::engine::{self, Model, RunOptions};
use defsim::model::{self, ViabilityModel};
use defsim::scenario::Scenario;

fn load(file: &str, sets: &[&str]) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(file);
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    model::load(&path, &sets).unwrap()
}

fn options(trials: u64, seed: u64) -> RunOptions {
    RunOptions {
        seed,
        trials,
        threads: 0,
        keep_inputs: defsim::engine::KeepInputs::None,
        progress: false,
    }
}

/// With no sanctions, no conflict, persistence 0, a fixed trend g and shock sd s, growth is
/// i.i.d. 1 + g + s*eps each year, so E[Y_H] = gdp0 (1 + g)^H exactly (the -90% floor is 47
/// sd away). The tolerance is 4 standard errors of the simulated mean.
#[test]
fn mean_final_gdp_compounds_the_trend_within_monte_carlo_error() {
    let s = load(
        "baseline.toml",
        &[
            "sanctions.initial=0",
            "sanctions.onset_prob=0",
            "conflict.volatility=0",
            "macro.persistence=0",
            "macro.trend_growth=0.05",
            "macro.volatility=0.02",
        ],
    );
    let results = engine::run(&ViabilityModel::new(&s), &options(100_000, 11)).unwrap();
    let gdp = results.outcome("gdp_final_musd").unwrap();
    let n = gdp.len() as f64;
    let mean = gdp.iter().sum::<f64>() / n;
    let sd = (gdp.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let expected = 20_000.0 * 1.05f64.powi(11);
    assert!(
        (mean - expected).abs() < 4.0 * sd / n.sqrt(),
        "mean {mean} vs {expected} (se {})",
        sd / n.sqrt()
    );
    // The variance is known too: E[Y^2] = gdp0^2 ((1+g)^2 + s^2)^H.
    let expected_sd = 20_000.0 * ((1.05f64.powi(2) + 0.0004).powi(11) - 1.05f64.powi(22)).sqrt();
    assert!(
        (sd / expected_sd - 1.0).abs() < 0.02,
        "sd {sd} vs {expected_sd}"
    );
    assert!(
        results
            .outcome("years_sanctioned")
            .unwrap()
            .iter()
            .all(|y| *y == 0.0)
    );
}

/// With every line but one disabled and no uncertainty in that line's way, nothing else is
/// produced and the disabled lines' demand is imported.
#[test]
fn disabled_lines_produce_nothing() {
    let s = load("ammunition-only.toml", &[]);
    let results = engine::run(&ViabilityModel::new(&s), &options(2_000, 3)).unwrap();
    for line in ["small_arms", "vehicles"] {
        let output = results.series(&format!("{line}.output")).unwrap();
        assert!(
            output.iter().all(|y| y.sketch.max() == Some(0.0)),
            "{line} produced"
        );
    }
    let ammo = results.series("ammunition.output").unwrap();
    assert!(ammo.last().unwrap().mean.mean().unwrap() > 0.0);
}

/// Two scenarios that differ only in a plan lever share their sanctions, support, conflict and
/// GDP paths trial by trial (common random numbers).
#[test]
fn a_plan_lever_does_not_reshuffle_the_shared_paths() {
    let a = ViabilityModel::new(&load("baseline.toml", &[]));
    let b = ViabilityModel::new(&load(
        "baseline.toml",
        &["plan.oversight=0.8", "plan.capex_scale=1.5"],
    ));
    let mut changed = 0;
    for trial in [0, 1, 17, 4095, 4096, 99_999] {
        let path = |m: &ViabilityModel| {
            let mut years = Vec::new();
            let (inputs, outcomes) = engine::replay(m, 20250117, trial, |w, _, _| {
                let r = &w.record;
                years.push((r.sanctioned, r.support, r.conflict, r.gdp, r.gold, r.grid));
            });
            (years, inputs, outcomes)
        };
        let (ya, ia, oa) = path(&a);
        let (yb, ib, ob) = path(&b);
        assert_eq!(ya, yb, "trial {trial}");
        assert_eq!(ia, ib, "the same parameters are drawn");
        changed += usize::from(oa != ob);
    }
    assert!(changed > 0, "the lever changes outcomes");
    assert_eq!(a.schema().streams, b.schema().streams);
}

/// The sanctions chain's long-run share matches its stationary probability
/// onset / (onset + lift) within binomial error, with fixed transition probabilities.
#[test]
fn the_sanctions_chain_reaches_its_stationary_share() {
    let s = load(
        "baseline.toml",
        &[
            "sanctions.onset_prob=0.2",
            "sanctions.lift_prob=0.6",
            "sanctions.initial=0",
        ],
    );
    let results = engine::run(&ViabilityModel::new(&s), &options(50_000, 9)).unwrap();
    let last = results.series("sanctioned").unwrap().last().unwrap();
    let share = last.mean.mean().unwrap();
    // After 10 transitions the chain is within (1 - 0.2 - 0.6)^10 = 1e-7 of stationarity.
    let p = 0.2 / 0.8;
    let se = (p * (1.0 - p) / 50_000.0f64).sqrt();
    assert!((share - p).abs() < 4.0 * se, "{share} vs {p}");
}

/// `engine::simulate_only` (the bench's simulation without statistics) steps every trial as
/// a run does: its sum equals the sum of every trial replayed (`engine::replay`: inputs,
/// yearly series and present outcomes), within rounding (the additions are grouped
/// differently), and another seed gives another sum.
#[test]
fn simulate_only_steps_every_trial_as_a_run_does() {
    let model = ViabilityModel::new(&load("baseline.toml", &[]));
    let opts = RunOptions {
        threads: 2,
        ..options(50, 7)
    };
    let walked = engine::simulate_only(&model, &opts);
    let replayed: f64 = (0..50)
        .map(|trial| {
            let mut years = 0.0;
            let (inputs, outcomes) = engine::replay(&model, 7, trial, |_, _, series| {
                years += series.iter().sum::<f64>();
            });
            let present: f64 = outcomes.iter().filter(|v| !v.is_nan()).sum();
            inputs.iter().sum::<f64>() + years + present
        })
        .sum();
    assert!(
        (walked - replayed).abs() <= 1e-9 * replayed.abs(),
        "{walked} against {replayed}"
    );
    assert_ne!(walked, engine::simulate_only(&model, &options(50, 8)));
}
