//! Validation of a merged scenario document into a [`Scenario`].
//!
//! Every check runs and every failure is collected with its origin; the one reported is
//! the first in file order (the user's file first, then the files it extends; by line
//! within a file; keys without a line, such as missing ones, last). Cross-key rules run
//! only when every key is valid on its own, so that one mistake gives one error.
//!
//! Here: the walk over the schema, unknown and missing keys. Numeric keys and lever paths
//! are checked in `numbers.rs`, fixed values in `settings.rs`, forced paths, `[criteria]`
//! and `[[correlations]]` in `tables.rs`.

use std::path::Path;

mod numbers;
mod settings;
mod tables;

use numbers::RawLever;

use super::doc::{self, Doc, Files, KeyPath, Origin};
use super::keys::{KeySchema, Value};
use super::merge::describe_value;
use super::schema::{self, DIST_SUBKEYS, Leaf, Node};
use super::{ParamEntry, Scenario, ScenarioError};

/// Top-level tables that are not keys of the model's schema: the analyst's own criteria
/// and correlations, checked by their own rules.
const OWN_TABLES: [&str; 2] = ["criteria", "correlations"];

/// The largest magnitude of a number in a distribution table: beyond it, spreads such as
/// `high - low` lose every digit (`low = -1e308` made a PERT's support collapse).
pub const MAX_MAGNITUDE: f64 = 1e15;

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
}
