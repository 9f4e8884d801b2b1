//! The viability model's scenarios through the generic loader: every shipped scenario
//! loads and says what it asks, variants change what they say, `--set` and `extends`
//! compose, errors point at their file and line, and the table of bad inputs fails as
//! `tests/bad_input.rs` expects (its messages are a snapshot).

use std::path::{Path, PathBuf};

use super::binding::{Slot, numeric_key_paths};
use super::load;
use super::params::{LINE_NAMES, Settings};
use crate::dist::Param;
use crate::scenario::{Scenario, ScenarioError};

mod bad_inputs {
    include!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/bad_inputs/cases.rs"
    ));
}

const BASELINE: &str = "scenarios/baseline.toml";

fn baseline(overrides: &[&str]) -> Result<Scenario, ScenarioError> {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    load(Path::new(BASELINE), &o)
}

fn resolved<'a>(s: &'a Scenario, key: &str) -> &'a toml::Value {
    let mut parts = key.split('.');
    let first = parts.next().unwrap_or_default();
    let found = parts.try_fold(s.resolved.get(first), |v, k| {
        Ok::<_, ()>(v.and_then(|v| v.get(k)))
    });
    found
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("{key} not in resolved"))
}

fn param<'a>(s: &'a Scenario, key: &str) -> &'a Param {
    &s.params.iter().find(|p| p.key == key).unwrap().param
}

fn shipped() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn baseline_states_every_key_with_a_source() {
    let s = baseline(&[]).unwrap();
    let keys: Vec<&str> = s.params.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, numeric_key_paths());
    for p in &s.params {
        assert!(Slot::of(&p.key).is_some(), "{}", p.key);
        assert!(p.param.source.is_some(), "{} has no source", p.key);
    }
    assert_eq!(
        (s.name.as_str(), s.seed, s.trials),
        ("baseline", 20250117, 100000)
    );
    let st = Settings::from_scenario(&s);
    assert_eq!((st.start_year, st.horizon_years), (2025, 11));
    assert_eq!((st.sanctions_initial, st.support_initial), (false, 0));
    assert_eq!((st.start_offset, st.credit_tenor_years), (0, 10));
    assert!(st.lines.iter().all(|l| l.enabled));
    assert_eq!(st.lines[2].unit, "round");
    assert_eq!(st.lines[3].capex_schedule, [0.6, 0.4]);
    assert_eq!(param(&s, "macro.gdp0_musd").fixed_value(), Some(20000.0));
    // The baseline notes the article's and the IMF's growth figures, and SIPRI's share.
    let text = std::fs::read_to_string(BASELINE).unwrap();
    for fact in ["3.5%", "5.2%", "3.7%", "4.7%", "49%", "80%"] {
        assert!(text.contains(fact), "baseline should mention {fact}");
    }
}

#[test]
fn every_shipped_scenario_loads_and_says_what_it_asks() {
    let files = shipped();
    assert!(files.len() >= 7, "{files:?}");
    let base = baseline(&[]).unwrap();
    for f in files {
        let s = load(&f, &[]).unwrap_or_else(|e| panic!("{e}"));
        let stem = f.file_stem().unwrap().to_str().unwrap();
        assert_eq!(s.name, stem, "{}", f.display());
        assert_eq!(s.params.len(), numeric_key_paths().len());
        if stem != "baseline" {
            assert_ne!(
                s.description, base.description,
                "{stem} keeps the baseline's question"
            );
            assert_ne!(
                s.resolved_sha256(),
                base.resolved_sha256(),
                "{stem} changes nothing"
            );
            assert!(
                s.description.contains('?'),
                "{stem}: the description asks a question"
            );
        }
        assert!(s.resolved_toml().parse::<toml::Table>().is_ok());
    }
}

