//! Experiment files (`defsim explore EXPERIMENT.toml`): levers against uncertainty.
//!
//! [`load`] reads the file, resolves its scenario (relative to the file), builds the policy
//! design and checks, before anything is simulated, everything that could make a policy
//! fail: each lever's key and kind, each value in its key's domain (by validating the
//! scenario with that value set, exactly as `--set` would), and the scenario under every
//! policy. Bad input is one [`ScenarioError`] naming the experiment file, the line and the
//! lever's key path (`levers."plan.oversight"[2]`); a scenario that does not validate under
//! some policy is named with the policy.
//!
//! ```toml
//! [experiment]
//! name = "which-levers"
//! scenario = "../scenarios/baseline.toml"   # relative to this file
//! trials = 20000                            # per policy (default: the scenario's)
//! seed = 1                                  # default: the scenario's
//! policies = "factorial"                    # or { lhs = 200 } over numeric ranges
//! criterion = "viable"
//! target = 0.5                              # optional
//!
//! [levers]
//! "plan.captive_power_share" = [0.0, 0.5, 1.0]
//! "lines.vehicles.enabled" = [true, false]
//! ```

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::analysis::explore::design;
use crate::analysis::sweep::value_text;
use crate::engine::Model;
use crate::model::ViabilityModel;
use crate::model::{self, key_schema};
use crate::scenario::{Doc, LeverKind, Scenario, ScenarioError, lever_kind, parse_doc};

/// The most policies an experiment runs without `--force`.
pub const MAX_POLICIES: u64 = 10_000;

/// One value a lever takes.
#[derive(Debug, Clone, PartialEq)]
pub enum LeverValue {
    /// A number (numeric keys, `plan.start_offset`).
    Number(f64),
    /// A flag (`lines.<line>.enabled`).
    Flag(bool),
    /// A table such as a lever path `{ path = [...], from = 2025 }`, passed to the scenario
    /// as it is.
    Table(toml::Table),
}

impl LeverValue {
    /// The value as a `--set` writes it.
    pub fn set_text(&self) -> String {
        match self {
            LeverValue::Number(v) => value_text(*v),
            LeverValue::Flag(b) => b.to_string(),
            LeverValue::Table(t) => toml::Value::Table(t.clone()).to_string(),
        }
    }

    /// The value as a label reads it (the same text).
    pub fn label(&self) -> String {
        self.set_text()
    }
}

/// How the policies are chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PolicyDesign {
    /// Every combination of the listed values.
    Factorial,
    /// A Latin hypercube of this many policies over `[low, high]` ranges.
    Lhs(u64),
}

/// One lever of an experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct Lever {
    /// The scenario key it sets.
    pub key: String,
    /// What the key holds.
    pub kind: LeverKind,
    /// Its line in the experiment file.
    pub line: Option<usize>,
    /// Factorial: the values listed. Latin hypercube: `[low, high]`.
    pub values: Vec<LeverValue>,
}

/// One policy: a value per lever.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Factorial: the index of each lever's value in [`Lever::values`]. Latin hypercube:
    /// empty (levels come from binning, at analysis time).
    pub levels: Vec<usize>,
    /// Each lever's value.
    pub values: Vec<LeverValue>,
}

impl Policy {
    /// The `--set` overrides that make the scenario this policy.
    pub fn overrides(&self, levers: &[Lever]) -> Vec<String> {
        levers
            .iter()
            .zip(&self.values)
            .map(|(l, v)| format!("{}={}", l.key, v.set_text()))
            .collect()
    }

