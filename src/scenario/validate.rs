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
use super::{CorrelationSpec, CriterionSpec, LeverPath, ParamEntry, Scenario, ScenarioError};
use crate::dist::{Interval, Param};
use crate::stats::copula::Copula;
use crate::stats::expr;

/// Top-level tables that are not keys of the model's schema: the analyst's own criteria
/// and correlations, checked by their own rules.
const OWN_TABLES: [&str; 2] = ["criteria", "correlations"];

/// The largest magnitude of a number in a distribution table: beyond it, spreads such as
/// `high - low` lose every digit (`low = -1e308` made a PERT's support collapse).
pub const MAX_MAGNITUDE: f64 = 1e15;

/// The first number of a distribution table larger in magnitude than [`MAX_MAGNITUDE`].
fn huge(t: &toml::Table) -> Option<(String, f64)> {
    t.iter().find_map(|(k, v)| {
        let x = match v {
            toml::Value::Integer(i) => *i as f64,
            toml::Value::Float(x) => *x,
            _ => return None,
        };
        (x.abs() > MAX_MAGNITUDE).then(|| (k.clone(), x))
    })
}

/// A value in (1, 100] where a share or rate is expected (a percentage typed for a
/// share): the field holding it (`None` for a bare number) and the value.
fn percent_typo(value: &toml::Value) -> Option<(Option<String>, f64)> {
    let num = |v: &toml::Value| match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(x) => Some(*x),
        _ => None,
    };
    let typo = |x: f64| x > 1.0 && x <= 100.0;
    match value {
        toml::Value::Table(t) => [
            "value", "mean", "median", "low", "mode", "high", "min", "max",
        ]
        .iter()
        .find_map(|f| {
            let x = num(t.get(*f)?)?;
            typo(x).then(|| (Some(f.to_string()), x))
        }),
        v => num(v).filter(|&x| typo(x)).map(|x| (None, x)),
    }
}

