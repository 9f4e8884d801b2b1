//! The analyst's own tables and rules across keys: forced-state paths within the horizon,
//! `[criteria]` (expressions over the model's outcomes) and `[[correlations]]`.

use super::Checker;
use crate::scenario::doc::KeyPath;
use crate::scenario::keys::{KeySchema, Value};
use crate::scenario::merge::describe_value;
use crate::scenario::schema::{self, Leaf, Node};
use crate::scenario::{CorrelationSpec, CriterionSpec, LeverPath, ParamEntry};
use crate::stats::copula::Copula;
use crate::stats::expr;

impl Checker<'_> {
    /// Forced-state paths: `<table>.from` only with `<table>.path`, and no path past the
    /// horizon.
    pub(super) fn check_forced(
        &mut self,
        settings: &[(String, Value)],
        start: i32,
        horizon: usize,
    ) {
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
    pub(super) fn criteria(&mut self, value: Option<&toml::Value>) -> Vec<CriterionSpec> {
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
    pub(super) fn check_criteria(&mut self, criteria: &[CriterionSpec], keys: &KeySchema) {
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
    pub(super) fn correlations(
        &mut self,
        value: Option<&toml::Value>,
    ) -> Vec<(usize, CorrelationSpec)> {
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
    pub(super) fn check_correlations(
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
}
