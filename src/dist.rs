//! Probability distributions of scenario parameters.
//!
//! SKELETON: the public API below is fixed; bodies are to be filled in.
//! A [`Param`] is what a scenario states for one numeric key: a distribution, optional
//! truncation bounds (`min`/`max`, applied by redraw, never by clamping) and an optional
//! `source` string. Sampling uses rand_distr's fast samplers through a prebuilt
//! [`Sampler`]; the CDF and inverse CDF (statrs) serve validation (truncated mass) and
//! sampling designs (Latin hypercube, Sobol) that map the unit cube through inverse CDFs.

use rand::Rng;

/// An interval of the real line, each end open or closed; also used for key domains.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower end (may be `-inf`).
    pub lo: f64,
    /// Upper end (may be `+inf`).
    pub hi: f64,
    /// Whether `lo` itself is excluded.
    pub lo_open: bool,
    /// Whether `hi` itself is excluded.
    pub hi_open: bool,
}

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

/// A parameter as a scenario states it.
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

/// A ready-to-sample form of a [`Param`] (rand_distr objects built once).
#[derive(Debug, Clone)]
pub struct Sampler {
    _todo: (),
}

impl Sampler {
    /// One draw, truncation by redraw.
    pub fn sample<R: Rng + ?Sized>(&self, _rng: &mut R) -> f64 {
        todo!()
    }
}

impl Interval {
    /// Whether every point of `other` lies in `self`.
    pub fn contains_interval(&self, other: &Interval) -> bool {
        let _ = other;
        todo!()
    }

    /// Whether `x` lies in `self`.
    pub fn contains(&self, x: f64) -> bool {
        let _ = x;
        todo!()
    }
}

impl std::fmt::Display for Interval {
    /// Mathematical notation, e.g. `[0, 1]`, `(0, inf)`.
    fn fmt(&self, _f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        todo!()
    }
}

impl Param {
    /// A fixed value with no source.
    pub fn fixed(value: f64) -> Param {
        Param {
            dist: Dist::Fixed(value),
            min: None,
            max: None,
            source: None,
        }
    }

    /// Reads a distribution table (`{ dist = "normal", mean = .., sd = .., min = .., max = .., source = .. }`)
    /// as INTERFACE.md specifies, checking its parameters (sd >= 0, low <= mode <= high, beta's
    /// mean/sd feasible, weights >= 0 with a positive sum, min <= max, ...) and that the truncation
    /// leaves enough probability mass. Unknown sub-keys are errors.
    pub fn from_toml(table: &toml::Table) -> Result<Param, DistError> {
        let _ = table;
        todo!()
    }

    /// The fixed value, when the distribution is `Fixed` (truncation of a fixed value is
    /// rejected at construction).
    pub fn fixed_value(&self) -> Option<f64> {
        todo!()
    }

    /// The set of values a draw can take, truncation applied.
    pub fn support(&self) -> Interval {
        todo!()
    }

    /// Probability mass the truncation keeps (1 without truncation).
    pub fn truncated_mass(&self) -> f64 {
        todo!()
    }

    /// CDF of the truncated distribution.
    pub fn cdf(&self, x: f64) -> f64 {
        let _ = x;
        todo!()
    }

    /// Inverse CDF of the truncated distribution, `u` in `[0, 1]`: the seam for sampling designs.
    pub fn inverse_cdf(&self, u: f64) -> f64 {
        let _ = u;
        todo!()
    }

    /// Mean of the truncated distribution (exact where closed-form, numerical otherwise).
    pub fn mean(&self) -> f64 {
        todo!()
    }

    /// Short description for reports: `normal(0.05, 0.01) truncated [-0.05, 0.12]`, `0.3`.
    pub fn describe(&self) -> String {
        todo!()
    }

    /// The scenario-file form (a bare number for a fixed value, else an inline table),
    /// `source` included: used by `validate --print`.
    pub fn to_toml(&self) -> toml::Value {
        todo!()
    }

    /// Builds the sampler once (rand_distr objects).
    pub fn sampler(&self) -> Sampler {
        todo!()
    }
}
