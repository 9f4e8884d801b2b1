//! `scenario.extends`: reading a chain of files and merging each child into its parent.
//!
//! Merge rules (README, "Scenario files"): ordinary tables merge key by key, recursively; a child value
//! that is a distribution table (it has `dist`) replaces the parent's value whole; a child
//! table without `dist` (`{ mean = 0.3 }`, `{ source = "..." }`) changes only those keys of
//! the parent's table, and is an error when the parent states a bare value; any other
//! child value (number, string, bool, array) replaces the parent's. The same rules apply
//! to `--set`, which is merged as a one-key child document.

use std::path::{Component, Path, PathBuf};

use super::ScenarioError;
use super::doc::{self, Doc, Files, KeyPath};

/// Reads `path` and, recursively, the files it extends; returns the merged document with
/// `scenario.extends` removed. Every file read is recorded in `files`.
pub(crate) fn load_chain(path: &Path, files: &mut Files) -> Result<Doc, ScenarioError> {
    load_file(path, path, files, &mut Vec::new())
}

/// The largest scenario file defsim reads.
pub const MAX_SCENARIO_BYTES: u64 = 1 << 20;

/// Reads a scenario file: a regular file (not a folder, device or FIFO, which could block
/// or never end) of at most [`MAX_SCENARIO_BYTES`].
fn read_scenario(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| format!("cannot read the scenario file: {e}");
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(
            "not a regular file (a folder, device or pipe): a scenario is a TOML file".into(),
        );
    }
    if meta.len() > MAX_SCENARIO_BYTES {
        return Err(format!(
            "{} bytes is larger than any scenario file ({MAX_SCENARIO_BYTES} bytes at most)",
            meta.len()
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(cannot)?
        .take(MAX_SCENARIO_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(format!(
            "larger than any scenario file ({MAX_SCENARIO_BYTES} bytes at most)"
        ));
    }
    String::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))
}

/// Reads one file (`read` on disk, `shown` in errors) and the chain above it. `stack`
/// holds the canonical paths and shown paths of the files that extend this one.
fn load_file(
    read: &Path,
    shown: &Path,
    files: &mut Files,
    stack: &mut Vec<(PathBuf, PathBuf)>,
) -> Result<Doc, ScenarioError> {
    let plain = |message: String| ScenarioError {
        file: shown.to_path_buf(),
        line: None,
        key: None,
        message,
    };
    let text = read_scenario(read).map_err(plain)?;
    if text.trim().is_empty() {
        return Err(plain(
            "the file is empty: a scenario states every key, or `extends` a file that does"
                .to_string(),
        ));
    }
    let index = files.paths.len();
    files.paths.push(shown.to_path_buf());
    let mut doc = doc::parse(&text, index, shown)?;

    let extends_path: KeyPath = vec!["scenario".into(), "extends".into()];
    let Some(extends) = doc::get(&doc.table, &extends_path).cloned() else {
        return Ok(doc);
    };
    let origin = doc.origin(&extends_path);
    let key = Some("scenario.extends".to_string());
    let toml::Value::String(parent_rel) = extends else {
        return Err(files.error(
            origin,
            key,
            format!(
                "expected the path of a scenario file (a string), found {}",
                describe_value(&extends)
            ),
        ));
    };
    if let Some(toml::Value::Table(s)) = doc.table.get_mut("scenario") {
        s.remove("extends");
    }
    doc.forget(&extends_path);

    let parent_read = read.parent().unwrap_or(Path::new("")).join(&parent_rel);
    let parent_shown = normalize(&shown.parent().unwrap_or(Path::new("")).join(&parent_rel));
    let canonical_self = std::fs::canonicalize(read).unwrap_or_else(|_| read.to_path_buf());
    let canonical_parent = std::fs::canonicalize(&parent_read).map_err(|e| {
        files.error(
            origin,
            key.clone(),
            format!("cannot read `{}`: {e}", parent_shown.display()),
        )
    })?;
    stack.push((canonical_self, shown.to_path_buf()));
    if let Some(pos) = stack.iter().position(|(c, _)| *c == canonical_parent) {
        let chain: Vec<String> = stack[pos..]
            .iter()
            .map(|(_, s)| s.display().to_string())
            .chain([parent_shown.display().to_string()])
            .collect();
        return Err(files.error(
            origin,
            key,
            format!("`extends` cycle: {}", chain.join(" -> ")),
        ));
    }
    let mut parent = load_file(&parent_read, &parent_shown, files, stack)?;
    stack.pop();
    merge(&mut parent, &doc, files)?;
    Ok(parent)
}

