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
use super::{CorrelationSpec, CriterionSpec, LeverPath, ParamEntry, Scenario, ScenarioError};
use crate::dist::Param;
use crate::model::params::{
    LEVER_KEYS, LINE_NAMES, LineSettings, N_LINES, SUPPORT_STATES, Settings, Slot,
    numeric_key_paths,
};
use crate::stats::copula::Copula;
use crate::stats::expr;

/// Names of every outcome of the model that a criterion may read (the analysts' own
/// criteria aside), in output order.
pub fn known_outcomes() -> Vec<String> {
    crate::model::outcomes::schema()
        .into_iter()
        .chain(crate::model::outcomes::extra_schema())
        .map(|o| o.name)
        .collect()
}

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
            if !matches!(leaf, Leaf::Setting(kind) if kind.optional()) {
                c.missing(&path, &mut bad);
            }
            continue;
        };
        match leaf {
            Leaf::Numeric(slot) => {
                let key = doc::dotted(&path);
                let param = match value {
                    toml::Value::Table(t) if t.contains_key("path") => {
                        c.lever_path(&path, slot, t, &mut b)
                    }
                    _ => c.param(&path, slot, value),
                };
                if let Some(param) = param {
                    params.insert(key.clone(), ParamEntry { key, slot, param });
                }
            }
            Leaf::Setting(Setting::Criteria) => c.criteria(&path, value, &mut b),
            Leaf::Setting(Setting::Correlations) => c.correlations(&path, value, &mut b),
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
    let mut warnings = Vec::new();
    let lever_paths = c.expand_levers(&b);
    let forced = b.forced_as_written();
    let (sanctions_forced, support_forced) = c.expand_forced(&b);
    c.check_criteria(&b);
    c.check_correlations(&params, &b, &mut warnings);
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
            lines: b.lines.clone(),
            sanctions_forced,
            support_forced,
            lever_paths: lever_paths
                .iter()
                .map(|l| (Slot::of(&l.key).expect("a lever key"), l.yearly.clone()))
                .collect(),
            scope_enabled: b.scope == "enabled",
        },
        params,
        resolved: doc.table.clone(),
        criteria: b
            .criteria
            .iter()
            .map(|(name, e)| CriterionSpec {
                name: name.clone(),
                expr: e.clone(),
            })
            .collect(),
        correlations: b.correlations.iter().map(|(_, c)| c.clone()).collect(),
        lever_paths,
        forced,
        supplier: b.supplier.clone(),
        independence_scope: b.scope.clone(),
        warnings,
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
    /// `sanctions.path`: 0, 1 or -1 (free).
    SanctionsPath(Vec<i64>),
    /// `support.path`: a state index, or `None` for "free".
    SupportPath(Vec<Option<usize>>),
}

/// A lever path as read, before it is checked against the horizon.
#[derive(Clone)]
struct RawLever {
    path: KeyPath,
    values: Vec<f64>,
    from: Option<i32>,
    source: Option<String>,
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
    sanctions_path: Option<Vec<i64>>,
    sanctions_from: Option<i32>,
    support_path: Option<Vec<Option<usize>>>,
    support_from: Option<i32>,
    supplier: String,
    scope: String,
    /// `[criteria]`: (name, expression) in file order.
    criteria: Vec<(String, String)>,
    /// `[[correlations]]`: (index in the merged array, entry).
    correlations: Vec<(usize, CorrelationSpec)>,
    levers: Vec<RawLever>,
}

impl Builder {
    /// `sanctions.path` and `support.path` as written, for printing.
    fn forced_as_written(&self) -> Vec<(String, Vec<String>, i32)> {
        let mut out = Vec::new();
        if let Some(p) = &self.sanctions_path {
            out.push((
                "sanctions.path".into(),
                p.iter().map(|v| v.to_string()).collect(),
                self.sanctions_from.unwrap_or(self.start_year),
            ));
        }
        if let Some(p) = &self.support_path {
            out.push((
                "support.path".into(),
                p.iter()
                    .map(|v| v.map_or("free", |s| SUPPORT_STATES[s]).to_string())
                    .collect(),
                self.support_from.unwrap_or(self.start_year),
            ));
        }
        out
    }
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
            sanctions_path: None,
            sanctions_from: None,
            support_path: None,
            support_from: None,
            supplier: "Russia".into(),
            scope: "all".into(),
            criteria: Vec::new(),
            correlations: Vec::new(),
            levers: Vec::new(),
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
            (["sanctions", "path"], Value::SanctionsPath(p)) => self.sanctions_path = Some(p),
            (["support", "path"], Value::SupportPath(p)) => self.support_path = Some(p),
            (["sanctions", "from"], v) => self.sanctions_from = i32::try_from(int(&v)).ok(),
            (["support", "from"], v) => self.support_from = i32::try_from(int(&v)).ok(),
            (["support", "supplier"], Value::Str(s)) => self.supplier = s,
            (["viability", "independence_scope"], Value::Str(s)) => self.scope = s,
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

