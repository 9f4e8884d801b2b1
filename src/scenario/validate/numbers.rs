//! Numeric keys: a number or a distribution table checked against the key's domain and
//! plausible range (magnitudes, percent typos), and yearly lever paths.

use super::{Checker, MAX_MAGNITUDE, PLAUSIBLE_TAIL};
use crate::dist::{Interval, Param};
use crate::scenario::LeverPath;
use crate::scenario::doc::{self, KeyPath};
use crate::scenario::keys::KeySchema;
use crate::scenario::merge::describe_value;
use crate::scenario::schema::DIST_SUBKEYS;

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

impl Checker<'_> {
    /// A numeric key: a bare number or a distribution table, whose support lies inside the
    /// key's domain.
    pub(super) fn param(
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
                     {domain}; docs/calibration.md lists every key's range and why)",
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
    pub(super) fn lever_path(
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
    pub(super) fn expand_levers(
        &mut self,
        levers: &[RawLever],
        start: i32,
        horizon: usize,
    ) -> Vec<LeverPath> {
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
}

/// A yearly path as read, before it is checked against the horizon.
pub(super) struct RawLever {
    pub(super) path: KeyPath,
    pub(super) values: Vec<f64>,
    pub(super) from: Option<i32>,
    pub(super) source: Option<String>,
}