    /// The policy in words: `plan.oversight = 0.5, lines.vehicles.enabled = false`.
    pub fn label(&self, levers: &[Lever]) -> String {
        levers
            .iter()
            .zip(&self.values)
            .map(|(l, v)| format!("{} = {}", l.key, v.label()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A validated experiment.
#[derive(Debug, Clone)]
pub struct Experiment {
    /// `experiment.name` (the output folder is `output/explore-<name>/`).
    pub name: String,
    /// The experiment file.
    pub file: PathBuf,
    /// The scenario as written (no lever set).
    pub scenario: Scenario,
    /// The scenario's path (relative to the working directory).
    pub scenario_file: PathBuf,
    /// Trials per policy.
    pub trials: u64,
    /// The seed every policy shares.
    pub seed: u64,
    /// The design.
    pub design: PolicyDesign,
    /// The criterion whose probability the policies are judged by.
    pub criterion: String,
    /// The P(criterion) a policy should reach, if set.
    pub target: Option<f64>,
    /// The levers, in file order.
    pub levers: Vec<Lever>,
    /// The policies, in design order.
    pub policies: Vec<Policy>,
    /// What the experiment does that a user should know (printed as warnings).
    pub warnings: Vec<String>,
}

/// What an experiment file's `[experiment]` table may hold.
const EXPERIMENT_KEYS: [&str; 7] = [
    "name",
    "scenario",
    "trials",
    "seed",
    "policies",
    "criterion",
    "target",
];

/// Whether the file at `path` is an experiment file: TOML with an `[experiment]` table
/// (anything else, unreadable files included, is left to the scenario loader to report).
pub fn is_experiment(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
        .is_some_and(|t| t.contains_key("experiment"))
}

/// Reads and validates the experiment at `path`; `force` allows more than
/// [`MAX_POLICIES`] policies.
pub fn load(path: &Path, force: bool) -> Result<Experiment, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
        file: path.to_path_buf(),
        line: None,
        key: None,
        message: format!("cannot read the experiment file: {e}"),
    })?;
    let doc = parse_doc(&text, 0, path)?;
    Reader {
        path,
        doc: &doc,
        text: &text,
    }
    .experiment(force)
}

/// Reads one parsed file, with the lines of its keys for errors.
struct Reader<'a> {
    path: &'a Path,
    doc: &'a Doc,
    text: &'a str,
}

