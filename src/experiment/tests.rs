//! Experiment files: the shipped form loads into the expected design; every kind of bad
//! input is one error naming the file, the line and the lever's key.

use super::*;

fn write(dir: &Path, body: &str) -> PathBuf {
    let baseline = std::fs::canonicalize("scenarios/baseline.toml").unwrap();
    let text = format!(
        "[experiment]\nname = \"t\"\nscenario = \"{}\"\ntrials = 500\n{body}",
        baseline.display()
    );
    let path = dir.join("exp.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_factorial_experiment_loads_in_odometer_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "criterion = \"viable\"\ntarget = 0.5\n\n[levers]\n\
         \"plan.captive_power_share\" = [0.0, 0.5, 1.0]\n\
         \"lines.vehicles.enabled\" = [true, false]\n\
         \"plan.start_offset\" = [0, 2]\n",
    );
    let e = load(&path, false).unwrap();
    assert_eq!(e.name, "t");
    assert_eq!((e.trials, e.seed), (500, 20250117));
    assert_eq!(e.design, PolicyDesign::Factorial);
    assert_eq!(e.target, Some(0.5));
    assert_eq!(e.policies.len(), 12);
    let keys: Vec<&str> = e.levers.iter().map(|l| l.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "plan.captive_power_share",
            "lines.vehicles.enabled",
            "plan.start_offset"
        ]
    );
    assert_eq!(e.levers[0].line, Some(9));
    assert_eq!(
        e.policies[1].overrides(&e.levers),
        [
            "plan.captive_power_share=0",
            "lines.vehicles.enabled=true",
            "plan.start_offset=2"
        ]
    );
    assert_eq!(e.policies[11].levels, vec![2, 1, 1]);
    assert_eq!(
        e.policies[11].label(&e.levers),
        "plan.captive_power_share = 1, lines.vehicles.enabled = false, plan.start_offset = 2"
    );
}

#[test]
fn a_latin_hypercube_stays_inside_its_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "policies = { lhs = 20 }\n[levers]\n\"plan.oversight\" = [0.2, 0.8]\n\
         \"macro.trend_growth.mean\" = [0.03, 0.07]\n",
    );
    let e = load(&path, false).unwrap();
    assert_eq!(e.design, PolicyDesign::Lhs(20));
    assert_eq!(e.policies.len(), 20);
    for p in &e.policies {
        let LeverValue::Number(x) = p.values[0] else {
            panic!()
        };
        assert!(0.2 < x && x < 0.8);
    }
}