    /// A lever given as a yearly path, `{ path = [...], from = YEAR, source = ".." }`: plan
    /// decisions only, fixed values inside the key's domain. Returns the parameter as its
    /// first entry (with its source), and keeps the path for [`Checker::expand_levers`].
    fn lever_path(
        &mut self,
        path: &[String],
        slot: Slot,
        t: &toml::Table,
        b: &mut Builder,
    ) -> Option<Param> {
        let key = doc::dotted(path);
        let at = |sub: &str| {
            let mut p = path.to_vec();
            p.push(sub.to_string());
            p
        };
        if !LEVER_KEYS.contains(&key.as_str()) {
            self.fail_at(
                &at("path"),
                format!(
                    "`{key}` cannot take a yearly path: only the plan levers {} can (a path is \
                     a plan decision by year)",
                    LEVER_KEYS.join(", ")
                ),
            );
            return None;
        }
        let mut ok = true;
        for sub in t
            .keys()
            .filter(|k| !matches!(k.as_str(), "path" | "from" | "source"))
        {
            let why = if DIST_SUBKEYS.contains(&sub.as_str()) {
                "a path is a plan decision, not an uncertainty: it takes only `path`, `from` \
                 and `source` (no distribution)"
            } else {
                "unknown sub-key of a lever path (it takes `path`, `from` and `source`)"
            };
            self.fail_at(&at(sub), format!("`{sub}`: {why}"));
            ok = false;
        }
        let domain = slot.domain();
        let mut values = Vec::new();
        match &t["path"] {
            toml::Value::Array(items) if !items.is_empty() => {
                for (i, item) in items.iter().enumerate() {
                    let x = match item {
                        toml::Value::Integer(n) => *n as f64,
                        toml::Value::Float(x) if x.is_finite() => *x,
                        toml::Value::Table(_) => {
                            self.fail_at(
                                &at("path"),
                                format!(
                                    "entry {i} is a table: a path holds fixed values (a plan \
                                     decision, not an uncertainty), no distribution inside it"
                                ),
                            );
                            ok = false;
                            continue;
                        }
                        other => {
                            self.fail_at(
                                &at("path"),
                                format!(
                                    "entry {i}: expected a number, found {}",
                                    describe_value(other)
                                ),
                            );
                            ok = false;
                            continue;
                        }
                    };
                    if !domain.contains(x) {
                        self.fail_at(
                            &at("path"),
                            format!("entry {i} is {x}, not inside the domain {domain} of this key"),
                        );
                        ok = false;
                    }
                    values.push(x);
                }
            }
            other => {
                self.fail_at(
                    &at("path"),
                    format!(
                        "expected a non-empty list of yearly values, found {}",
                        describe_value(other)
                    ),
                );
                ok = false;
            }
        }
        let from = match t.get("from") {
            None => None,
            Some(toml::Value::Integer(y)) if i32::try_from(*y).is_ok() => Some(*y as i32),
            Some(other) => {
                self.fail_at(
                    &at("from"),
                    format!(
                        "expected the year of the first entry, found {}",
                        describe_value(other)
                    ),
                );
                ok = false;
                None
            }
        };
        let source = match t.get("source") {
            None => None,
            Some(toml::Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.fail_at(
                    &at("source"),
                    format!("expected a string, found {}", describe_value(other)),
                );
                ok = false;
                None
            }
        };
        if !ok {
            return None;
        }
        let mut param = Param::fixed(values[0]);
        param.source = source.clone();
        b.levers.push(RawLever {
            path: path.to_vec(),
            values,
            from,
            source,
        });
        Some(param)
    }

