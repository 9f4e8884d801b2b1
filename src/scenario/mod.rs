//! Scenario files: raw TOML, the merge of `extends`, `--set` overrides, and validation into
//! a [`Scenario`] in which every number is already checked, against whatever parameter
//! schema ([`KeySchema`]) a model hands over. This module knows no model.
//!
//! [`load`] is the pipeline: read the file and the chain of files it `extends` (each value
//! keeps its file and line), merge them, apply `--set` overrides, then validate every key
//! against the schema. Bad input gives one [`ScenarioError`]
//! (the first in file order) that names the file, the line and the key path wherever they
//! exist; nothing past [`load`] re-checks user input, and nothing here panics on it.

mod doc;
mod json_schema;
mod keys;
mod merge;
mod overrides;
mod print;
mod schema;
mod validate;

pub(crate) use doc::{Doc, parse as parse_doc};
pub use json_schema::json_schema;
pub use keys::{
    Fault, Fixed, Key, KeyKind, KeySchema, MAX_HORIZON_YEARS, MAX_TRIALS, Role, Value, YEARS,
    scenario_table,
};
pub use validate::SCHEDULE_TOLERANCE;

use std::path::{Path, PathBuf};

use crate::dist::Param;

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
    /// `scenario.start_year`: the first simulated year.
    pub start_year: i32,
    /// `scenario.horizon_years`: the number of simulated years.
    pub horizon_years: usize,
    /// The model's fixed values (counts, states, names, flags), in schema order.
    pub settings: Vec<(String, Value)>,
    /// Every numeric key, in schema order.
    pub params: Vec<ParamEntry>,
    /// The merged TOML (extends resolved, `--set` applied, `scenario.extends` removed).
    pub resolved: toml::Table,
    /// `[criteria]`: the analyst's named conditions, in file order.
    pub criteria: Vec<CriterionSpec>,
    /// `[[correlations]]`: rank correlations between uncertain parameters (a child file's
    /// entries after its parent's).
    pub correlations: Vec<CorrelationSpec>,
    /// Numbers given as a yearly path (`plan.oversight = { path = [...], from = YEAR }`).
    pub lever_paths: Vec<LeverPath>,
    /// What validation accepted but a user should know (printed as warnings).
    pub warnings: Vec<String>,
    /// The `--set` overrides applied, in command-line order (already in `resolved`, so
    /// [`Scenario::resolved_sha256`] covers them).
    pub overrides: Vec<Override>,
}

/// One `[criteria]` entry: a named 0/1 outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionSpec {
    /// Its name (an outcome's name in every output).
    pub name: String,
    /// The expression, as written.
    pub expr: String,
}

/// One `[[correlations]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelationSpec {
    /// The parameters it ties (every pair at `rank`).
    pub keys: Vec<String>,
    /// The Spearman rank correlation wanted between every pair, in (-1, 1).
    pub rank: f64,
    /// Where the assumption comes from.
    pub source: Option<String>,
}

/// A number given as a yearly path.
#[derive(Debug, Clone, PartialEq)]
pub struct LeverPath {
    /// The key (`plan.captive_power_share`).
    pub key: String,
    /// The entries as written.
    pub values: Vec<f64>,
    /// Year of the first entry.
    pub from: i32,
    /// Its source.
    pub source: Option<String>,
    /// The value in every year of the horizon.
    pub yearly: Vec<f64>,
}

impl LeverPath {
    /// `path [0, 0.5, 1] from 2027; by year: 2025 0, 2026 0, 2027 0, 2028 0.5, ...`.
    pub fn describe(&self, start_year: i32) -> String {
        let values: Vec<String> = self.values.iter().map(|v| v.to_string()).collect();
        format!(
            "path [{}] from {}; by year: {}",
            values.join(", "),
            self.from,
            self.by_year(start_year)
        )
    }

