//! `defsim sensitivity`, `defsim discover` and `run --design lhs` driven end to end.

mod common;

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use common::{defsim, scenario};

/// `defsim run` of the baseline with 5,000 trials and `seed`; the caller adds the rest.
fn run_baseline(seed: &str) -> Command {
    let mut c = defsim();
    c.args([
        "run",
        &scenario("baseline.toml"),
        "--trials",
        "5000",
        "--seed",
        seed,
    ]);
    c
}

fn sensitivity(out: &Path, threads: &str, extra: &[&str]) {
    // The Sobol design sets its own run count (--samples); --trials is for the rank method.
    let trials: &[&str] = if extra.contains(&"sobol") {
        &[]
    } else {
        &["--trials", "4000"]
    };
    defsim()
        .args(["sensitivity", &scenario("baseline.toml")])
        .args(trials)
        .args(["--seed", "7", "--threads", threads, "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

#[test]
fn baseline_tornado_is_byte_identical_across_runs_and_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    sensitivity(
        &a,
        "1",
        &["--outcome", "independence", "--outcome", "viable"],
    );
    sensitivity(
        &b,
        "2",
        &["--outcome", "independence", "--outcome", "viable"],
    );
    for f in [
        "tornado-independence.png",
        "tornado-independence.svg",
        "tornado-viable.png",
        "sensitivity.json",
        "sensitivity.csv",
        "sensitivity.html",
    ] {
        let (x, y) = (fs::read(a.join(f)).unwrap(), fs::read(b.join(f)).unwrap());
        assert!(!x.is_empty() && x == y, "{f} differs");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(a.join("sensitivity.json")).unwrap()).unwrap();
    let effects = json["outcomes"]["independence"]["effects"]
        .as_array()
        .unwrap();
    let prcc: Vec<f64> = effects
        .iter()
        .map(|e| e["prcc"].as_f64().unwrap())
        .collect();
    assert!(
        prcc.windows(2).all(|w| w[0].abs() >= w[1].abs()),
        "sorted by |PRCC|"
    );
    // Grid availability drives independence in the baseline (docs/model.md: power gates output).
    assert_eq!(effects[0]["input"], "power.grid_availability");
}

#[test]
fn sobol_method_writes_indices_and_charts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    sensitivity(
        &out,
        "0",
        &[
            "--method",
            "sobol",
            "--samples",
            "256",
            "--outcome",
            "independence",
        ],
    );
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("sensitivity.json")).unwrap()).unwrap();
    let k = json["inputs"].as_array().unwrap().len() as u64;
    assert_eq!(json["model_runs"].as_u64().unwrap(), 256 * (k + 2));
    assert!(out.join("sobol-independence.png").exists());
    assert!(out.join("sensitivity.html").exists());
}

/// Every `src="..."` and `href="..."` of `dir/sensitivity.html` that names a file (not an
/// anchor), each checked to exist in `dir`; returns them.
fn linked_files_exist(dir: &Path) -> Vec<String> {
    let html = fs::read_to_string(dir.join("sensitivity.html")).unwrap();
    let mut files = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for rest in html.split(attr).skip(1) {
            let link = &rest[..rest.find('"').unwrap()];
            if !link.starts_with('#') && !link.contains("://") {
                assert!(
                    dir.join(link).is_file(),
                    "sensitivity.html links {link}, not written"
                );
                files.push(link.to_string());
            }
        }
    }
    files
}

#[test]
fn dotted_outcome_names_get_one_chart_each() {
    // Per-line outcomes (`ammunition.independence`) have dots: each keeps its own chart, and
    // every image the page links exists (a name cut at its last dot made one line's two
    // charts overwrite each other, and the page linked files that were never written).
    let dir = tempfile::tempdir().unwrap();
    let outcomes = [
        "--outcome",
        "ammunition.independence",
        "--outcome",
        "ammunition.unit_cost_ratio",
    ];
    for (method, prefix) in [("rank", "tornado"), ("sobol", "sobol")] {
        let out = dir.path().join(method);
        let mut extra = vec!["--method", method];
        if method == "sobol" {
            extra.extend(["--samples", "64"]);
        }
        extra.extend(outcomes);
        sensitivity(&out, "2", &extra);
        let linked = linked_files_exist(&out);
        for name in ["ammunition.independence", "ammunition.unit_cost_ratio"] {
            for ext in ["png", "svg"] {
                let f = format!("{prefix}-{name}.{ext}");
                assert!(
                    linked.contains(&f),
                    "{method}: sensitivity.html does not link {f}"
                );
            }
            let svg = fs::read_to_string(out.join(format!("{prefix}-{name}.svg"))).unwrap();
            assert!(
                svg.contains(name),
                "{method}: {prefix}-{name}.svg is not {name}'s chart"
            );
        }
        assert!(
            !out.join(format!("{prefix}-ammunition.png")).exists(),
            "{method}: a chart named after a cut outcome name"
        );
    }
}

/// `defsim ARGS... --out <tmp>/s` exits 2 and writes nothing.
fn assert_bad_input(args: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    defsim().args(args).arg("--out").arg(&out).assert().code(2);
    assert!(!out.exists(), "{args:?} wrote {}", out.display());
}

#[test]
fn sobol_with_trials_is_bad_input() {
    let s = scenario("baseline.toml");
    assert_bad_input(&["sensitivity", &s, "--method", "sobol", "--trials", "100"]);
}

#[test]
fn unknown_outcome_is_bad_input_and_writes_nothing() {
    let s = scenario("baseline.toml");
    assert_bad_input(&["sensitivity", &s, "--outcome", "nope"]);
    assert_bad_input(&["discover", &s, "--where", "viable = 1"]);
}

#[test]
fn discover_from_simulation_and_from_trials_csv_agree() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    run_baseline("3")
        .args(["--trials-csv", "--out"])
        .arg(&run)
        .assert()
        .success();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let base = [
        "discover",
        &scenario("baseline.toml"),
        "--where",
        "viable == 1",
    ];
    defsim()
        .args(base)
        .args(["--trials", "5000", "--seed", "3", "--out"])
        .arg(&a)
        .assert()
        .success();
    defsim()
        .args(base)
        .arg("--from")
        .arg(run.join("trials.csv"))
        .arg("--out")
        .arg(&b)
        .assert()
        .success();
    // trials.csv holds shortest round-trip decimals: the same trials, the same trajectory.
    assert_eq!(
        fs::read(a.join("trajectory.csv")).unwrap(),
        fs::read(b.join("trajectory.csv")).unwrap()
    );
    for f in ["box.csv", "box.png", "trajectory.svg", "discover.json"] {
        assert!(a.join(f).exists(), "{f}");
    }
    defsim()
        .args(base)
        .args(["--trials", "5000", "--seed", "3", "--box", "999", "--out"])
        .arg(dir.path().join("c"))
        .assert()
        .code(2);
}

#[test]
fn run_with_lhs_is_identical_across_threads_and_differs_from_mc() {
    let dir = tempfile::tempdir().unwrap();
    let go = |name: &str, design: &str, threads: &str| {
        let out = dir.path().join(name);
        run_baseline("9")
            .args(["--design", design, "--threads", threads, "--out"])
            .arg(&out)
            .assert()
            .success();
        fs::read(out.join("summary.json")).unwrap()
    };
    let one = go("l1", "lhs", "1");
    assert_eq!(one, go("l2", "lhs", "2"));
    assert_ne!(one, go("m", "mc", "2"));
}