    /// Each lever path's value in every year: entry i applies to year `from + i`, earlier
    /// years take the first entry, later ones the last; a path past the horizon is an error.
    fn expand_levers(&mut self, b: &Builder) -> Vec<LeverPath> {
        let mut out = Vec::new();
        let last_year = b.start_year + b.horizon_years as i32 - 1;
        for raw in b.levers.clone() {
            let from = raw.from.unwrap_or(b.start_year);
            let end = from + raw.values.len() as i32 - 1;
            if end > last_year {
                let mut at = raw.path.clone();
                at.push("path".into());
                self.fail_at(
                    &at,
                    format!(
                        "the path runs from {from} to {end}, past the horizon's last year \
                         {last_year}: drop its last {} entries",
                        end - last_year
                    ),
                );
                continue;
            }
            let yearly = (0..b.horizon_years)
                .map(|t| {
                    let i = (b.start_year + t as i32 - from).clamp(0, raw.values.len() as i32 - 1);
                    raw.values[i as usize]
                })
                .collect();
            out.push(LeverPath {
                key: doc::dotted(&raw.path),
                values: raw.values,
                from,
                source: raw.source,
                yearly,
            });
        }
        out
    }

    /// `sanctions.path` and `support.path` by year of the horizon (`None`: free).
    fn expand_forced(&mut self, b: &Builder) -> (Vec<Option<bool>>, Vec<Option<usize>>) {
        let last_year = b.start_year + b.horizon_years as i32 - 1;
        let check = |me: &mut Self, table: &str, len: Option<usize>, from: Option<i32>| {
            let Some(len) = len else {
                if from.is_some() {
                    me.fail_at(
                        &[table.to_string(), "from".into()],
                        format!("`{table}.from` without `{table}.path`: from gives the year of the path's first entry"),
                    );
                }
                return None;
            };
            let from = from.unwrap_or(b.start_year);
            let end = from + len as i32 - 1;
            if end > last_year {
                me.fail_at(
                    &[table.to_string(), "path".into()],
                    format!(
                        "the path runs from {from} to {end}, past the horizon's last year \
                         {last_year}"
                    ),
                );
                return None;
            }
            Some(from)
        };
        let s_from = check(
            self,
            "sanctions",
            b.sanctions_path.as_ref().map(Vec::len),
            b.sanctions_from,
        );
        let r_from = check(
            self,
            "support",
            b.support_path.as_ref().map(Vec::len),
            b.support_from,
        );
        let year_index = |from: i32, t: usize| usize::try_from(b.start_year + t as i32 - from).ok();
        let sanctions = match (&b.sanctions_path, s_from) {
            (Some(p), Some(from)) => (0..b.horizon_years)
                .map(|t| {
                    year_index(from, t)
                        .and_then(|i| p.get(i))
                        .and_then(|v| (*v >= 0).then_some(*v == 1))
                })
                .collect(),
            _ => Vec::new(),
        };
        let support = match (&b.support_path, r_from) {
            (Some(p), Some(from)) => (0..b.horizon_years)
                .map(|t| {
                    year_index(from, t)
                        .and_then(|i| p.get(i))
                        .copied()
                        .flatten()
                })
                .collect(),
            _ => Vec::new(),
        };
        (sanctions, support)
    }

    /// `[criteria]`: a table of strings, each a name that is no outcome's.
    fn criteria(&mut self, path: &[String], value: &toml::Value, b: &mut Builder) {
        let toml::Value::Table(t) = value else {
            self.fail_at(
                path,
                format!(
                    "expected the table `[criteria]` of name = \"expression\", found {}",
                    describe_value(value)
                ),
            );
            return;
        };
        let mut entries: Vec<(&String, &toml::Value)> = t.iter().collect();
        entries.sort_by_key(|(k, _)| {
            let o = self.doc.origin(&[path[0].clone(), (*k).clone()]);
            (o.file, o.line.unwrap_or(usize::MAX))
        });
        for (name, v) in entries {
            let at = [path[0].clone(), name.clone()];
            let good_name = name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !good_name {
                self.fail_at(
                    &at,
                    format!(
                        "`{name}` is not a criterion name: letters, digits and `_`, starting \
                         with a letter"
                    ),
                );
                continue;
            }
            match v {
                toml::Value::String(e) => b.criteria.push((name.clone(), e.clone())),
                other => self.fail_at(
                    &at,
                    format!(
                        "expected an expression as a string (\"independence >= 0.5 and \
                         peak_fiscal_burden <= 0.02\"), found {}",
                        describe_value(other)
                    ),
                ),
            }
        }
    }