    /// `2025 0, 2026 0.5, ...`: the value in every year of the horizon.
    pub fn by_year(&self, start_year: i32) -> String {
        self.yearly
            .iter()
            .enumerate()
            .map(|(t, v)| format!("{} {v}", start_year + t as i32))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Override {
    /// The override of `--set KEY=VALUE` (`None` without `=`, which loading refuses).
    pub fn parse(set: &str) -> Option<Override> {
        set.split_once('=').map(|(k, v)| Override {
            key: k.trim().to_string(),
            value: v.trim().to_string(),
            source: "--set".into(),
        })
    }
}

/// One `--set KEY=VALUE` override, as recorded in `summary.json`, `run.json` and the report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Override {
    /// Dotted key path (`plan.oversight`, `macro.trend_growth.mean`).
    pub key: String,
    /// The value as given (TOML).
    pub value: String,
    /// Where it came from: `--set`.
    pub source: String,
}

/// One numeric key of a scenario.
#[derive(Debug, Clone)]
pub struct ParamEntry {
    /// Dotted key path.
    pub key: String,
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

/// Loads `path`, resolves `extends`, applies `overrides` (`KEY=VALUE`, TOML values) and
/// validates against `keys`, the model's parameter schema.
///
/// ```
/// let s = defsim::scenario::load(
///     "scenarios/baseline.toml".as_ref(),
///     &["plan.oversight=0.5".to_string()],
///     &defsim::model::key_schema(),
/// )
/// .unwrap();
/// assert_eq!(s.name, "baseline");
/// ```
pub fn load(
    path: &Path,
    overrides: &[String],
    keys: &KeySchema,
) -> Result<Scenario, ScenarioError> {
    let root = schema::schema(keys);
    let mut files = doc::Files::default();
    let mut merged = merge::load_chain(path, &mut files)?;
    let before = (!overrides.is_empty()).then(|| merged.table.clone());
    overrides::apply(&mut merged, overrides, &files, &root)?;
    let after = before.is_some().then(|| merged.table.clone());
    let mut scenario = validate::validate(path, merged, &files, &root, keys)?;
    scenario.overrides = overrides
        .iter()
        .filter_map(|o| Override::parse(o))
        .collect();
    if let (Some(before), Some(after)) = (before, after) {
        mark_overridden_sources(&mut scenario, &before, &after);
    }
    Ok(scenario)
}

/// Gives every parameter a `--set` changed the source that says so: `--set KEY=VALUE`, then
/// the source the value itself gave (an inline table's `source`), then `(was: ...)` with the
/// source the files gave it. `--set plan.oversight=0.5` on a key with a source gives
/// `--set plan.oversight=0.5 (was: lever: ...)`; a `--set` of one sub-key
/// (`macro.trend_growth.mean=0.04`) or of a whole table (`lines.vehicles={...}`) marks each
/// parameter it changes. `before` and `after` are the merged document before and after the
/// overrides: a parameter whose entry is the same TOML in both (a `--set` of a table that
/// changed another of its keys, or that wrote its entry as it was written) keeps its source.
/// The comparison is of TOML values, not of the parameter they define: `0` for `0.0`, or a
/// bare number for an equal `fixed` table, counts as a change and is marked.
fn mark_overridden_sources(scenario: &mut Scenario, before: &toml::Table, after: &toml::Table) {
    for e in &mut scenario.params {
        let sets: Vec<String> = scenario
            .overrides
            .iter()
            .filter(|o| {
                o.key == e.key
                    || o.key
                        .strip_prefix(e.key.as_str())
                        .is_some_and(|r| r.starts_with('.'))
                    || e.key
                        .strip_prefix(o.key.as_str())
                        .is_some_and(|r| r.starts_with('.'))
            })
            .map(|o| format!("--set {}={}", o.key, o.value))
            .collect();
        let path: Vec<String> = e.key.split('.').map(str::to_string).collect();
        let entry = doc::get(before, &path);
        if sets.is_empty() || entry == doc::get(after, &path) {
            continue;
        }
        // The source the files gave: the entry's own `source` key.
        let was = match entry.and_then(|v| v.get("source")) {
            Some(toml::Value::String(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        };
        let now = e.param.source.clone().filter(|s| !s.is_empty());
        let mut source = sets.join(", ");
        if let Some(now) = now.filter(|n| Some(n) != was.as_ref()) {
            source.push_str(&format!(": {now}"));
        }
        if let Some(was) = was {
            source.push_str(&format!(" (was: {was})"));
        }
        e.param.source = Some(source);
    }
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
/// let keys = defsim::model::key_schema();
/// assert_eq!(lever_kind("plan.oversight", &keys), Some(LeverKind::Numeric));
/// assert_eq!(lever_kind("macro.trend_growth.mean", &keys), Some(LeverKind::Numeric));
/// assert_eq!(lever_kind("lines.vehicles.enabled", &keys), Some(LeverKind::Flag));
/// assert_eq!(lever_kind("plan.start_offset", &keys), Some(LeverKind::Count));
/// assert_eq!(lever_kind("plan.oversite", &keys), None);
/// assert_eq!(lever_kind("scenario.name", &keys), None);
/// ```
pub fn lever_kind(key: &str, keys: &KeySchema) -> Option<LeverKind> {
    use schema::{DIST_SUBKEYS, Leaf, Node};
    let path: Vec<String> = key.split('.').map(str::to_string).collect();
    let root = schema::schema(keys);
    match root.lookup(&path) {
        Some(Node::Leaf(Leaf::Numeric(..))) => Some(LeverKind::Numeric),
        Some(Node::Leaf(Leaf::Setting(Fixed::Flag))) if key.ends_with(".enabled") => {
            Some(LeverKind::Flag)
        }
        Some(Node::Leaf(Leaf::Setting(Fixed::Count { .. }))) if key == "plan.start_offset" => {
            Some(LeverKind::Count)
        }
        Some(_) => None,
        None => {
            let (last, parent) = path.split_last()?;
            let numeric_parent = matches!(root.lookup(parent), Some(Node::Leaf(Leaf::Numeric(..))));
            let numeric_subkey = DIST_SUBKEYS.contains(&last.as_str())
                && !["dist", "source", "values", "weights"].contains(&last.as_str());
            (numeric_parent && numeric_subkey).then_some(LeverKind::Numeric)
        }
    }
}

impl Scenario {
    /// The yearly path of `key`, when the scenario gives that number one.
    pub fn lever_path(&self, key: &str) -> Option<&LeverPath> {
        self.lever_paths.iter().find(|l| l.key == key)
    }

    /// Keys of the forced-state paths the scenario gives (`sanctions.path`).
    pub fn forced_keys(&self) -> Vec<&str> {
        self.settings
            .iter()
            .filter(|(_, v)| matches!(v, Value::Path(_)))
            .map(|(k, _)| k.as_str())
            .collect()
    }

    /// A forced-state path by year, as text: `2025 free, 2026 1, ...` (states by index).
    pub fn forced_text(&self, key: &str) -> String {
        self.forced_by_year(key)
            .iter()
            .enumerate()
            .map(|(t, v)| {
                let year = self.start_year + t as i32;
                match v {
                    Some(i) => format!("{year} {i}"),
                    None => format!("{year} free"),
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A forced-state path (`sanctions.path`) by year of the horizon: the state's index, or
    /// `None` where the chain runs free (all `None` without the key).
    pub fn forced_by_year(&self, key: &str) -> Vec<Option<usize>> {
        let entries = match self.setting(key) {
            Some(Value::Path(p)) => p.clone(),
            _ => Vec::new(),
        };
        let table = key.rsplit_once('.').map_or(key, |(t, _)| t);
        let from = match self.setting(&format!("{table}.from")) {
            Some(Value::Int(y)) => *y as i32,
            _ => self.start_year,
        };
        (0..self.horizon_years)
            .map(|t| {
                usize::try_from(self.start_year + t as i32 - from)
                    .ok()
                    .and_then(|i| entries.get(i).copied().flatten())
            })
            .collect()
    }

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
