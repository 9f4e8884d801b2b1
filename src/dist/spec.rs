//! The distribution families and the checks of their parameters.
//!
//! [`Dist`] is a family with its parameters; [`check_dist`] accepts exactly the parameters
//! every other part of this folder can use (finite, ordered, positive spreads, feasible
//! beta moments, weights with a positive finite sum) and names the scenario key at fault in
//! a [`DistError`]. Two ways of writing a distribution are converted here:
//!
//! - `beta` given by `mean` and `sd` uses the method of moments:
//!   `nu = mean (1 - mean) / sd^2 - 1`, `alpha = mean nu`, `beta = (1 - mean) nu`, which
//!   needs `0 < sd < sqrt(mean (1 - mean))`.
//! - `ci90` ("90% sure the value is between low and high", Hubbard, *How to Measure
//!   Anything*) puts `low` and `high` at the 5% and 95% quantiles, `z = 1.6449`
//!   (`Phi^-1(0.95)`): a lognormal with median `sqrt(low high)` and
//!   `sigma = ln(high / low) / (2 z)` when `low > 0`, else a normal with mean
//!   `(low + high) / 2` and `sd = (high - low) / (2 z)`.

/// `Phi^-1(0.95)`: the 5% and 95% quantiles of a normal are `mean -/+ Z90 sd` (`ci90`).
pub(super) const Z90: f64 = 1.644_853_626_951_472_2;

/// A distribution family with its parameters, already checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    /// Always the same value.
    Fixed(f64),
    /// Uniform on `[low, high]`.
    Uniform { low: f64, high: f64 },
    /// Normal with mean and standard deviation.
    Normal { mean: f64, sd: f64 },
    /// Lognormal given by its median and the sd of its log.
    LogNormal { median: f64, sigma: f64 },
    /// Triangular on `[low, high]` with mode.
    Triangular { low: f64, mode: f64, high: f64 },
    /// Beta-PERT on `[low, high]` with mode (shape 4).
    Pert { low: f64, mode: f64, high: f64 },
    /// Beta on `[0, 1]`.
    Beta { alpha: f64, beta: f64 },
    /// Finite set of values with (unnormalised) weights.
    Discrete { values: Vec<f64>, weights: Vec<f64> },
}

/// Why a distribution table is invalid. `field` names the offending sub-key
/// (`sd`, `low`, ...) when there is one, so callers can report `key.path.sd`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct DistError {
    /// The sub-key at fault, if any.
    pub field: Option<String>,
    /// What was expected and what was found.
    pub message: String,
}