    /// Each criterion parses, names known outcomes only, and is named after none.
    fn check_criteria(&mut self, b: &Builder) {
        let outcomes = known_outcomes();
        let names: Vec<&str> = b.criteria.iter().map(|(n, _)| n.as_str()).collect();
        for (name, e) in &b.criteria {
            let at = ["criteria".to_string(), name.clone()];
            if outcomes.contains(name) {
                self.fail_at(
                    &at,
                    format!(
                        "`{name}` is already an outcome's name: give the criterion a name of \
                         its own"
                    ),
                );
                continue;
            }
            let compiled = expr::parse(e).and_then(|p| {
                p.resolve(&mut |n| {
                    if let Some(i) = outcomes.iter().position(|o| o == n) {
                        Ok(i)
                    } else if names.contains(&n) {
                        Err(format!(
                            "`{n}` is another criterion: a criterion reads outcomes only \
                             (write its condition here instead)"
                        ))
                    } else {
                        Err(format!(
                            "no outcome `{n}`{} (`defsim list outcomes` lists them)",
                            schema::did_you_mean(
                                n,
                                &outcomes.iter().map(String::as_str).collect::<Vec<_>>()
                            )
                        ))
                    }
                })
            });
            if let Err(err) = compiled {
                self.fail_at(
                    &at,
                    format!("in \"{e}\" at column {}: {}", err.column, err.message),
                );
            }
        }
    }

    /// `[[correlations]]`: a list of `{ keys = [..], rank = .., source = ".." }`.
    fn correlations(&mut self, path: &[String], value: &toml::Value, b: &mut Builder) {
        let toml::Value::Array(items) = value else {
            self.fail_at(
                path,
                format!(
                    "expected a list of tables `[[correlations]]` (keys = [..], rank = ..), \
                     found {}",
                    describe_value(value)
                ),
            );
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let at = |sub: Option<&str>| {
                let mut p = vec![path[0].clone(), i.to_string()];
                if let Some(s) = sub {
                    p.push(s.to_string());
                }
                p
            };
            let toml::Value::Table(t) = item else {
                self.fail_at(
                    &at(None),
                    format!(
                        "entry {i}: expected a table (keys = [..], rank = ..), found {}",
                        describe_value(item)
                    ),
                );
                continue;
            };
            let mut ok = true;
            for sub in t
                .keys()
                .filter(|k| !matches!(k.as_str(), "keys" | "rank" | "source"))
            {
                self.fail_at(
                    &at(Some(sub)),
                    format!(
                        "unknown key `{sub}` of a correlation (it takes `keys`, `rank` and \
                         `source`){}",
                        schema::did_you_mean(sub, &["keys", "rank", "source"])
                    ),
                );
                ok = false;
            }
            let keys: Vec<String> = match t.get("keys") {
                Some(toml::Value::Array(ks)) if ks.len() >= 2 => ks
                    .iter()
                    .filter_map(|k| k.as_str().map(str::to_string))
                    .collect::<Vec<_>>(),
                _ => Vec::new(),
            };
            let key_count = t.get("keys").and_then(|k| k.as_array()).map_or(0, Vec::len);
            if keys.len() < 2 || keys.len() != key_count {
                self.fail_at(
                    &at(Some("keys")),
                    "expected a list of at least two parameter keys (strings), e.g. keys = \
                     [\"macro.trend_growth\", \"power.grid_availability\"]",
                );
                ok = false;
            }
            for (j, k) in keys.iter().enumerate() {
                if keys[..j].contains(k) {
                    self.fail_at(
                        &at(Some("keys")),
                        format!("`{k}` is twice in this entry: a key is correlated with others, not with itself"),
                    );
                    ok = false;
                }
            }
            let rank = match t.get("rank") {
                Some(toml::Value::Float(r)) => Some(*r),
                Some(toml::Value::Integer(r)) => Some(*r as f64),
                _ => None,
            };
            let rank = match rank {
                Some(r) if r > -1.0 && r < 1.0 => r,
                Some(r) => {
                    self.fail_at(
                        &at(Some("rank")),
                        format!(
                            "rank {r} is outside (-1, 1): a Spearman rank correlation strictly \
                             between -1 and 1"
                        ),
                    );
                    ok = false;
                    0.0
                }
                None => {
                    self.fail_at(
                        &at(Some("rank")),
                        "expected `rank`, the Spearman rank correlation wanted between every \
                         pair of the keys, a number in (-1, 1)",
                    );
                    ok = false;
                    0.0
                }
            };
            let source = match t.get("source") {
                Some(toml::Value::String(s)) => Some(s.clone()),
                None => None,
                Some(other) => {
                    self.fail_at(
                        &at(Some("source")),
                        format!("expected a string, found {}", describe_value(other)),
                    );
                    ok = false;
                    None
                }
            };
            if ok {
                b.correlations
                    .push((i, CorrelationSpec { keys, rank, source }));
            }
        }
    }

