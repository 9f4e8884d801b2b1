//! `defsim compare` end to end: common random numbers make a scenario's paired difference
//! from itself exactly zero, and make paired intervals narrower than unpaired ones where two
//! scenarios share their randomness (baseline against captive-power).

mod common;

use std::fs;
use std::path::Path;

use scraper::Html;
use serde_json::Value;

use common::{read_json, svg_texts};

/// `defsim compare args` in `cwd`.
fn compare(cwd: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["compare"];
    all.extend_from_slice(args);
    common::defsim_in(cwd, &all)
}

#[test]
fn a_scenario_compared_with_itself_has_exactly_zero_paired_differences() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = compare(
        tmp.path(),
        &[
            "scenarios/baseline.toml",
            "scenarios/baseline.toml",
            "--trials",
            "2000",
            "--no-plots",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let c = read_json(&out.join("compare.json"));
    assert_eq!(c["trials"], 2000);
    let rows = c["outcomes"].as_array().unwrap();
    let mut checked = 0;
    for row in rows {
        if row["paired"].is_null() {
            continue;
        }
        let p = &row["paired"];
        assert_eq!(p["diff"].as_f64(), Some(0.0), "{row}");
        assert_eq!(p["ci95"][0].as_f64(), Some(0.0), "{row}");
        assert_eq!(p["ci95"][1].as_f64(), Some(0.0), "{row}");
        assert_eq!(row["unpaired"]["diff"].as_f64(), Some(0.0), "{row}");
        checked += 1;
    }
    // Every outcome but breakeven_year (absent in every baseline trial) has a paired row.
    assert!(checked >= 16, "{checked} outcomes compared");
    let v = c["viable"].as_array().unwrap();
    assert_eq!(v[0]["p"], v[1]["p"]);
    // The CSV has a row per outcome and scenario.
    let csv = fs::read_to_string(out.join("compare.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + rows.len());
}

#[test]
fn paired_intervals_are_narrower_than_unpaired_ones_for_captive_power() {
    let tmp = tempfile::tempdir().unwrap();
    // Default output folder: output/compare-<names>/ under the working directory.
    let o = compare(
        tmp.path(),
        &[
            "scenarios/baseline.toml",
            "scenarios/captive-power.toml",
            "--trials",
            "4000",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = tmp.path().join("output/compare-baseline-captive-power");
    let c = read_json(&out.join("compare.json"));
    assert_eq!(c["seed"], 20250117, "the first scenario's seed");

    let mut narrower = Vec::new();
    for row in c["outcomes"].as_array().unwrap() {
        let (p, u) = (&row["paired"], &row["unpaired"]);
        if p.is_null() || u.is_null() {
            continue;
        }
        let width = |d: &Value| d["ci95"][1].as_f64().unwrap() - d["ci95"][0].as_f64().unwrap();
        let name = row["outcome"].as_str().unwrap().to_string();
        let (pw, uw) = (width(p), width(u));
        assert!(pw <= uw, "{name}: paired width {pw} > unpaired {uw}");
        // Where the scenarios differ, sharing the randomness must pay.
        if p["diff"].as_f64().unwrap().abs() > 0.0 {
            assert!(
                pw < uw,
                "{name}: paired {pw} not narrower than unpaired {uw}"
            );
            narrower.push(name);
        }
    }
    for name in [
        "independence",
        "unit_cost_ratio",
        "peak_fiscal_burden",
        "viable",
    ] {
        assert!(
            narrower.iter().any(|n| n == name),
            "{name} differs: {narrower:?}"
        );
    }

    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("P(viable) captive-power"), "{stdout}");
    assert!(stdout.contains("paired 95% CI"), "{stdout}");

    // Plots and the report.
    for stem in [
        "cdf_independence",
        "cdf_unit_cost_ratio",
        "fan_independence",
        "fan_fiscal_burden",
    ] {
        let svg = fs::read_to_string(out.join("plots").join(format!("{stem}.svg"))).unwrap();
        let texts = svg_texts(&svg);
        assert!(
            texts.iter().any(|t| t.starts_with("captive-power")),
            "{stem} has a legend entry for captive-power: {texts:?}"
        );
        assert!(out.join("plots").join(format!("{stem}.png")).exists());
    }
    let html = fs::read_to_string(out.join("compare.html")).unwrap();
    let doc = Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    assert!(
        html.contains("plan.captive_power_share"),
        "the differing parameter"
    );
}

#[test]
fn compare_needs_two_scenarios() {
    let tmp = tempfile::tempdir().unwrap();
    let o = compare(tmp.path(), &["scenarios/baseline.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!tmp.path().join("output").exists());
}
