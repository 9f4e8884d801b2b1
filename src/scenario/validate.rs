//! Validation of a merged scenario document into a [`Scenario`].
//!
//! Every check runs and every failure is collected with its origin; the one reported is
//! the first in file order (the user's file first, then the files it extends; by line
//! within a file; keys without a line, such as missing ones, last). Cross-key rules run
//! only when every key is valid on its own, so that one mistake gives one error.

use std::path::Path;

use super::doc::{self, Doc, Files, KeyPath, Origin};
use super::keys::{Fixed, KeySchema, Value};
use super::merge::describe_value;
use super::schema::{self, DIST_SUBKEYS, Leaf, Node};
use super::{ParamEntry, Scenario, ScenarioError};
use crate::dist::{Interval, Param};

/// Tolerance on the sum of a `capex_schedule`.
pub const SCHEDULE_TOLERANCE: f64 = 1e-9;

/// Validates `doc` (extends resolved, overrides applied) into a scenario: every key of
/// `root` (the tree of `keys`) on its own, then the model's rules across keys.
pub(crate) fn validate(
    file: &Path,
    doc: Doc,
    files: &Files,
    root: &Node,
    keys: &KeySchema,
) -> Result<Scenario, ScenarioError> {
    let mut c = Checker {
        doc: &doc,
        files,
        errors: Vec::new(),
    };
    let mut bad: Vec<KeyPath> = Vec::new();
    c.unknown_keys(&doc.table, root, &mut Vec::new(), &mut bad);

    let mut params: Vec<ParamEntry> = Vec::new();
    let mut settings: Vec<(String, Value)> = Vec::new();
    for (path, leaf) in root.leaves() {
        if bad.iter().any(|p| path.starts_with(p)) {
            continue;
        }
        let Some(value) = doc::get(&doc.table, &path) else {
            if leaf != Leaf::Setting(Fixed::Extends) {
                c.missing(&path, &mut bad);
            }
            continue;
        };
        let key = doc::dotted(&path);
        match &leaf {
            Leaf::Numeric(domain) => {
                if let Some(param) = c.param(&path, *domain, value) {
                    params.push(ParamEntry { key, param });
                }
            }
            Leaf::Setting(kind) => {
                if let Some(v) = c.setting(&path, kind, value) {
                    settings.push((key, v));
                }
            }
        }
    }
    c.bail()?;

    // `[scenario]` is the loader's own; every other fixed value is the model's.
    let mut own = |key: &str| {
        settings
            .iter()
            .position(|(k, _)| k == key)
            .map(|i| settings.remove(i).1)
    };
    let text = |v: Option<Value>| match v {
        Some(Value::Str(s)) => s,
        _ => String::new(),
    };
    let int = |v: Option<Value>| v.map_or(0, |v| v.int());
    let name = text(own("scenario.name"));
    let description = text(own("scenario.description"));
    own("scenario.extends");
    let start_year = i32::try_from(int(own("scenario.start_year"))).unwrap_or(0);
    let horizon_years = usize::try_from(int(own("scenario.horizon_years"))).unwrap_or(0);
    let trials = u64::try_from(int(own("scenario.trials"))).unwrap_or(0);
    let seed = u64::try_from(int(own("scenario.seed"))).unwrap_or(0);
    let scenario = Scenario {
        name,
        description,
        file: file.to_path_buf(),
        seed,
        trials,
        start_year,
        horizon_years,
        settings,
        params,
        resolved: doc.table.clone(),
    };
    for fault in (keys.cross_check)(&scenario) {
        match &fault.path {
            Some(path) => c.fail_at(path, fault.message),
            None => c.fail(Origin::default(), fault.key, fault.message),
        }
    }
    c.bail()?;
    Ok(scenario)
}

struct Checker<'a> {
    doc: &'a Doc,
    files: &'a Files,
    /// (file index, line, discovery order) and the error.
    errors: Vec<((usize, usize, usize), ScenarioError)>,
}

