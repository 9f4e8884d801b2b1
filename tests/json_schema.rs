//! `defsim schema`: the JSON Schema of scenario files accepts every shipped scenario and
//! rejects a file with a typo (validated with the `jsonschema` crate, no network).

use std::path::Path;

use assert_cmd::Command;

fn schema() -> serde_json::Value {
    let out = Command::cargo_bin("defsim")
        .unwrap()
        .args(["schema", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    serde_json::from_slice(&out.stdout).expect("defsim schema prints JSON")
}

fn as_json(toml_text: &str) -> serde_json::Value {
    let table: toml::Table = toml::from_str(toml_text).unwrap();
    serde_json::to_value(table).unwrap()
}

#[test]
fn every_shipped_scenario_meets_the_schema_and_a_typo_does_not() {
    let schema = schema();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for entry in std::fs::read_dir(root.join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let doc = as_json(&std::fs::read_to_string(&path).unwrap());
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        n += 1;
    }
    assert!(n >= 12, "{n} scenarios");
    for bad in [
        "[macro]\ntrend_grwoth = 0.05\n",
        "[plan]\noversight = 1.5\n",
        "[plan]\ncapex_scale = { path = [1.0] }\n",
        "[sanctions]\npath = [2]\n",
        "[viability]\nindependence_scope = \"enabeld\"\n",
        "[macro.trend_growth]\ndist = \"normal\"\nmaen = 0.05\n",
        "[[correlations]]\nkeys = [\"macro.trend_growth\", \"gold.drift\"]\nrank = 1.5\n",
        "[criteria]\n\"bad name\" = \"viable == 1\"\n",
    ] {
        assert!(!validator.is_valid(&as_json(bad)), "accepted: {bad}");
    }
    let good = "[plan]\noversight = { path = [0.0, 0.5], from = 2026 }\n\
                [criteria]\nok = \"viable == 1\"\n";
    assert!(validator.is_valid(&as_json(good)));
}

#[test]
fn list_prints_keys_outcomes_and_series_with_units_and_quiet_silences_tables() {
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("defsim")
            .unwrap()
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let params = run(&["list", "parameters"]);
    for want in [
        "macro.trend_growth",
        "plan.oversight",
        "or a yearly path",
        "sanctions.path",
        "viability.independence_scope",
        "[[correlations]]",
        "lines.ammunition.capacity",
    ] {
        assert!(params.contains(want), "list parameters lacks {want}");
    }
    let outcomes = run(&["list", "outcomes"]);
    for want in [
        "poverty_relief_forgone",
        "person-years",
        "ammunition.independence",
        "independence_enabled",
    ] {
        assert!(outcomes.contains(want), "list outcomes lacks {want}");
    }
    let series = run(&["list", "series"]);
    assert!(series.contains("growth") && series.contains("ammunition.output"));
    assert!(run(&["list", "outcomes", "--quiet"]).is_empty());
    let root = env!("CARGO_MANIFEST_DIR");
    let quiet = run(&[
        "validate",
        "--quiet",
        &format!("{root}/scenarios/baseline.toml"),
    ]);
    assert!(quiet.is_empty(), "{quiet}");
}
