//! One parsed scenario document: its TOML values, and the origin (file and line) of every
//! key, so that every later error can point at the line that caused it.
//!
//! The values come from `toml::from_str` (the authoritative parse); the lines come from a
//! second, spanned parse (`toml::de::DeTable`) of the same text. Origins are kept beside
//! the table, keyed by the key path, rather than inside it, so that the merged table stays
//! a plain `toml::Table` (what `Scenario::resolved` and `Param::from_toml` take).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::ScenarioError;

/// A key path, one segment per table level (`["macro", "trend_growth", "mean"]`).
pub(crate) type KeyPath = Vec<String>;

/// Where a value was stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Origin {
    /// Index into [`Files`]: 0 is the file the user gave, 1 the file it extends, ...
    pub file: usize,
    /// 1-based line, `None` for values from `--set` (and for keys that are missing).
    pub line: Option<usize>,
    /// The value came from a `--set KEY=VALUE` override.
    pub from_set: bool,
}

impl Origin {
    /// The origin of a `--set` override: the scenario file, no line.
    pub(crate) const SET: Origin = Origin {
        file: 0,
        line: None,
        from_set: true,
    };
}

/// The files of one load, in the order they were read (the user's file first).
#[derive(Debug, Default)]
pub(crate) struct Files {
    /// Paths as shown to the user.
    pub paths: Vec<PathBuf>,
}

impl Files {
    /// The path shown for file `i`.
    pub(crate) fn path(&self, i: usize) -> PathBuf {
        self.paths.get(i).cloned().unwrap_or_default()
    }

    /// An error at `origin`. A value that came from `--set` says so in the message.
    pub(crate) fn error(
        &self,
        origin: Origin,
        key: Option<String>,
        message: impl Into<String>,
    ) -> ScenarioError {
        let mut message = message.into();
        if origin.from_set {
            message.push_str(" (the value comes from --set)");
        }
        ScenarioError {
            file: self.path(origin.file),
            line: origin.line,
            key,
            message,
        }
    }

    /// Renders `file:line` for messages that point at a second place.
    pub(crate) fn place(&self, origin: Origin) -> String {
        match (origin.from_set, origin.line) {
            (true, _) => "--set".to_string(),
            (false, Some(line)) => format!("{}:{line}", self.path(origin.file).display()),
            (false, None) => self.path(origin.file).display().to_string(),
        }
    }
}

/// A TOML table and the origin of each of its keys (tables and leaves alike).
#[derive(Debug, Clone, Default)]
pub(crate) struct Doc {
    /// The values.
    pub table: toml::Table,
    /// Origin of every key path present in `table` (array elements are not tracked).
    pub origins: BTreeMap<KeyPath, Origin>,
}

impl Doc {
    /// The origin of `path`, or of its closest ancestor that has one.
    pub(crate) fn origin(&self, path: &[String]) -> Origin {
        (0..=path.len())
            .rev()
            .find_map(|n| self.origins.get(&path[..n]).copied())
            .unwrap_or_default()
    }

    /// Drops the origins of `path` and of everything below it.
    pub(crate) fn forget(&mut self, path: &[String]) {
        self.origins.retain(|p, _| !p.starts_with(path));
    }

    /// Copies the origins of `path` and of everything below it from `other`.
    pub(crate) fn adopt(&mut self, other: &Doc, path: &[String]) {
        let below = other
            .origins
            .range(path.to_vec()..)
            .take_while(|(p, _)| p.starts_with(path));
        for (p, o) in below {
            self.origins.insert(p.clone(), *o);
        }
    }
}

/// Looks a key path up in a table.
pub(crate) fn get<'a>(table: &'a toml::Table, path: &[String]) -> Option<&'a toml::Value> {
    let (last, parents) = path.split_last()?;
    let mut t = table;
    for seg in parents {
        t = t.get(seg)?.as_table()?;
    }
    t.get(last)
}

