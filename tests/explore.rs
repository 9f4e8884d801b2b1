//! `defsim explore` end to end: the shipped experiment's outputs, common random numbers
//! between policies, bad experiment files (exit 2, nothing written), and `validate`.

mod common;

use std::fs;
use std::path::Path;

use defsim::engine::RunOptions;
use indicatif::ProgressBar;

use common::{defsim_in as defsim, read_json};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_shipped_experiment_writes_every_output_and_answers_from_its_json() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("exp");
    let o = defsim(
        tmp.path(),
        &[
            "explore",
            "experiments/levers.toml",
            "--trials",
            "400",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "explore.json",
        "policies.csv",
        "explore.html",
        "plots/pareto.svg",
        "plots/pareto.png",
        "plots/main_effects.svg",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let j = read_json(&out.join("explore.json"));
    let policies = j["policies"].as_array().unwrap();
    assert_eq!(policies.len(), 72);
    // Odometer order: the last lever (start offset) changes fastest.
    assert_eq!(policies[0]["values"]["plan.start_offset"], "0");
    assert_eq!(policies[1]["values"]["plan.start_offset"], "2");
    assert_eq!(policies[24]["values"]["plan.captive_power_share"], "0.5");
    // policies.csv: a header, then one row per policy, lever columns first.
    let csv = fs::read_to_string(out.join("policies.csv")).unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with(
        "policy,plan.captive_power_share,plan.oversight,plan.capex_scale,\
         lines.vehicles.enabled,plan.start_offset,p_viable,"
    ));
    assert_eq!(lines.count(), 72);
    // The front: sorted by cost, and no policy dominates a front policy.
    let p = |i: usize| policies[i]["p"]["p"].as_f64().unwrap();
    let cost = |i: usize| policies[i]["outcomes"][0]["mean"].as_f64().unwrap();
    let front: Vec<usize> = j["front"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    assert!(!front.is_empty());
    for w in front.windows(2) {
        assert!(cost(w[0]) <= cost(w[1]));
    }
    for &f in &front {
        for i in 0..72 {
            assert!(!(p(i) >= p(f) && cost(i) <= cost(f) && (p(i) > p(f) || cost(i) < cost(f))));
        }
    }
    // The first sentence counts the policies reaching the target, as the JSON has them.
    let answer = j["answer"].as_array().unwrap();
    let reaching = (0..72).filter(|&i| p(i) >= 0.5).count();
    assert!(
        answer[0]
            .as_str()
            .unwrap()
            .starts_with(&format!("{reaching} of 72 policies reach P(viable) >= 50%")),
        "{}",
        answer[0]
    );
    // ... and the page opens with that answer.
    let html = fs::read_to_string(out.join("explore.html")).unwrap();
    let first = html.find("<p class=\"answer\">").unwrap();
    assert!(first < html.find("<h2>").unwrap());
}

/// Two policies that differ only in a lever that does not touch an outcome have identical
/// values of that outcome, trial by trial (common random numbers).
#[test]
fn policies_share_their_futures_trial_by_trial() {
    let base = root().join("scenarios/baseline.toml");
    let load = |sets: &[&str]| {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        defsim::model::load(&base, &sets).unwrap()
    };
    let scenarios = vec![
        load(&["plan.oversight=0"]),
        load(&["plan.oversight=1"]),
        // A lever that changes a distribution redraws that parameter from its own stream.
        load(&["macro.trend_growth.mean=0.03"]),
        load(&["lines.vehicles.enabled=false"]),
    ];
    let opts = RunOptions {
        seed: 7,
        trials: 3000,
        threads: 2,
        keep_inputs: false,
        progress: false,
    };
    let cols = defsim::app::simulate_columns(
        &scenarios,
        &opts,
        &["years_sanctioned", "program_cost_musd"],
        &ProgressBar::hidden(),
    )
    .unwrap();
    for k in 1..scenarios.len() {
        assert_eq!(cols[0][0], cols[k][0], "sanctions are the same futures");
    }
    assert_ne!(
        cols[0][1], cols[1][1],
        "oversight changes the program's cost"
    );
}

#[test]
fn a_bad_experiment_exits_2_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("bad.toml");
    fs::write(
        &exp,
        format!(
            "[experiment]\nname = \"bad\"\nscenario = \"{}\"\n\n[levers]\n\"plan.oversight\" = [0.0, 2.0]\n",
            root().join("scenarios/baseline.toml").display()
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = defsim(
        tmp.path(),
        &[
            "explore",
            exp.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.toml:6: levers.\"plan.oversight\"[1]"),
        "{err}"
    );
    assert!(!out.exists());
    let o = defsim(tmp.path(), &["validate", exp.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let o = defsim(tmp.path(), &["validate", "experiments/levers.toml"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("72 policies"));
}
