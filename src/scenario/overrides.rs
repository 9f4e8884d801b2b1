//! `--set KEY=VALUE` overrides, applied after `extends` is resolved.
//!
//! VALUE is read as a TOML value (number, bool, `"string"`, `[array]`, `{ inline table }`);
//! as a convenience a bare word that is not TOML (`--set support.initial=reduced`) is read
//! as a string. The override is merged as a one-key child document, so the merge rules of
//! `extends` hold: `macro.trend_growth.mean=0.04` changes one key of a distribution table,
//! a bare value replaces a distribution, `{ dist = .. }` replaces it whole.
//!
//! Errors name the scenario file, no line, the override's key path, and say they came
//! from `--set`.

use super::ScenarioError;
use super::doc::{Doc, Files, KeyPath, Origin};
use super::merge;
use super::schema::{self, DIST_SUBKEYS, Leaf, Node};

/// Applies every override in order.
pub(crate) fn apply(
    doc: &mut Doc,
    overrides: &[String],
    files: &Files,
    root: &Node,
) -> Result<(), ScenarioError> {
    for raw in overrides {
        let (path, value) = parse(raw, root, files)?;
        let child = nest(&path, value);
        merge::merge(doc, &child, files)?;
    }
    Ok(())
}

/// Splits and checks one override; returns its key path and value.
fn parse(raw: &str, root: &Node, files: &Files) -> Result<(KeyPath, toml::Value), ScenarioError> {
    let fail = |key: &str, message: String| ScenarioError {
        file: files.path(0),
        line: None,
        key: Some(key.to_string()),
        message: format!("{message} (from --set {raw})"),
    };
    let Some((key, value)) = raw.split_once('=') else {
        return Err(fail(
            raw.trim(),
            "expected KEY=VALUE, e.g. macro.trend_growth.mean=0.04, but there is no `=`".into(),
        ));
    };
    let key = key.trim();
    let path: KeyPath = key.split('.').map(str::to_string).collect();
    if path.iter().any(String::is_empty) {
        return Err(fail(
            key,
            "expected a dotted key path such as plan.oversight".into(),
        ));
    }
    check_path(&path, root).map_err(|m| fail(key, m))?;
    let value = parse_value(value.trim()).map_err(|m| fail(key, m))?;
    Ok((path, value))
}

/// A key path is known if the schema has it (a table or a key), or if it is one sub-key of
/// a numeric key's distribution table.
fn check_path(path: &[String], root: &Node) -> Result<(), String> {
    if path == ["scenario", "extends"] {
        return Err("`scenario.extends` is resolved before overrides and cannot be set".into());
    }
    if root.lookup(path).is_some() {
        return Ok(());
    }
    let Some((last, parent)) = path.split_last() else {
        return Err("expected a key path".into());
    };
    match root.lookup(parent) {
        Some(Node::Leaf(Leaf::Numeric(..))) if DIST_SUBKEYS.contains(&last.as_str()) => Ok(()),
        Some(Node::Leaf(Leaf::Numeric(..))) => Err(format!(
            "unknown sub-key `{last}` of a distribution table{}",
            schema::did_you_mean(last, DIST_SUBKEYS)
        )),
        Some(Node::Leaf(Leaf::Setting(s))) => Err(format!(
            "`{}` is {}: a fixed value without sub-keys",
            parent.join("."),
            s.what()
        )),
        Some(node @ Node::Table(_)) => Err(format!(
            "unknown key `{last}`{}",
            schema::did_you_mean(last, &node.child_names())
        )),
        None => Err(format!("unknown key path `{}`", path.join("."))),
    }
}

/// Reads VALUE as a TOML value, or a bare word as a string.
fn parse_value(text: &str) -> Result<toml::Value, String> {
    if text.is_empty() {
        return Err("the value after `=` is empty".into());
    }
    match toml::from_str::<toml::Table>(&format!("value = {text}")) {
        Ok(mut t) if t.len() == 1 => t
            .remove("value")
            .ok_or_else(|| "cannot read the value".to_string()),
        Ok(_) => Err(format!("`{text}` is more than one TOML value")),
        Err(_) if is_bare_word(text) => Ok(toml::Value::String(text.to_string())),
        Err(e) => Err(format!(
            "cannot read `{text}` as a TOML value (a number, true/false, \"string\", [array] \
             or {{ inline table }}): {}",
            e.message()
        )),
    }
}

