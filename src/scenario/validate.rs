//! Validation of a merged scenario document into a [`Scenario`].
//!
//! Every check runs and every failure is collected with its origin; the one reported is
//! the first in file order (the user's file first, then the files it extends; by line
//! within a file; keys without a line, such as missing ones, last). Cross-key rules run
//! only when every key is valid on its own, so that one mistake gives one error.

use std::collections::BTreeMap;
use std::path::Path;

use super::doc::{self, Doc, Files, KeyPath, Origin};
use super::merge::describe_value;
use super::schema::{self, DIST_SUBKEYS, Leaf, Node, Setting};
use super::{ParamEntry, Scenario, ScenarioError};
use crate::dist::Param;
use crate::model::params::{
    LINE_NAMES, LineSettings, N_LINES, SUPPORT_STATES, Settings, Slot, numeric_key_paths,
};

/// Tolerance on the sum of a `capex_schedule`.
pub const SCHEDULE_TOLERANCE: f64 = 1e-9;

/// Validates `doc` (extends resolved, overrides applied) into a scenario.
pub(crate) fn validate(file: &Path, doc: Doc, files: &Files) -> Result<Scenario, ScenarioError> {
    let root = schema::schema();
    let mut c = Checker {
        doc: &doc,
        files,
        errors: Vec::new(),
    };
    let mut bad: Vec<KeyPath> = Vec::new();
    c.unknown_keys(&doc.table, &root, &mut Vec::new(), &mut bad);

    let mut params: BTreeMap<String, ParamEntry> = BTreeMap::new();
    let mut b = Builder::default();
    for (path, leaf) in root.leaves() {
        if bad.iter().any(|p| path.starts_with(p)) {
            continue;
        }
        let Some(value) = doc::get(&doc.table, &path) else {
            if leaf != Leaf::Setting(Setting::Extends) {
                c.missing(&path, &mut bad);
            }
            continue;
        };
        match leaf {
            Leaf::Numeric(slot) => {
                if let Some(param) = c.param(&path, slot, value) {
                    let key = doc::dotted(&path);
                    params.insert(key.clone(), ParamEntry { key, slot, param });
                }
            }
            Leaf::Setting(kind) => {
                if let Some(v) = c.setting(&path, kind, value) {
                    b.set(&path, v);
                }
            }
        }
    }
    c.bail()?;

    let params: Vec<ParamEntry> = numeric_key_paths()
        .iter()
        .filter_map(|k| params.remove(k))
        .collect();
    c.cross_key(&params, &b);
    c.bail()?;

    Ok(Scenario {
        name: b.name,
        description: b.description,
        file: file.to_path_buf(),
        seed: b.seed,
        trials: b.trials,
        settings: Settings {
            start_year: b.start_year,
            horizon_years: b.horizon_years,
            sanctions_initial: b.sanctions_initial,
            support_initial: b.support_initial,
            start_offset: b.start_offset,
            credit_tenor_years: b.credit_tenor_years,
            lines: b.lines,
        },
        params,
        resolved: doc.table.clone(),
    })
}

/// A checked fixed value.
enum Value {
    Str(String),
    Int(i64),
    Flag(bool),
    /// Index into `SUPPORT_STATES`.
    State(usize),
    Shares(Vec<f64>),
}

/// Settings as they are checked; complete once no error was found.
struct Builder {
    name: String,
    description: String,
    start_year: i32,
    horizon_years: usize,
    trials: u64,
    seed: u64,
    sanctions_initial: bool,
    support_initial: usize,
    start_offset: usize,
    credit_tenor_years: usize,
    lines: [LineSettings; N_LINES],
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            name: String::new(),
            description: String::new(),
            start_year: 0,
            horizon_years: 0,
            trials: 0,
            seed: 0,
            sanctions_initial: false,
            support_initial: 0,
            start_offset: 0,
            credit_tenor_years: 0,
            lines: std::array::from_fn(|_| LineSettings {
                enabled: false,
                exportable: false,
                unit: String::new(),
                capex_schedule: Vec::new(),
            }),
        }
    }
}