impl Checker<'_> {
    fn fail(&mut self, origin: Origin, key: String, message: impl Into<String>) {
        let order = (
            origin.file,
            origin.line.unwrap_or(usize::MAX),
            self.errors.len(),
        );
        let e = self.files.error(origin, Some(key), message);
        self.errors.push((order, e));
    }

    fn fail_at(&mut self, path: &[String], message: impl Into<String>) {
        let origin = self.doc.origin(path);
        self.fail(origin, doc::dotted(path), message);
    }

    /// The first error in file order, if any.
    fn bail(&mut self) -> Result<(), ScenarioError> {
        match self.errors.iter().min_by_key(|(order, _)| *order) {
            Some((_, e)) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Unknown tables, keys and distribution sub-keys; tables where a value should be.
    fn unknown_keys(
        &mut self,
        table: &toml::Table,
        node: &Node,
        path: &mut KeyPath,
        bad: &mut Vec<KeyPath>,
    ) {
        for (k, v) in table {
            path.push(k.clone());
            match node.child(k) {
                None => {
                    let known = node.child_names();
                    let mut hint = schema::did_you_mean(k, &known);
                    if hint.is_empty() && known.len() <= 6 {
                        hint = format!(" (known: {})", known.join(", "));
                    }
                    let message = if path.len() == 1 {
                        format!("unknown table `[{k}]`{hint}")
                    } else {
                        format!(
                            "unknown key `{k}` in `[{}]`{hint}",
                            doc::dotted(&path[..path.len() - 1])
                        )
                    };
                    self.fail_at(path, message);
                }
                Some(sub @ Node::Table(_)) => match v {
                    toml::Value::Table(t) => self.unknown_keys(t, sub, path, bad),
                    other => {
                        self.fail_at(
                            path,
                            format!(
                                "expected the table `[{}]`, found {}",
                                doc::dotted(path),
                                describe_value(other)
                            ),
                        );
                        bad.push(path.clone());
                    }
                },
                Some(Node::Leaf(Leaf::Numeric(_))) => {
                    if let toml::Value::Table(t) = v {
                        for sub in t.keys().filter(|s| !DIST_SUBKEYS.contains(&s.as_str())) {
                            path.push(sub.clone());
                            let message = format!(
                                "unknown sub-key `{sub}` of a distribution table{}",
                                schema::did_you_mean(sub, DIST_SUBKEYS)
                            );
                            self.fail_at(path, message);
                            path.pop();
                            bad.push(path.clone());
                        }
                    }
                }
                Some(Node::Leaf(Leaf::Setting(_))) => {}
            }
            path.pop();
        }
    }

    /// A key of the schema that the merged scenario lacks (or the whole table it sits in).
    fn missing(&mut self, path: &[String], bad: &mut Vec<KeyPath>) {
        let present = (1..path.len())
            .take_while(|n| doc::get(&self.doc.table, &path[..*n]).is_some())
            .count()
            + 1;
        let missing = &path[..present];
        let what = if missing.len() < path.len() {
            format!("missing table `[{}]`", doc::dotted(missing))
        } else {
            format!("missing key `{}`", doc::dotted(missing))
        };
        bad.push(missing.to_vec());
        self.fail(
            Origin::default(),
            doc::dotted(missing),
            format!(
                "{what}: a scenario states every key of calibration.md (no number is hidden \
                 in code), here or in the file it `extends`"
            ),
        );
    }

    /// A numeric key: a bare number or a distribution table, whose support lies inside the
    /// key's domain.
    fn param(&mut self, path: &[String], domain: Interval, value: &toml::Value) -> Option<Param> {
        let param = match value {
            toml::Value::Integer(i) => Param::fixed(*i as f64),
            toml::Value::Float(x) if x.is_finite() => Param::fixed(*x),
            toml::Value::Float(x) => {
                self.fail_at(path, format!("expected a finite number, found {x}"));
                return None;
            }
            toml::Value::Table(t) => match Param::from_toml(t) {
                Ok(p) => p,
                Err(e) => {
                    let mut at = path.to_vec();
                    at.extend(e.field.clone());
                    self.fail_at(&at, e.message);
                    return None;
                }
            },
            other => {
                self.fail_at(
                    path,
                    format!(
                        "expected a number or a distribution table such as \
                         {{ dist = \"normal\", mean = .., sd = .. }}, found {}",
                        describe_value(other)
                    ),
                );
                return None;
            }
        };
        let support = param.support();
        if !domain.contains_interval(&support) {
            let message = match param.fixed_value() {
                Some(v) => format!("{v} is not inside the domain {domain} of this key"),
                None => format!(
                    "support {support} of {} is not inside the domain {domain} of this key \
                     (truncate it with `min`/`max`, or choose a distribution that stays inside)",
                    param.describe()
                ),
            };
            self.fail_at(path, message);
            return None;
        }
        Some(param)
    }

    /// A count, state, name, flag or schedule: a fixed value, never a distribution.
    fn setting(&mut self, path: &[String], kind: &Fixed, value: &toml::Value) -> Option<Value> {
        let key = doc::dotted(path);
        if let toml::Value::Table(_) = value {
            self.fail_at(
                path,
                format!(
                    "`{key}` is {}: a fixed value, never a distribution or table; write a bare \
                     value (and its source in a comment)",
                    kind.what()
                ),
            );
            return None;
        }
        let checked = check_setting(kind, value);
        if let Err(message) = &checked {
            self.fail_at(path, message.clone());
        }
        checked.ok()
    }
}

/// Checks a fixed value against its kind.
fn check_setting(kind: &Fixed, value: &toml::Value) -> Result<Value, String> {
    let found = || describe_value(value);
    let string = || match value {
        toml::Value::String(s) => Ok(s.clone()),
        _ => Err(format!("expected a string, found {}", found())),
    };
    let integer = || match value {
        toml::Value::Integer(i) => Ok(*i),
        _ => Err(format!("expected an integer, found {}", found())),
    };
    match kind {
        Fixed::Name => {
            let s = string()?;
            let safe = s
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if s.is_empty() || !safe || s == "." || s == ".." {
                return Err(format!(
                    "expected a non-empty name made of letters, digits, `-`, `_` and `.` (it \
                     names the output folder), found {s:?}"
                ));
            }
            Ok(Value::Str(s))
        }
        Fixed::Description | Fixed::Extends => string().map(Value::Str),
        Fixed::Unit => {
            let s = string()?;
            if s.trim().is_empty() {
                return Err("expected the name of the unit (rifle, round, ...), found \"\"".into());
            }
            Ok(Value::Str(s))
        }
        Fixed::Year => {
            let i = integer()?;
            i32::try_from(i)
                .map(|_| Value::Int(i))
                .map_err(|_| format!("expected a year, found {i}"))
        }
        Fixed::Count { min } => {
            let i = integer()?;
            if i < *min {
                return Err(format!("expected an integer >= {min}, found {i}"));
            }
            usize::try_from(i)
                .map(|_| Value::Int(i))
                .map_err(|_| format!("{i} is too large"))
        }
        Fixed::IndexedState(meanings) => {
            let i = integer()?;
            match usize::try_from(i) {
                Ok(k) if k < meanings.len() => Ok(Value::Int(i)),
                _ => {
                    let options: Vec<String> = meanings
                        .iter()
                        .enumerate()
                        .map(|(k, m)| format!("{k} ({m})"))
                        .collect();
                    Err(format!("expected {}, found {i}", one_of(&options)))
                }
            }
        }
        Fixed::NamedState(names) => {
            let s = string()?;
            match names.iter().position(|st| *st == s) {
                Some(k) => Ok(Value::State(k, s)),
                None => {
                    let options: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
                    Err(format!(
                        "expected {}, found {s:?}{}",
                        one_of(&options),
                        schema::did_you_mean(&s, names)
                    ))
                }
            }
        }
        Fixed::Flag => match value {
            toml::Value::Boolean(f) => Ok(Value::Flag(*f)),
            _ => Err(format!("expected true or false, found {}", found())),
        },
        Fixed::Schedule => {
            let toml::Value::Array(items) = value else {
                return Err(format!("expected an array of shares, found {}", found()));
            };
            if items.is_empty() {
                return Err(
                    "expected a non-empty array of shares summing to 1, found []".to_string(),
                );
            }
            let mut shares = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let x = match item {
                    toml::Value::Integer(n) => *n as f64,
                    toml::Value::Float(x) => *x,
                    other => {
                        return Err(format!(
                            "item {i} of the schedule: expected a share, found {}",
                            describe_value(other)
                        ));
                    }
                };
                if !(0.0..=1.0).contains(&x) {
                    return Err(format!(
                        "item {i} of the schedule is {x}, not a share in [0, 1]"
                    ));
                }
                shares.push(x);
            }
            let sum: f64 = shares.iter().sum();
            if (sum - 1.0).abs() > SCHEDULE_TOLERANCE {
                return Err(format!(
                    "the shares sum to {sum}, not 1 (within {SCHEDULE_TOLERANCE:e})"
                ));
            }
            Ok(Value::Shares(shares))
        }
    }
}

/// `a, b or c`.
fn one_of(options: &[String]) -> String {
    match options.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}
