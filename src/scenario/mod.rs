//! Scenario files: raw TOML, the merge of `extends`, `--set` overrides, and validation into
//! a [`Scenario`] in which every number is already checked.
//!
//! [`load`] is the pipeline: read the file and the chain of files it `extends` (each value
//! keeps its file and line), merge them, apply `--set` overrides, then validate every key
//! against the schema of `crate::model::params`. Bad input gives one [`ScenarioError`]
//! (the first in file order) that names the file, the line and the key path wherever they
//! exist; nothing past [`load`] re-checks user input, and nothing here panics on it.

mod doc;
mod merge;
mod overrides;
mod print;
mod schema;
mod validate;

pub(crate) use doc::{Doc, parse as parse_doc};
pub use validate::SCHEDULE_TOLERANCE;

use std::path::{Path, PathBuf};

use crate::dist::Param;
use crate::model::params::{Settings, Slot};

/// A validated scenario: past this point nothing re-checks user input.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// `scenario.name` (default output folder).
    pub name: String,
    /// `scenario.description`: the question the scenario asks.
    pub description: String,
    /// The file given by the user.
    pub file: PathBuf,
    /// `scenario.seed`.
    pub seed: u64,
    /// `scenario.trials`.
    pub trials: u64,
    /// Counts, states and flags.
    pub settings: Settings,
    /// Every numeric key, in [`crate::model::params::numeric_key_paths`] order.
    pub params: Vec<ParamEntry>,
    /// The merged TOML (extends resolved, `--set` applied, `scenario.extends` removed).
    pub resolved: toml::Table,
}

/// One numeric key of a scenario.
#[derive(Debug, Clone)]
pub struct ParamEntry {
    /// Dotted key path.
    pub key: String,
    /// Where it lives in a trial's parameters.
    pub slot: Slot,
    /// Its distribution and source.
    pub param: Param,
}

/// Bad input: names the file, and the line and key path wherever they exist.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ScenarioError {
    /// The file at fault (for an `extends` cycle: the file that closes it).
    pub file: PathBuf,
    /// 1-based line, when the fault has one.
    pub line: Option<usize>,
    /// Dotted key path, when the fault has one.
    pub key: Option<String>,
    /// What was expected and what was found.
    pub message: String,
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Loads `path`, resolves `extends`, applies `overrides` (`KEY=VALUE`, TOML values) and validates.
///
/// ```
/// let s = defsim::scenario::load(
///     "scenarios/baseline.toml".as_ref(),
///     &["plan.oversight=0.5".to_string()],
/// )
/// .unwrap();
/// assert_eq!(s.name, "baseline");
/// ```
pub fn load(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    let mut files = doc::Files::default();
    let mut merged = merge::load_chain(path, &mut files)?;
    overrides::apply(&mut merged, overrides, &files)?;
    validate::validate(path, merged, &files)
}

/// What a key of a scenario holds, as a lever of an experiment sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeverKind {
    /// A numeric parameter, or one sub-key of its distribution table: numbers (and, where
    /// the model takes them, `{ path = [...] }` tables).
    Numeric,
    /// `lines.<line>.enabled`: true or false.
    Flag,
    /// `plan.start_offset`: a whole number of years.
    Count,
}

/// The kind of lever `key` is, or `None` when it cannot be a lever (unknown keys, names,
/// states, schedules, distribution names and sources).
///
/// ```
/// use defsim::scenario::{LeverKind, lever_kind};
/// assert_eq!(lever_kind("plan.oversight"), Some(LeverKind::Numeric));
/// assert_eq!(lever_kind("macro.trend_growth.mean"), Some(LeverKind::Numeric));
/// assert_eq!(lever_kind("lines.vehicles.enabled"), Some(LeverKind::Flag));
/// assert_eq!(lever_kind("plan.start_offset"), Some(LeverKind::Count));
/// assert_eq!(lever_kind("plan.oversite"), None);
/// assert_eq!(lever_kind("scenario.name"), None);
/// ```
pub fn lever_kind(key: &str) -> Option<LeverKind> {
    use schema::{DIST_SUBKEYS, Leaf, Node, Setting};
    let path: Vec<String> = key.split('.').map(str::to_string).collect();
    let root = schema::schema();
    match root.lookup(&path) {
        Some(Node::Leaf(Leaf::Numeric(_))) => Some(LeverKind::Numeric),
        Some(Node::Leaf(Leaf::Setting(Setting::Flag))) if key.ends_with(".enabled") => {
            Some(LeverKind::Flag)
        }
        Some(Node::Leaf(Leaf::Setting(Setting::Count { .. }))) if key == "plan.start_offset" => {
            Some(LeverKind::Count)
        }
        Some(_) => None,
        None => {
            let (last, parent) = path.split_last()?;
            let numeric_parent = matches!(root.lookup(parent), Some(Node::Leaf(Leaf::Numeric(_))));
            let numeric_subkey = DIST_SUBKEYS.contains(&last.as_str())
                && !["dist", "source", "values", "weights"].contains(&last.as_str());
            (numeric_parent && numeric_subkey).then_some(LeverKind::Numeric)
        }
    }
}

impl Scenario {
    /// The resolved scenario as TOML text (deterministic key order).
    pub fn resolved_toml(&self) -> String {
        toml::to_string(&self.resolved).expect("a TOML table serialises")
    }

    /// SHA-256 (hex) of [`Scenario::resolved_toml`]: `summary.json`'s `resolved_sha256`.
    pub fn resolved_sha256(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(self.resolved_toml().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::params::{LINE_NAMES, numeric_key_paths};

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
        let path: Vec<String> = key.split('.').map(str::to_string).collect();
        doc::get(&s.resolved, &path).unwrap_or_else(|| panic!("{key} not in resolved"))
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
            assert_eq!(Some(p.slot), Slot::of(&p.key));
            assert!(p.param.source.is_some(), "{} has no source", p.key);
        }
        assert_eq!(
            (s.name.as_str(), s.seed, s.trials),
            ("baseline", 20250117, 100000)
        );
        let st = &s.settings;
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
        assert!(sanctions.settings.sanctions_initial);
        let russia = load("russia-withdraws.toml");
        assert_eq!(russia.settings.support_initial, 1);
        let power = load("captive-power.toml");
        assert_eq!(
            param(&power, "plan.captive_power_share").fixed_value(),
            Some(1.0)
        );
        let oversight = load("anti-corruption.toml");
        assert_eq!(param(&oversight, "plan.oversight").fixed_value(), Some(0.6));
        let ammo = load("ammunition-only.toml");
        let enabled: Vec<bool> = ammo.settings.lines.iter().map(|l| l.enabled).collect();
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
}
