//! Reading a scenario value: a bare number or a distribution table.
//!
//! The table's `dist` names the family ([`Family`]); its own keys, `min`, `max` and
//! `source` are the only keys accepted. Numbers may be written as integers; every number
//! must be finite. Errors name the sub-key at fault so callers can report `key.path.sd`.

use super::param::Given;
use super::spec::{DistError, beta_from_moments, ci90_dist, ordered};
use super::{Dist, Param};

/// The distribution names, as `dist = ".."` spells them.
const FAMILY_NAMES: &str =
    "fixed, uniform, normal, lognormal, triangular, pert, beta, ci90, discrete";

/// A distribution family, as `dist = ".."` names it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Family {
    Fixed,
    Uniform,
    Normal,
    LogNormal,
    Triangular,
    Pert,
    Beta,
    Ci90,
    Discrete,
}

impl Family {
    fn from_name(name: &str) -> Option<Family> {
        Some(match name {
            "fixed" => Family::Fixed,
            "uniform" => Family::Uniform,
            "normal" => Family::Normal,
            "lognormal" => Family::LogNormal,
            "triangular" => Family::Triangular,
            "pert" => Family::Pert,
            "beta" => Family::Beta,
            "ci90" => Family::Ci90,
            "discrete" => Family::Discrete,
            _ => return None,
        })
    }

    /// The family's own keys (besides `dist`, `min`, `max`, `source`).
    fn keys(self) -> &'static [&'static str] {
        match self {
            Family::Fixed => &["value"],
            Family::Uniform | Family::Ci90 => &["low", "high"],
            Family::Normal => &["mean", "sd"],
            Family::LogNormal => &["median", "sigma"],
            Family::Triangular | Family::Pert => &["low", "mode", "high"],
            Family::Beta => &["mean", "sd", "alpha", "beta"],
            Family::Discrete => &["values", "weights"],
        }
    }

    /// The keys as an error message lists them.
    fn expected_keys(self) -> &'static str {
        match self {
            Family::Fixed => "value, source",
            Family::Uniform | Family::Ci90 => "low, high, min, max, source",
            Family::Normal => "mean, sd, min, max, source",
            Family::LogNormal => "median, sigma, min, max, source",
            Family::Triangular | Family::Pert => "low, mode, high, min, max, source",
            Family::Beta => "mean, sd or alpha, beta; min, max, source",
            Family::Discrete => "values, weights, min, max, source",
        }
    }
}

/// What a TOML value is, for "expected .., found ..".
fn found(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("a string ({s:?})"),
        toml::Value::Integer(i) => format!("an integer ({i})"),
        toml::Value::Float(x) => format!("a float ({x})"),
        toml::Value::Boolean(b) => format!("a boolean ({b})"),
        toml::Value::Datetime(d) => format!("a datetime ({d})"),
        toml::Value::Array(_) => "an array".to_string(),
        toml::Value::Table(_) => "a table".to_string(),
    }
}

/// A finite number (integers accepted), or what is wrong with `v`.
fn as_number(v: &toml::Value) -> Result<f64, String> {
    let x = match v {
        toml::Value::Float(x) => *x,
        // i64 -> f64 rounds beyond 2^53, which no scenario number approaches.
        toml::Value::Integer(i) => *i as f64,
        other => return Err(format!("expected a number, found {}", found(other))),
    };
    if x.is_finite() {
        Ok(x)
    } else {
        Err(format!("expected a finite number, found {x}"))
    }
}

fn opt_number(table: &toml::Table, key: &str) -> Result<Option<f64>, DistError> {
    table
        .get(key)
        .map(|v| as_number(v).map_err(|m| DistError::at(key, m)))
        .transpose()
}

fn number(table: &toml::Table, key: &str) -> Result<f64, DistError> {
    opt_number(table, key)?.ok_or_else(|| DistError::at(key, format!("missing key `{key}`")))
}

fn numbers(table: &toml::Table, key: &str) -> Result<Vec<f64>, DistError> {
    match table.get(key) {
        None => Err(DistError::at(key, format!("missing key `{key}`"))),
        Some(toml::Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| as_number(v).map_err(|m| DistError::at(key, format!("{key}[{i}]: {m}"))))
            .collect(),
        Some(other) => Err(DistError::at(
            key,
            format!("expected an array of numbers, found {}", found(other)),
        )),
    }
}