/// Joins a key path with dots.
pub(crate) fn dotted(path: &[String]) -> String {
    path.join(".")
}

/// Parses one file's text. `file` is its index in [`Files`]; `shown` its path for errors.
pub(crate) fn parse(text: &str, file: usize, shown: &Path) -> Result<Doc, ScenarioError> {
    let syntax = |e: toml::de::Error| ScenarioError {
        file: shown.to_path_buf(),
        line: e.span().map(|s| line_of(text, s.start)),
        key: None,
        message: format!("TOML syntax error: {}", e.message()),
    };
    let table: toml::Table = toml::from_str(text).map_err(syntax)?;
    let spanned = DeTable::parse(text).map_err(syntax)?;
    let mut origins = BTreeMap::new();
    collect_lines(spanned.get_ref(), text, file, &mut Vec::new(), &mut origins);
    Ok(Doc { table, origins })
}

/// Records the line of every key of `t` (the key's own line, which for a multi-line array
/// or a `[table]` header is where the reader looks).
fn collect_lines(
    t: &DeTable<'_>,
    text: &str,
    file: usize,
    path: &mut KeyPath,
    out: &mut BTreeMap<KeyPath, Origin>,
) {
    for (k, v) in t.iter() {
        path.push(k.get_ref().to_string());
        let span = if k.span().is_empty() {
            v.span()
        } else {
            k.span()
        };
        out.insert(
            path.clone(),
            Origin {
                file,
                line: Some(line_of(text, span.start)),
                from_set: false,
            },
        );
        match v.get_ref() {
            DeValue::Table(sub) => collect_lines(sub, text, file, path, out),
            // Tables inside an array (`[[correlations]]`): each element is keyed by its
            // index, `correlations.0.rank`.
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let DeValue::Table(sub) = item.get_ref() {
                        path.push(i.to_string());
                        out.insert(
                            path.clone(),
                            Origin {
                                file,
                                line: Some(line_of(text, item.span().start)),
                                from_set: false,
                            },
                        );
                        collect_lines(sub, text, file, path, out);
                        path.pop();
                    }
                }
            }
            _ => {}
        }
        path.pop();
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &str) -> KeyPath {
        s.split('.').map(str::to_string).collect()
    }

    #[test]
    fn every_key_gets_its_own_line() {
        let text = "[scenario]\nname = \"x\"\n\n[lines.ammunition]\ncapacity = 3\n\
                    lead = { dist = \"pert\",\n  low = 1, mode = 2, high = 3 }\n\
                    schedule = [\n 0.5,\n 0.5,\n]\n";
        let doc = parse(text, 0, Path::new("f.toml")).unwrap();
        let line = |p: &str| doc.origins[&path(p)].line;
        assert_eq!(line("scenario"), Some(1));
        assert_eq!(line("scenario.name"), Some(2));
        assert_eq!(line("lines.ammunition"), Some(4));
        assert_eq!(line("lines.ammunition.capacity"), Some(5));
        assert_eq!(line("lines.ammunition.lead"), Some(6));
        assert_eq!(line("lines.ammunition.lead.dist"), Some(6));
        assert_eq!(line("lines.ammunition.lead.mode"), Some(7));
        assert_eq!(line("lines.ammunition.schedule"), Some(8));
    }

    #[test]
    fn syntax_error_has_file_and_line() {
        let e = parse("a = 1\n\n[b\n", 0, Path::new("bad.toml")).unwrap_err();
        assert_eq!(e.file, PathBuf::from("bad.toml"));
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("syntax"), "{e}");
        let e = parse("a = 1\nb = 2\na = 3\n", 0, Path::new("dup.toml")).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
    }

    #[test]
    fn origin_falls_back_to_the_closest_ancestor() {
        let doc = parse("[macro]\nx = 1\n", 0, Path::new("f.toml")).unwrap();
        assert_eq!(doc.origin(&path("macro.x.mean")).line, Some(2));
        assert_eq!(doc.origin(&path("gold.drift")).line, None);
    }
}
