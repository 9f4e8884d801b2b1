//! The shape of a scenario file: every table and key it may (and, `extends` aside, must)
//! contain, built from the model's parameter schema ([`NUMERIC_KEYS`], [`LINE_KEYS`]) plus
//! the counts, states, names and flags that are never distributions.
//!
//! Both validation and `--set` read this one tree, so a key is known in one place only.

use crate::model::params::{LINE_KEYS, LINE_NAMES, NUMERIC_KEYS, Slot};

/// What a leaf key holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Leaf {
    /// A numeric parameter: a bare number or a distribution table.
    Numeric(Slot),
    /// A fixed value that is never a distribution.
    Setting(Setting),
}

/// The kinds of fixed values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Setting {
    /// `scenario.name`: a non-empty string safe as a folder name.
    Name,
    /// `scenario.description`: any string.
    Description,
    /// `scenario.extends`: a path, optional, consumed while loading.
    Extends,
    /// `scenario.start_year`: an integer that fits an `i32`.
    StartYear,
    /// An integer `>= min` (counts, seed).
    Count { min: i64 },
    /// `sanctions.initial`: 0 or 1.
    SanctionsInitial,
    /// `support.initial`: one of `SUPPORT_STATES`.
    SupportInitial,
    /// A boolean flag.
    Flag,
    /// `lines.<l>.unit`: a non-empty string.
    Unit,
    /// `lines.<l>.capex_schedule`: non-empty shares summing to 1.
    Schedule,
    /// `sanctions.path`: forced states by year, 0, 1 or -1 (free). Optional.
    SanctionsPath,
    /// `support.path`: forced states by year, "full", "reduced", "withdrawn" or "free".
    /// Optional.
    SupportPath,
    /// `sanctions.from`, `support.from`: the year of a forced path's first entry. Optional.
    PathFrom,
    /// `support.supplier`: the foreign supplier's name. Optional (default "Russia").
    Supplier,
    /// `viability.independence_scope`: "all" or "enabled". Optional (default "all").
    Scope,
    /// `[criteria]`: named conditions over outcomes. Optional.
    Criteria,
    /// `[[correlations]]`: rank correlations between uncertain parameters. Optional.
    Correlations,
}

impl Setting {
    /// What the key holds, for "is ..., never a distribution" messages.
    pub(crate) fn what(self) -> &'static str {
        match self {
            Setting::Name | Setting::Description | Setting::Extends | Setting::Unit => "a string",
            Setting::StartYear | Setting::Count { .. } => "a count (an integer)",
            Setting::SanctionsInitial | Setting::SupportInitial => "a state",
            Setting::Flag => "a flag (true or false)",
            Setting::Schedule => "a list of shares",
            Setting::SanctionsPath | Setting::SupportPath => "a list of forced states",
            Setting::PathFrom => "a year",
            Setting::Supplier | Setting::Scope => "a string",
            Setting::Criteria => "a table of expressions",
            Setting::Correlations => "a list of tables",
        }
    }

    /// Whether a scenario may omit the key (the version 2 keys, whose defaults change
    /// nothing), besides `scenario.extends`.
    pub(crate) fn optional(self) -> bool {
        matches!(
            self,
            Setting::Extends
                | Setting::SanctionsPath
                | Setting::SupportPath
                | Setting::PathFrom
                | Setting::Supplier
                | Setting::Scope
                | Setting::Criteria
                | Setting::Correlations
        )
    }
}

/// A node of the schema tree: a table with ordered children, or a leaf.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// A table, its children in scenario order.
    Table(Vec<(String, Node)>),
    /// A key holding a value.
    Leaf(Leaf),
}

impl Node {
    /// The child named `name` of a table node.
    pub(crate) fn child(&self, name: &str) -> Option<&Node> {
        match self {
            Node::Table(children) => children.iter().find(|(n, _)| n == name).map(|(_, c)| c),
            Node::Leaf(_) => None,
        }
    }

    /// The node at `path` below this one.
    pub(crate) fn lookup(&self, path: &[String]) -> Option<&Node> {
        path.iter().try_fold(self, |node, seg| node.child(seg))
    }

    /// Names of a table node's children.
    pub(crate) fn child_names(&self) -> Vec<&str> {
        match self {
            Node::Table(children) => children.iter().map(|(n, _)| n.as_str()).collect(),
            Node::Leaf(_) => Vec::new(),
        }
    }

    /// Every leaf below this node with its path, in scenario order.
    pub(crate) fn leaves(&self) -> Vec<(Vec<String>, Leaf)> {
        let mut out = Vec::new();
        self.collect_leaves(&mut Vec::new(), &mut out);
        out
    }

    fn collect_leaves(&self, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, Leaf)>) {
        match self {
            Node::Leaf(leaf) => out.push((path.clone(), *leaf)),
            Node::Table(children) => {
                for (name, child) in children {
                    path.push(name.clone());
                    child.collect_leaves(path, out);
                    path.pop();
                }
            }
        }
    }

    fn insert(&mut self, path: &[&str], leaf: Leaf) {
        let Node::Table(children) = self else { return };
        let Some((first, rest)) = path.split_first() else {
            return;
        };
        let pos = match children.iter().position(|(n, _)| n == first) {
            Some(pos) => pos,
            None => {
                let node = if rest.is_empty() {
                    Node::Leaf(leaf)
                } else {
                    Node::Table(Vec::new())
                };
                children.push((first.to_string(), node));
                children.len() - 1
            }
        };
        if !rest.is_empty() {
            children[pos].1.insert(rest, leaf);
        }
    }
}

