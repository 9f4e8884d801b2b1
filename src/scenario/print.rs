//! The human-readable resolved scenario of `defsim validate --print`: every key grouped
//! by table, each parameter with its distribution and its source, so that a reader can
//! audit every assumption in one screen.

use std::fmt::Write as _;

use super::Scenario;
use super::keys::Value;

/// One printed key.
struct Row {
    group: String,
    key: String,
    value: String,
    source: Option<String>,
    numeric: bool,
}

impl Scenario {
    /// Every key of the resolved scenario, grouped by table: fixed settings as values,
    /// numeric parameters as `describe()` with their `source` (or `(no source)`).
    ///
    /// ```
    /// # let keys = defsim::model::key_schema();
    /// # let s = defsim::scenario::load("scenarios/baseline.toml".as_ref(), &[], &keys).unwrap();
    /// let text = s.print_resolved();
    /// assert!(text.contains("[macro]"));
    /// ```
    pub fn print_resolved(&self) -> String {
        let rows = self.rows();
        let mut groups: Vec<&str> = Vec::new();
        for r in &rows {
            if !groups.contains(&r.group.as_str()) {
                groups.push(&r.group);
            }
        }
        let mut out = String::new();
        let _ = writeln!(out, "# scenario `{}` ({})", self.name, self.file.display());
        let _ = writeln!(out, "# resolved sha256 {}", self.resolved_sha256());
        for group in groups {
            let members: Vec<&Row> = rows.iter().filter(|r| r.group == group).collect();
            let kw = members.iter().map(|r| r.key.len()).max().unwrap_or(0);
            let vw = members
                .iter()
                .filter(|r| r.numeric)
                .map(|r| r.value.chars().count())
                .max()
                .unwrap_or(0);
            let _ = writeln!(out, "\n[{group}]");
            for r in members {
                let _ = match (&r.source, r.numeric) {
                    (Some(s), _) => writeln!(out, "{:kw$} = {:vw$}  # {s}", r.key, r.value),
                    (None, true) => writeln!(out, "{:kw$} = {:vw$}  # (no source)", r.key, r.value),
                    (None, false) => writeln!(out, "{:kw$} = {}", r.key, r.value),
                };
            }
        }
        out
    }

    /// Settings and parameters in scenario order, settings first within their table.
    fn rows(&self) -> Vec<Row> {
        let fixed = |key: &str, value: String| {
            let (group, key) = key.rsplit_once('.').unwrap_or(("", key));
            Row {
                group: group.to_string(),
                key: key.to_string(),
                value,
                source: None,
                numeric: false,
            }
        };
        let mut settings = vec![
            fixed("scenario.name", format!("{:?}", self.name)),
            fixed("scenario.description", format!("{:?}", self.description)),
            fixed("scenario.start_year", self.start_year.to_string()),
            fixed("scenario.horizon_years", self.horizon_years.to_string()),
            fixed("scenario.trials", self.trials.to_string()),
            fixed("scenario.seed", self.seed.to_string()),
        ];
        for (key, value) in &self.settings {
            let text = match value {
                Value::Str(s) | Value::State(_, s) => format!("{s:?}"),
                Value::Int(i) => i.to_string(),
                Value::Flag(f) => f.to_string(),
                Value::Shares(s) => format!("{s:?}"),
            };
            settings.push(fixed(key, text));
        }
        let params = self.params.iter().map(|p| {
            let (group, key) = p.key.rsplit_once('.').unwrap_or(("", &p.key));
            Row {
                group: group.to_string(),
                key: key.to_string(),
                value: p.param.describe(),
                source: p.param.source.clone(),
                numeric: true,
            }
        });
        // Each table's settings go just before its first parameter.
        let mut out: Vec<Row> = Vec::new();
        let mut pending = settings;
        let mut take_group = |out: &mut Vec<Row>, group: &str| {
            let (mine, rest): (Vec<Row>, Vec<Row>) =
                pending.drain(..).partition(|r| r.group == group);
            out.extend(mine);
            pending = rest;
        };
        take_group(&mut out, "scenario");
        for row in params {
            if !out.iter().any(|r| r.group == row.group) {
                take_group(&mut out, &row.group);
            }
            out.push(row);
        }
        out.extend(pending);
        out
    }
}