impl Builder {
    fn set(&mut self, path: &[String], v: Value) {
        let p: Vec<&str> = path.iter().map(String::as_str).collect();
        let int = |v: &Value| match v {
            Value::Int(i) => *i,
            _ => 0,
        };
        let size = |v: &Value| usize::try_from(int(v)).unwrap_or(0);
        match (p.as_slice(), v) {
            (["scenario", "name"], Value::Str(s)) => self.name = s,
            (["scenario", "description"], Value::Str(s)) => self.description = s,
            (["scenario", "start_year"], v) => {
                self.start_year = i32::try_from(int(&v)).unwrap_or(0)
            }
            (["scenario", "horizon_years"], v) => self.horizon_years = size(&v),
            (["scenario", "trials"], v) => self.trials = u64::try_from(int(&v)).unwrap_or(0),
            (["scenario", "seed"], v) => self.seed = u64::try_from(int(&v)).unwrap_or(0),
            (["sanctions", "initial"], v) => self.sanctions_initial = int(&v) == 1,
            (["support", "initial"], Value::State(s)) => self.support_initial = s,
            (["plan", "start_offset"], v) => self.start_offset = size(&v),
            (["plan", "credit_tenor_years"], v) => self.credit_tenor_years = size(&v),
            (["lines", line, field], v) => {
                let Some(l) = LINE_NAMES.iter().position(|n| n == line) else {
                    return;
                };
                let ls = &mut self.lines[l];
                match (*field, v) {
                    ("enabled", Value::Flag(f)) => ls.enabled = f,
                    ("exportable", Value::Flag(f)) => ls.exportable = f,
                    ("unit", Value::Str(s)) => ls.unit = s,
                    ("capex_schedule", Value::Shares(s)) => ls.capex_schedule = s,
                    _ => {}
                }
            }
            _ => {}
        }
    }
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
                "{what}: a scenario states every key of the model (docs/calibration.md lists \
                 them; no number is hidden in code), here or in the file it `extends`"
            ),
        );
    }

    /// A numeric key: a bare number or a distribution table, whose support lies inside the
    /// key's domain.
    fn param(&mut self, path: &[String], slot: Slot, value: &toml::Value) -> Option<Param> {
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
        let domain = slot.domain();
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
    fn setting(&mut self, path: &[String], kind: Setting, value: &toml::Value) -> Option<Value> {
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

    /// Rules across keys: the localization floor under the import content on every line;
    /// at least one enabled line with military demand.
    fn cross_key(&mut self, params: &[ParamEntry], b: &Builder) {
        let find = |key: String| params.iter().find(|p| p.key == key);
        for line in LINE_NAMES {
            let floor = find(format!("lines.{line}.min_import_content"));
            let start = find(format!("lines.{line}.import_content"));
            if let (Some(floor), Some(start)) = (floor, start) {
                let (f, s) = (floor.param.support(), start.param.support());
                if f.hi > s.lo {
                    let path: KeyPath = floor.key.split('.').map(str::to_string).collect();
                    self.fail_at(
                        &path,
                        format!(
                            "min_import_content ({}) lies above import_content ({}) in some \
                             or all trials (largest possible floor {}, smallest possible import \
                             content {}): the floor of localization must not exceed the import \
                             content it starts from",
                            floor.param.describe(),
                            start.param.describe(),
                            f.hi,
                            s.lo
                        ),
                    );
                }
            }
        }
        let mut why = Vec::new();
        let mut any = false;
        for (l, line) in LINE_NAMES.iter().enumerate() {
            let demand = find(format!("lines.{line}.military_demand"));
            if !b.lines[l].enabled {
                why.push(format!("{line} is disabled"));
            } else if let Some(d) = demand {
                let s = d.param.support();
                if s.lo > 0.0 || (s.lo == 0.0 && s.lo_open) {
                    any = true;
                } else {
                    why.push(format!("{line} has military_demand {}", d.param.describe()));
                }
            }
        }
        if !any {
            self.fail(
                Origin::default(),
                "lines".to_string(),
                format!(
                    "no enabled line has military demand above 0 ({}): at least one enabled \
                     line needs a military_demand whose support lies strictly above 0",
                    why.join("; ")
                ),
            );
        }
    }
}

/// Checks a fixed value against its kind.
fn check_setting(kind: Setting, value: &toml::Value) -> Result<Value, String> {
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
        Setting::Name => {
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
        Setting::Description | Setting::Extends => string().map(Value::Str),
        Setting::Unit => {
            let s = string()?;
            if s.trim().is_empty() {
                return Err("expected the name of the unit (rifle, round, ...), found \"\"".into());
            }
            Ok(Value::Str(s))
        }
        Setting::StartYear => {
            let i = integer()?;
            i32::try_from(i)
                .map(|_| Value::Int(i))
                .map_err(|_| format!("expected a year, found {i}"))
        }
        Setting::Count { min } => {
            let i = integer()?;
            if i < min {
                return Err(format!("expected an integer >= {min}, found {i}"));
            }
            usize::try_from(i)
                .map(|_| Value::Int(i))
                .map_err(|_| format!("{i} is too large"))
        }
        Setting::SanctionsInitial => match integer()? {
            i @ (0 | 1) => Ok(Value::Int(i)),
            i => Err(format!(
                "expected 0 (not sanctioned at the start) or 1 (sanctioned), found {i}"
            )),
        },
        Setting::SupportInitial => {
            let s = string()?;
            SUPPORT_STATES
                .iter()
                .position(|st| *st == s)
                .map(Value::State)
                .ok_or_else(|| {
                    format!(
                        "expected \"full\", \"reduced\" or \"withdrawn\", found {s:?}{}",
                        schema::did_you_mean(&s, &SUPPORT_STATES)
                    )
                })
        }
        Setting::Flag => match value {
            toml::Value::Boolean(f) => Ok(Value::Flag(*f)),
            _ => Err(format!("expected true or false, found {}", found())),
        },
        Setting::Schedule => {
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
