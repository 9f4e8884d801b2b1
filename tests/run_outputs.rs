//! End to end: every shipped scenario runs and its outputs parse; `summary.json` is
//! byte-identical whatever the number of threads; a failed run leaves nothing behind.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use defsim::analysis::run::RunSummary;

fn scenarios() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
    files.sort();
    files
}

fn defsim() -> Command {
    Command::cargo_bin("defsim").unwrap()
}

fn run(scenario: &Path, out: &Path, extra: &[&str]) {
    defsim()
        .arg("run")
        .arg(scenario)
        .args(["--trials", "3000", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

#[test]
fn every_shipped_scenario_runs_and_its_outputs_parse() {
    let files = scenarios();
    assert!(files.len() >= 7, "baseline and six variants are shipped");
    let dir = tempfile::tempdir().unwrap();
    for scenario in files {
        let out = dir.path().join(scenario.file_stem().unwrap());
        run(&scenario, &out, &["--trials-csv"]);
        let summary: RunSummary =
            serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        assert_eq!(summary.trials, 3000);
        assert_eq!(
            summary.scenario.file,
            scenario.file_name().unwrap().to_str().unwrap()
        );
        for name in [
            "independence",
            "unit_cost_ratio",
            "peak_fiscal_burden",
            "viable",
            "breakeven_year",
        ] {
            let s = &summary.outcomes[name];
            if name != "breakeven_year" {
                assert_eq!(s.n, 3000, "{name}");
                assert!(s.mean.unwrap().is_finite(), "{name}");
            }
        }
        let p = &summary.probabilities["viable"];
        assert!(p.ci95[0] <= p.p && p.p <= p.ci95[1]);
        assert!(
            summary
                .parameters
                .iter()
                .any(|p| p.key == "macro.trend_growth" && !p.source.is_empty())
        );

        let rows = |file: &str| {
            let mut r = csv::Reader::from_path(out.join(file)).unwrap();
            let header = r.headers().unwrap().clone();
            let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
            (header, rows)
        };
        let (header, rows_summary) = rows("summary.csv");
        assert_eq!(&header[0], "outcome");
        assert_eq!(rows_summary.len(), summary.outcomes.len());
        let (header, rows_ts) = rows("timeseries.csv");
        assert_eq!(
            header.iter().collect::<Vec<_>>(),
            ["year", "metric", "mean", "p05", "p25", "p50", "p75", "p95"]
        );
        assert_eq!(rows_ts.len(), summary.timeseries.len() * 11);
        let (header, rows_trials) = rows("trials.csv");
        assert_eq!(rows_trials.len(), 3000);
        assert!(header.iter().any(|h| h == "macro.trend_growth"));
        assert!(header.iter().any(|h| h == "independence"));
        let info: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
        assert!(info["wall_seconds"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn summary_json_is_byte_identical_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    // 20,000 trials span five engine blocks and two blocks of trials.csv rows, so the
    // merges across blocks are exercised.
    let mut bytes = Vec::new();
    for threads in ["1", "2", "2"] {
        let out = dir.path().join(format!("t{threads}-{}", bytes.len()));
        defsim()
            .arg("run")
            .arg(&baseline)
            .args([
                "--trials",
                "20000",
                "--trials-csv",
                "--no-plots",
                "--threads",
                threads,
                "--out",
            ])
            .arg(&out)
            .assert()
            .success();
        let read = |f: &str| fs::read(out.join(f)).unwrap();
        bytes.push((read("summary.json"), read("trials.csv")));
    }
    assert!(bytes[0] == bytes[1], "1 and 2 threads");
    assert!(bytes[1] == bytes[2], "run to run");
    assert_eq!(
        bytes[0].1.iter().filter(|b| **b == b'\n').count(),
        20_001,
        "header and one row per trial"
    );
}

#[test]
fn a_run_replaces_earlier_results_whole_and_bad_input_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let out = dir.path().join("out");
    run(&baseline, &out, &["--trials-csv"]);
    assert!(out.join("trials.csv").exists());
    let good = fs::read(out.join("summary.json")).unwrap();
    // A bad override fails before anything is written: the earlier results stay.
    defsim()
        .arg("run")
        .arg(&baseline)
        .args(["--set", "plan.oversight=2", "--out"])
        .arg(&out)
        .assert()
        .code(2);
    assert_eq!(fs::read(out.join("summary.json")).unwrap(), good);
    // A new run replaces the folder whole: no stale trials.csv from the earlier run.
    run(&baseline, &out, &["--seed", "5"]);
    assert!(!out.join("trials.csv").exists());
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary folders left"
    );
}

#[test]
fn validate_print_shows_every_parameter_with_its_source() {
    let baseline = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let out = defsim()
        .arg("validate")
        .arg(&baseline)
        .arg("--print")
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for key in defsim::model::binding::numeric_key_paths() {
        let leaf = key.rsplit('.').next().unwrap();
        assert!(text.contains(leaf), "{key} missing from --print");
    }
    assert!(text.contains("IMF"), "sources are printed");
}

#[test]
fn impossible_trial_counts_exit_2_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let baseline = baseline.to_str().unwrap();
    // `run` streams any positive count; verbs that keep every trial have a limit.
    for (args, says) in [
        (vec!["run", baseline, "--trials", "0"], "at least 1"),
        (
            vec![
                "discover",
                baseline,
                "--where",
                "viable == 1",
                "--trials",
                "100000000000",
            ],
            "more than this verb keeps in memory",
        ),
        (
            vec!["sensitivity", baseline, "--trials", "100000000000"],
            "more than this verb keeps in memory",
        ),
    ] {
        let out = dir.path().join("out");
        let assert = defsim().args(&args).arg("--out").arg(&out).assert().code(2);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(stderr.contains(says), "{stderr}");
        assert!(!out.exists());
    }
}