#[test]
fn variants_change_what_they_say() {
    let load = |name: &str| load(&Path::new("scenarios").join(name), &[]).unwrap();
    let imf = load("imf-growth.toml");
    let g = resolved(&imf, "macro.trend_growth");
    assert_eq!(g["mean"].as_float(), Some(0.047));
    assert_eq!(
        g["sd"].as_float(),
        Some(0.01),
        "the spread stays the baseline's"
    );
    assert_eq!(
        resolved(&imf, "sanctions.growth_penalty")["mean"].as_float(),
        Some(0.010)
    );
    assert!(
        param(&imf, "macro.trend_growth")
            .source
            .as_deref()
            .unwrap()
            .contains("IMF")
    );

    let sanctions = load("sanctions-return.toml");
    assert!(Settings::from_scenario(&sanctions).sanctions_initial);
    let russia = load("russia-withdraws.toml");
    assert_eq!(Settings::from_scenario(&russia).support_initial, 1);
    let power = load("captive-power.toml");
    assert_eq!(
        param(&power, "plan.captive_power_share").fixed_value(),
        Some(1.0)
    );
    let oversight = load("anti-corruption.toml");
    assert_eq!(param(&oversight, "plan.oversight").fixed_value(), Some(0.6));
    let ammo = load("ammunition-only.toml");
    let settings = Settings::from_scenario(&ammo);
    let enabled: Vec<bool> = settings.lines.iter().map(|l| l.enabled).collect();
    assert_eq!(enabled, [false, false, true, true]);
    assert_eq!(LINE_NAMES[2], "ammunition");
}

#[test]
fn set_overrides_after_extends() {
    let s = baseline(&[
        "macro.trend_growth.mean=0.04",
        "plan.oversight=0.5",
        "scenario.trials=10",
    ])
    .unwrap();
    let g = resolved(&s, "macro.trend_growth");
    assert_eq!(
        (g["mean"].as_float(), g["sd"].as_float()),
        (Some(0.04), Some(0.01))
    );
    assert_eq!(param(&s, "plan.oversight").fixed_value(), Some(0.5));
    assert_eq!(s.trials, 10);
    // A --set on a variant applies on top of its extends chain.
    let o = vec!["sanctions.growth_penalty.sd=0.002".to_string()];
    let imf = load(Path::new("scenarios/imf-growth.toml"), &o).unwrap();
    let p = resolved(&imf, "sanctions.growth_penalty");
    assert_eq!(
        (p["mean"].as_float(), p["sd"].as_float()),
        (Some(0.010), Some(0.002))
    );
}

#[test]
fn resolved_is_deterministic_and_free_of_extends() {
    let a = load(Path::new("scenarios/imf-growth.toml"), &[]).unwrap();
    let b = load(Path::new("scenarios/imf-growth.toml"), &[]).unwrap();
    assert_eq!(a.resolved_toml(), b.resolved_toml());
    assert_eq!(a.resolved_sha256(), b.resolved_sha256());
    assert_eq!(a.resolved_sha256().len(), 64);
    assert!(a.resolved["scenario"].get("extends").is_none());
    let c = load(
        Path::new("scenarios/imf-growth.toml"),
        &["plan.oversight=0.1".into()],
    )
    .unwrap();
    assert_ne!(a.resolved_sha256(), c.resolved_sha256());
}

#[test]
fn print_resolved_lists_every_key_with_its_source() {
    let s = baseline(&[]).unwrap();
    let text = s.print_resolved();
    for p in &s.params {
        let (group, key) = p.key.rsplit_once('.').unwrap();
        let at = text
            .find(&format!("[{group}]\n"))
            .unwrap_or_else(|| panic!("[{group}]"));
        let line = text[at..]
            .lines()
            .find(|l| l.starts_with(&format!("{key} ")))
            .unwrap_or_else(|| panic!("{} not printed", p.key));
        assert!(line.contains(&p.param.describe()), "{line}");
        assert!(line.contains(p.param.source.as_deref().unwrap()), "{line}");
    }
    let squeezed: Vec<String> = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    for setting in [
        "start_year = 2025",
        "initial = \"full\"",
        "capex_schedule = [0.6, 0.4]",
    ] {
        assert!(squeezed.iter().any(|l| l == setting), "{setting}");
    }
    // Settings come first in their table.
    let sanctions = &text[text.find("[sanctions]").unwrap()..];
    assert!(
        sanctions.lines().nth(1).unwrap().starts_with("initial"),
        "{sanctions}"
    );
}

