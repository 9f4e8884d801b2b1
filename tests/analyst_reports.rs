//! The analyst's additions where a reader looks: units in the report's outcome table, lever
//! paths as year-by-year rows (report, `trace`, `validate --print`), and the scenario's own
//! `[criteria]` in `compare`, `sweep --outcome` and `check`. End to end, through the binary.

mod common;

use std::fs;
use std::path::Path;

use common::read_json as json;
use scraper::{Html, Selector};
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `defsim ARGS` in the repository root; returns (exit code, stdout, stderr).
fn defsim(args: &[&str]) -> (Option<i32>, String, String) {
    let out = common::defsim()
        .current_dir(root())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The text of every cell of every row of `<tbody class="CLASS">` in `html`.
fn rows(html: &str, class: &str) -> Vec<Vec<String>> {
    let doc = Html::parse_document(html);
    let body = Selector::parse(&format!("tbody.{class}")).unwrap();
    let tr = Selector::parse("tr").unwrap();
    let td = Selector::parse("td").unwrap();
    doc.select(&body)
        .flat_map(|b| b.select(&tr).collect::<Vec<_>>())
        .map(|r| {
            r.select(&td)
                .map(|c| c.text().collect::<String>().trim().to_string())
                .collect()
        })
        .collect()
}

/// A child of a shipped scenario, written in `dir` as `NAME.toml` with `body` after its
/// `[scenario]` table.
fn child(dir: &Path, name: &str, parent: &str, body: &str) -> String {
    let rest = format!("name = {name:?}\n\n{body}\n");
    common::child_scenario(dir, &format!("{name}.toml"), parent, &rest)
        .display()
        .to_string()
}

fn probability<'a>(rows: &'a [Value], name: &str, scenario: &str) -> Option<&'a Value> {
    rows.iter()
        .find(|r| r["name"] == name && r["scenario"] == scenario)
}

/// The p and interval of a probability object, checked to be an interval around p.
fn wilson(p: &Value) -> (f64, f64, f64) {
    let (v, lo, hi) = (
        p["p"].as_f64().unwrap(),
        p["ci95"][0].as_f64().unwrap(),
        p["ci95"][1].as_f64().unwrap(),
    );
    assert!(0.0 <= lo && lo <= v && v <= hi && hi <= 1.0, "{p}");
    (v, lo, hi)
}