/// Merges `child` into `parent` by the rules of this module.
pub(crate) fn merge(parent: &mut Doc, child: &Doc, files: &Files) -> Result<(), ScenarioError> {
    let mut table = std::mem::take(&mut parent.table);
    let result = merge_table(
        &mut table,
        &child.table,
        parent,
        child,
        &mut Vec::new(),
        files,
    );
    parent.table = table;
    result
}

fn merge_table(
    dst: &mut toml::Table,
    src: &toml::Table,
    dst_doc: &mut Doc,
    src_doc: &Doc,
    path: &mut KeyPath,
    files: &Files,
) -> Result<(), ScenarioError> {
    // Child keys in file order, so that the first error is the first in the file.
    let mut entries: Vec<(&String, &toml::Value)> = src.iter().collect();
    entries.sort_by_key(|(k, _)| {
        let mut p = path.clone();
        p.push((*k).clone());
        let o = src_doc.origin(&p);
        (o.file, o.line.unwrap_or(usize::MAX))
    });
    for (k, v) in entries {
        path.push(k.clone());
        // `[[correlations]]` of a child are added to its parent's, re-indexed after them.
        if path.len() == 1
            && k == "correlations"
            && let (Some(toml::Value::Array(parent)), toml::Value::Array(child)) =
                (dst.get_mut(k), v)
        {
            let offset = parent.len();
            for (i, item) in child.iter().enumerate() {
                parent.push(item.clone());
                let mut from = path.clone();
                from.push(i.to_string());
                let mut to = path.clone();
                to.push((offset + i).to_string());
                let below: Vec<(KeyPath, doc::Origin)> = src_doc
                    .origins
                    .iter()
                    .filter(|(p, _)| p.starts_with(&from))
                    .map(|(p, o)| {
                        let mut q = to.clone();
                        q.extend(p[from.len()..].iter().cloned());
                        (q, *o)
                    })
                    .collect();
                dst_doc.origins.extend(below);
            }
            path.pop();
            continue;
        }
        // A yearly path of a number (`plan.oversight = { path = [..] }`): a key below a
        // table, holding only `path`, `from` and `source` (a table such as `[sanctions]`,
        // whose forced `path` sits among its other keys, is one level up). Like a table with
        // `dist`, it replaces the parent's value whole; any other table patches its keys.
        let lever_path = |t: &toml::Table| {
            path.len() >= 2
                && t.contains_key("path")
                && t.keys()
                    .all(|k| matches!(k.as_str(), "path" | "from" | "source"))
        };
        let patch = match v {
            toml::Value::Table(t) if !t.contains_key("dist") && !lever_path(t) => Some(t),
            _ => None,
        };
        match (dst.get_mut(k), patch) {
            (Some(toml::Value::Table(d)), Some(p)) => {
                dst_doc.origins.insert(path.clone(), src_doc.origin(path));
                merge_table(d, p, dst_doc, src_doc, path, files)?;
            }
            (Some(old), Some(_)) => {
                return Err(files.error(
                    src_doc.origin(path),
                    Some(doc::dotted(path)),
                    format!(
                        "a table without `dist` changes some keys of the table it extends, but \
                         {} states a bare value ({}) here: write a bare value, or a whole \
                         distribution table (with `dist`) where the key takes one",
                        files.place(dst_doc.origin(path)),
                        describe_value(old)
                    ),
                ));
            }
            _ => {
                dst_doc.forget(path);
                dst_doc.adopt(src_doc, path);
                dst.insert(k.clone(), v.clone());
            }
        }
        path.pop();
    }
    Ok(())
}

/// A short rendering of a value for messages: scalars in full, containers by kind.
pub(crate) fn describe_value(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("the string {s:?}"),
        toml::Value::Integer(i) => format!("the integer {i}"),
        toml::Value::Float(x) => format!("the number {x}"),
        toml::Value::Boolean(b) => format!("the boolean {b}"),
        toml::Value::Datetime(d) => format!("the date {d}"),
        toml::Value::Array(a) => format!("an array of {} items", a.len()),
        toml::Value::Table(_) => "a table".to_string(),
    }
}

