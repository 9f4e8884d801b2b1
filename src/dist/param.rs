//! [`Param`]: what a scenario states for one numeric key.
//!
//! A distribution ([`Dist`]), optional truncation bounds (`min`/`max`, applied by redraw,
//! never by clamping) and an optional `source` string. Every constructor goes through
//! [`Param::build`], which checks the family's parameters, the bounds and the mass the
//! truncation keeps; past it nothing re-checks. A `Param` also remembers how the scenario
//! wrote it (`ci90`, or `beta` by `mean`/`sd`) so that it is shown back the same way.

use super::Dist;
use super::spec::{DistError, check_dist, finite, ordered};
use super::truncation::MIN_TRUNCATED_MASS;

/// A parameter as a scenario states it.
///
/// Build it with [`Param::from_toml`], [`Param::from_value`], [`Param::new`] or
/// [`Param::fixed`], which check it; it also remembers how the scenario wrote it (`ci90`,
/// or `beta` by `mean`/`sd`) so that [`Param::describe`] and [`Param::to_toml`] show it the
/// same way.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The distribution.
    pub dist: Dist,
    /// Truncation lower bound (redraw below it).
    pub min: Option<f64>,
    /// Truncation upper bound (redraw above it).
    pub max: Option<f64>,
    /// Where the number comes from.
    pub source: Option<String>,
    /// How the scenario wrote `dist`, when that differs from the stored family.
    pub(super) given: Given,
}

/// How a distribution was written, when its stored [`Dist`] is a conversion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Given {
    /// As the stored [`Dist`] says.
    AsDist,
    /// `ci90` with its `low`, `high` (stored as a lognormal or a normal).
    Ci90 { low: f64, high: f64 },
    /// `beta` with `mean`, `sd` (stored as alpha, beta).
    BetaMoments { mean: f64, sd: f64 },
}

impl Param {
    /// A fixed value with no source.
    pub fn fixed(value: f64) -> Param {
        Param {
            dist: Dist::Fixed(value),
            min: None,
            max: None,
            source: None,
            given: Given::AsDist,
        }
    }

    /// A checked parameter from its parts, as [`Param::from_toml`] checks a table (errors
    /// name the scenario key at fault: `sd`, `min`, ...).
    pub fn new(
        dist: Dist,
        min: Option<f64>,
        max: Option<f64>,
        source: Option<String>,
    ) -> Result<Param, DistError> {
        Param::build(dist, Given::AsDist, min, max, source)
    }

    pub(super) fn build(
        dist: Dist,
        given: Given,
        min: Option<f64>,
        max: Option<f64>,
        source: Option<String>,
    ) -> Result<Param, DistError> {
        check_dist(&dist)?;
        if let Dist::Fixed(_) = dist
            && let Some(key) = [("min", min), ("max", max)]
                .iter()
                .find_map(|(k, v)| v.map(|_| *k))
        {
            return Err(DistError::at(
                key,
                format!("a fixed value cannot be truncated: remove `{key}`"),
            ));
        }
        if let Some(m) = min {
            finite("min", m)?;
        }
        if let Some(m) = max {
            finite("max", m)?;
        }
        if let (Some(lo), Some(hi)) = (min, max) {
            ordered("min", lo, "max", hi)?;
        }
        let p = Param {
            dist,
            min,
            max,
            source,
            given,
        };
        if min.is_some() || max.is_some() {
            let mass = p.truncated_mass();
            if mass.is_nan() || mass < MIN_TRUNCATED_MASS {
                let key = if min.is_some() { "min" } else { "max" };
                return Err(DistError::at(
                    key,
                    format!(
                        "min/max keep only {} of the probability mass (at least {MIN_TRUNCATED_MASS} needed)",
                        fmt_mass(mass)
                    ),
                ));
            }
        }
        Ok(p)
    }

    /// The fixed value, when the distribution is `Fixed` (truncation of a fixed value is
    /// rejected at construction).
    pub fn fixed_value(&self) -> Option<f64> {
        match self.dist {
            Dist::Fixed(v) => Some(v),
            _ => None,
        }
    }
}

/// A probability for messages: two significant digits.
fn fmt_mass(p: f64) -> String {
    if p <= 0.0 {
        "0".to_string()
    } else if p < 1e-6 {
        format!("{p:.1e}")
    } else {
        let decimals = (-p.log10().floor()) as usize + 1;
        format!("{p:.decimals$}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::testutil::{assert_rejects, param};

    /// Bounds out of order, and a truncated fixed value.
    #[test]
    fn bad_bounds_name_the_field_at_fault() {
        assert_rejects(&[
            (
                "{ dist = \"normal\", mean = 0, sd = 1, min = 1, max = 0 }",
                Some("min"),
                "min (1) must be <= max (0)",
            ),
            (
                "{ dist = \"fixed\", value = 1, max = 2 }",
                Some("max"),
                "a fixed value cannot be truncated",
            ),
        ]);
    }

    #[test]
    fn new_checks_like_from_toml() {
        let err = Param::new(
            Dist::Normal {
                mean: 0.0,
                sd: -1.0,
            },
            None,
            None,
            None,
        )
        .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("sd"));
        let p = Param::new(
            Dist::Beta {
                alpha: 2.0,
                beta: 3.0,
            },
            Some(0.1),
            None,
            Some("s".into()),
        );
        assert_eq!(
            p.map(|p| p.describe()),
            Ok("beta(2, 3) truncated [0.1, inf)".to_string())
        );
    }

    #[test]
    fn replacing_dist_forgets_how_it_was_written() {
        let mut p = param("{ dist = \"ci90\", low = 0.2, high = 0.4 }");
        p.dist = Dist::Normal { mean: 0.0, sd: 1.0 };
        assert_eq!(p.describe(), "normal(0, 1)");
    }
}