impl Param {
    /// Reads a distribution table (`{ dist = "normal", mean = .., sd = .., min = .., max = .., source = .. }`),
    /// checking its parameters (sd >= 0, low <= mode <= high, beta's
    /// mean/sd feasible, weights >= 0 with a positive sum, min <= max, ...) and that the truncation
    /// leaves enough probability mass. Unknown sub-keys are errors.
    pub fn from_toml(table: &toml::Table) -> Result<Param, DistError> {
        let name = match table.get("dist") {
            None => {
                return Err(DistError::whole(format!(
                    "missing key `dist` (a distribution table needs dist = one of {FAMILY_NAMES})"
                )));
            }
            Some(toml::Value::String(s)) => s.as_str(),
            Some(other) => {
                return Err(DistError::at(
                    "dist",
                    format!(
                        "expected a distribution name (one of {FAMILY_NAMES}), found {}",
                        found(other)
                    ),
                ));
            }
        };
        let family = Family::from_name(name).ok_or_else(|| {
            DistError::at(
                "dist",
                format!("unknown distribution `{name}` (expected one of {FAMILY_NAMES})"),
            )
        })?;
        for key in table.keys() {
            let common = ["dist", "min", "max", "source"].contains(&key.as_str());
            if !common && !family.keys().contains(&key.as_str()) {
                return Err(DistError::at(
                    key,
                    format!(
                        "unknown key `{key}` in a {name} distribution (expected {})",
                        family.expected_keys()
                    ),
                ));
            }
        }
        let min = opt_number(table, "min")?;
        let max = opt_number(table, "max")?;
        let source = match table.get("source") {
            None => None,
            Some(toml::Value::String(s)) => Some(s.clone()),
            Some(other) => {
                return Err(DistError::at(
                    "source",
                    format!("expected a string, found {}", found(other)),
                ));
            }
        };
        let mut given = Given::AsDist;
        let dist = match family {
            Family::Fixed => Dist::Fixed(number(table, "value")?),
            Family::Uniform => Dist::Uniform {
                low: number(table, "low")?,
                high: number(table, "high")?,
            },
            Family::Normal => Dist::Normal {
                mean: number(table, "mean")?,
                sd: number(table, "sd")?,
            },
            Family::LogNormal => Dist::LogNormal {
                median: number(table, "median")?,
                sigma: number(table, "sigma")?,
            },
            Family::Triangular => Dist::Triangular {
                low: number(table, "low")?,
                mode: number(table, "mode")?,
                high: number(table, "high")?,
            },
            Family::Pert => Dist::Pert {
                low: number(table, "low")?,
                mode: number(table, "mode")?,
                high: number(table, "high")?,
            },
            Family::Beta => {
                let moments = table.contains_key("mean") || table.contains_key("sd");
                let shapes = ["alpha", "beta"]
                    .into_iter()
                    .find(|k| table.contains_key(*k));
                match (moments, shapes) {
                    (true, Some(key)) => {
                        return Err(DistError::at(
                            key,
                            "a beta distribution takes either mean and sd or alpha and beta, not both",
                        ));
                    }
                    (false, None) => {
                        return Err(DistError::whole(
                            "a beta distribution needs mean and sd, or alpha and beta",
                        ));
                    }
                    (true, None) => {
                        let (mean, sd) = (number(table, "mean")?, number(table, "sd")?);
                        given = Given::BetaMoments { mean, sd };
                        beta_from_moments(mean, sd)?
                    }
                    (false, Some(_)) => Dist::Beta {
                        alpha: number(table, "alpha")?,
                        beta: number(table, "beta")?,
                    },
                }
            }
            Family::Ci90 => {
                let (low, high) = (number(table, "low")?, number(table, "high")?);
                ordered("low", low, "high", high)?;
                given = Given::Ci90 { low, high };
                ci90_dist(low, high)
            }
            Family::Discrete => Dist::Discrete {
                values: numbers(table, "values")?,
                weights: numbers(table, "weights")?,
            },
        };
        Param::build(dist, given, min, max, source)
    }