#[test]
fn errors_point_at_the_line_in_the_file_that_caused_them() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::canonicalize(BASELINE).unwrap();
    let child = dir.path().join("child.toml");
    let text = format!(
        "[scenario]\nextends = {:?}\nname = \"child\"\n\n[plan]\noversight = 0.2\n\
         max_budget_share = 2\ncaptive_power_share = -1\n",
        base.display().to_string()
    );
    std::fs::write(&child, text).unwrap();
    // Two bad keys: the first in the file is reported (not the first alphabetically).
    let e = load(&child, &[]).unwrap_err();
    assert_eq!(e.file, child);
    assert_eq!(e.line, Some(7), "{e}");
    assert_eq!(e.key.as_deref(), Some("plan.max_budget_share"));
    assert_eq!(
        e.to_string(),
        format!(
            "{}:7: plan.max_budget_share: {}",
            child.display(),
            e.message
        )
    );
    // A sub-key patched by the child points at the child, the rest at the parent.
    std::fs::write(
        &child,
        format!(
            "[scenario]\nextends = {:?}\nname = \"child\"\n[macro]\n\
             trend_growth = {{ min = -2.0 }}\n",
            base.display().to_string()
        ),
    )
    .unwrap();
    let e = load(&child, &[]).unwrap_err();
    assert_eq!(
        (e.file.as_path(), e.line),
        (child.as_path(), Some(5)),
        "{e}"
    );
    assert_eq!(e.key.as_deref(), Some("macro.trend_growth"), "{e}");
    assert!(e.message.contains("not inside the domain"), "{e}");
}

#[test]
fn a_value_set_on_the_command_line_is_reported_as_such() {
    let e = baseline(&["plan.oversight=1.5"]).unwrap_err();
    assert_eq!(e.file, PathBuf::from(BASELINE));
    assert_eq!((e.line, e.key.as_deref()), (None, Some("plan.oversight")));
    assert!(e.message.contains("--set"), "{e}");
    // Also when the distribution code rejects a sub-key set on the command line.
    let e = baseline(&["macro.trend_growth.sd=-1"]).unwrap_err();
    assert_eq!(e.line, None, "{e}");
    assert!(
        e.key.as_deref().unwrap().starts_with("macro.trend_growth"),
        "{e}"
    );
    assert!(e.message.contains("--set"), "{e}");
}

/// The table of `tests/bad_input.rs`, checked at library level.
#[test]
fn every_bad_input_fails_with_the_expected_error() {
    let mut report = String::new();
    for case in bad_inputs::CASES {
        let path = Path::new("tests/bad_inputs").join(case.file);
        let set: Vec<String> = case.set.iter().map(|s| s.to_string()).collect();
        let what = format!("{} {:?}", case.file, case.set);
        let e = match load(&path, &set) {
            Ok(_) => panic!("{what} loaded"),
            Err(e) => e,
        };
        let shown = e.to_string();
        assert!(e.file.ends_with(case.names[0]), "{what}: file of {shown}");
        for name in &case.names[1..] {
            assert!(shown.contains(name), "{what}: {shown} should name {name}");
        }
        if let Some(key) = case.key {
            let k = e
                .key
                .as_deref()
                .unwrap_or_else(|| panic!("{what}: no key in {shown}"));
            let ok = k == key || k.starts_with(&format!("{key}."));
            assert!(ok, "{what}: key {k}, expected {key}: {shown}");
        } else {
            assert_eq!(e.key, None, "{what}: {shown}");
        }
        assert_eq!(e.line, case.line, "{what}: {shown}");
        assert!(e.message.contains(case.says), "{what}: {shown}");
        // The snapshot holds this module's own messages: not those of `dist.rs`, nor
        // those that quote a distribution as `dist.rs` renders it.
        let quotes_dist = ["not inside the domain", "lies above"]
            .iter()
            .any(|f| case.says.contains(f));
        if !case.says.is_empty() && !quotes_dist {
            report.push_str(&format!("{what}\n  {shown}\n"));
        }
    }
    assert!(bad_inputs::CASES.len() >= 30);
    insta::assert_snapshot!("bad_input_messages", report);
}