#[test]
fn the_report_shows_every_outcomes_unit_from_the_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let (code, _, err) = defsim(&[
        "run",
        "scenarios/ammunition-focus.toml",
        "--trials",
        "800",
        "--no-plots",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let scenario =
        defsim::model::load(&root().join("scenarios/ammunition-focus.toml"), &[]).unwrap();
    let schema =
        defsim::engine::Model::schema(&defsim::model::ViabilityModel::new(&scenario)).clone();
    let table = rows(
        &fs::read_to_string(out.join("report.html")).unwrap(),
        "outcomes",
    );
    let shown: Vec<(&str, &str)> = table
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    let want: Vec<(&str, &str)> = schema
        .outcomes
        .iter()
        .map(|o| (o.name.as_str(), o.unit.as_str()))
        .collect();
    // Every outcome, in schema order (the scenario's criteria last), with its own unit.
    assert_eq!(shown, want);
    for (name, unit) in &shown {
        assert!(!unit.is_empty(), "{name} has no unit");
    }
    assert!(shown.contains(&("ammo_reliant", "1 = met")), "{shown:?}");
    assert!(shown.contains(&("program_cost_musd", "million 2024 USD")));
    assert!(shown.contains(&("poverty_relief_forgone", "person-years of the poverty gap")));
    assert!(shown.contains(&("breakeven_year", "calendar year")));
}

#[test]
fn a_lever_path_is_a_year_by_year_row_in_the_report_trace_and_validate() {
    let tmp = tempfile::tempdir().unwrap();
    let file = child(
        tmp.path(),
        "timed",
        "baseline.toml",
        "[plan]\noversight = { path = [0, 0.25, 0.5], from = 2026, source = \"test\" }\n\
         captive_power_share = { path = [0, 0, 1], source = \"test\" }\n\
         [sanctions]\npath = [-1, 1, 1]\nfrom = 2027",
    );
    // 2025..2035: oversight takes the first entry before 2026 and the last after 2028.
    let oversight = [
        "0", "0", "0.25", "0.5", "0.5", "0.5", "0.5", "0.5", "0.5", "0.5", "0.5",
    ];
    let captive = ["0", "0", "1", "1", "1", "1", "1", "1", "1", "1", "1"];

    let out = tmp.path().join("r");
    let (code, _, err) = defsim(&[
        "run",
        &file,
        "--trials",
        "500",
        "--no-plots",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Plan levers by year"));
    let levers = rows(&html, "levers");
    let row = |key: &str| {
        levers
            .iter()
            .find(|r| r[0] == key)
            .unwrap_or_else(|| panic!("no row {key} in {levers:?}"))[1..]
            .to_vec()
    };
    assert_eq!(row("plan.oversight"), oversight);
    assert_eq!(row("plan.captive_power_share"), captive);
    assert_eq!(
        levers.len(),
        2,
        "only the levers given as paths: {levers:?}"
    );
    // summary.json carries the same values.
    let summary = json(&out.join("summary.json"));
    let p = summary["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "plan.oversight")
        .unwrap();
    let yearly: Vec<String> = p["yearly"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap().to_string())
        .collect();
    assert_eq!(yearly, oversight);

    // trace: one row per lever and forced path, aligned with the years.
    let (code, stdout, err) = defsim(&["trace", &file, "--trial", "3"]);
    assert_eq!(code, Some(0), "{err}");
    let line = |name: &str| -> Vec<String> {
        let l = stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no row {name}:\n{stdout}"));
        l[name.len()..]
            .split_whitespace()
            .map(String::from)
            .collect()
    };
    assert_eq!(line("year")[0], "2025");
    assert_eq!(line("plan.oversight "), oversight);
    assert_eq!(line("plan.captive_power_share "), captive);
    let mut forced = vec!["free", "free", "free", "1", "1"];
    forced.extend(["free"; 6]);
    assert_eq!(line("sanctions.path (forced)"), forced);

    // validate --print: the path as written and its value in every year.
    let (code, stdout, err) = defsim(&["validate", "--print", &file]);
    assert_eq!(code, Some(0), "{err}");
    let by_year: Vec<String> = (2025..=2035)
        .zip(oversight)
        .map(|(y, v)| format!("{y} {v}"))
        .collect();
    let want = format!(
        "path [0, 0.25, 0.5] from 2026; by year: {}",
        by_year.join(", ")
    );
    assert!(stdout.contains(&want), "{want}\n{stdout}");
}

#[test]
fn compare_reports_each_scenarios_own_criteria_with_wilson_intervals() {
    let tmp = tempfile::tempdir().unwrap();
    // The first has criteria; the second is the same scenario with full oversight (the same
    // criteria: paired differences), the third has none of them.
    let strict = child(
        tmp.path(),
        "focus-oversight",
        "ammunition-focus.toml",
        "[plan]\noversight = 1.0",
    );
    let out = tmp.path().join("c");
    let (code, stdout, err) = defsim(&[
        "compare",
        "scenarios/ammunition-focus.toml",
        &strict,
        "scenarios/ammunition-only.toml",
        "--trials",
        "1500",
        "--no-plots",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let cmp = json(&out.join("compare.json"));
    let probabilities = cmp["probabilities"].as_array().unwrap();
    for name in ["ammo_reliant", "ammo_affordable"] {
        for scenario in ["ammunition-focus", "focus-oversight"] {
            let p = probability(probabilities, name, scenario)
                .unwrap_or_else(|| panic!("{name} of {scenario} missing"));
            wilson(p);
        }
        assert!(probability(probabilities, name, "ammunition-only").is_none());
        assert!(
            stdout.contains(&format!("P({name})")),
            "{name} not printed:\n{stdout}"
        );
    }
    wilson(probability(probabilities, "viable", "ammunition-only").unwrap());
    // The criterion's outcome rows: paired against the first where both have it, no row
    // for the scenario without it.
    let rows_of = |scenario: &str| {
        cmp["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["outcome"] == "ammo_reliant" && r["scenario"] == scenario)
            .cloned()
    };
    let paired = &rows_of("focus-oversight").unwrap()["paired"];
    let (a, b) = (
        probability(probabilities, "ammo_reliant", "ammunition-focus").unwrap()["p"]
            .as_f64()
            .unwrap(),
        probability(probabilities, "ammo_reliant", "focus-oversight").unwrap()["p"]
            .as_f64()
            .unwrap(),
    );
    assert!(
        (paired["diff"].as_f64().unwrap() - (b - a)).abs() < 1e-12,
        "{paired}"
    );
    assert!(rows_of("ammunition-only").is_none());
    // Outcomes all three share are compared for all three.
    assert!(cmp["outcomes"].as_array().unwrap().iter().any(|r| {
        r["outcome"] == "ammunition.independence"
            && r["scenario"] == "ammunition-only"
            && r["paired"].is_object()
    }));
    let html = fs::read_to_string(out.join("compare.html")).unwrap();
    let table = rows(&html, "probabilities");
    assert!(
        table.iter().any(|r| r[0] == "ammo_reliant"
            && r[1] == "focus-oversight"
            && r[2].contains("95% CI")),
        "{table:?}"
    );
}

#[test]
fn sweep_reports_a_criterion_outcome_as_a_probability_with_its_interval() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("s");
    let (code, stdout, err) = defsim(&[
        "sweep",
        "scenarios/ammunition-focus.toml",
        "--param",
        "plan.oversight=0:1:3",
        "--outcome",
        "ammo_reliant",
        "--outcome",
        "ammunition.independence",
        "--trials",
        "1000",
        "--no-plots",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(stdout.contains("P(ammo_reliant) [95% CI]"), "{stdout}");
    assert!(stdout.contains("ammunition.independence p50"), "{stdout}");
    let sweep = json(&out.join("sweep.json"));
    let steps = sweep["steps"].as_array().unwrap();
    let mut csv = csv::Reader::from_path(out.join("sweep.csv")).unwrap();
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
    };
    let (p, lo, hi) = (
        col("p_ammo_reliant"),
        col("p_ammo_reliant_ci_low"),
        col("p_ammo_reliant_ci_high"),
    );
    col("ammunition.independence_p50");
    assert!(!header.contains(&"ammo_reliant_p50".to_string()));
    let records: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(steps.len(), 3, "the sweep's three points");
    assert_eq!(records.len(), steps.len());
    for (step, rec) in steps.iter().zip(&records) {
        let (v, l, h) = wilson(&step["probabilities"]["ammo_reliant"]);
        let num = |i: usize| rec[i].parse::<f64>().unwrap();
        assert_eq!((num(p), num(lo), num(hi)), (v, l, h));
        let printed = format!("{v:.4} [{l:.4}, {h:.4}]");
        assert!(stdout.contains(&printed), "{printed} not in\n{stdout}");
    }
    let html = fs::read_to_string(out.join("sweep.html")).unwrap();
    assert!(html.contains("P(ammo_reliant) [95% CI]"));
}

#[test]
fn check_reports_a_criterion_the_old_baseline_lacks_as_added_without_failing() {
    let tmp = tempfile::tempdir().unwrap();
    let file = child(tmp.path(), "mine", "baseline.toml", "");
    let out = tmp.path().join("old");
    let (code, _, err) = defsim(&[
        "run",
        &file,
        "--trials",
        "1000",
        "--no-plots",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    // The analyst adds a criterion to the scenario; the old baseline has no such outcome.
    let text = fs::read_to_string(&file).unwrap();
    fs::write(
        &file,
        format!("{text}\n[criteria]\ncheap_enough = \"unit_cost_ratio <= 1.2\"\n"),
    )
    .unwrap();
    let baseline = out.join("summary.json");
    let verdict = tmp.path().join("verdict.json");
    let (code, stdout, err) = defsim(&[
        "check",
        &file,
        "--baseline",
        baseline.to_str().unwrap(),
        "--json",
        verdict.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{stdout}\n{err}");
    let added = stdout
        .lines()
        .find(|l| l.contains("added"))
        .unwrap_or_else(|| panic!("no added line:\n{stdout}"));
    assert!(added.contains("cheap_enough"), "{added}");
    assert!(stdout.contains("nothing moved"), "{stdout}");
    let v = json(&verdict);
    assert_eq!(v["holds"], true);
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["name"] == "cheap_enough" && i["method"] == "added"),
        "{v}"
    );
}
