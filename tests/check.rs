//! `defsim check` and `defsim trace` end to end: every shipped scenario reproduces its golden
//! baseline exactly, another seed passes, nudged parameters fail at 100,000 trials, bad input
//! exits 2, `--exact`, `--update` and `--json` do what they say, and a traced trial has the
//! outcomes of its row of trials.csv.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn defsim(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("defsim")
        .expect("the defsim binary is built")
        .current_dir(root())
        .args(args)
        .output()
        .expect("defsim runs")
}

/// `defsim check scenarios/baseline.toml ARGS...`.
fn check_baseline(args: &[&str]) -> std::process::Output {
    let mut all = vec!["check", "scenarios/baseline.toml"];
    all.extend_from_slice(args);
    defsim(&all)
}

fn code(out: &std::process::Output) -> Option<i32> {
    out.status.code()
}

fn text(out: &std::process::Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn golden(stem: &str) -> String {
    format!("tests/golden/{stem}.summary.json")
}

/// Every shipped scenario reproduces its golden `summary.json` byte for byte (up to the
/// recorded version): a refactoring that changes any number fails here.
#[test]
fn every_shipped_scenario_reproduces_its_golden_baseline_exactly() {
    let mut stems: Vec<String> = fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    stems.sort();
    assert!(stems.len() >= 7);
    for stem in stems {
        let scenario = format!("scenarios/{stem}.toml");
        assert!(
            root().join(golden(&stem)).exists(),
            "no golden for {scenario}: create it \
            with `defsim check {scenario} --baseline {} --update --trials 20000`",
            golden(&stem)
        );
        let out = defsim(&["check", &scenario, "--baseline", &golden(&stem), "--exact"]);
        assert_eq!(code(&out), Some(0), "{scenario}\n{}", text(&out));
    }
}

/// `tests/golden/previous-engine/` keeps the baseline's golden as the engine wrote it before
/// its random streams and yearly sketches changed (see CHANGELOG.md): the new engine must
/// agree with it in distribution.
#[test]
fn the_engine_agrees_in_distribution_with_the_goldens_of_the_previous_engine() {
    let old = "tests/golden/previous-engine/baseline.summary.json";
    let out = check_baseline(&["--baseline", old]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
}

#[test]
fn another_seed_passes_at_the_default_alpha() {
    let out = check_baseline(&["--baseline", &golden("baseline"), "--seed", "99"]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok: nothing moved beyond"));
}

/// The outcomes whose comparisons fail in a verdict JSON.
fn failed_outcomes(verdict: &Path) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(verdict).unwrap()).unwrap();
    let mut names: Vec<String> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["holds"] == false)
        .map(|c| {
            format!(
                "{}.{}",
                c["name"].as_str().unwrap(),
                c["stat"].as_str().unwrap()
            )
        })
        .collect();
    names.dedup();
    names
}

#[test]
fn nudged_parameters_fail_at_100000_trials() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("base");
    let out = defsim(&[
        "run",
        "scenarios/baseline.toml",
        "--trials",
        "100000",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let baseline = out_dir.join("summary.json");
    for nudge in [
        "macro.trend_growth.mean=0.055",
        "power.grid_availability.mean=0.47",
    ] {
        let verdict = tmp.path().join("verdict.json");
        let out = check_baseline(&[
            "--baseline",
            baseline.to_str().unwrap(),
            "--set",
            nudge,
            "--json",
            verdict.to_str().unwrap(),
        ]);
        assert_eq!(
            code(&out),
            Some(1),
            "{nudge} should fail the check\n{}",
            text(&out)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("REGRESSION"));
        println!("{nudge}: detected by {:?}", failed_outcomes(&verdict));
    }
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let garbage = tmp.path().join("garbage.json");
    fs::write(&garbage, "{ not json").unwrap();
    let json = tmp.path().join("verdict.json");
    let missing = tmp.path().join("missing.json");
    let g = golden("baseline");
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "scenarios/baseline.toml",
                "--baseline",
                missing.to_str().unwrap(),
            ],
            "missing.json",
        ),
        (
            &[
                "scenarios/baseline.toml",
                "--baseline",
                garbage.to_str().unwrap(),
            ],
            "garbage.json",
        ),
        (
            &["tests/bad_inputs/dist_name_typo.toml", "--baseline", &g],
            "dist_name_typo.toml",
        ),
        (
            &[
                "scenarios/baseline.toml",
                "--baseline",
                &g,
                "--alpha",
                "1.5",
            ],
            "--alpha",
        ),
    ];
    for (args, names) in cases {
        let mut all = vec!["check"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--json", json.to_str().unwrap()]);
        let out = defsim(&all);
        assert_eq!(code(&out), Some(2), "{args:?}\n{}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(names),
            "{}",
            text(&out)
        );
        assert!(!json.exists(), "no verdict written for {args:?}");
    }
}

