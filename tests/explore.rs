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
        "plots/heatmap.svg",
        "plots/heatmap.png",
        "plots/cdf_program_cost_musd.svg",
        "plots/cdf_independence.png",
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
    // The heat map crosses the two strongest levers; each cell is the mean P of its policies.
    let strongest: Vec<usize> = j["strongest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    let tw = &j["two_way"];
    assert_eq!(tw["levers"], serde_json::json!(strongest));
    let keys: Vec<&str> = strongest
        .iter()
        .map(|&k| j["levers"][k]["key"].as_str().unwrap())
        .collect();
    let levels = |k: usize| -> Vec<String> {
        j["levers"][strongest[k]]["levels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    for (a, la) in levels(0).iter().enumerate() {
        for (b, lb) in levels(1).iter().enumerate() {
            let ps: Vec<f64> = (0..72)
                .filter(|&i| {
                    policies[i]["values"][keys[0]] == la.as_str()
                        && policies[i]["values"][keys[1]] == lb.as_str()
                })
                .map(p)
                .collect();
            let mean = ps.iter().sum::<f64>() / ps.len() as f64;
            let cell = tw["means"][a][b].as_f64().unwrap();
            assert!((cell - mean).abs() < 1e-12, "{la}, {lb}: {cell} vs {mean}");
        }
    }
    // The recommended policy: the cheapest reaching the target, else the highest P.
    let best = j["recommended"].as_u64().unwrap() as usize;
    match j["target"]["cheapest"]["policy"].as_u64() {
        Some(c) => assert_eq!(best, c as usize),
        None => assert!((0..72).all(|i| p(i) <= p(best))),
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
        keep_inputs: defsim::engine::KeepInputs::None,
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

/// The draws made once per trial and shared by the policies give, bit for bit, the
/// outcomes of running each policy alone with the same seed: with levers that fix a
/// number, change an uncertain parameter's law, switch a line off, delay the start, follow
/// a path, and with a copula (a correlated key fixed, another's law changed).
#[test]
fn shared_draws_equal_each_policy_run_alone() {
    let keep = [
        "viable",
        "program_cost_musd",
        "independence",
        "peak_fiscal_burden",
        "years_sanctioned",
    ];
    for (file, sets) in [
        (
            "scenarios/baseline.toml",
            vec![
                vec![],
                vec!["plan.oversight=1"],
                vec!["macro.trend_growth.mean=0.03"],
                vec!["macro.trend_growth=0.05", "lines.vehicles.enabled=false"],
                vec!["plan.start_offset=2", "plan.captive_power_share=1"],
                vec!["plan.max_budget_share={ path = [0.01, 0.02, 0.03], from = 2025 }"],
            ],
        ),
        (
            "scenarios/correlated-risks.toml",
            vec![
                vec![],
                vec!["power.grid_availability=0.6"],
                vec!["macro.trend_growth.mean=0.02"],
            ],
        ),
    ] {
        let path = root().join(file);
        let scenarios: Vec<_> = sets
            .iter()
            .map(|s| {
                let s: Vec<String> = s.iter().map(|x| x.to_string()).collect();
                defsim::model::load(&path, &s).unwrap()
            })
            .collect();
        let opts = RunOptions {
            seed: 11,
            trials: 5000,
            threads: 2,
            keep_inputs: defsim::engine::KeepInputs::None,
            progress: false,
        };
        let shared =
            defsim::app::simulate_columns(&scenarios, &opts, &keep, &ProgressBar::hidden())
                .unwrap();
        for (p, s) in scenarios.iter().enumerate() {
            let model = defsim::model::ViabilityModel::new(s);
            let alone = defsim::engine::run(&model, &opts).unwrap();
            for (k, name) in keep.iter().enumerate() {
                let i = alone
                    .schema
                    .outcomes
                    .iter()
                    .position(|o| o.name == *name)
                    .unwrap();
                let same = alone.outcomes[i]
                    .iter()
                    .zip(&shared[p][k])
                    .all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(same, "{file} policy {p} ({:?}): {name} differs", sets[p]);
            }
        }
    }
}

/// `trace EXPERIMENT --policy I --trial K` replays trial K under policy I with the
/// experiment's seed: its outcomes are the ones `explore` simulated for that policy.
#[test]
fn trace_replays_one_trial_under_one_policy() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("t.csv");
    let o = defsim(
        tmp.path(),
        &[
            "trace",
            "experiments/levers.toml",
            "--policy",
            "41",
            "--trial",
            "4100",
            "--csv",
            csv.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("policy 41 of experiment levers: plan.captive_power_share = 0.5"),
        "{stdout}"
    );
    let text = fs::read_to_string(&csv).unwrap();
    let traced = |name: &str| -> f64 {
        let prefix = format!("outcome,{name},,");
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("{name} in the trace"))
            .parse()
            .unwrap()
    };
    let exp = defsim::experiment::load(&root().join("experiments/levers.toml"), false).unwrap();
    let mut scenarios = vec![exp.scenario.clone()];
    for p in &exp.policies {
        scenarios.push(defsim::model::load(&exp.scenario_file, &p.overrides(&exp.levers)).unwrap());
    }
    let opts = RunOptions {
        seed: exp.seed,
        trials: 4101,
        threads: 2,
        keep_inputs: defsim::engine::KeepInputs::None,
        progress: false,
    };
    let names = ["program_cost_musd", "independence", "peak_fiscal_burden"];
    let cols =
        defsim::app::simulate_columns(&scenarios, &opts, &names, &ProgressBar::hidden()).unwrap();
    for (k, name) in names.iter().enumerate() {
        // Policy 41 is member 42 (the scenario as written comes first).
        assert_eq!(traced(name), cols[42][k][4100], "{name}");
    }
    // --policy needs an experiment file, and a policy that exists.
    let o = defsim(
        tmp.path(),
        &[
            "trace",
            "scenarios/baseline.toml",
            "--policy",
            "1",
            "--trial",
            "0",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let o = defsim(
        tmp.path(),
        &[
            "trace",
            "experiments/levers.toml",
            "--policy",
            "72",
            "--trial",
            "0",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("has 72 policies (0 to 71)"));
    let o = defsim(
        tmp.path(),
        &["trace", "experiments/levers.toml", "--trial", "0"],
    );
    assert_eq!(o.status.code(), Some(2));
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