impl Reader<'_> {
    /// The line of lever `key` in the `[levers]` table: the first line after the table's
    /// header that starts with the key (quoted or bare). The parsed table does not keep
    /// the file's order, and the design must follow it.
    fn lever_line(&self, key: &str) -> Option<usize> {
        let header = self.doc.origin(&["levers".to_string()]).line.unwrap_or(1);
        self.text
            .lines()
            .enumerate()
            .skip(header)
            .find(|(_, l)| {
                let l = l.trim_start();
                let rest = l
                    .strip_prefix(&format!("\"{key}\""))
                    .or_else(|| l.strip_prefix(&format!("'{key}'")))
                    .or_else(|| l.strip_prefix(key));
                rest.is_some_and(|r| r.trim_start().starts_with('='))
            })
            .map(|(i, _)| i + 1)
    }

    fn fail(&self, key: &[&str], message: impl Into<String>) -> ScenarioError {
        let path: Vec<String> = key.iter().map(|s| s.to_string()).collect();
        let shown = match key {
            ["levers", lever, rest @ ..] => {
                format!("levers.\"{lever}\"{}", rest.concat())
            }
            _ => path.join("."),
        };
        let line = match key {
            ["levers", lever, ..] => self.lever_line(lever).or(self.doc.origin(&path).line),
            _ => self.doc.origin(&path).line,
        };
        ScenarioError {
            file: self.path.to_path_buf(),
            line,
            key: Some(shown),
            message: message.into(),
        }
    }

    fn experiment(&self, force: bool) -> Result<Experiment, ScenarioError> {
        let t = &self.doc.table;
        for k in t.keys() {
            if k != "experiment" && k != "levers" {
                return Err(self.fail(
                    &[k],
                    "unknown table: an experiment file has [experiment] and [levers]",
                ));
            }
        }
        let e = t
            .get("experiment")
            .and_then(|v| v.as_table())
            .ok_or_else(|| self.fail(&["experiment"], "missing [experiment] table"))?;
        for k in e.keys() {
            if !EXPERIMENT_KEYS.contains(&k.as_str()) {
                return Err(self.fail(
                    &["experiment", k],
                    format!(
                        "unknown key; expected one of {}",
                        EXPERIMENT_KEYS.join(", ")
                    ),
                ));
            }
        }
        let string = |k: &str| -> Result<String, ScenarioError> {
            match e.get(k) {
                Some(toml::Value::String(s)) => Ok(s.clone()),
                Some(v) => Err(self.fail(
                    &["experiment", k],
                    format!("expected a string, found {}", v.type_str()),
                )),
                None => Err(self.fail(&["experiment", k], "missing")),
            }
        };
        let name = string("name")?;
        if name.is_empty()
            || name == "."
            || name == ".."
            || name.contains(['/', '\\'])
            || name.chars().any(char::is_control)
        {
            return Err(self.fail(
                &["experiment", "name"],
                format!("`{name}` cannot name an output folder (explore-<name>)"),
            ));
        }
        let scenario_rel = string("scenario")?;
        let scenario_file = self
            .path
            .parent()
            .unwrap_or(Path::new(""))
            .join(&scenario_rel);
        let scenario = model::load(&scenario_file, &[])?;
        let count = |k: &str, min: i64| -> Result<Option<u64>, ScenarioError> {
            match e.get(k) {
                None => Ok(None),
                Some(toml::Value::Integer(i)) if *i >= min => Ok(Some(*i as u64)),
                Some(v) => Err(self.fail(
                    &["experiment", k],
                    format!("expected a whole number >= {min}, found {v}"),
                )),
            }
        };
        let trials = count("trials", 1)?.unwrap_or(scenario.trials);
        let seed = count("seed", 0)?.unwrap_or(scenario.seed);
        let design = match e.get("policies") {
            None => PolicyDesign::Factorial,
            Some(toml::Value::String(s)) if s == "factorial" => PolicyDesign::Factorial,
            Some(toml::Value::Table(t))
                if t.len() == 1
                    && matches!(t.get("lhs"), Some(toml::Value::Integer(n)) if *n >= 1) =>
            {
                PolicyDesign::Lhs(t["lhs"].as_integer().expect("an integer") as u64)
            }
            Some(v) => {
                return Err(self.fail(
                    &["experiment", "policies"],
                    format!("expected \"factorial\" or {{ lhs = N }} with N >= 1, found {v}"),
                ));
            }
        };
        let criterion = match e.get("criterion") {
            None => "viable".to_string(),
            Some(_) => string("criterion")?,
        };
        let model = ViabilityModel::new(&scenario);
        let indicators: Vec<&str> = model
            .schema()
            .outcomes
            .iter()
            .filter(|o| o.is_indicator())
            .map(|o| o.name.as_str())
            .collect();
        if !indicators.contains(&criterion.as_str()) {
            return Err(self.fail(
                &["experiment", "criterion"],
                format!(
                    "unknown criterion `{criterion}`; expected one of {}",
                    indicators.join(", ")
                ),
            ));
        }
        let target = match e.get("target") {
            None => None,
            Some(v) => match v.as_float().or(v.as_integer().map(|i| i as f64)) {
                Some(x) if (0.0..=1.0).contains(&x) => Some(x),
                _ => {
                    return Err(self.fail(
                        &["experiment", "target"],
                        format!("expected a probability in [0, 1], found {v}"),
                    ));
                }
            },
        };
        let levers = self.levers(design)?;
        let policies = self.policies(&levers, design, seed, force)?;
        let warnings = scope_warning(&model, &scenario, &criterion, &levers)
            .into_iter()
            .collect();
        let exp = Experiment {
            name,
            file: self.path.to_path_buf(),
            scenario,
            scenario_file,
            trials,
            seed,
            design,
            criterion,
            target,
            levers,
            policies,
            warnings,
        };
        self.check_values(&exp)?;
        self.check_policies(&exp)?;
        Ok(exp)
    }

    fn levers(&self, design: PolicyDesign) -> Result<Vec<Lever>, ScenarioError> {
        let table = match self.doc.table.get("levers") {
            Some(toml::Value::Table(t)) if !t.is_empty() => t,
            Some(toml::Value::Table(_)) | None => {
                return Err(self.fail(&["levers"], "an experiment needs at least one lever"));
            }
            Some(v) => {
                return Err(self.fail(
                    &["levers"],
                    format!("expected a table, found {}", v.type_str()),
                ));
            }
        };
        let mut levers = Vec::new();
        for (key, value) in table {
            let at = |rest: &str| vec!["levers".to_string(), key.clone(), rest.to_string()];
            let fail_at = |rest: &str, m: String| {
                let p = at(rest);
                let refs: Vec<&str> = p.iter().map(String::as_str).collect();
                self.fail(&refs, m)
            };
            let kind = lever_kind(key, &key_schema()).ok_or_else(|| {
                fail_at(
                    "",
                    "unknown lever key: a lever is a numeric key of the scenario (or one \
                     sub-key of its distribution), lines.<line>.enabled or plan.start_offset"
                        .to_string(),
                )
            })?;
            let Some(list) = value.as_array() else {
                return Err(fail_at(
                    "",
                    format!(
                        "expected a list ({}), found {}",
                        match design {
                            PolicyDesign::Factorial => "the values to try",
                            PolicyDesign::Lhs(_) => "[low, high]",
                        },
                        value.type_str()
                    ),
                ));
            };
            if list.is_empty() {
                return Err(fail_at("", "empty list: give at least one value".into()));
            }
            let mut values = Vec::with_capacity(list.len());
            for (i, v) in list.iter().enumerate() {
                let idx = format!("[{i}]");
                let value = match (kind, v) {
                    (LeverKind::Flag, toml::Value::Boolean(b)) => LeverValue::Flag(*b),
                    (LeverKind::Numeric, toml::Value::Float(x)) if x.is_finite() => {
                        LeverValue::Number(*x)
                    }
                    (LeverKind::Numeric | LeverKind::Count, toml::Value::Integer(n)) => {
                        LeverValue::Number(*n as f64)
                    }
                    (LeverKind::Numeric, toml::Value::Table(t)) if t.contains_key("path") => {
                        LeverValue::Table(t.clone())
                    }
                    (LeverKind::Flag, v) => {
                        return Err(fail_at(&idx, format!("expected true or false, found {v}")));
                    }
                    (LeverKind::Count, v) => {
                        return Err(fail_at(
                            &idx,
                            format!("expected a whole number of years, found {v}"),
                        ));
                    }
                    (LeverKind::Numeric, v) => {
                        return Err(fail_at(
                            &idx,
                            format!("expected a number or a {{ path = [...] }} table, found {v}"),
                        ));
                    }
                };
                values.push(value);
            }
            if let PolicyDesign::Lhs(_) = design {
                if kind != LeverKind::Numeric {
                    return Err(fail_at(
                        "",
                        "a Latin hypercube range needs a numeric lever; flags, \
                         plan.start_offset and paths are factorial only"
                            .into(),
                    ));
                }
                let (lo, hi) = match values.as_slice() {
                    [LeverValue::Number(lo), LeverValue::Number(hi)] => (*lo, *hi),
                    _ => {
                        return Err(fail_at(
                            "",
                            "a Latin hypercube range is [low, high]: two numbers (paths are \
                             factorial only)"
                                .into(),
                        ));
                    }
                };
                if lo >= hi {
                    return Err(fail_at(
                        "",
                        format!("a range [low, high] needs low < high, found [{lo}, {hi}]"),
                    ));
                }
            }
            levers.push(Lever {
                key: key.clone(),
                kind,
                line: self.doc.origin(&["levers".to_string(), key.clone()]).line,
                values,
            });
        }
        // The parsed table is sorted by key; the design follows the file: levers in the
        // order of their lines (levers written on one line, in an inline table, by key).
        levers.sort_by_key(|l| l.line);
        Ok(levers)
    }

    fn policies(
        &self,
        levers: &[Lever],
        design: PolicyDesign,
        seed: u64,
        force: bool,
    ) -> Result<Vec<Policy>, ScenarioError> {
        let count = match design {
            PolicyDesign::Factorial => {
                let levels: Vec<usize> = levers.iter().map(|l| l.values.len()).collect();
                design::factorial_count(&levels).unwrap_or(u64::MAX)
            }
            PolicyDesign::Lhs(n) => n,
        };
        if count > MAX_POLICIES && !force {
            return Err(self.fail(
                &[
                    "experiment",
                    if matches!(design, PolicyDesign::Lhs(_)) {
                        "policies"
                    } else {
                        "levers"
                    },
                ],
                format!(
                    "{} policies is more than {} (each runs every trial); give fewer values \
                     or pass --force",
                    if count == u64::MAX {
                        "more than 2^64".to_string()
                    } else {
                        count.to_string()
                    },
                    MAX_POLICIES
                ),
            ));
        }
        Ok(match design {
            PolicyDesign::Factorial => {
                let levels: Vec<usize> = levers.iter().map(|l| l.values.len()).collect();
                design::factorial(&levels)
                    .into_iter()
                    .map(|lv| Policy {
                        values: lv
                            .iter()
                            .zip(levers)
                            .map(|(&i, l)| l.values[i].clone())
                            .collect(),
                        levels: lv,
                    })
                    .collect()
            }
            PolicyDesign::Lhs(n) => {
                let ranges: Vec<[f64; 2]> = levers
                    .iter()
                    .map(|l| match l.values.as_slice() {
                        [LeverValue::Number(lo), LeverValue::Number(hi)] => [*lo, *hi],
                        _ => unreachable!("checked in levers()"),
                    })
                    .collect();
                design::lhs(n, &ranges, seed)
                    .into_iter()
                    .map(|pt| Policy {
                        levels: Vec::new(),
                        values: pt.into_iter().map(LeverValue::Number).collect(),
                    })
                    .collect()
            }
        })
    }

    /// Every listed value (or range end) alone: is it in its key's domain?
    fn check_values(&self, exp: &Experiment) -> Result<(), ScenarioError> {
        for lever in &exp.levers {
            for (i, v) in lever.values.iter().enumerate() {
                let set = format!("{}={}", lever.key, v.set_text());
                if let Err(e) = model::load(&exp.scenario_file, &[set]) {
                    let p = ["levers", lever.key.as_str(), &format!("[{i}]")];
                    return Err(self.fail(
                        &p,
                        format!("{} is not a valid value here: {e}", v.set_text()),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The scenario under every policy (the first failing policy, in design order).
    fn check_policies(&self, exp: &Experiment) -> Result<(), ScenarioError> {
        let failure = exp
            .policies
            .par_iter()
            .enumerate()
            .find_map_first(|(i, p)| {
                model::load(&exp.scenario_file, &p.overrides(&exp.levers))
                    .err()
                    .map(|e| (i, e))
            });
        match failure {
            None => Ok(()),
            Some((i, e)) => Err(self.fail(
                &["levers"],
                format!(
                    "the scenario does not validate under policy {i} ({}): {e}",
                    exp.policies[i].label(&exp.levers)
                ),
            )),
        }
    }
}

/// With `viability.independence_scope = "enabled"`, independence is judged over the demand
/// of the lines a policy builds: a lever that switches lines on or off changes that
/// denominator, so two policies' P(criterion) are not judged against the same demand. The
/// warning, when the criterion reads the judged independence (`viable`,
/// `meets_min_independence`, or an analyst's criterion whose expression names either or
/// `independence_enabled`; a line's own independence does not change) and some lever is a
/// line's `enabled`.
fn scope_warning(
    model: &ViabilityModel,
    scenario: &Scenario,
    criterion: &str,
    levers: &[Lever],
) -> Option<String> {
    if !model.settings().scope_enabled {
        return None;
    }
    let switches: Vec<&str> = levers
        .iter()
        .filter(|l| l.kind == LeverKind::Flag)
        .map(|l| l.key.as_str())
        .collect();
    if switches.is_empty() {
        return None;
    }
    let reads = |name: &str| {
        matches!(
            name,
            "viable" | "meets_min_independence" | "independence_enabled"
        )
    };
    let reads_independence = reads(criterion)
        || scenario.criteria.iter().any(|c| {
            c.name == criterion
                && c.expr
                    .split(|ch: char| !(ch.is_alphanumeric() || ch == '_' || ch == '.'))
                    .any(reads)
        });
    reads_independence.then(|| {
        format!(
            "viability.independence_scope is \"enabled\" and {} switch{} lines on and off: \
             independence is judged over the demand of the lines each policy builds, so the \
             denominator of `{criterion}` changes with the policy (a policy that drops a line \
             is not held to that line's demand)",
            switches.join(", "),
            if switches.len() == 1 { "es" } else { "" }
        )
    })
}

#[cfg(test)]
mod tests;