#[test]
fn bad_experiments_name_file_line_and_key() {
    let cases: &[(&str, usize, &str, &str)] = &[
        // (body after the [experiment] head, line, key, message part)
        (
            "[levers]\n\"plan.oversite\" = [0.0, 1.0]\n",
            6,
            "levers.\"plan.oversite\"",
            "unknown lever key",
        ),
        (
            "[levers]\n\"plan.oversight\" = [0.0, 1.5]\n",
            6,
            "levers.\"plan.oversight\"[1]",
            "1.5 is not a valid value here",
        ),
        (
            "[levers]\n\"plan.oversight\" = []\n",
            6,
            "levers.\"plan.oversight\"",
            "empty list",
        ),
        (
            "policies = { lhs = 10 }\n[levers]\n\"lines.vehicles.enabled\" = [true, false]\n",
            7,
            "levers.\"lines.vehicles.enabled\"",
            "needs a numeric lever",
        ),
        (
            "policies = { lhs = 10 }\n[levers]\n\"plan.start_offset\" = [0, 2]\n",
            7,
            "levers.\"plan.start_offset\"",
            "needs a numeric lever",
        ),
        (
            "policies = { lhs = 10 }\n[levers]\n\"plan.oversight\" = [0.8, 0.2]\n",
            7,
            "levers.\"plan.oversight\"",
            "low < high",
        ),
        (
            "[levers]\n\"lines.vehicles.enabled\" = [true, 1]\n",
            6,
            "levers.\"lines.vehicles.enabled\"[1]",
            "expected true or false",
        ),
        (
            "[levers]\n\"plan.start_offset\" = [0, 1.5]\n",
            6,
            "levers.\"plan.start_offset\"[1]",
            "whole number of years",
        ),
        (
            "[levers]\n\"scenario.name\" = [\"a\"]\n",
            6,
            "levers.\"scenario.name\"",
            "unknown lever key",
        ),
        (
            "colour = 1\n[levers]\n\"plan.oversight\" = [0.0]\n",
            5,
            "experiment.colour",
            "unknown key",
        ),
        (
            "criterion = \"happy\"\n[levers]\n\"plan.oversight\" = [0.0]\n",
            5,
            "experiment.criterion",
            "unknown criterion",
        ),
        (
            "target = 1.5\n[levers]\n\"plan.oversight\" = [0.0]\n",
            5,
            "experiment.target",
            "probability in [0, 1]",
        ),
        ("[levers]\n", 5, "levers", "at least one lever"),
        (
            "policies = { lhs = 10001 }\n[levers]\n\"plan.oversight\" = [0.0, 1.0]\n",
            5,
            "experiment.policies",
            "10001 policies is more than 10000",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (body, line, key, want) in cases {
        let path = write(dir.path(), body);
        let e = load(&path, false).unwrap_err();
        assert_eq!(e.file, path, "{body}");
        assert_eq!(e.line, Some(*line), "{body}: {e}");
        assert_eq!(e.key.as_deref(), Some(*key), "{body}: {e}");
        assert!(e.message.contains(want), "{body}: {e}");
    }
}

#[test]
fn more_than_ten_thousand_factorial_policies_need_force() {
    let dir = tempfile::tempdir().unwrap();
    let values: Vec<String> = (0..101).map(|i| format!("{}", i as f64 / 100.0)).collect();
    let list = values.join(", ");
    let path = write(
        dir.path(),
        &format!(
            "[levers]\n\"plan.oversight\" = [{list}]\n\"plan.captive_power_share\" = [{list}]\n"
        ),
    );
    let e = load(&path, false).unwrap_err();
    assert!(e.message.contains("10201 policies"), "{e}");
    assert!(e.message.contains("--force"), "{e}");
}

#[test]
fn a_policy_under_which_the_scenario_fails_is_named() {
    // Each value is valid alone; together the ammunition line's disabling and the others'
    // would leave no enabled line (the scenario then fails validation).
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "[levers]\n\"lines.small_arms.enabled\" = [true, false]\n\
         \"lines.vehicles.enabled\" = [false]\n\"lines.ammunition.enabled\" = [false]\n\
         \"lines.explosives.enabled\" = [false]\n",
    );
    let e = load(&path, false).unwrap_err();
    assert!(
        e.message.contains("does not validate under policy 1"),
        "{e}"
    );
    assert!(
        e.message.contains("lines.small_arms.enabled = false"),
        "{e}"
    );
}

/// With the enabled-lines scope, a lever that switches lines warns when the criterion reads
/// the judged independence, and an analyst's `[criteria]` name is a criterion.
#[test]
fn the_enabled_scope_warns_when_a_lever_switches_lines() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = std::fs::canonicalize("scenarios/ammunition-focus.toml").unwrap();
    let load_with = |criterion: &str, levers: &str| {
        let path = dir.path().join("exp.toml");
        std::fs::write(
            &path,
            format!(
                "[experiment]\nname = \"t\"\nscenario = \"{}\"\ntrials = 100\n\
                 criterion = \"{criterion}\"\n\n[levers]\n{levers}\n",
                scenario.display()
            ),
        )
        .unwrap();
        load(&path, false).unwrap()
    };
    let switch = "\"lines.vehicles.enabled\" = [true, false]";
    let e = load_with("viable", switch);
    assert_eq!(e.warnings.len(), 1, "{:?}", e.warnings);
    assert!(e.warnings[0].contains("lines.vehicles.enabled switches lines on and off"));
    assert!(e.warnings[0].contains("denominator of `viable`"));
    assert_eq!(
        load_with("meets_min_independence", switch).warnings.len(),
        1
    );
    // An analyst's criterion on one line's own independence: its denominator is that line's.
    let e = load_with("ammo_reliant", switch);
    assert_eq!(e.criterion, "ammo_reliant");
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
    // No lever switches lines: nothing to warn about.
    assert!(
        load_with("viable", "\"plan.oversight\" = [0.0, 1.0]")
            .warnings
            .is_empty()
    );
    // The baseline judges all four lines: a switch changes no denominator.
    let baseline = write(
        dir.path(),
        &format!("criterion = \"viable\"\n\n[levers]\n{switch}\n"),
    );
    assert!(load(&baseline, false).unwrap().warnings.is_empty());
}