impl DistError {
    /// An error about sub-key `field`.
    pub(super) fn at(field: &str, message: impl Into<String>) -> DistError {
        DistError {
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    /// An error about the whole table.
    pub(super) fn whole(message: impl Into<String>) -> DistError {
        DistError {
            field: None,
            message: message.into(),
        }
    }
}

/// `beta` by the method of moments: `nu = m (1 - m) / s^2 - 1`, `alpha = m nu`,
/// `beta = (1 - m) nu`. Checks `0 < m < 1` and `0 < s < sqrt(m (1 - m))`.
pub(super) fn beta_from_moments(mean: f64, sd: f64) -> Result<Dist, DistError> {
    if !(mean > 0.0 && mean < 1.0) {
        return Err(DistError::at(
            "mean",
            format!("beta mean must lie in (0, 1), found {mean}"),
        ));
    }
    if sd.is_nan() || sd <= 0.0 {
        return Err(DistError::at(
            "sd",
            format!("beta sd must be > 0, found {sd} (for a certain value, write the number)"),
        ));
    }
    let bound = (mean * (1.0 - mean)).sqrt();
    let nu = mean * (1.0 - mean) / (sd * sd) - 1.0;
    let (alpha, beta) = (mean * nu, (1.0 - mean) * nu);
    if !(sd < bound && alpha > 0.0 && beta > 0.0) {
        return Err(DistError::at(
            "sd",
            format!(
                "beta mean {mean} with sd {sd} is impossible: sd must be < sqrt(mean*(1-mean)) = {bound}"
            ),
        ));
    }
    Ok(Dist::Beta { alpha, beta })
}

/// `ci90`: `low` and `high` at the 5% and 95% quantiles (`z = 1.6449`); lognormal when
/// `low > 0`, else normal. Requires `low <= high` (checked by the caller).
pub(super) fn ci90_dist(low: f64, high: f64) -> Dist {
    if low > 0.0 {
        Dist::LogNormal {
            median: (low * high).sqrt(),
            sigma: (high / low).ln() / (2.0 * Z90),
        }
    } else {
        Dist::Normal {
            mean: 0.5 * (low + high),
            sd: (high - low) / (2.0 * Z90),
        }
    }
}

/// Checks that `lo <= hi`, naming `lo_key` at fault otherwise.
pub(super) fn ordered(lo_key: &str, lo: f64, hi_key: &str, hi: f64) -> Result<(), DistError> {
    if lo <= hi {
        Ok(())
    } else {
        Err(DistError::at(
            lo_key,
            format!("{lo_key} ({lo}) must be <= {hi_key} ({hi})"),
        ))
    }
}

pub(super) fn finite(key: &str, x: f64) -> Result<(), DistError> {
    if x.is_finite() {
        Ok(())
    } else {
        Err(DistError::at(
            key,
            format!("{key} must be a finite number, found {x}"),
        ))
    }
}

fn non_negative(key: &str, x: f64) -> Result<(), DistError> {
    finite(key, x)?;
    if x >= 0.0 {
        Ok(())
    } else {
        Err(DistError::at(key, format!("{key} must be >= 0, found {x}")))
    }
}

fn positive(key: &str, x: f64) -> Result<(), DistError> {
    finite(key, x)?;
    if x > 0.0 {
        Ok(())
    } else {
        Err(DistError::at(key, format!("{key} must be > 0, found {x}")))
    }
}

/// Checks the family parameters of `dist`, naming the scenario key at fault.
pub(super) fn check_dist(dist: &Dist) -> Result<(), DistError> {
    match dist {
        Dist::Fixed(v) => finite("value", *v),
        Dist::Uniform { low, high } => {
            finite("low", *low)?;
            finite("high", *high)?;
            ordered("low", *low, "high", *high)
        }
        Dist::Normal { mean, sd } => {
            finite("mean", *mean)?;
            non_negative("sd", *sd)
        }
        Dist::LogNormal { median, sigma } => {
            positive("median", *median)?;
            non_negative("sigma", *sigma)
        }
        Dist::Triangular { low, mode, high } | Dist::Pert { low, mode, high } => {
            finite("low", *low)?;
            finite("mode", *mode)?;
            finite("high", *high)?;
            ordered("low", *low, "high", *high)?;
            if *low <= *mode && *mode <= *high {
                Ok(())
            } else {
                Err(DistError::at(
                    "mode",
                    format!("mode ({mode}) must lie in [low, high] = [{low}, {high}]"),
                ))
            }
        }
        Dist::Beta { alpha, beta } => {
            positive("alpha", *alpha)?;
            positive("beta", *beta)
        }
        Dist::Discrete { values, weights } => {
            if values.is_empty() {
                return Err(DistError::at("values", "values must not be empty"));
            }
            if weights.len() != values.len() {
                return Err(DistError::at(
                    "weights",
                    format!(
                        "weights must have one entry per value: {} values, found {} weights",
                        values.len(),
                        weights.len()
                    ),
                ));
            }
            for (i, v) in values.iter().enumerate() {
                finite(&format!("values[{i}]"), *v)
                    .map_err(|e| DistError::at("values", e.message))?;
            }
            for (i, w) in weights.iter().enumerate() {
                non_negative(&format!("weights[{i}]"), *w)
                    .map_err(|e| DistError::at("weights", e.message))?;
            }
            let total: f64 = weights.iter().sum();
            if total > 0.0 && total.is_finite() {
                Ok(())
            } else {
                Err(DistError::at(
                    "weights",
                    format!("weights must have a positive, finite sum, found {total}"),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::dist::testutil::assert_rejects;

    /// Parameters of each family outside their domain, and impossible beta moments.
    #[test]
    fn bad_parameters_name_the_field_at_fault() {
        assert_rejects(&[
            (
                "{ dist = \"normal\", mean = 0, sd = -0.1 }",
                Some("sd"),
                "sd must be >= 0, found -0.1",
            ),
            (
                "{ dist = \"lognormal\", median = 0, sigma = 1 }",
                Some("median"),
                "median must be > 0, found 0",
            ),
            (
                "{ dist = \"lognormal\", median = 1, sigma = -1 }",
                Some("sigma"),
                "sigma must be >= 0, found -1",
            ),
            (
                "{ dist = \"uniform\", low = 0.5, high = 0.2 }",
                Some("low"),
                "low (0.5) must be <= high (0.2)",
            ),
            (
                "{ dist = \"triangular\", low = 0, mode = 2, high = 1 }",
                Some("mode"),
                "mode (2) must lie in [low, high] = [0, 1]",
            ),
            (
                "{ dist = \"pert\", low = 1, mode = 2, high = 0 }",
                Some("low"),
                "low (1) must be <= high (0)",
            ),
            (
                "{ dist = \"pert\", low = 0, mode = -1, high = 1 }",
                Some("mode"),
                "must lie in",
            ),
            (
                "{ dist = \"beta\", mean = 0.5, sd = 0.6 }",
                Some("sd"),
                "beta mean 0.5 with sd 0.6 is impossible: sd must be < sqrt(mean*(1-mean)) = 0.5",
            ),
            (
                "{ dist = \"beta\", mean = 1.2, sd = 0.1 }",
                Some("mean"),
                "beta mean must lie in (0, 1), found 1.2",
            ),
            (
                "{ dist = \"beta\", mean = 0, sd = 0.1 }",
                Some("mean"),
                "(0, 1)",
            ),
            (
                "{ dist = \"beta\", mean = 0.5, sd = 0 }",
                Some("sd"),
                "beta sd must be > 0",
            ),
            (
                "{ dist = \"beta\", alpha = 0, beta = 1 }",
                Some("alpha"),
                "alpha must be > 0, found 0",
            ),
            (
                "{ dist = \"beta\", alpha = 1, beta = -2 }",
                Some("beta"),
                "beta must be > 0, found -2",
            ),
            (
                "{ dist = \"ci90\", low = 0.4, high = 0.2 }",
                Some("low"),
                "low (0.4) must be <= high (0.2)",
            ),
            (
                "{ dist = \"discrete\", values = [], weights = [] }",
                Some("values"),
                "values must not be empty",
            ),
            (
                "{ dist = \"discrete\", values = [1, 2], weights = [1] }",
                Some("weights"),
                "2 values, found 1 weights",
            ),
            (
                "{ dist = \"discrete\", values = [1, 2], weights = [1, -1] }",
                Some("weights"),
                "weights[1] must be >= 0, found -1",
            ),
            (
                "{ dist = \"discrete\", values = [1, 2], weights = [0, 0] }",
                Some("weights"),
                "positive, finite sum, found 0",
            ),
        ]);
    }
}
