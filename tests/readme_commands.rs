//! The README's "What you can run" table against the binary: one table with a row for every
//! verb `defsim --help` lists, a `discover` example that succeeds on the baseline, and the
//! yearly series the README names are the ones `defsim list series` prints; and `defsim
//! list parameters` gives the start years `validate` accepts, as the README says.

mod common;

use std::fs;
use std::path::Path;

use common::{defsim, scenario};

fn readme() -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

fn stdout(args: &[&str]) -> String {
    let o = defsim().args(args).output().unwrap();
    assert!(o.status.success(), "{args:?}");
    String::from_utf8(o.stdout).unwrap()
}

/// The rows of the table under "## What you can run": the lines from its header to the first
/// line that is not a table row (a blank line ends a Markdown table).
fn command_rows(readme: &str) -> Vec<String> {
    let start = readme
        .find("## What you can run")
        .expect("a \"What you can run\" section");
    readme[start..]
        .lines()
        .skip_while(|l| !l.starts_with("| command"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(String::from)
        .collect()
}

#[test]
fn the_command_table_has_a_row_for_every_verb() {
    let help = stdout(&["--help"]);
    let verbs: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|v| *v != "help")
        .collect();
    assert!(verbs.len() >= 12, "{verbs:?}");
    let rows = command_rows(&readme());
    for verb in verbs {
        assert!(
            rows.iter()
                .any(|r| r.starts_with(&format!("| `defsim {verb}"))),
            "the README's command table has no row for `defsim {verb}` (or a blank line ends \
             the table before it)"
        );
    }
}

#[test]
fn the_command_tables_discover_example_succeeds_on_the_baseline() {
    let rows = command_rows(&readme());
    let discover: Vec<&String> = rows
        .iter()
        .filter(|r| r.starts_with("| `defsim discover"))
        .collect();
    assert_eq!(discover.len(), 1, "{discover:?}");
    let condition = discover[0]
        .split("--where \"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a --where \"...\" example");
    let dir = tempfile::tempdir().unwrap();
    let o = defsim()
        .args(["discover", &scenario("baseline.toml"), "--where", condition])
        .args(["--trials", "5000", "--out"])
        .arg(dir.path().join("d"))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "discover --where {condition:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn the_readme_names_every_yearly_series() {
    let text = readme();
    let start = text
        .find("Yearly series:")
        .expect("the README lists yearly series");
    let list = &text[start..start + text[start..].find("\n\n").unwrap()];
    let series = stdout(&["list", "series"]);
    for line in series.lines().skip(1) {
        let name = line.split_whitespace().next().unwrap();
        // Per-line series are named once as `<line>.output` etc.
        let name = match name.split_once('.') {
            Some((_, field)) => format!("`<line>.{field}`"),
            None => format!("`{name}`"),
        };
        assert!(
            list.contains(&name),
            "the README's yearly series omit {name}"
        );
    }
}

#[test]
fn list_parameters_gives_the_start_years_validate_accepts() {
    let list = stdout(&["list", "parameters"]);
    let line = list
        .lines()
        .find(|l| l.starts_with("scenario.start_year "))
        .expect("scenario.start_year is listed");
    let range = line
        .split('[')
        .nth(1)
        .and_then(|r| r.split(']').next())
        .unwrap_or_else(|| panic!("no [min, max] in {line:?}"));
    let (min, max) = range.split_once(", ").unwrap();
    let (min, max): (i64, i64) = (min.parse().unwrap(), max.parse().unwrap());
    assert!(
        readme().contains(&format!("a start year in {min}..{max}")),
        "the README gives another start-year range than `list parameters`, [{min}, {max}]"
    );
    for (year, ok) in [(min - 1, false), (min, true), (max, true), (max + 1, false)] {
        let o = defsim()
            .args(["validate", &scenario("baseline.toml"), "--set"])
            .arg(format!("scenario.start_year={year}"))
            .output()
            .unwrap();
        let code = if ok { 0 } else { 2 };
        assert_eq!(o.status.code(), Some(code), "start_year {year}");
    }
    // A distribution on the start year is refused with the same description `list` gives.
    let o = defsim()
        .args(["validate", &scenario("baseline.toml"), "--set"])
        .arg("scenario.start_year={dist=\"fixed\",value=2025}")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    let said = format!("a year, an integer in [{min}, {max}]");
    assert!(line.contains(&said), "list: {line:?}");
    assert!(
        err.contains(&said),
        "the --set error describes the year otherwise: {err}"
    );
    let schema: serde_json::Value = serde_json::from_str(&stdout(&["schema"])).unwrap();
    let year = &schema["properties"]["scenario"]["properties"]["start_year"];
    assert_eq!(
        (year["minimum"].as_i64(), year["maximum"].as_i64()),
        (Some(min), Some(max)),
        "the JSON Schema's start years: {year}"
    );
}

/// The help line of `--flag` in `defsim VERB --help`.
fn help_of(verb: &str, flag: &str) -> String {
    let help = stdout(&[verb, "--help"]);
    help.lines()
        .find(|l| l.trim_start().starts_with(&format!("{flag} ")))
        .unwrap_or_else(|| panic!("{verb} --help has no {flag}"))
        .to_string()
}

#[test]
fn per_verb_help_gives_the_defaults_the_verbs_use() {
    // check: no folder without --out; the baseline's seed and trial count.
    let tmp = tempfile::tempdir().unwrap();
    let o = defsim()
        .current_dir(tmp.path())
        .args(["check", &scenario("baseline.toml"), "--baseline"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/baseline.summary.json"))
        .args(["--trials", "2000"])
        .output()
        .unwrap();
    assert!(o.status.code().is_some_and(|c| c <= 1));
    assert!(
        common::names(tmp.path()).is_empty(),
        "check without --out wrote a folder"
    );
    assert!(help_of("check", "--out").contains("without it check writes no folder"));
    assert!(!help_of("check", "--out").contains("output/"));
    assert!(help_of("check", "--trials").contains("the baseline's trial count"));
    assert!(help_of("check", "--seed").contains("the baseline's seed"));

    // explore: the experiment's trials, not the scenario's.
    let exp = common::experiment_file(tmp.path(), "e", (1500, 4), &["plan.oversight"]);
    let out = tmp.path().join("x");
    let o = defsim()
        .args(["explore", exp.to_str().unwrap(), "--no-plots", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("explore.json")).unwrap()).unwrap();
    assert_eq!(json["trials"], 1500, "explore ran the experiment's trials");
    assert_eq!(json["seed"], 4, "explore used the experiment's seed");
    assert!(help_of("explore", "--trials").contains("the experiment's `trials`"));
    assert!(help_of("explore", "--seed").contains("the experiment's `seed`"));

    // discover: the whole condition language.
    let w = help_of("discover", "--where");
    assert!(w.contains("`and`, `or`, `not`"), "{w}");
}