/// Fixed-value keys outside `[lines.*]`, each placed before the numeric keys of its table.
pub(crate) const SETTINGS: &[(&str, Setting)] = &[
    ("scenario.name", Setting::Name),
    ("scenario.description", Setting::Description),
    ("scenario.extends", Setting::Extends),
    ("scenario.start_year", Setting::StartYear),
    ("scenario.horizon_years", Setting::Count { min: 1 }),
    ("scenario.trials", Setting::Count { min: 1 }),
    ("scenario.seed", Setting::Count { min: 0 }),
    ("sanctions.initial", Setting::SanctionsInitial),
    ("sanctions.path", Setting::SanctionsPath),
    ("sanctions.from", Setting::PathFrom),
    ("support.initial", Setting::SupportInitial),
    ("support.path", Setting::SupportPath),
    ("support.from", Setting::PathFrom),
    ("support.supplier", Setting::Supplier),
    ("plan.start_offset", Setting::Count { min: 0 }),
    ("plan.credit_tenor_years", Setting::Count { min: 1 }),
    ("viability.independence_scope", Setting::Scope),
    ("criteria", Setting::Criteria),
    ("correlations", Setting::Correlations),
];

/// Fixed-value keys of every line.
pub(crate) const LINE_SETTINGS: &[(&str, Setting)] = &[
    ("enabled", Setting::Flag),
    ("unit", Setting::Unit),
    ("capex_schedule", Setting::Schedule),
    ("exportable", Setting::Flag),
];

/// Sub-keys a distribution table may have (which ones a given `dist` takes is `dist.rs`'s
/// business; this list catches typos early and suggests the right spelling).
pub(crate) const DIST_SUBKEYS: &[&str] = &[
    "dist", "value", "low", "mode", "high", "mean", "sd", "median", "sigma", "alpha", "beta",
    "values", "weights", "min", "max", "source", "path", "from",
];

/// The whole schema tree.
pub(crate) fn schema() -> Node {
    let mut root = Node::Table(Vec::new());
    let split = |p: &'static str| p.split('.').collect::<Vec<_>>();
    let mut seen_tables: Vec<&str> = Vec::new();
    let mut place_settings_of = |root: &mut Node, table: &'static str| {
        if !seen_tables.contains(&table) {
            seen_tables.push(table);
            for (path, kind) in SETTINGS
                .iter()
                .filter(|(p, _)| p.split('.').next() == Some(table))
            {
                root.insert(&split(path), Leaf::Setting(*kind));
            }
        }
    };
    place_settings_of(&mut root, "scenario");
    for (i, key) in NUMERIC_KEYS.iter().enumerate() {
        let table = key.path.split('.').next().unwrap_or(key.path);
        place_settings_of(&mut root, table);
        root.insert(&split(key.path), Leaf::Numeric(Slot::Global(i)));
    }
    for table in [
        "sanctions",
        "support",
        "plan",
        "viability",
        "criteria",
        "correlations",
    ] {
        place_settings_of(&mut root, table);
    }
    for (l, line) in LINE_NAMES.iter().enumerate() {
        for (field, kind) in LINE_SETTINGS {
            root.insert(&["lines", line, field], Leaf::Setting(*kind));
        }
        for (f, key) in LINE_KEYS.iter().enumerate() {
            root.insert(&["lines", line, key.field], Leaf::Numeric(Slot::Line(l, f)));
        }
    }
    root
}

/// The closest of `candidates` to `name`, when it is close enough to be a likely typo.
pub(crate) fn suggest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let (best, dist) = candidates
        .iter()
        .map(|c| (*c, edit_distance(name, c)))
        .min_by_key(|(_, d)| *d)?;
    let limit = (name.chars().count().max(best.chars().count()) / 3).max(1);
    (dist <= limit).then_some(best)
}

/// " (did you mean `x`?)" or "".
pub(crate) fn did_you_mean(name: &str, candidates: &[&str]) -> String {
    suggest(name, candidates)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

/// Levenshtein distance (characters), two-row dynamic programme.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::params::numeric_key_paths;

    fn path(s: &str) -> Vec<String> {
        s.split('.').map(str::to_string).collect()
    }

    #[test]
    fn schema_holds_every_numeric_key_with_its_slot() {
        let root = schema();
        for p in numeric_key_paths() {
            match root.lookup(&path(&p)) {
                Some(Node::Leaf(Leaf::Numeric(slot))) => assert_eq!(Some(*slot), Slot::of(&p)),
                other => panic!("{p}: {other:?}"),
            }
        }
    }

    #[test]
    fn settings_sit_in_their_tables_before_the_numbers() {
        let root = schema();
        let names = root.lookup(&path("sanctions")).unwrap().child_names();
        assert_eq!(names[0], "initial");
        assert!(matches!(
            root.lookup(&path("lines.vehicles.capex_schedule")),
            Some(Node::Leaf(Leaf::Setting(Setting::Schedule)))
        ));
        assert_eq!(
            root.child_names(),
            [
                "scenario",
                "macro",
                "gold",
                "sanctions",
                "support",
                "power",
                "corruption",
                "conflict",
                "military",
                "plan",
                "social",
                "viability",
                "lines"
            ]
        );
    }

    #[test]
    fn suggestions_catch_typos_only() {
        let keys = ["trend_growth", "volatility", "persistence"];
        assert_eq!(suggest("trend_grwoth", &keys), Some("trend_growth"));
        assert_eq!(suggest("volatilty", &keys), Some("volatility"));
        assert_eq!(suggest("colour", &keys), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