    /// The correlated keys are uncertain-capable parameters, no pair is stated twice, and
    /// the rank matrix is positive definite; a fixed correlated key is only a warning.
    fn check_correlations(
        &mut self,
        params: &[ParamEntry],
        b: &Builder,
        warnings: &mut Vec<String>,
    ) {
        if b.correlations.is_empty() {
            return;
        }
        let entry_name = |i: usize| format!("correlations[{i}]");
        let at =
            |i: usize, sub: &str| vec!["correlations".to_string(), i.to_string(), sub.to_string()];
        let mut bad = false;
        let levers: Vec<String> = b.levers.iter().map(|l| doc::dotted(&l.path)).collect();
        for (i, c) in &b.correlations {
            for k in &c.keys {
                let why = match Slot::of(k) {
                    _ if levers.contains(k) => {
                        Some("a lever given as a yearly path (a plan decision)".to_string())
                    }
                    Some(_) => None,
                    None => {
                        let p: KeyPath = k.split('.').map(str::to_string).collect();
                        match schema::schema().lookup(&p) {
                            Some(Node::Leaf(Leaf::Setting(s))) => Some(format!(
                                "{} (a count, state, flag or name is never uncertain)",
                                s.what()
                            )),
                            _ => Some(format!(
                                "not a key of the model{}",
                                schema::did_you_mean(
                                    k,
                                    &numeric_key_paths()
                                        .iter()
                                        .map(String::as_str)
                                        .collect::<Vec<_>>()
                                )
                            )),
                        }
                    }
                };
                if let Some(why) = why {
                    self.fail_at(
                        &at(*i, "keys"),
                        format!("`{k}` cannot be correlated: it is {why}"),
                    );
                    bad = true;
                }
            }
        }
        // The same pair in two entries.
        let mut seen: Vec<((String, String), usize)> = Vec::new();
        for (i, c) in &b.correlations {
            for (a, ka) in c.keys.iter().enumerate() {
                for kb in &c.keys[a + 1..] {
                    let pair = if ka < kb {
                        (ka.clone(), kb.clone())
                    } else {
                        (kb.clone(), ka.clone())
                    };
                    if let Some((_, first)) = seen.iter().find(|(p, _)| *p == pair) {
                        if first != i {
                            self.fail_at(
                                &at(*i, "keys"),
                                format!(
                                    "the pair {} / {} is already correlated by {}: state each \
                                     pair once",
                                    pair.0,
                                    pair.1,
                                    entry_name(*first)
                                ),
                            );
                            bad = true;
                        }
                    } else {
                        seen.push((pair, *i));
                    }
                }
            }
        }
        if bad {
            return;
        }
        // Positive definiteness, keys in scenario order.
        let keys: Vec<&str> = params
            .iter()
            .map(|p| p.key.as_str())
            .filter(|k| {
                b.correlations
                    .iter()
                    .any(|(_, c)| c.keys.iter().any(|x| x == k))
            })
            .collect();
        let index = |k: &str| keys.iter().position(|x| *x == k).expect("a correlated key");
        let mut pairs = Vec::new();
        for (_, c) in &b.correlations {
            for (a, ka) in c.keys.iter().enumerate() {
                for kb in &c.keys[a + 1..] {
                    pairs.push((index(ka), index(kb), c.rank));
                }
            }
        }
        if let Err(e) = Copula::new(keys.len(), &pairs) {
            let block = &keys[..=e.leading];
            let involved: Vec<String> = b
                .correlations
                .iter()
                .filter(|(_, c)| {
                    c.keys
                        .iter()
                        .filter(|k| block.contains(&k.as_str()))
                        .count()
                        >= 2
                })
                .map(|(i, _)| entry_name(*i))
                .collect();
            let first = b
                .correlations
                .iter()
                .find(|(i, _)| involved.contains(&entry_name(*i)))
                .map_or(0, |(i, _)| *i);
            self.fail_at(
                &at(first, "rank"),
                format!(
                    "the rank correlations of {} cannot hold together: the matrix they make \
                     over {} is not positive definite; weaken some of them",
                    involved.join(", "),
                    block.join(", ")
                ),
            );
            return;
        }
        for k in &keys {
            if let Some(p) = params.iter().find(|p| p.key == *k)
                && let Some(v) = p.param.fixed_value()
            {
                warnings.push(format!(
                    "{k} is correlated but fixed ({v}): its normal is drawn and unused, so the \
                     other correlated parameters keep their draws"
                ));
            }
        }
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
        Setting::SanctionsPath => {
            let toml::Value::Array(items) = value else {
                return Err(format!(
                    "expected a list of forced states (1 sanctioned, 0 not, -1 free), found {}",
                    found()
                ));
            };
            if items.is_empty() {
                return Err("expected a non-empty list of forced states, found []".into());
            }
            items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    toml::Value::Integer(v @ (-1..=1)) => Ok(*v),
                    other => Err(format!(
                        "entry {i} of the path: expected 1 (sanctioned), 0 (not) or -1 (free: \
                         the chain decides), found {}",
                        describe_value(other)
                    )),
                })
                .collect::<Result<Vec<i64>, String>>()
                .map(Value::SanctionsPath)
        }
        Setting::SupportPath => {
            let toml::Value::Array(items) = value else {
                return Err(format!(
                    "expected a list of forced states (\"full\", \"reduced\", \"withdrawn\" \
                     or \"free\"), found {}",
                    found()
                ));
            };
            if items.is_empty() {
                return Err("expected a non-empty list of forced states, found []".into());
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let toml::Value::String(s) = item else {
                    return Err(format!(
                        "entry {i} of the path: expected \"full\", \"reduced\", \"withdrawn\" \
                         or \"free\", found {}",
                        describe_value(item)
                    ));
                };
                if s == "free" {
                    out.push(None);
                    continue;
                }
                let Some(state) = SUPPORT_STATES.iter().position(|st| st == s) else {
                    return Err(format!(
                        "entry {i} of the path: unknown forced state {s:?}: expected \"full\", \
                         \"reduced\", \"withdrawn\" or \"free\"{}",
                        schema::did_you_mean(s, &["full", "reduced", "withdrawn", "free"])
                    ));
                };
                out.push(Some(state));
            }
            Ok(Value::SupportPath(out))
        }
        Setting::PathFrom => {
            let i = integer()?;
            i32::try_from(i)
                .map(|_| Value::Int(i))
                .map_err(|_| format!("expected a year, found {i}"))
        }
        Setting::Supplier => {
            let s = string()?;
            if s.trim().is_empty() {
                return Err("expected the supplier's name (\"Russia\"), found \"\"".into());
            }
            Ok(Value::Str(s))
        }
        Setting::Scope => {
            let s = string()?;
            if s == "all" || s == "enabled" {
                Ok(Value::Str(s))
            } else {
                Err(format!(
                    "unknown scope {s:?}: expected \"all\" (independence over all four lines' \
                     demand) or \"enabled\" (over the enabled lines){}",
                    schema::did_you_mean(&s, &["all", "enabled"])
                ))
            }
        }
        Setting::Criteria | Setting::Correlations => {
            unreachable!("checked by Checker::criteria and Checker::correlations")
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