    /// Reads a scenario value: a bare number (a fixed value) or a distribution table
    /// ([`Param::from_toml`]). The inverse of [`Param::to_toml`].
    pub fn from_value(value: &toml::Value) -> Result<Param, DistError> {
        match value {
            toml::Value::Table(t) => Param::from_toml(t),
            toml::Value::Integer(_) | toml::Value::Float(_) => {
                as_number(value).map(Param::fixed).map_err(DistError::whole)
            }
            other => Err(DistError::whole(format!(
                "expected a number or a distribution table, found {}",
                found(other)
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::testutil::{assert_rejects, param};

    /// Missing, unknown and mistyped keys.
    #[test]
    fn bad_tables_name_the_field_at_fault() {
        assert_rejects(&[
            ("{ mean = 0.3 }", None, "missing key `dist`"),
            (
                "{ dist = \"gaussian\", mean = 0, sd = 1 }",
                Some("dist"),
                "unknown distribution `gaussian` (expected one of fixed",
            ),
            ("{ dist = 3 }", Some("dist"), "found an integer"),
            (
                "{ dist = \"normal\", mean = 0, sdd = 1 }",
                Some("sdd"),
                "unknown key `sdd` in a normal distribution (expected mean, sd, min, max, source)",
            ),
            (
                "{ dist = \"normal\", mean = 0 }",
                Some("sd"),
                "missing key `sd`",
            ),
            (
                "{ dist = \"normal\", mean = \"0\", sd = 1 }",
                Some("mean"),
                "expected a number, found a string",
            ),
            (
                "{ dist = \"normal\", mean = nan, sd = 1 }",
                Some("mean"),
                "expected a finite number, found NaN",
            ),
            (
                "{ dist = \"normal\", mean = 0, sd = inf }",
                Some("sd"),
                "expected a finite number, found inf",
            ),
            (
                "{ dist = \"normal\", mean = 0, sd = 1, source = 3 }",
                Some("source"),
                "expected a string",
            ),
            (
                "{ dist = \"normal\", mean = 0, sd = 1, max = \"x\" }",
                Some("max"),
                "expected a number",
            ),
            (
                "{ dist = \"uniform\", low = 0.5 }",
                Some("high"),
                "missing key `high`",
            ),
            (
                "{ dist = \"beta\", mean = 0.5 }",
                Some("sd"),
                "missing key `sd`",
            ),
            (
                "{ dist = \"beta\", alpha = 1 }",
                Some("beta"),
                "missing key `beta`",
            ),
            (
                "{ dist = \"beta\", mean = 0.5, sd = 0.1, alpha = 2 }",
                Some("alpha"),
                "either mean and sd or alpha and beta",
            ),
            (
                "{ dist = \"beta\" }",
                None,
                "needs mean and sd, or alpha and beta",
            ),
            (
                "{ dist = \"ci90\", low = 0.2, high = 0.4, sd = 1 }",
                Some("sd"),
                "unknown key `sd` in a ci90 distribution",
            ),
            (
                "{ dist = \"discrete\", values = [1, \"a\"], weights = [1, 1] }",
                Some("values"),
                "values[1]: expected a number, found a string",
            ),
            (
                "{ dist = \"discrete\", values = 1, weights = [1] }",
                Some("values"),
                "expected an array of numbers, found an integer",
            ),
            (
                "{ dist = \"discrete\", values = [1, 2] }",
                Some("weights"),
                "missing key `weights`",
            ),
            ("{ dist = \"fixed\" }", Some("value"), "missing key `value`"),
            (
                "{ dist = \"fixed\", value = 1, mean = 2 }",
                Some("mean"),
                "(expected value, source)",
            ),
        ]);
    }

    #[test]
    fn from_value_reads_bare_numbers() {
        assert_eq!(
            Param::from_value(&toml::Value::Integer(3)),
            Ok(Param::fixed(3.0))
        );
        assert_eq!(
            Param::from_value(&toml::Value::Float(0.5)),
            Ok(Param::fixed(0.5))
        );
        let err = Param::from_value(&toml::Value::String("x".into())).unwrap_err();
        assert_eq!(err.field, None);
        assert!(err.message.contains("found a string"), "{}", err.message);
        assert!(Param::from_value(&toml::Value::Float(f64::NAN)).is_err());
    }

    #[test]
    fn integers_are_accepted_where_floats_are_expected() {
        assert_eq!(
            param("{ dist = \"uniform\", low = 1, high = 2 }"),
            param("{ dist = \"uniform\", low = 1.0, high = 2.0 }")
        );
    }
}