/// `v` as a person reads it: `1e308`, not 309 digits.
fn short(v: f64) -> String {
    if v != 0.0 && !(1e-6..1e9).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Tail mass on each side that a distribution may put outside its key's plausible range.
pub const PLAUSIBLE_TAIL: f64 = 1e-12;

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
    let doc = name_after_stem(file, doc, files);
    let mut c = Checker {
        doc: &doc,
        files,
        errors: Vec::new(),
    };
    let mut bad: Vec<KeyPath> = Vec::new();
    c.unknown_keys(&doc.table, root, &mut Vec::new(), &mut bad);

    let mut params: Vec<ParamEntry> = Vec::new();
    let mut levers: Vec<RawLever> = Vec::new();
    let criteria = c.criteria(doc.table.get("criteria"));
    let correlations = c.correlations(doc.table.get("correlations"));
    let mut settings: Vec<(String, Value)> = Vec::new();
    for (path, leaf) in root.leaves() {
        if bad.iter().any(|p| path.starts_with(p)) {
            continue;
        }
        let Some(value) = doc::get(&doc.table, &path) else {
            if !matches!(&leaf, Leaf::Setting(kind) if kind.optional()) {
                c.missing(&path, &mut bad);
            }
            continue;
        };
        let key = doc::dotted(&path);
        match &leaf {
            Leaf::Numeric(domain, plausible) => {
                let param = match value {
                    toml::Value::Table(t) if t.contains_key("path") => {
                        c.lever_path(&path, *domain, t, keys, &mut levers)
                    }
                    _ => c.param(&path, *domain, *plausible, value),
                };
                if let Some(param) = param {
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
    let lever_paths = c.expand_levers(&levers, start_year, horizon_years);
    c.check_forced(&settings, start_year, horizon_years);
    c.check_criteria(&criteria, keys);
    let mut warnings = Vec::new();
    c.check_correlations(&correlations, &params, &lever_paths, root, &mut warnings);
    c.bail()?;
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
        criteria,
        correlations: correlations.into_iter().map(|(_, c)| c).collect(),
        lever_paths,
        warnings,
        overrides: Vec::new(),
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

/// A file that `extends` another and sets no `name` of its own is named after its file
/// stem (`imf-growth.toml` -> `imf-growth`), not its parent's name: two scenarios never
/// share an output folder by accident. A name from `--set` counts as the file's own.
fn name_after_stem(file: &Path, mut doc: Doc, files: &Files) -> Doc {
    let path: KeyPath = vec!["scenario".into(), "name".into()];
    let origin = doc.origin(&path);
    let inherited = files.paths.len() > 1 && origin.file != 0 && !origin.from_set;
    if !inherited || doc::get(&doc.table, &path).is_none() {
        return doc;
    }
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(toml::Value::Table(t)) = doc.table.get_mut("scenario") {
        t.insert("name".into(), toml::Value::String(stem));
    }
    doc.forget(&path);
    doc
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
            if path.is_empty() && OWN_TABLES.contains(&k.as_str()) {
                continue;
            }
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
                Some(Node::Leaf(Leaf::Numeric(..))) => {
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
    fn param(
        &mut self,
        path: &[String],
        domain: Interval,
        plausible: Interval,
        value: &toml::Value,
    ) -> Option<Param> {
        if plausible.hi <= 1.0
            && let Some((field, x)) = percent_typo(value)
        {
            let mut at = path.to_vec();
            at.extend(field);
            self.fail_at(
                &at,
                format!(
                    "{x} is not inside the domain or plausible range {plausible} of this share or \
                     rate: did you mean {} ({x}%)?",
                    x / 100.0
                ),
            );
            return None;
        }
        let param = match value {
            toml::Value::Integer(i) => Param::fixed(*i as f64),
            toml::Value::Float(x) if x.is_finite() => Param::fixed(*x),
            toml::Value::Float(x) => {
                self.fail_at(path, format!("expected a finite number, found {x}"));
                return None;
            }
            toml::Value::Table(t) if huge(t).is_some() => {
                let (field, x) = huge(t).expect("checked");
                let mut at = path.to_vec();
                at.push(field);
                self.fail_at(
                    &at,
                    format!(
                        "{x:e} is larger in magnitude than any value of a scenario ({MAX_MAGNITUDE:e}): \
                         a typo?"
                    ),
                );
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
        // Plausible: a fixed value inside the range; a distribution whose central
        // 1 - 2e-12 of mass lies inside it (a lognormal's far tail may reach beyond, at odds
        // of 1e-12 a draw, and the range leaves room for that to stay finite).
        let tails = Interval::closed(
            param.inverse_cdf(PLAUSIBLE_TAIL),
            param.inverse_cdf(1.0 - PLAUSIBLE_TAIL),
        );
        if !plausible.contains_interval(&support) && !plausible.contains_interval(&tails) {
            let message = match param.fixed_value() {
                Some(v) => format!(
                    "{} is outside the plausible range {plausible} of this key (its domain is \
                     {domain}; docs/model.md lists every key's range)",
                    short(v)
                ),
                None => format!(
                    "{} reaches {tails} (its 1e-12 and 1 - 1e-12 quantiles), outside the \
                     plausible range {plausible} of this key (its domain is {domain}): \
                     narrow it or truncate it with `min`/`max`",
                    param.describe()
                ),
            };
            self.fail_at(path, message);
            return None;
        }
        Some(param)
    }

    /// A number given as a yearly path, `{ path = [...], from = YEAR, source = ".." }`: keys
    /// the model allows only, fixed values inside the key's domain. Returns the parameter as
    /// its first entry (with its source), and keeps the path for [`Checker::expand_levers`].
    fn lever_path(
        &mut self,
        path: &[String],
        domain: Interval,
        t: &toml::Table,
        keys: &KeySchema,
        levers: &mut Vec<RawLever>,
    ) -> Option<Param> {
        let key = doc::dotted(path);
        let at = |sub: &str| {
            let mut p = path.to_vec();
            p.push(sub.to_string());
            p
        };
        if !keys.paths.contains(&key.as_str()) {
            self.fail_at(
                &at("path"),
                format!(
                    "`{key}` cannot take a yearly path: only {} can (a path is a plan \
                     decision by year)",
                    keys.paths.join(", ")
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
                "unknown sub-key of a yearly path (it takes `path`, `from` and `source`)"
            };
            self.fail_at(&at(sub), format!("`{sub}`: {why}"));
            ok = false;
        }
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
        levers.push(RawLever {
            path: path.to_vec(),
            values,
            from,
            source,
        });
        Some(param)
    }

    /// Each yearly path's value in every year: entry i applies to year `from + i`, earlier
    /// years take the first entry, later ones the last; a path past the horizon is an error.
    fn expand_levers(&mut self, levers: &[RawLever], start: i32, horizon: usize) -> Vec<LeverPath> {
        let mut out = Vec::new();
        let last_year = start + horizon as i32 - 1;
        for raw in levers {
            let from = raw.from.unwrap_or(start);
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
            let yearly = (0..horizon)
                .map(|t| {
                    let i = (start + t as i32 - from).clamp(0, raw.values.len() as i32 - 1);
                    raw.values[i as usize]
                })
                .collect();
            out.push(LeverPath {
                key: doc::dotted(&raw.path),
                values: raw.values.clone(),
                from,
                source: raw.source.clone(),
                yearly,
            });
        }
        out
    }

    /// Forced-state paths: `<table>.from` only with `<table>.path`, and no path past the
    /// horizon.
    fn check_forced(&mut self, settings: &[(String, Value)], start: i32, horizon: usize) {
        let last_year = start + horizon as i32 - 1;
        for (key, v) in settings {
            let Some(table) = key.strip_suffix(".from") else {
                continue;
            };
            let from = v.int() as i32;
            match settings.iter().find(|(k, _)| *k == format!("{table}.path")) {
                None => {
                    let path: KeyPath = key.split('.').map(str::to_string).collect();
                    self.fail_at(
                        &path,
                        format!(
                            "`{key}` without `{table}.path`: it gives the year of the path's \
                             first entry"
                        ),
                    );
                }
                Some((_, Value::Path(p))) => {
                    let end = from + p.len() as i32 - 1;
                    if end > last_year {
                        let path: Vec<String> = vec![table.to_string(), "path".into()];
                        self.fail_at(
                            &path,
                            format!(
                                "the path runs from {from} to {end}, past the horizon's last \
                                 year {last_year}"
                            ),
                        );
                    }
                }
                Some(_) => {}
            }
        }
        for (key, v) in settings {
            if let (Some(table), Value::Path(p)) = (key.strip_suffix(".path"), v)
                && !settings.iter().any(|(k, _)| *k == format!("{table}.from"))
                && start + p.len() as i32 - 1 > last_year
            {
                let path: KeyPath = key.split('.').map(str::to_string).collect();
                self.fail_at(
                    &path,
                    format!(
                        "the path has {} entries from {start}, past the horizon's last year \
                         {last_year}",
                        p.len()
                    ),
                );
            }
        }
    }

    /// `[criteria]`: a table of strings, each under a name of letters, digits and `_`.
    fn criteria(&mut self, value: Option<&toml::Value>) -> Vec<CriterionSpec> {
        let mut out = Vec::new();
        let Some(value) = value else {
            return out;
        };
        let top = "criteria".to_string();
        let toml::Value::Table(t) = value else {
            self.fail_at(
                std::slice::from_ref(&top),
                format!(
                    "expected the table `[criteria]` of name = \"expression\", found {}",
                    describe_value(value)
                ),
            );
            return out;
        };
        let mut entries: Vec<(&String, &toml::Value)> = t.iter().collect();
        entries.sort_by_key(|(k, _)| {
            let o = self.doc.origin(&[top.clone(), (*k).clone()]);
            (o.file, o.line.unwrap_or(usize::MAX))
        });
        for (name, v) in entries {
            let at = [top.clone(), name.clone()];
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
                toml::Value::String(e) => out.push(CriterionSpec {
                    name: name.clone(),
                    expr: e.clone(),
                }),
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
        out
    }

    /// Each criterion parses, reads known outcomes only, and is named after none.
    fn check_criteria(&mut self, criteria: &[CriterionSpec], keys: &KeySchema) {
        let outcomes = &keys.outcomes;
        let names: Vec<&str> = criteria.iter().map(|c| c.name.as_str()).collect();
        for c in criteria {
            let at = ["criteria".to_string(), c.name.clone()];
            if outcomes.contains(&c.name) {
                self.fail_at(
                    &at,
                    format!(
                        "`{}` is already an outcome's name: give the criterion a name of its \
                         own",
                        c.name
                    ),
                );
                continue;
            }
            let compiled = expr::parse(&c.expr).and_then(|p| {
                p.resolve(&mut |n| {
                    if let Some(i) = outcomes.iter().position(|o| o == n) {
                        Ok(i)
                    } else if names.contains(&n) {
                        Err(format!(
                            "`{n}` is another criterion: a criterion reads outcomes only \
                             (write its condition here instead)"
                        ))
                    } else {
                        let known: Vec<&str> = outcomes.iter().map(String::as_str).collect();
                        Err(format!(
                            "no outcome `{n}`{} (`defsim list outcomes` lists them)",
                            schema::did_you_mean(n, &known)
                        ))
                    }
                })
            });
            if let Err(err) = compiled {
                self.fail_at(
                    &at,
                    format!(
                        "in \"{}\" at column {}: {}",
                        c.expr, err.column, err.message
                    ),
                );
            }
        }
    }

    /// `[[correlations]]`: a list of `{ keys = [..], rank = .., source = ".." }`, each with
    /// its index in the merged list.
    fn correlations(&mut self, value: Option<&toml::Value>) -> Vec<(usize, CorrelationSpec)> {
        let mut out = Vec::new();
        let Some(value) = value else {
            return out;
        };
        let top = "correlations".to_string();
        let toml::Value::Array(items) = value else {
            self.fail_at(
                std::slice::from_ref(&top),
                format!(
                    "expected a list of tables `[[correlations]]` (keys = [..], rank = ..), \
                     found {}",
                    describe_value(value)
                ),
            );
            return out;
        };
        for (i, item) in items.iter().enumerate() {
            let at = |sub: Option<&str>| {
                let mut p = vec![top.clone(), i.to_string()];
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
            let listed = t.get("keys").and_then(|k| k.as_array());
            let keys: Vec<String> = listed
                .map(|ks| {
                    ks.iter()
                        .filter_map(|k| k.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            if keys.len() < 2 || keys.len() != listed.map_or(0, Vec::len) {
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
                        format!(
                            "`{k}` is twice in this entry: a key is correlated with others, \
                             not with itself"
                        ),
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
                out.push((i, CorrelationSpec { keys, rank, source }));
            }
        }
        out
    }

    /// The correlated keys are numbers that may be uncertain, no pair is stated twice, and
    /// the rank matrix is positive definite; a fixed correlated key is only a warning.
    fn check_correlations(
        &mut self,
        correlations: &[(usize, CorrelationSpec)],
        params: &[ParamEntry],
        levers: &[LeverPath],
        root: &Node,
        warnings: &mut Vec<String>,
    ) {
        if correlations.is_empty() {
            return;
        }
        let entry_name = |i: usize| format!("correlations[{i}]");
        let at =
            |i: usize, sub: &str| vec!["correlations".to_string(), i.to_string(), sub.to_string()];
        let mut bad = false;
        for (i, c) in correlations {
            for k in &c.keys {
                let p: KeyPath = k.split('.').map(str::to_string).collect();
                let why = if levers.iter().any(|l| l.key == *k) {
                    Some("a number given as a yearly path (a plan decision)".to_string())
                } else {
                    match root.lookup(&p) {
                        Some(Node::Leaf(Leaf::Numeric(..))) => None,
                        Some(Node::Leaf(Leaf::Setting(s))) => Some(format!(
                            "{} (a count, state, flag or name is never uncertain)",
                            s.what()
                        )),
                        _ => {
                            let known: Vec<&str> = params.iter().map(|p| p.key.as_str()).collect();
                            Some(format!(
                                "not a key of the model{}",
                                schema::did_you_mean(k, &known)
                            ))
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
        let mut seen: Vec<((String, String), usize)> = Vec::new();
        for (i, c) in correlations {
            for (a, ka) in c.keys.iter().enumerate() {
                for kb in &c.keys[a + 1..] {
                    let pair = if ka < kb {
                        (ka.clone(), kb.clone())
                    } else {
                        (kb.clone(), ka.clone())
                    };
                    match seen.iter().find(|(p, _)| *p == pair) {
                        Some((_, first)) if first != i => {
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
                        Some(_) => {}
                        None => seen.push((pair, *i)),
                    }
                }
            }
        }
        if bad {
            return;
        }
        let keys: Vec<&str> = params
            .iter()
            .map(|p| p.key.as_str())
            .filter(|k| {
                correlations
                    .iter()
                    .any(|(_, c)| c.keys.iter().any(|x| x == k))
            })
            .collect();
        let index = |k: &str| keys.iter().position(|x| *x == k).expect("a correlated key");
        let mut pairs = Vec::new();
        for (_, c) in correlations {
            for (a, ka) in c.keys.iter().enumerate() {
                for kb in &c.keys[a + 1..] {
                    pairs.push((index(ka), index(kb), c.rank));
                }
            }
        }
        if let Err(e) = Copula::new(keys.len(), &pairs) {
            let block = &keys[..=e.leading];
            let involved: Vec<usize> = correlations
                .iter()
                .filter(|(_, c)| {
                    c.keys
                        .iter()
                        .filter(|k| block.contains(&k.as_str()))
                        .count()
                        >= 2
                })
                .map(|(i, _)| *i)
                .collect();
            let names: Vec<String> = involved.iter().map(|i| entry_name(*i)).collect();
            self.fail_at(
                &at(involved.first().copied().unwrap_or(0), "rank"),
                format!(
                    "the rank correlations of {} cannot hold together: the matrix they make \
                     over {} is not positive definite; weaken some of them",
                    names.join(", "),
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

/// A yearly path as read, before it is checked against the horizon.
struct RawLever {
    path: KeyPath,
    values: Vec<f64>,
    from: Option<i32>,
    source: Option<String>,
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
            if !super::keys::YEARS.contains(&i) {
                return Err(format!(
                    "expected a year from {} to {}, found {i}",
                    super::keys::YEARS.start(),
                    super::keys::YEARS.end()
                ));
            }
            Ok(Value::Int(i))
        }
        Fixed::Count { min, max } => {
            let i = integer()?;
            if i < *min {
                return Err(format!("expected an integer >= {min}, found {i}"));
            }
            if i > *max {
                return Err(format!("expected an integer <= {max}, found {i}"));
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
        Fixed::StatePath { states, indexed } => {
            let toml::Value::Array(items) = value else {
                return Err(format!(
                    "expected a list of forced states, found {}",
                    found()
                ));
            };
            if items.is_empty() {
                return Err("expected a non-empty list of forced states, found []".into());
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let entry = match (item, indexed) {
                    (toml::Value::Integer(-1), true) => Ok(None),
                    (toml::Value::Integer(k), true) => usize::try_from(*k)
                        .ok()
                        .filter(|k| *k < states.len())
                        .map(Some)
                        .ok_or(()),
                    (toml::Value::String(s), false) if s == "free" => Ok(None),
                    (toml::Value::String(s), false) => {
                        states.iter().position(|st| st == s).map(Some).ok_or(())
                    }
                    _ => Err(()),
                };
                let Ok(entry) = entry else {
                    let options: Vec<String> = if *indexed {
                        let mut o: Vec<String> = states
                            .iter()
                            .enumerate()
                            .map(|(k, m)| format!("{k} ({m})"))
                            .collect();
                        o.push("-1 (free: the chain decides)".into());
                        o
                    } else {
                        let mut o: Vec<String> = states.iter().map(|n| format!("{n:?}")).collect();
                        o.push("\"free\" (the chain decides)".into());
                        o
                    };
                    let hint = match item {
                        toml::Value::String(s) => {
                            let mut names = states.clone();
                            names.push("free");
                            schema::did_you_mean(s, &names)
                        }
                        _ => String::new(),
                    };
                    return Err(format!(
                        "entry {i} of the path: unknown forced state {}: expected {}{hint}",
                        describe_value(item),
                        one_of(&options)
                    ));
                };
                out.push(entry);
            }
            Ok(Value::Path(out))
        }
        Fixed::PathFrom => {
            let i = integer()?;
            i32::try_from(i)
                .map(|_| Value::Int(i))
                .map_err(|_| format!("expected a year, found {i}"))
        }
        Fixed::Text(_) => {
            let s = string()?;
            if s.trim().is_empty() {
                return Err("expected a non-empty name, found \"\"".into());
            }
            Ok(Value::Str(s))
        }
        Fixed::Choice(words) => {
            let s = string()?;
            if words.contains(&s.as_str()) {
                Ok(Value::Str(s))
            } else {
                let options: Vec<String> = words.iter().map(|w| format!("{w:?}")).collect();
                Err(format!(
                    "unknown {s:?}: expected {}{}",
                    one_of(&options),
                    schema::did_you_mean(&s, words)
                ))
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