#[test]
fn exact_update_and_json_do_what_they_say() {
    let tmp = tempfile::tempdir().unwrap();
    let base: PathBuf = tmp.path().join("baseline.summary.json");
    fs::copy(root().join(golden("baseline")), &base).unwrap();
    let b = base.to_str().unwrap();
    let nudge = "macro.trend_growth.mean=0.06";

    // The same build reproduces the golden byte for byte.
    let out = check_baseline(&["--baseline", b, "--exact"]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    // A version change alone is not a difference.
    let golden_text = fs::read_to_string(&base).unwrap();
    let old_version = golden_text.replacen(
        &format!("\"defsim_version\": \"{}\"", env!("CARGO_PKG_VERSION")),
        "\"defsim_version\": \"0.0.0-old\"",
        1,
    );
    assert_ne!(old_version, golden_text);
    fs::write(&base, &old_version).unwrap();
    let out = check_baseline(&["--baseline", b, "--exact"]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    // A nudge is a difference, and the JSON verdict says where.
    let json = tmp.path().join("exact.json");
    let out = check_baseline(&[
        "--baseline",
        b,
        "--exact",
        "--set",
        nudge,
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["holds"], false);
    assert!(v["differing_lines"].as_u64().unwrap() > 0);

    // --update accepts the nudged model: the baseline is rewritten, then the check holds.
    let out = check_baseline(&["--baseline", b, "--set", nudge, "--update"]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("MOVED") && stdout.contains("updated"),
        "{stdout}"
    );
    assert_ne!(fs::read_to_string(&base).unwrap(), old_version);
    let leftovers = fs::read_dir(tmp.path()).unwrap().count();
    assert_eq!(leftovers, 2, "no temporary file left beside the baseline");
    let json = tmp.path().join("stat.json");
    let out = check_baseline(&[
        "--baseline",
        b,
        "--set",
        nudge,
        "--exact",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let out = check_baseline(&["--baseline", b, "--json", json.to_str().unwrap()]);
    assert_eq!(
        code(&out),
        Some(1),
        "the un-nudged model now regresses\n{}",
        text(&out)
    );
    let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["holds"], false);
    assert_eq!(v["correction"], "bonferroni");
    assert!(v["failures"].as_u64().unwrap() >= 1);
}

/// The outcomes of `defsim trace`'s stdout, by name (absent as None).
fn traced_outcomes(stdout: &str) -> Vec<(String, Option<f64>)> {
    stdout
        .lines()
        .skip_while(|l| *l != "outcomes:")
        .skip(1)
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim().to_string(), v.trim().parse().ok()))
        .collect()
}

#[test]
fn a_traced_trial_has_the_outcomes_of_its_row_in_trials_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("run");
    let seed = "4242";
    let out = defsim(&[
        "run",
        "scenarios/sanctions-return.toml",
        "--trials",
        "300",
        "--seed",
        seed,
        "--trials-csv",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let mut reader = csv::Reader::from_path(out_dir.join("trials.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out_dir.join("summary.json")).unwrap()).unwrap();
    // A few trials, and the extreme cases summary.json points at.
    let mut trials = vec![0, 1, 157, 299];
    for key in ["min_trial", "max_trial", "median_trial"] {
        trials.push(summary["extremes"]["independence"][key].as_u64().unwrap() as usize);
    }
    let indep = header.iter().position(|h| h == "independence").unwrap();
    let values: Vec<f64> = rows.iter().map(|r| r[indep].parse().unwrap()).collect();
    let e = &summary["extremes"]["independence"];
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(values[e["min_trial"].as_u64().unwrap() as usize], min);
    assert_eq!(values[e["max_trial"].as_u64().unwrap() as usize], max);
    assert_eq!(
        values.iter().position(|v| *v == min),
        e["min_trial"].as_u64().map(|x| x as usize)
    );

    for k in trials {
        let csv_file = tmp.path().join(format!("trace-{k}.csv"));
        let out = defsim(&[
            "trace",
            "scenarios/sanctions-return.toml",
            "--trial",
            &k.to_string(),
            "--seed",
            seed,
            "--csv",
            csv_file.to_str().unwrap(),
        ]);
        assert_eq!(code(&out), Some(0), "{}", text(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let traced = traced_outcomes(&stdout);
        assert_eq!(traced.len(), 17, "{stdout}");
        for (name, value) in &traced {
            let column = header.iter().position(|h| h == name).unwrap();
            let cell = &rows[k][column];
            let expected: Option<f64> = cell.parse().ok();
            assert_eq!(
                *value, expected,
                "trial {k}, {name}: trace {value:?}, trials.csv {cell:?}"
            );
        }
        // The CSV carries the same outcomes and every year.
        let mut r = csv::Reader::from_path(&csv_file).unwrap();
        let records: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
        for (name, value) in &traced {
            let row = records
                .iter()
                .find(|r| &r[0] == "outcome" && &r[1] == name)
                .unwrap();
            assert_eq!(row[3].parse::<f64>().ok(), *value);
        }
        let years: std::collections::BTreeSet<&str> = records
            .iter()
            .filter(|r| &r[0] == "year")
            .map(|r| &r[2])
            .collect();
        assert_eq!(years.len(), 11);
        for part in [
            "drawn parameters:",
            "sanctioned",
            "budget_musd",
            "ammunition.capacity",
        ] {
            assert!(stdout.contains(part), "trace shows {part}");
        }
    }
}

#[test]
fn check_out_writes_the_rerun_like_run_does() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("rerun");
    let out_arg = out.to_str().unwrap().to_string();
    let golden_path = root().join(golden("captive-power"));
    let g = golden_path.to_str().unwrap().to_string();
    let result = defsim(&[
        "check",
        "scenarios/captive-power.toml",
        "--baseline",
        &g,
        "--out",
        &out_arg,
    ]);
    assert_eq!(code(&result), Some(0), "{}", text(&result));
    // The re-run used the golden's seed and trials: its summary.json is the golden's bytes.
    assert_eq!(
        fs::read(out.join("summary.json")).unwrap(),
        fs::read(&golden_path).unwrap()
    );
    assert!(out.join("summary.csv").exists() && out.join("timeseries.csv").exists());
}

#[test]
fn a_latin_hypercube_baseline_is_rechecked_with_its_own_design() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("lhs");
    let o = out.to_str().unwrap().to_string();
    let run = defsim(&[
        "run",
        "scenarios/baseline.toml",
        "--design",
        "lhs",
        "--trials",
        "3000",
        "--no-plots",
        "--out",
        &o,
    ]);
    assert_eq!(code(&run), Some(0), "{}", text(&run));
    let summary = out.join("summary.json");
    let text_json = fs::read_to_string(&summary).unwrap();
    assert!(text_json.contains("\"design\": \"lhs\""));
    let s = summary.to_str().unwrap().to_string();
    let exact = check_baseline(&["--baseline", &s, "--exact"]);
    assert_eq!(code(&exact), Some(0), "{}", text(&exact));
}