/// Lexical clean-up of a path for display (`a/b/../c` -> `a/c`); the file itself is read
/// through the path as written.
fn normalize(p: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    if out.is_empty() {
        PathBuf::from(".")
    } else {
        out.iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &str) -> KeyPath {
        s.split('.').map(str::to_string).collect()
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    const PARENT: &str = r#"[scenario]
name = "parent"
[macro]
gdp0_musd = 20000
trend_growth = { dist = "normal", mean = 0.05, sd = 0.01, min = -0.05, max = 0.12, source = "article" }
persistence = 0.3
[lines.vehicles]
capex_schedule = [0.4, 0.4, 0.2]
"#;

    fn load_pair(child: &str) -> Result<(Doc, Files), ScenarioError> {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "parent.toml", PARENT);
        let c = write(dir.path(), "child.toml", child);
        let mut files = Files::default();
        let doc = load_chain(&c, &mut files)?;
        Ok((doc, files))
    }

    fn get<'a>(doc: &'a Doc, p: &str) -> Option<&'a toml::Value> {
        doc::get(&doc.table, &path(p))
    }

    #[test]
    fn a_distribution_table_replaces_the_parents_whole() {
        let (doc, files) = load_pair(
            "[scenario]\nextends = \"parent.toml\"\n[macro]\n\
             trend_growth = { dist = \"uniform\", low = 0.0, high = 0.1 }\n",
        )
        .unwrap();
        let t = get(&doc, "macro.trend_growth").unwrap().as_table().unwrap();
        assert_eq!(t.keys().collect::<Vec<_>>(), ["dist", "high", "low"]);
        // The replaced keys' origins went with them; the new ones point at the child.
        assert!(!doc.origins.contains_key(&path("macro.trend_growth.sd")));
        let o = doc.origins[&path("macro.trend_growth.low")];
        assert_eq!((files.path(o.file), o.line), (files.path(0), Some(4)));
        // Untouched keys keep the parent's value and line.
        assert_eq!(
            get(&doc, "macro.gdp0_musd").unwrap().as_integer(),
            Some(20000)
        );
        assert_eq!(doc.origins[&path("macro.gdp0_musd")].file, 1);
        assert!(get(&doc, "scenario.extends").is_none());
        assert_eq!(get(&doc, "scenario.name").unwrap().as_str(), Some("parent"));
    }

    #[test]
    fn a_table_without_dist_patches_only_its_keys() {
        let (doc, _) = load_pair(
            "[scenario]\nextends = \"parent.toml\"\n[macro]\n\
             trend_growth = { mean = 0.047, source = \"IMF\" }\n",
        )
        .unwrap();
        let t = get(&doc, "macro.trend_growth").unwrap().as_table().unwrap();
        assert_eq!(t["mean"].as_float(), Some(0.047));
        assert_eq!(t["sd"].as_float(), Some(0.01));
        assert_eq!(t["dist"].as_str(), Some("normal"));
        assert_eq!(t["source"].as_str(), Some("IMF"));
        assert_eq!(doc.origins[&path("macro.trend_growth.mean")].file, 0);
        assert_eq!(doc.origins[&path("macro.trend_growth.sd")].file, 1);
        // The patched table now answers for the child's line.
        assert_eq!(doc.origins[&path("macro.trend_growth")].file, 0);
    }

    #[test]
    fn a_bare_value_replaces_a_distribution_and_arrays_replace_whole() {
        let (doc, _) = load_pair(
            "[scenario]\nextends = \"parent.toml\"\n[macro]\ntrend_growth = 0.04\n\
             [lines.vehicles]\ncapex_schedule = [1.0]\n",
        )
        .unwrap();
        assert_eq!(
            get(&doc, "macro.trend_growth").unwrap().as_float(),
            Some(0.04)
        );
        assert!(!doc.origins.contains_key(&path("macro.trend_growth.mean")));
        let s = get(&doc, "lines.vehicles.capex_schedule").unwrap();
        assert_eq!(s.as_array().unwrap().len(), 1);
    }

    #[test]
    fn a_patch_of_a_bare_value_is_an_error_naming_both_places() {
        let e = load_pair(
            "[scenario]\nextends = \"parent.toml\"\n[macro]\npersistence = { mean = 0.5 }\n",
        )
        .unwrap_err();
        assert_eq!(e.key.as_deref(), Some("macro.persistence"));
        assert_eq!(e.line, Some(4));
        assert!(e.file.ends_with("child.toml"), "{e}");
        assert!(e.message.contains("parent.toml:6"), "{e}");
        assert!(e.message.contains("bare value"), "{e}");
    }

    #[test]
    fn extends_cycles_name_every_file() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.toml", "[scenario]\nextends = \"b.toml\"\n");
        write(
            dir.path(),
            "b.toml",
            "[scenario]\nname = \"b\"\nextends = \"a.toml\"\n",
        );
        let e = load_chain(&dir.path().join("a.toml"), &mut Files::default()).unwrap_err();
        assert!(e.file.ends_with("b.toml"), "{e}");
        assert_eq!(e.line, Some(3));
        assert_eq!(e.key.as_deref(), Some("scenario.extends"));
        assert!(e.message.contains("cycle"), "{e}");
        assert!(e.message.contains("a.toml -> "), "{e}");
        assert!(e.message.contains("b.toml -> "), "{e}");

        write(
            dir.path(),
            "self.toml",
            "[scenario]\nextends = \"./self.toml\"\n",
        );
        let e = load_chain(&dir.path().join("self.toml"), &mut Files::default()).unwrap_err();
        assert!(e.message.contains("cycle"), "{e}");
    }

    #[test]
    fn extends_of_a_missing_file_names_it() {
        let e = load_pair("[scenario]\nextends = \"nowhere.toml\"\n").unwrap_err();
        assert!(e.file.ends_with("child.toml"), "{e}");
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("nowhere.toml"), "{e}");
        let e = load_pair("[scenario]\nextends = 3\n").unwrap_err();
        assert!(e.message.contains("expected the path"), "{e}");
    }

    #[test]
    fn missing_and_empty_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let e = load_chain(&dir.path().join("none.toml"), &mut Files::default()).unwrap_err();
        assert!(e.message.contains("cannot read"), "{e}");
        // A folder is not a regular file (defect 8 of issue 8: nor a device or a FIFO).
        let e = load_chain(dir.path(), &mut Files::default()).unwrap_err();
        assert!(e.message.contains("not a regular file"), "{e}");
        let e = load_chain(Path::new("/dev/zero"), &mut Files::default()).unwrap_err();
        assert!(e.message.contains("not a regular file"), "{e}");
        let empty = write(dir.path(), "empty.toml", "\n  \n");
        let e = load_chain(&empty, &mut Files::default()).unwrap_err();
        assert!(e.message.contains("empty"), "{e}");
    }

    #[test]
    fn three_levels_merge_in_order() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "parent.toml", PARENT);
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        write(
            &dir.path().join("sub"),
            "mid.toml",
            "[scenario]\nextends = \"../parent.toml\"\n[macro]\npersistence = 0.5\n",
        );
        let leaf = write(
            dir.path(),
            "leaf.toml",
            "[scenario]\nextends = \"sub/mid.toml\"\nname = \"leaf\"\n[macro]\ngdp0_musd = 1\n",
        );
        let mut files = Files::default();
        let doc = load_chain(&leaf, &mut files).unwrap();
        assert_eq!(
            get(&doc, "macro.persistence").unwrap().as_float(),
            Some(0.5)
        );
        assert_eq!(get(&doc, "macro.gdp0_musd").unwrap().as_integer(), Some(1));
        assert_eq!(get(&doc, "scenario.name").unwrap().as_str(), Some("leaf"));
        // The shown path of the grandparent is cleaned of `sub/..`.
        assert_eq!(files.paths[2], dir.path().join("parent.toml"));
    }

    #[test]
    fn normalize_removes_dot_dot_lexically() {
        assert_eq!(
            normalize(Path::new("tests/bad_inputs/../../scenarios/baseline.toml")),
            PathBuf::from("scenarios/baseline.toml")
        );
        assert_eq!(
            normalize(Path::new("../a.toml")),
            PathBuf::from("../a.toml")
        );
        assert_eq!(normalize(Path::new("./a.toml")), PathBuf::from("a.toml"));
    }
}
