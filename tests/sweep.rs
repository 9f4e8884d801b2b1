//! `defsim sweep` end to end: each step is exactly `defsim run --set KEY=VALUE` with the
//! same seed and trials; bad `--param` or `--outcome` exits 2 with a clear message and
//! writes nothing.

mod common;

use std::fs;
use std::path::Path;

use common::{defsim_in as defsim, read_json, svg_texts};

#[test]
fn each_step_equals_run_with_set_exactly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    let o = defsim(
        root,
        &[
            "sweep",
            "scenarios/baseline.toml",
            "--param",
            "plan.oversight=0:0.5:3",
            "--outcome",
            "independence",
            "--outcome",
            "excess_cost_musd",
            "--trials",
            "2000",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sweep = read_json(&out.join("sweep.json"));
    let steps = sweep["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 3);
    let sets: Vec<&str> = steps.iter().map(|s| s["set"].as_str().unwrap()).collect();
    assert_eq!(
        sets,
        [
            "plan.oversight=0",
            "plan.oversight=0.25",
            "plan.oversight=0.5"
        ]
    );

    for step in steps {
        let set = step["set"].as_str().unwrap();
        let run_out = tmp.path().join(format!("run-{set}"));
        let o = defsim(
            root,
            &[
                "run",
                "scenarios/baseline.toml",
                "--set",
                set,
                "--trials",
                "2000",
                "--no-plots",
                "--out",
                run_out.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let summary = read_json(&run_out.join("summary.json"));
        assert_eq!(step["outcomes"], summary["outcomes"], "outcomes at {set}");
        assert_eq!(
            step["probabilities"], summary["probabilities"],
            "probabilities at {set}"
        );
    }
    // The steps differ: the lever moves the outcome.
    assert_ne!(steps[0]["outcomes"], steps[2]["outcomes"]);

    let csv = fs::read_to_string(out.join("sweep.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.starts_with("plan.oversight,p_viable,p_viable_ci_low,p_viable_ci_high"));
    assert!(header.contains("excess_cost_musd_p95"));
    assert_eq!(csv.lines().count(), 4);
    for stem in [
        "sweep_viable",
        "sweep_independence",
        "sweep_excess_cost_musd",
    ] {
        let svg = fs::read_to_string(out.join("plots").join(format!("{stem}.svg"))).unwrap();
        assert!(
            svg_texts(&svg).iter().any(|t| t == "plan.oversight"),
            "{stem} labels its axis"
        );
        assert!(out.join("plots").join(format!("{stem}.png")).exists());
    }
    let html = fs::read_to_string(out.join("sweep.html")).unwrap();
    let doc = scraper::Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
}

#[test]
fn bad_param_or_outcome_exits_2_with_a_clear_message_and_writes_nothing() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cases: [(&[&str], &str); 8] = [
        (
            &[
                "--param",
                "plan.oversight=0:1:3",
                "--param",
                "plan.oversight=0:1:2",
            ],
            "given twice",
        ),
        (
            &[
                "--param",
                "plan.oversight=0:1:3",
                "--param",
                "plan.capex_scale=0.5:1:2",
                "--param",
                "plan.captive_power_share=0:1:2",
            ],
            "one or two --param",
        ),
        (
            &["--param", "plan.oversight=0:1:1"],
            "STEPS must be a whole number >= 2",
        ),
        (
            &["--param", "plan.oversight=low:1:3"],
            "FROM must be a finite number",
        ),
        (
            &["--param", "plan.oversight=0:high:3"],
            "TO must be a finite number",
        ),
        (&["--param", "plan.oversight=0:1"], "expected three parts"),
        (&["--param", "plan.oversite=0:1:3"], "plan.oversite"),
        (
            &[
                "--param",
                "plan.oversight=0:1:3",
                "--outcome",
                "independance",
            ],
            "--outcome independance: no such outcome",
        ),
    ];
    for (args, says) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let mut all = vec!["sweep", "scenarios/baseline.toml", "--trials", "500"];
        all.extend_from_slice(args);
        all.extend(["--out", out.to_str().unwrap()]);
        let o = defsim(root, &all);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(says),
            "{args:?} should say {says:?}: {stderr}"
        );
        assert!(!out.exists(), "{args:?} wrote output");
    }
}

/// Two keys: every pair of values in odometer order, each exactly `run --set A --set B`;
/// the CSV gains the second key's column, the plots are heat maps of the probabilities over
/// the grid, and the answer names the grid's lowest and highest points as the JSON has them.
#[test]
fn two_keys_sweep_a_grid_drawn_as_heat_maps() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("grid");
    let o = defsim(
        root,
        &[
            "sweep",
            "scenarios/baseline.toml",
            "--param",
            "plan.oversight=0:1:3",
            "--param",
            "plan.capex_scale=0.5:1:2",
            "--trials",
            "1000",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sweep = read_json(&out.join("sweep.json"));
    assert_eq!(sweep["key"], "plan.oversight");
    assert_eq!(sweep["key2"], "plan.capex_scale");
    let steps = sweep["steps"].as_array().unwrap();
    let pairs: Vec<(String, String)> = steps
        .iter()
        .map(|s| {
            (
                s["set"].as_str().unwrap().to_string(),
                s["set2"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(pairs.len(), 6);
    assert_eq!(
        pairs[1],
        (
            "plan.oversight=0".to_string(),
            "plan.capex_scale=1".to_string()
        )
    );
    assert_eq!(
        pairs[4],
        (
            "plan.oversight=1".to_string(),
            "plan.capex_scale=0.5".to_string()
        )
    );
    // One point equals `run` with both overrides.
    let run_out = tmp.path().join("run");
    let o = defsim(
        root,
        &[
            "run",
            "scenarios/baseline.toml",
            "--set",
            "plan.oversight=1",
            "--set",
            "plan.capex_scale=0.5",
            "--trials",
            "1000",
            "--no-plots",
            "--out",
            run_out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = read_json(&run_out.join("summary.json"));
    assert_eq!(steps[4]["probabilities"], summary["probabilities"]);
    assert_eq!(steps[4]["outcomes"], summary["outcomes"]);

    let csv = fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .starts_with("plan.oversight,plan.capex_scale,p_viable,")
    );
    assert_eq!(csv.lines().count(), 7);
    for stem in ["heatmap_viable", "heatmap_meets_min_independence"] {
        let svg = fs::read_to_string(out.join("plots").join(format!("{stem}.svg"))).unwrap();
        let texts = svg_texts(&svg);
        assert!(texts.iter().any(|t| t == "plan.capex_scale"), "{stem}");
        assert!(out.join("plots").join(format!("{stem}.png")).exists());
    }
    // The answer: the lowest and the highest point by P(viable), as sweep.json has them.
    let p = |i: usize| steps[i]["probabilities"]["viable"]["p"].as_f64().unwrap();
    let hi = (0..6).fold(0, |a, b| if p(b) > p(a) { b } else { a });
    let lo = (0..6).fold(0, |a, b| if p(b) < p(a) { b } else { a });
    let at = |i: usize| {
        format!(
            "{} = {}, {} = {}",
            "plan.oversight",
            steps[i]["value"].as_f64().unwrap(),
            "plan.capex_scale",
            steps[i]["value2"].as_f64().unwrap()
        )
    };
    let html = fs::read_to_string(out.join("sweep.html")).unwrap();
    let doc = scraper::Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    let sel = scraper::Selector::parse("p.answer").unwrap();
    let answer: String = doc.select(&sel).next().unwrap().text().collect();
    assert!(
        answer.starts_with(
            "Over the grid of plan.oversight (0 to 1) and plan.capex_scale (0.5 to 1)"
        ),
        "{answer}"
    );
    assert!(
        answer.contains(&format!(" at {} to ", at(lo))),
        "{answer}: {}",
        at(lo)
    );
    assert!(
        answer.contains(&format!(
            "at {} (1,000 simulated futures at each of 6 points)",
            at(hi)
        )),
        "{answer}: {}",
        at(hi)
    );
}
