//! The shape of a scenario file: every table and key it may (and, `extends` aside, must)
//! contain, as a tree built from the parameter schema a model hands over ([`KeySchema`]).
//!
//! Both validation and `--set` read this one tree, so a key is known in one place only.

use super::keys::{Fixed, KeyKind, KeySchema, scenario_table};
use crate::dist::Interval;

/// What a leaf key holds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Leaf {
    /// A numeric parameter (a bare number or a distribution table), its domain and its
    /// plausible range.
    Numeric(Interval, Interval),
    /// A fixed value that is never a distribution.
    Setting(Fixed),
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
            Node::Leaf(leaf) => out.push((path.clone(), leaf.clone())),
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
                    Node::Leaf(leaf.clone())
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

/// Sub-keys a distribution table may have (which ones a given `dist` takes is `dist.rs`'s
/// business; this list catches typos early and suggests the right spelling).
pub(crate) const DIST_SUBKEYS: &[&str] = &[
    "dist", "value", "low", "mode", "high", "mean", "sd", "median", "sigma", "alpha", "beta",
    "values", "weights", "min", "max", "source", "path", "from",
];

/// The tree of `[scenario]` and every key of `keys`, in that order.
pub(crate) fn schema(keys: &KeySchema) -> Node {
    let mut root = Node::Table(Vec::new());
    for key in scenario_table().iter().chain(&keys.keys) {
        let path: Vec<&str> = key.path.split('.').collect();
        let leaf = match &key.kind {
            KeyKind::Number {
                domain, plausible, ..
            } => Leaf::Numeric(*domain, *plausible),
            KeyKind::Fixed(kind) => Leaf::Setting(kind.clone()),
        };
        root.insert(&path, leaf);
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
pub(crate) mod tests {
    use super::*;
    use crate::scenario::{Key, Role};

    /// A toy model's schema: a table with a flag before its number, and a nested table.
    pub(crate) fn toy() -> KeySchema {
        let number = |path: &str| Key {
            path: path.into(),
            kind: KeyKind::Number {
                role: Role::Uncertain,
                domain: Interval {
                    lo: 0.0,
                    hi: 1.0,
                    lo_open: false,
                    hi_open: false,
                },
                plausible: Interval {
                    lo: 0.0,
                    hi: 1.0,
                    lo_open: false,
                    hi_open: false,
                },
            },
            unit: "share",
            meaning: "a share",
        };
        KeySchema {
            keys: vec![
                Key {
                    path: "world.open".into(),
                    kind: KeyKind::Fixed(Fixed::Flag),
                    unit: "",
                    meaning: "a flag",
                },
                number("world.share"),
                number("parts.left.share"),
            ],
            cross_check: |_| Vec::new(),
            paths: Vec::new(),
            outcomes: Vec::new(),
        }
    }

    fn path(s: &str) -> Vec<String> {
        s.split('.').map(str::to_string).collect()
    }

    #[test]
    fn the_tree_holds_scenario_then_the_models_keys_in_their_order() {
        let root = schema(&toy());
        assert_eq!(root.child_names(), ["scenario", "world", "parts"]);
        assert_eq!(
            root.lookup(&path("world")).unwrap().child_names(),
            ["open", "share"]
        );
        assert!(matches!(
            root.lookup(&path("parts.left.share")),
            Some(Node::Leaf(Leaf::Numeric(d, _))) if d.hi == 1.0
        ));
        assert!(matches!(
            root.lookup(&path("scenario.seed")),
            Some(Node::Leaf(Leaf::Setting(Fixed::Count { min: 0, .. })))
        ));
        let leaves: Vec<String> = root.leaves().iter().map(|(p, _)| p.join(".")).collect();
        assert_eq!(leaves.len(), scenario_table().len() + 3);
        assert_eq!(leaves.last().unwrap(), "parts.left.share");
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