fn is_bare_word(text: &str) -> bool {
    text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The one-key document `{ a = { b = { c = value } } }`, every key of it from `--set`.
fn nest(path: &[String], value: toml::Value) -> Doc {
    let mut doc = Doc::default();
    for n in 1..=path.len() {
        doc.origins.insert(path[..n].to_vec(), Origin::SET);
    }
    if let toml::Value::Table(t) = &value {
        mark_subkeys(t, &mut path.to_vec(), &mut doc);
    }
    let mut v = value;
    for seg in path.iter().rev() {
        let mut t = toml::Table::new();
        t.insert(seg.clone(), v);
        v = toml::Value::Table(t);
    }
    if let toml::Value::Table(t) = v {
        doc.table = t;
    }
    doc
}

fn mark_subkeys(t: &toml::Table, path: &mut KeyPath, doc: &mut Doc) {
    for (k, v) in t {
        path.push(k.clone());
        doc.origins.insert(path.clone(), Origin::SET);
        if let toml::Value::Table(sub) = v {
            mark_subkeys(sub, path, doc);
        }
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Interval;
    use crate::scenario::{Fixed, Key, KeyKind, KeySchema, Role, doc, schema};

    /// The keys these tests set, as a model would declare them.
    fn keys() -> KeySchema {
        let unit = Interval {
            lo: 0.0,
            hi: 1.0,
            lo_open: false,
            hi_open: false,
        };
        let number = |path: &str| Key {
            path: path.into(),
            kind: KeyKind::Number {
                role: Role::Uncertain,
                domain: unit,
                plausible: unit,
            },
            unit: "",
            meaning: "a number",
        };
        let states = Fixed::NamedState(vec!["full", "reduced", "withdrawn"]);
        KeySchema {
            keys: vec![
                number("macro.trend_growth"),
                number("macro.persistence"),
                Key {
                    path: "support.initial".into(),
                    kind: KeyKind::Fixed(states),
                    unit: "",
                    meaning: "a state",
                },
                number("plan.oversight"),
            ],
            cross_check: |_| Vec::new(),
            paths: Vec::new(),
            outcomes: Vec::new(),
        }
    }

    fn path(s: &str) -> KeyPath {
        s.split('.').map(str::to_string).collect()
    }

    fn base() -> (Doc, Files) {
        let text = r#"[scenario]
trials = 100
[macro]
trend_growth = { dist = "normal", mean = 0.05, sd = 0.01, source = "article" }
persistence = 0.3
[support]
initial = "full"
"#;
        let files = Files {
            paths: vec!["s.toml".into()],
        };
        (doc::parse(text, 0, "s.toml".as_ref()).unwrap(), files)
    }

    fn set(overrides: &[&str]) -> Result<Doc, ScenarioError> {
        let (mut d, files) = base();
        let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
        apply(&mut d, &o, &files, &schema::schema(&keys()))?;
        Ok(d)
    }

    fn get(d: &Doc, p: &str) -> toml::Value {
        doc::get(&d.table, &path(p)).cloned().unwrap()
    }

    #[test]
    fn set_changes_one_key_of_a_distribution() {
        let d = set(&["macro.trend_growth.mean=0.04"]).unwrap();
        let t = get(&d, "macro.trend_growth");
        assert_eq!(t["mean"].as_float(), Some(0.04));
        assert_eq!(t["sd"].as_float(), Some(0.01));
        assert_eq!(d.origins[&path("macro.trend_growth.mean")], Origin::SET);
        assert_eq!(d.origins[&path("macro.trend_growth.sd")].line, Some(4));
    }

    #[test]
    fn a_bare_value_replaces_the_distribution() {
        let d = set(&["macro.trend_growth=0.04"]).unwrap();
        assert_eq!(get(&d, "macro.trend_growth").as_float(), Some(0.04));
        assert!(!d.origins.contains_key(&path("macro.trend_growth.sd")));
    }

    #[test]
    fn inline_tables_strings_and_bare_words() {
        let d = set(&[
            "macro.persistence={ dist = \"uniform\", low = 0.1, high = 0.5 }",
            "support.initial=reduced",
            "scenario.trials = 7",
        ])
        .unwrap();
        assert_eq!(get(&d, "macro.persistence")["high"].as_float(), Some(0.5));
        assert_eq!(get(&d, "support.initial").as_str(), Some("reduced"));
        assert_eq!(get(&d, "scenario.trials").as_integer(), Some(7));
        let d = set(&["support.initial=\"withdrawn\"", "macro.persistence=0.1"]).unwrap();
        assert_eq!(get(&d, "support.initial").as_str(), Some("withdrawn"));
        // Later overrides win.
        let d = set(&["macro.persistence=0.1", "macro.persistence=0.2"]).unwrap();
        assert_eq!(get(&d, "macro.persistence").as_float(), Some(0.2));
    }

    #[test]
    fn malformed_overrides_name_the_key_and_say_set() {
        let cases = [
            ("plan.oversight", "plan.oversight", "no `=`"),
            (
                "macro.trend_grwoth=0.04",
                "macro.trend_grwoth",
                "did you mean `trend_growth`",
            ),
            (
                "macro.trend_growth.stdev=1",
                "macro.trend_growth.stdev",
                "sub-key",
            ),
            (
                "scenario.trials.mean=3",
                "scenario.trials.mean",
                "fixed value",
            ),
            ("nowhere.x=1", "nowhere.x", "unknown key path"),
            ("plan.oversight=[0.1", "plan.oversight", "cannot read"),
            ("plan.oversight=", "plan.oversight", "empty"),
            ("plan..oversight=1", "plan..oversight", "dotted key path"),
            (
                "scenario.extends=\"x.toml\"",
                "scenario.extends",
                "cannot be set",
            ),
            (
                "macro.persistence=1\nx = 2",
                "macro.persistence",
                "more than one",
            ),
            (
                "macro.persistence.mean=0.4",
                "macro.persistence",
                "bare value",
            ),
        ];
        for (raw, key, fragment) in cases {
            let e = set(&[raw]).unwrap_err();
            assert_eq!(e.file, std::path::PathBuf::from("s.toml"), "{raw}");
            assert_eq!(e.line, None, "{raw}");
            assert_eq!(e.key.as_deref(), Some(key), "{raw}: {e}");
            assert!(e.message.contains(fragment), "{raw}: {e}");
            assert!(e.message.contains("--set"), "{raw}: {e}");
        }
    }
}
