//! Probability distributions of scenario parameters.
//!
//! A [`Param`] is what a scenario states for one numeric key: a distribution, optional
//! truncation bounds (`min`/`max`, applied by redraw, never by clamping) and an optional
//! `source` string. Sampling uses rand_distr's fast samplers through a prebuilt
//! [`Sampler`]; the CDF and inverse CDF (statrs, or closed forms) serve validation
//! (truncated mass) and sampling designs (Latin hypercube, Sobol) that map the unit cube
//! through inverse CDFs.
//!
//! # Guarantees
//!
//! - Every [`Param`] built by [`Param::from_toml`], [`Param::from_value`] or [`Param::new`]
//!   has finite, checked parameters, and its truncation keeps at least
//!   [`MIN_TRUNCATED_MASS`] (0.001) of the probability mass. The threshold bounds the
//!   expected number of redraws per sample at 1000 and keeps the truncated CDF and
//!   inverse CDF numerically accurate (`F(max) - F(min)` is never a difference of two
//!   nearly equal numbers); a truncation that keeps less is almost surely a typo.
//! - Truncation is by redraw: a draw outside `[min, max]` is thrown away and drawn again,
//!   so the sample follows the conditional law `X | min <= X <= max` (never a clamp, which
//!   would put point masses on the bounds). The inverse CDF of the truncated law is
//!   `F^-1(F(min) + u (F(max) - F(min)))`.
//! - [`Param::support`] is the set of values a draw can take, truncation applied; scenario
//!   validation checks it against each key's domain with [`Interval::contains_interval`].
//! - Degenerate but valid parameters (`sd = 0`, `sigma = 0`, `low == high`) are point
//!   masses.
//!
//! # Methods
//!
//! - `beta` given by `mean` and `sd` uses the method of moments:
//!   `nu = mean (1 - mean) / sd^2 - 1`, `alpha = mean nu`, `beta = (1 - mean) nu`, which
//!   needs `0 < sd < sqrt(mean (1 - mean))`.
//! - `pert` is the beta-PERT distribution (Malcolm et al. 1959; Vose, *Risk Analysis*,
//!   2008) with shape 4: `low + (high - low) Beta(alpha, beta)`,
//!   `alpha = 1 + 4 (mode - low) / (high - low)`, `beta = 1 + 4 (high - mode) / (high - low)`,
//!   whose mean is `(low + 4 mode + high) / 6`.
//! - `ci90` ("90% sure the value is between low and high", Hubbard, *How to Measure
//!   Anything*) puts `low` and `high` at the 5% and 95% quantiles, `z = 1.6449`
//!   (`Phi^-1(0.95)`): a lognormal with median `sqrt(low high)` and
//!   `sigma = ln(high / low) / (2 z)` when `low > 0`, else a normal with mean
//!   `(low + high) / 2` and `sd = (high - low) / (2 z)`.
//! - The mean of a truncated normal or lognormal is closed-form (Johnson, Kotz and
//!   Balakrishnan, *Continuous Univariate Distributions*); for the other truncated
//!   continuous families it is `a + int_a^b (F(b) - F(x)) dx / (F(b) - F(a))`, integrated by
//!   adaptive Simpson between quantile breakpoints.

use rand::Rng;
use rand_distr::Distribution;
use statrs::distribution::ContinuousCDF;

/// Least probability mass a truncation (`min`/`max`) must keep; see the module docs.
pub const MIN_TRUNCATED_MASS: f64 = 0.001;

/// `Phi^-1(0.95)`: the 5% and 95% quantiles of a normal are `mean -/+ Z90 sd` (`ci90`).
const Z90: f64 = 1.644_853_626_951_472_2;

/// Draws a sampler may throw away before giving up with NaN. With at least
/// [`MIN_TRUNCATED_MASS`] kept, ten million failures in a row have probability below
/// `e^-10000`; reaching it means a numerical defect (e.g. a lognormal whose draws all
/// overflow), which the engine reports as a NaN trial instead of hanging.
const MAX_DRAWS: u32 = 10_000_000;

/// The distribution names, as `dist = ".."` spells them.
const FAMILY_NAMES: &str =
    "fixed, uniform, normal, lognormal, triangular, pert, beta, ci90, discrete";

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
    given: Given,
}

/// How a distribution was written, when its stored [`Dist`] is a conversion.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Given {
    /// As the stored [`Dist`] says.
    AsDist,
    /// `ci90` with its `low`, `high` (stored as a lognormal or a normal).
    Ci90 { low: f64, high: f64 },
    /// `beta` with `mean`, `sd` (stored as alpha, beta).
    BetaMoments { mean: f64, sd: f64 },
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
    fn at(field: &str, message: impl Into<String>) -> DistError {
        DistError {
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    /// An error about the whole table.
    fn whole(message: impl Into<String>) -> DistError {
        DistError {
            field: None,
            message: message.into(),
        }
    }
}

/// A ready-to-sample form of a [`Param`] (rand_distr objects built once).
#[derive(Debug, Clone)]
pub struct Sampler {
    /// The untruncated law.
    kind: Kind,
    /// Draws outside it are redrawn: the support, truncation applied. It also excludes the
    /// ends of open supports, which floating point can reach (a beta draw of exactly 0).
    keep: Interval,
}

/// rand_distr samplers of the untruncated families.
#[derive(Debug, Clone)]
enum Kind {
    Point(f64),
    Uniform(rand_distr::Uniform<f64>),
    Normal(rand_distr::Normal<f64>),
    LogNormal(rand_distr::LogNormal<f64>),
    Triangular(rand_distr::Triangular<f64>),
    Pert(rand_distr::Pert<f64>),
    Beta(rand_distr::Beta<f64>),
    /// Only the atoms the truncation keeps: the conditional law, without redraws.
    Discrete {
        values: Vec<f64>,
        index: rand_distr::weighted::WeightedIndex<f64>,
    },
}

impl Sampler {
    /// One draw, truncation by redraw.
    ///
    /// No allocation and no statrs call: this runs once per uncertain parameter per trial.
    /// Returns NaN only if a numerical defect makes every draw fall outside the support
    /// (see `MAX_DRAWS`), never for a parameter that passed validation in practice.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        for _ in 0..MAX_DRAWS {
            let x = match &self.kind {
                Kind::Point(v) => return *v,
                Kind::Uniform(d) => d.sample(rng),
                Kind::Normal(d) => d.sample(rng),
                Kind::LogNormal(d) => d.sample(rng),
                Kind::Triangular(d) => d.sample(rng),
                Kind::Pert(d) => d.sample(rng),
                Kind::Beta(d) => d.sample(rng),
                Kind::Discrete { values, index } => values[index.sample(rng)],
            };
            if self.keep.contains(x) {
                return x;
            }
        }
        f64::NAN
    }

    /// The interval every draw lies in (the parameter's [`Param::support`]).
    pub fn support(&self) -> Interval {
        self.keep
    }
}

impl Interval {
    /// Whether every point of `other` lies in `self`. An empty `other` (e.g. `(1, 1)`) lies
    /// in every interval; an infinite end counts as open whatever its flag says.
    pub fn contains_interval(&self, other: &Interval) -> bool {
        if [self.lo, self.hi, other.lo, other.hi]
            .iter()
            .any(|x| x.is_nan())
        {
            return false;
        }
        if other.is_empty() {
            return true;
        }
        let lo_ok = other.lo > self.lo
            || (other.lo == self.lo && (self.lo.is_infinite() || !self.lo_open || other.lo_open));
        let hi_ok = other.hi < self.hi
            || (other.hi == self.hi && (self.hi.is_infinite() || !self.hi_open || other.hi_open));
        lo_ok && hi_ok
    }

    /// Whether `x` lies in `self` (never for NaN).
    pub fn contains(&self, x: f64) -> bool {
        let above = if self.lo_open {
            x > self.lo
        } else {
            x >= self.lo
        };
        let below = if self.hi_open {
            x < self.hi
        } else {
            x <= self.hi
        };
        above && below
    }

    /// Whether no real number lies in `self`.
    pub fn is_empty(&self) -> bool {
        match self.lo.partial_cmp(&self.hi) {
            Some(std::cmp::Ordering::Less) => false,
            Some(std::cmp::Ordering::Equal) => self.lo_open || self.hi_open,
            // lo > hi, or a NaN end.
            _ => true,
        }
    }

    /// The closed interval `[lo, hi]`.
    pub fn closed(lo: f64, hi: f64) -> Interval {
        Interval {
            lo,
            hi,
            lo_open: false,
            hi_open: false,
        }
    }

    /// The open interval `(lo, hi)`.
    pub fn open(lo: f64, hi: f64) -> Interval {
        Interval {
            lo,
            hi,
            lo_open: true,
            hi_open: true,
        }
    }

    /// The points in both `self` and `other` (an end is open if it is open in the interval
    /// that sets it; on a tie, if it is open in either).
    pub fn intersect(&self, other: &Interval) -> Interval {
        let (lo, lo_open) = if self.lo > other.lo {
            (self.lo, self.lo_open)
        } else if other.lo > self.lo {
            (other.lo, other.lo_open)
        } else {
            (self.lo, self.lo_open || other.lo_open)
        };
        let (hi, hi_open) = if self.hi < other.hi {
            (self.hi, self.hi_open)
        } else if other.hi < self.hi {
            (other.hi, other.hi_open)
        } else {
            (self.hi, self.hi_open || other.hi_open)
        };
        Interval {
            lo,
            hi,
            lo_open,
            hi_open,
        }
    }
}

impl std::fmt::Display for Interval {
    /// Mathematical notation, e.g. `[0, 1]`, `(0, inf)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let open = if self.lo_open || self.lo.is_infinite() {
            '('
        } else {
            '['
        };
        let close = if self.hi_open || self.hi.is_infinite() {
            ')'
        } else {
            ']'
        };
        write!(f, "{open}{}, {}{close}", self.lo, self.hi)
    }
}

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

/// `beta` by the method of moments: `nu = m (1 - m) / s^2 - 1`, `alpha = m nu`,
/// `beta = (1 - m) nu`. Checks `0 < m < 1` and `0 < s < sqrt(m (1 - m))`.
fn beta_from_moments(mean: f64, sd: f64) -> Result<Dist, DistError> {
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
fn ci90_dist(low: f64, high: f64) -> Dist {
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
fn ordered(lo_key: &str, lo: f64, hi_key: &str, hi: f64) -> Result<(), DistError> {
    if lo <= hi {
        Ok(())
    } else {
        Err(DistError::at(
            lo_key,
            format!("{lo_key} ({lo}) must be <= {hi_key} ({hi})"),
        ))
    }
}

fn finite(key: &str, x: f64) -> Result<(), DistError> {
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
fn check_dist(dist: &Dist) -> Result<(), DistError> {
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

/// The untruncated law in the form the CDF code needs.
enum Shape {
    /// Point masses, sorted by value, positive weights (fixed, discrete, degenerate cases).
    Atoms(Vec<(f64, f64)>),
    /// A continuous law.
    Cont(Cont),
}

/// Continuous laws, non-degenerate (positive spread).
#[derive(Clone, Copy)]
enum Cont {
    Uniform {
        low: f64,
        high: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
        d: statrs::distribution::Normal,
    },
    LogNormal {
        mu: f64,
        sigma: f64,
        d: statrs::distribution::LogNormal,
    },
    Triangular {
        low: f64,
        mode: f64,
        high: f64,
    },
    /// `low + scale Beta(alpha, beta)`: beta (`low = 0`, `scale = 1`, open ends) and PERT
    /// (closed ends).
    ScaledBeta {
        low: f64,
        scale: f64,
        open: bool,
        d: statrs::distribution::Beta,
    },
}

/// PERT's beta shapes (shape 4).
fn pert_shapes(low: f64, mode: f64, high: f64) -> (f64, f64) {
    let range = high - low;
    (
        1.0 + 4.0 * (mode - low) / range,
        1.0 + 4.0 * (high - mode) / range,
    )
}

impl Cont {
    /// The untruncated support.
    fn support(&self) -> Interval {
        match *self {
            Cont::Uniform { low, high } | Cont::Triangular { low, high, .. } => {
                Interval::closed(low, high)
            }
            Cont::Normal { .. } => Interval::open(f64::NEG_INFINITY, f64::INFINITY),
            Cont::LogNormal { .. } => Interval::open(0.0, f64::INFINITY),
            // Beta: treated as open at both ends whatever its shapes (a draw of exactly 0 or
            // 1, which floating point can produce for small shapes, is redrawn).
            Cont::ScaledBeta {
                low,
                scale,
                open: true,
                ..
            } => Interval::open(low, low + scale),
            // PERT takes its closed range [low, high] (with mode == low, its
            // density is positive at low).
            Cont::ScaledBeta { low, scale, .. } => Interval::closed(low, low + scale),
        }
    }

    fn cdf(&self, x: f64) -> f64 {
        match *self {
            Cont::Uniform { low, high } => ((x - low) / (high - low)).clamp(0.0, 1.0),
            Cont::Normal { d, .. } => d.cdf(x),
            Cont::LogNormal { d, .. } => {
                if x <= 0.0 {
                    0.0
                } else {
                    d.cdf(x)
                }
            }
            Cont::Triangular { low, mode, high } => {
                if x <= low {
                    0.0
                } else if x >= high {
                    1.0
                } else if x <= mode {
                    (x - low) * (x - low) / ((high - low) * (mode - low))
                } else {
                    1.0 - (high - x) * (high - x) / ((high - low) * (high - mode))
                }
            }
            Cont::ScaledBeta { low, scale, d, .. } => d.cdf(((x - low) / scale).clamp(0.0, 1.0)),
        }
    }

    /// Quantile of the untruncated law, `p` clamped to `[0, 1]`.
    fn quantile(&self, p: f64) -> f64 {
        let p = p.clamp(0.0, 1.0);
        match *self {
            Cont::Uniform { low, high } => low + p * (high - low),
            Cont::Normal { d, .. } => d.inverse_cdf(p),
            Cont::LogNormal { d, .. } => d.inverse_cdf(p),
            Cont::Triangular { low, mode, high } => {
                let range = high - low;
                if p * range < mode - low {
                    low + (p * range * (mode - low)).sqrt()
                } else {
                    high - ((1.0 - p) * range * (high - mode)).sqrt()
                }
            }
            Cont::ScaledBeta { low, scale, d, .. } => low + scale * d.inverse_cdf(p),
        }
    }

    /// Mean of the law restricted to `[a, b]` (ends inside or beyond the support; the
    /// restriction keeps a positive mass).
    fn truncated_mean(&self, a: f64, b: f64) -> f64 {
        let s = self.support();
        let (a, b) = (a.max(s.lo), b.min(s.hi));
        match *self {
            Cont::Uniform { .. } => 0.5 * (a + b),
            Cont::Normal { mean: mu, sd, .. } => {
                // mu + sd (phi(alpha) - phi(beta)) / (Phi(beta) - Phi(alpha)).
                let (za, zb) = ((a - mu) / sd, (b - mu) / sd);
                let std = statrs::distribution::Normal::standard();
                let phi = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
                mu + sd * (phi(za) - phi(zb)) / (std.cdf(zb) - std.cdf(za))
            }
            Cont::LogNormal { mu, sigma, .. } => {
                // E[X; a < X < b] = exp(mu + s^2/2) [Phi((ln b - mu - s^2)/s) - Phi((ln a - mu - s^2)/s)].
                let std = statrs::distribution::Normal::standard();
                let (la, lb) = (a.max(0.0).ln(), b.ln());
                let s2 = sigma * sigma;
                let partial = (mu + 0.5 * s2).exp()
                    * (std.cdf((lb - mu - s2) / sigma) - std.cdf((la - mu - s2) / sigma));
                let mass = std.cdf((lb - mu) / sigma) - std.cdf((la - mu) / sigma);
                partial / mass
            }
            Cont::Triangular { .. } | Cont::ScaledBeta { .. } => {
                // E[X | a <= X <= b] = a + int_a^b (F(b) - F(x)) dx / (F(b) - F(a)).
                let (fa, fb) = (self.cdf(a), self.cdf(b));
                let mass = fb - fa;
                // Breakpoints at quantiles put panels where the mass is (a narrow beta
                // could otherwise hide between Simpson's first samples).
                let mut cuts: Vec<f64> = (0..=8)
                    .map(|k| match k {
                        0 => a,
                        8 => b,
                        _ => self.quantile(fa + mass * k as f64 / 8.0).clamp(a, b),
                    })
                    .collect();
                if let Cont::Triangular { mode, .. } = *self
                    && a < mode
                    && mode < b
                {
                    cuts.push(mode);
                }
                cuts.sort_by(f64::total_cmp);
                cuts.dedup();
                let tol = 1e-13 * (b - a).max(f64::MIN_POSITIVE);
                let area: f64 = cuts
                    .windows(2)
                    .map(|w| integrate(&|x| fb - self.cdf(x), w[0], w[1], tol))
                    .sum();
                (a + area / mass).clamp(a, b)
            }
        }
    }
}

/// Adaptive Simpson quadrature of `f` over `[a, b]` to absolute tolerance `tol`.
fn integrate(f: &dyn Fn(f64) -> f64, a: f64, b: f64, tol: f64) -> f64 {
    if b <= a {
        return 0.0;
    }
    let m = 0.5 * (a + b);
    let (fa, fm, fb) = (f(a), f(m), f(b));
    let whole = (b - a) / 6.0 * (fa + 4.0 * fm + fb);
    simpson(f, [a, m, b], [fa, fm, fb], whole, tol, 40)
}

fn simpson(
    f: &dyn Fn(f64) -> f64,
    x: [f64; 3],
    y: [f64; 3],
    whole: f64,
    tol: f64,
    depth: u32,
) -> f64 {
    let [a, m, b] = x;
    let [fa, fm, fb] = y;
    let (lm, rm) = (0.5 * (a + m), 0.5 * (m + b));
    let (flm, frm) = (f(lm), f(rm));
    let left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
    let right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
    let delta = left + right - whole;
    if depth == 0 || delta.abs() <= 15.0 * tol {
        left + right + delta / 15.0
    } else {
        simpson(f, [a, lm, m], [fa, flm, fm], left, 0.5 * tol, depth - 1)
            + simpson(f, [m, rm, b], [fm, frm, fb], right, 0.5 * tol, depth - 1)
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

    fn build(
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

    /// Reads a distribution table (`{ dist = "normal", mean = .., sd = .., min = .., max = .., source = .. }`)
    /// (the forms the README lists), checking its parameters (sd >= 0, low <= mode <= high, beta's
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

    /// How the scenario wrote the distribution, if still consistent with `dist` (the fields
    /// are public: a caller that replaced `dist` gets the stored family back).
    fn form(&self) -> Given {
        match self.given {
            Given::Ci90 { low, high } if ci90_dist(low, high) == self.dist => self.given,
            Given::BetaMoments { mean, sd }
                if beta_from_moments(mean, sd).ok().as_ref() == Some(&self.dist) =>
            {
                self.given
            }
            _ => Given::AsDist,
        }
    }

    /// The fixed value, when the distribution is `Fixed` (truncation of a fixed value is
    /// rejected at construction).
    pub fn fixed_value(&self) -> Option<f64> {
        match self.dist {
            Dist::Fixed(v) => Some(v),
            _ => None,
        }
    }

    /// The truncation bounds as an interval (`[min, max]`, infinite ends where absent).
    fn bounds(&self) -> Interval {
        Interval {
            lo: self.min.unwrap_or(f64::NEG_INFINITY),
            hi: self.max.unwrap_or(f64::INFINITY),
            lo_open: self.min.is_none(),
            hi_open: self.max.is_none(),
        }
    }

    /// The untruncated law, degenerate cases as point masses.
    fn shape(&self) -> Shape {
        let point = |v: f64| Shape::Atoms(vec![(v, 1.0)]);
        match self.dist {
            Dist::Fixed(v) => point(v),
            Dist::Uniform { low, high } if low == high => point(low),
            Dist::Uniform { low, high } => Shape::Cont(Cont::Uniform { low, high }),
            Dist::Normal { mean, sd } => match statrs::distribution::Normal::new(mean, sd) {
                Ok(d) => Shape::Cont(Cont::Normal { mean, sd, d }),
                Err(_) => point(mean),
            },
            Dist::LogNormal { median, sigma } => {
                let mu = median.ln();
                match statrs::distribution::LogNormal::new(mu, sigma) {
                    Ok(d) => Shape::Cont(Cont::LogNormal { mu, sigma, d }),
                    Err(_) => point(median),
                }
            }
            Dist::Triangular { low, high, .. } | Dist::Pert { low, high, .. } if low == high => {
                point(low)
            }
            Dist::Triangular { low, mode, high } => {
                Shape::Cont(Cont::Triangular { low, mode, high })
            }
            Dist::Pert { low, mode, high } => {
                let (a, b) = pert_shapes(low, mode, high);
                match statrs::distribution::Beta::new(a, b) {
                    Ok(d) => Shape::Cont(Cont::ScaledBeta {
                        low,
                        scale: high - low,
                        open: false,
                        d,
                    }),
                    Err(_) => point(low + (high - low) * a / (a + b)),
                }
            }
            Dist::Beta { alpha, beta } => match statrs::distribution::Beta::new(alpha, beta) {
                Ok(d) => Shape::Cont(Cont::ScaledBeta {
                    low: 0.0,
                    scale: 1.0,
                    open: true,
                    d,
                }),
                Err(_) => point(alpha / (alpha + beta)),
            },
            Dist::Discrete {
                ref values,
                ref weights,
            } => {
                let mut atoms: Vec<(f64, f64)> = values
                    .iter()
                    .zip(weights)
                    .filter(|(_, w)| **w > 0.0)
                    .map(|(v, w)| (*v, *w))
                    .collect();
                atoms.sort_by(|x, y| x.0.total_cmp(&y.0));
                Shape::Atoms(atoms)
            }
        }
    }

    /// The atoms the truncation keeps, and the total weight of all atoms.
    fn kept_atoms(&self, atoms: Vec<(f64, f64)>) -> (Vec<(f64, f64)>, f64) {
        let total: f64 = atoms.iter().map(|a| a.1).sum();
        let bounds = self.bounds();
        let kept = atoms.into_iter().filter(|a| bounds.contains(a.0)).collect();
        (kept, total)
    }

    /// `(F(min), F(max) - F(min))` of a continuous law (`F(-inf) = 0`, `F(inf) = 1`).
    fn cont_range(&self, c: &Cont) -> (f64, f64) {
        let fa = self.min.map_or(0.0, |a| c.cdf(a));
        let fb = self.max.map_or(1.0, |b| c.cdf(b));
        (fa, (fb - fa).max(0.0))
    }

    /// The set of values a draw can take, truncation applied.
    pub fn support(&self) -> Interval {
        match self.shape() {
            Shape::Atoms(atoms) => {
                let (kept, _) = self.kept_atoms(atoms);
                match (kept.first(), kept.last()) {
                    (Some(first), Some(last)) => Interval::closed(first.0, last.0),
                    // Unreachable for a checked Param: the truncation keeps some mass.
                    _ => Interval::open(0.0, 0.0),
                }
            }
            Shape::Cont(c) => c.support().intersect(&self.bounds()),
        }
    }

    /// Probability mass the truncation keeps (1 without truncation).
    pub fn truncated_mass(&self) -> f64 {
        match self.shape() {
            Shape::Atoms(atoms) => {
                let (kept, total) = self.kept_atoms(atoms);
                kept.iter().map(|a| a.1).sum::<f64>() / total
            }
            Shape::Cont(c) => self.cont_range(&c).1,
        }
    }

    /// CDF of the truncated distribution.
    pub fn cdf(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        match self.shape() {
            Shape::Atoms(atoms) => {
                let (kept, _) = self.kept_atoms(atoms);
                let total: f64 = kept.iter().map(|a| a.1).sum();
                let below: f64 = kept.iter().filter(|a| a.0 <= x).map(|a| a.1).sum();
                below / total
            }
            Shape::Cont(c) => {
                let bounds = self.bounds();
                if x < bounds.lo {
                    0.0
                } else if x >= bounds.hi {
                    1.0
                } else {
                    let (fa, mass) = self.cont_range(&c);
                    ((c.cdf(x) - fa) / mass).clamp(0.0, 1.0)
                }
            }
        }
    }

    /// Inverse CDF of the truncated distribution, `u` in `[0, 1]`: the seam for sampling designs.
    ///
    /// `F^-1(F(min) + u (F(max) - F(min)))`; for discrete laws the smallest kept value whose
    /// CDF reaches `u`. `u` outside `[0, 1]` is clamped; `u = 0` or `1` give the ends of the
    /// support (infinite for an untruncated normal).
    pub fn inverse_cdf(&self, u: f64) -> f64 {
        if u.is_nan() {
            return f64::NAN;
        }
        let u = u.clamp(0.0, 1.0);
        match self.shape() {
            Shape::Atoms(atoms) => {
                let (kept, _) = self.kept_atoms(atoms);
                let total: f64 = kept.iter().map(|a| a.1).sum();
                let target = u * total;
                let mut cum = 0.0;
                for &(v, w) in &kept {
                    cum += w;
                    if cum >= target {
                        return v;
                    }
                }
                kept.last().map_or(f64::NAN, |a| a.0)
            }
            Shape::Cont(c) => {
                let (fa, mass) = self.cont_range(&c);
                let s = self.support();
                c.quantile(fa + u * mass).clamp(s.lo, s.hi)
            }
        }
    }

    /// Mean of the truncated distribution (exact where closed-form, numerical otherwise).
    pub fn mean(&self) -> f64 {
        match self.shape() {
            Shape::Atoms(atoms) => {
                let (kept, _) = self.kept_atoms(atoms);
                let total: f64 = kept.iter().map(|a| a.1).sum();
                kept.iter().map(|a| a.0 * a.1).sum::<f64>() / total
            }
            Shape::Cont(c) if self.min.is_none() && self.max.is_none() => match self.dist {
                Dist::Uniform { low, high } => 0.5 * (low + high),
                Dist::Normal { mean, .. } => mean,
                Dist::LogNormal { median, sigma } => median * (0.5 * sigma * sigma).exp(),
                Dist::Triangular { low, mode, high } => (low + mode + high) / 3.0,
                Dist::Pert { low, mode, high } => (low + 4.0 * mode + high) / 6.0,
                Dist::Beta { alpha, beta } => alpha / (alpha + beta),
                // Fixed and Discrete are atoms.
                _ => c.truncated_mean(f64::NEG_INFINITY, f64::INFINITY),
            },
            Shape::Cont(c) => {
                let b = self.bounds();
                c.truncated_mean(b.lo, b.hi)
            }
        }
    }

    /// Short description for reports: `normal(0.05, 0.01) truncated [-0.05, 0.12]`, `0.3`.
    pub fn describe(&self) -> String {
        let list = |xs: &[f64]| {
            xs.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut s = match (self.form(), &self.dist) {
            (Given::Ci90 { low, high }, _) => format!("ci90({low}, {high})"),
            (Given::BetaMoments { mean, sd }, _) => format!("beta(mean {mean}, sd {sd})"),
            (_, Dist::Fixed(v)) => v.to_string(),
            (_, Dist::Uniform { low, high }) => format!("uniform({low}, {high})"),
            (_, Dist::Normal { mean, sd }) => format!("normal({mean}, {sd})"),
            (_, Dist::LogNormal { median, sigma }) => format!("lognormal({median}, {sigma})"),
            (_, Dist::Triangular { low, mode, high }) => {
                format!("triangular({low}, {mode}, {high})")
            }
            (_, Dist::Pert { low, mode, high }) => format!("pert({low}, {mode}, {high})"),
            (_, Dist::Beta { alpha, beta }) => format!("beta({alpha}, {beta})"),
            (_, Dist::Discrete { values, weights }) => {
                format!("discrete([{}], weights [{}])", list(values), list(weights))
            }
        };
        if self.min.is_some() || self.max.is_some() {
            s.push_str(&format!(" truncated {}", self.bounds()));
        }
        s
    }

    /// The scenario-file form (a bare number for a fixed value, else an inline table),
    /// `source` included: used by `validate --print`.
    pub fn to_toml(&self) -> toml::Value {
        use toml::Value;
        if let (Dist::Fixed(v), None) = (&self.dist, &self.source) {
            return Value::Float(*v);
        }
        let num = |k: &'static str, v: f64| (k, Value::Float(v));
        let array = |k: &'static str, xs: &[f64]| {
            (
                k,
                Value::Array(xs.iter().map(|x| Value::Float(*x)).collect()),
            )
        };
        let (name, keys) = match (self.form(), &self.dist) {
            (Given::Ci90 { low, high }, _) => ("ci90", vec![num("low", low), num("high", high)]),
            (Given::BetaMoments { mean, sd }, _) => {
                ("beta", vec![num("mean", mean), num("sd", sd)])
            }
            (_, Dist::Fixed(v)) => ("fixed", vec![num("value", *v)]),
            (_, Dist::Uniform { low, high }) => {
                ("uniform", vec![num("low", *low), num("high", *high)])
            }
            (_, Dist::Normal { mean, sd }) => ("normal", vec![num("mean", *mean), num("sd", *sd)]),
            (_, Dist::LogNormal { median, sigma }) => (
                "lognormal",
                vec![num("median", *median), num("sigma", *sigma)],
            ),
            (_, Dist::Triangular { low, mode, high }) => (
                "triangular",
                vec![num("low", *low), num("mode", *mode), num("high", *high)],
            ),
            (_, Dist::Pert { low, mode, high }) => (
                "pert",
                vec![num("low", *low), num("mode", *mode), num("high", *high)],
            ),
            (_, Dist::Beta { alpha, beta }) => {
                ("beta", vec![num("alpha", *alpha), num("beta", *beta)])
            }
            (_, Dist::Discrete { values, weights }) => (
                "discrete",
                vec![array("values", values), array("weights", weights)],
            ),
        };
        // `dist` first, then the family's keys, truncation and source: the order a scenario
        // writes them in (kept if toml's `preserve_order` is on, sorted otherwise).
        let mut t = toml::Table::new();
        t.insert("dist".to_string(), Value::String(name.to_string()));
        let extra = [
            self.min.map(|m| num("min", m)),
            self.max.map(|m| num("max", m)),
            self.source.clone().map(|s| ("source", Value::String(s))),
        ];
        for (k, v) in keys.into_iter().chain(extra.into_iter().flatten()) {
            t.insert(k.to_string(), v);
        }
        Value::Table(t)
    }

    /// Builds the sampler once (rand_distr objects).
    pub fn sampler(&self) -> Sampler {
        let keep = self.support();
        let kind = match self.shape() {
            Shape::Atoms(atoms) => {
                let (kept, _) = self.kept_atoms(atoms);
                match kept.as_slice() {
                    [(v, _)] => Kind::Point(*v),
                    _ => match rand_distr::weighted::WeightedIndex::new(kept.iter().map(|a| a.1)) {
                        Ok(index) => Kind::Discrete {
                            values: kept.iter().map(|a| a.0).collect(),
                            index,
                        },
                        // Unreachable for a checked Param (weights are positive and finite).
                        Err(_) => Kind::Point(f64::NAN),
                    },
                }
            }
            Shape::Cont(_) => self.cont_kind().unwrap_or(Kind::Point(f64::NAN)),
        };
        Sampler { kind, keep }
    }

    /// rand_distr sampler of a non-degenerate continuous law (None only for parameters
    /// that bypassed the checks).
    fn cont_kind(&self) -> Option<Kind> {
        Some(match self.dist {
            Dist::Uniform { low, high } => {
                Kind::Uniform(rand_distr::Uniform::new_inclusive(low, high).ok()?)
            }
            Dist::Normal { mean, sd } => Kind::Normal(rand_distr::Normal::new(mean, sd).ok()?),
            Dist::LogNormal { median, sigma } => {
                Kind::LogNormal(rand_distr::LogNormal::new(median.ln(), sigma).ok()?)
            }
            Dist::Triangular { low, mode, high } => {
                Kind::Triangular(rand_distr::Triangular::new(low, high, mode).ok()?)
            }
            // rand_distr's PERT: low + (high - low) Beta(alpha, beta), shape 4 by default.
            Dist::Pert { low, mode, high } => {
                Kind::Pert(rand_distr::Pert::new(low, high).with_mode(mode).ok()?)
            }
            Dist::Beta { alpha, beta } => Kind::Beta(rand_distr::Beta::new(alpha, beta).ok()?),
            Dist::Fixed(_) | Dist::Discrete { .. } => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Draws per Monte Carlo check: with 5-sigma tolerances a correct implementation fails
    /// a given check with probability below 1e-6.
    const N: usize = 200_000;

    fn table(src: &str) -> toml::Table {
        let doc: toml::Table = toml::from_str(&format!("p = {src}")).expect("test TOML parses");
        match doc.get("p") {
            Some(toml::Value::Table(t)) => t.clone(),
            other => panic!("not a table: {other:?}"),
        }
    }

    fn param(src: &str) -> Param {
        Param::from_toml(&table(src)).unwrap_or_else(|e| panic!("{src}: {e}"))
    }

    fn draws(p: &Param, seed: u64) -> Vec<f64> {
        let s = p.sampler();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        (0..N).map(|_| s.sample(&mut rng)).collect()
    }

    fn mean_var(xs: &[f64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let m = xs.iter().sum::<f64>() / n;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
        (m, v)
    }

    /// Checks the sample mean against `mu` within 5 standard errors `sqrt(var / n)`, the
    /// sample variance against `var` within 5 standard errors `sqrt((mu4 - var^2) / n)`
    /// (the asymptotic sd of the sample variance), and `Param::mean` against `mu`.
    fn check_moments(src: &str, mu: f64, var: f64, mu4: f64) {
        let p = param(src);
        let xs = draws(&p, 7);
        let (m, v) = mean_var(&xs);
        let n = N as f64;
        let tol_m = 5.0 * (var / n).sqrt();
        let tol_v = 5.0 * ((mu4 - var * var).max(0.0) / n).sqrt();
        // Plus rounding of the sums (a point mass has no Monte Carlo error at all).
        let eps = 1e-9 * mu.abs().max(1.0);
        assert!(
            (m - mu).abs() <= tol_m + eps,
            "{src}: mean {m} vs {mu} (tol {tol_m})"
        );
        assert!(
            (v - var).abs() <= tol_v + eps * eps,
            "{src}: var {v} vs {var} (tol {tol_v})"
        );
        assert!(
            (p.mean() - mu).abs() <= 1e-9 * mu.abs().max(1.0),
            "{src}: mean() {} vs {mu}",
            p.mean()
        );
        let s = p.support();
        assert!(
            xs.iter().all(|x| s.contains(*x)),
            "{src}: a draw outside {s}"
        );
    }

    /// Checks the sampler against the CDF and inverse CDF: the share of draws at or below
    /// `x = inverse_cdf(q)` is `cdf(x)` (`q` for a continuous law) within 5 binomial standard
    /// errors `sqrt(q (1 - q) / n)`.
    fn check_quantiles(src: &str) {
        let p = param(src);
        let xs = draws(&p, 11);
        for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
            let x = p.inverse_cdf(q);
            let f = p.cdf(x);
            let share = xs.iter().filter(|d| **d <= x).count() as f64 / N as f64;
            let tol = 5.0 * (f * (1.0 - f) / N as f64).sqrt() + 1e-12;
            assert!(
                (share - f).abs() <= tol,
                "{src}: share below q{q} = {x} is {share}, cdf {f}"
            );
        }
    }

    /// Fourth central moment of a beta from its excess kurtosis (Johnson et al.).
    fn beta_mu4(a: f64, b: f64) -> f64 {
        let var = a * b / ((a + b).powi(2) * (a + b + 1.0));
        let excess = 6.0 * ((a - b).powi(2) * (a + b + 1.0) - a * b * (a + b + 2.0))
            / (a * b * (a + b + 2.0) * (a + b + 3.0));
        var * var * (3.0 + excess)
    }

    #[test]
    fn fixed_draws_its_value() {
        check_moments("{ dist = \"fixed\", value = 0.3 }", 0.3, 0.0, 0.0);
        assert_eq!(
            param("{ dist = \"fixed\", value = 3 }").fixed_value(),
            Some(3.0)
        );
    }

    #[test]
    fn uniform_moments() {
        // Var = R^2 / 12, mu4 = R^4 / 80.
        check_moments(
            "{ dist = \"uniform\", low = 2, high = 5 }",
            3.5,
            0.75,
            81.0 / 80.0,
        );
        check_quantiles("{ dist = \"uniform\", low = 2, high = 5 }");
    }

    #[test]
    fn normal_moments() {
        check_moments(
            "{ dist = \"normal\", mean = 0.05, sd = 0.01 }",
            0.05,
            1e-4,
            3e-8,
        );
        check_quantiles("{ dist = \"normal\", mean = 0.05, sd = 0.01 }");
    }

    #[test]
    fn lognormal_moments() {
        // Mean m e^{s^2/2}, var (e^{s^2} - 1) m^2 e^{s^2}, excess kurtosis
        // e^{4s^2} + 2 e^{3s^2} + 3 e^{2s^2} - 6.
        let (m, s2): (f64, f64) = (2.0, 0.25);
        let var = (s2.exp() - 1.0) * m * m * s2.exp();
        let excess = (4.0 * s2).exp() + 2.0 * (3.0 * s2).exp() + 3.0 * (2.0 * s2).exp() - 6.0;
        let src = "{ dist = \"lognormal\", median = 2, sigma = 0.5 }";
        check_moments(src, m * (0.5 * s2).exp(), var, var * var * (3.0 + excess));
        check_quantiles(src);
    }

    #[test]
    fn triangular_moments() {
        // Mean (a + c + b) / 3, var (a^2 + b^2 + c^2 - ab - ac - bc) / 18, excess kurtosis -3/5.
        let (a, c, b) = (0.1, 0.25, 0.5);
        let var = (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
        let src = "{ dist = \"triangular\", low = 0.1, mode = 0.25, high = 0.5 }";
        check_moments(src, (a + b + c) / 3.0, var, 2.4 * var * var);
        check_quantiles(src);
    }

    #[test]
    fn pert_moments() {
        // PERT(0, 2, 10) = 10 Beta(1.8, 4.2): mean (0 + 4*2 + 10) / 6 = 3.
        let (a, b): (f64, f64) = (1.8, 4.2);
        let var = 100.0 * a * b / ((a + b).powi(2) * (a + b + 1.0));
        let src = "{ dist = \"pert\", low = 0, mode = 2, high = 10 }";
        check_moments(src, 3.0, var, 1e4 * beta_mu4(a, b));
        check_quantiles(src);
    }

    #[test]
    fn beta_moments() {
        // Given by mean and sd: the method of moments reproduces them exactly.
        let (m, s): (f64, f64) = (0.3, 0.05);
        let nu = m * (1.0 - m) / (s * s) - 1.0;
        let src = "{ dist = \"beta\", mean = 0.3, sd = 0.05 }";
        check_moments(src, m, s * s, beta_mu4(m * nu, (1.0 - m) * nu));
        check_quantiles(src);
        // Shapes below 1 (U-shaped, rand_distr's algorithm BC): arcsine law.
        let src = "{ dist = \"beta\", alpha = 0.5, beta = 0.5 }";
        check_moments(src, 0.5, 0.125, beta_mu4(0.5, 0.5));
        check_quantiles(src);
    }

    #[test]
    fn discrete_moments() {
        // Values 1, 2, 5 with probabilities 1/4, 1/2, 1/4.
        let (xs, ps) = ([1.0, 2.0, 5.0], [0.25, 0.5, 0.25]);
        let mu: f64 = xs.iter().zip(ps).map(|(x, p)| x * p).sum();
        let central = |k: i32| {
            xs.iter()
                .zip(ps)
                .map(|(x, p)| p * (x - mu).powi(k))
                .sum::<f64>()
        };
        let src = "{ dist = \"discrete\", values = [5, 1, 2], weights = [1, 1, 2] }";
        check_moments(src, mu, central(2), central(4));
        let p = param(src);
        assert_eq!(p.support(), Interval::closed(1.0, 5.0));
        assert_eq!(p.cdf(1.5), 0.25);
        assert_eq!(p.cdf(2.0), 0.75);
        assert_eq!(p.inverse_cdf(0.0), 1.0);
        assert_eq!(p.inverse_cdf(0.25), 1.0);
        assert_eq!(p.inverse_cdf(0.26), 2.0);
        assert_eq!(p.inverse_cdf(1.0), 5.0);
    }

    #[test]
    fn ci90_puts_low_and_high_at_the_5_and_95_percent_quantiles() {
        for (src, low, high, lognormal) in [
            ("{ dist = \"ci90\", low = 0.2, high = 0.4 }", 0.2, 0.4, true),
            ("{ dist = \"ci90\", low = -1, high = 3 }", -1.0, 3.0, false),
        ] {
            let p = param(src);
            assert_eq!(matches!(p.dist, Dist::LogNormal { .. }), lognormal, "{src}");
            assert!(
                (p.inverse_cdf(0.05) - low).abs() < 1e-9,
                "{src}: {}",
                p.inverse_cdf(0.05)
            );
            assert!(
                (p.inverse_cdf(0.95) - high).abs() < 1e-9,
                "{src}: {}",
                p.inverse_cdf(0.95)
            );
            let xs = draws(&p, 3);
            let tol = 5.0 * (0.05 * 0.95 / N as f64).sqrt();
            let below = xs.iter().filter(|x| **x < low).count() as f64 / N as f64;
            let above = xs.iter().filter(|x| **x > high).count() as f64 / N as f64;
            assert!((below - 0.05).abs() < tol, "{src}: {below} below low");
            assert!((above - 0.05).abs() < tol, "{src}: {above} above high");
            check_quantiles(src);
        }
        // ci90 normal: sd = (high - low) / (2 z) = 4 / 3.29; lognormal mean by closed form.
        let p = param("{ dist = \"ci90\", low = -1, high = 3 }");
        let sd = 4.0 / (2.0 * Z90);
        check_moments(
            "{ dist = \"ci90\", low = -1, high = 3 }",
            1.0,
            sd * sd,
            3.0 * sd.powi(4),
        );
        assert_eq!(p.describe(), "ci90(-1, 3)");
    }

    #[test]
    fn degenerate_parameters_are_point_masses() {
        for src in [
            "{ dist = \"normal\", mean = 0.4, sd = 0 }",
            "{ dist = \"uniform\", low = 0.4, high = 0.4 }",
            "{ dist = \"lognormal\", median = 0.4, sigma = 0 }",
            "{ dist = \"triangular\", low = 0.4, mode = 0.4, high = 0.4 }",
            "{ dist = \"pert\", low = 0.4, mode = 0.4, high = 0.4 }",
            "{ dist = \"ci90\", low = 0.4, high = 0.4 }",
            "{ dist = \"normal\", mean = 0.4, sd = 0, min = 0, max = 1 }",
        ] {
            let p = param(src);
            assert_eq!(p.support(), Interval::closed(0.4, 0.4), "{src}");
            assert_eq!(p.mean(), 0.4, "{src}");
            assert_eq!(p.inverse_cdf(0.3), 0.4, "{src}");
            assert_eq!((p.cdf(0.39), p.cdf(0.4)), (0.0, 1.0), "{src}");
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
            assert_eq!(p.sampler().sample(&mut rng), 0.4, "{src}");
        }
    }

    #[test]
    fn truncation_redraws_and_matches_the_closed_form_mean() {
        let src = "{ dist = \"normal\", mean = 0.05, sd = 0.01, min = 0.045, max = 0.08 }";
        let p = param(src);
        let xs = draws(&p, 5);
        assert!(xs.iter().all(|x| (0.045..=0.08).contains(x)));
        // Closed form of the truncated normal mean, written out independently.
        let std = statrs::distribution::Normal::standard();
        let phi = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let (a, b) = (-0.5, 3.0);
        let mass = std.cdf(b) - std.cdf(a);
        let mu = 0.05 + 0.01 * (phi(a) - phi(b)) / mass;
        assert!((p.mean() - mu).abs() < 1e-12);
        assert!((p.truncated_mass() - mass).abs() < 1e-12);
        // The truncated variance is below the untruncated one (log-concave law), so the
        // sample's own sd gives the standard error of the mean.
        let (m, v) = mean_var(&xs);
        assert!((m - mu).abs() < 5.0 * (v / N as f64).sqrt(), "{m} vs {mu}");
        check_quantiles(src);
        // No clamping: no point mass on the bounds.
        assert!(xs.iter().all(|x| *x != 0.045 && *x != 0.08));
    }

    #[test]
    fn truncated_means_of_every_family_match_the_draws() {
        for src in [
            "{ dist = \"normal\", mean = 0, sd = 1, min = 1 }",
            "{ dist = \"lognormal\", median = 1, sigma = 0.8, max = 1.5 }",
            "{ dist = \"lognormal\", median = 1, sigma = 0.8, min = 0.5, max = 3 }",
            "{ dist = \"uniform\", low = 0, high = 1, min = 0.5 }",
            "{ dist = \"triangular\", low = 0, mode = 0.2, high = 1, min = 0.1, max = 0.6 }",
            "{ dist = \"pert\", low = 0, mode = 2, high = 10, max = 4 }",
            "{ dist = \"beta\", mean = 0.3, sd = 0.1, min = 0.35 }",
            "{ dist = \"beta\", alpha = 0.5, beta = 2, max = 0.1 }",
            "{ dist = \"discrete\", values = [1, 2, 5], weights = [1, 2, 1], max = 3 }",
        ] {
            let p = param(src);
            let xs = draws(&p, 9);
            let (lo, hi) = (
                p.min.unwrap_or(f64::NEG_INFINITY),
                p.max.unwrap_or(f64::INFINITY),
            );
            assert!(xs.iter().all(|x| (lo..=hi).contains(x)), "{src}");
            let (m, v) = mean_var(&xs);
            let tol = 5.0 * (v / N as f64).sqrt();
            assert!(
                (m - p.mean()).abs() < tol,
                "{src}: draws {m} vs mean() {}",
                p.mean()
            );
            check_quantiles(src);
        }
        // Numerical means agree with closed forms when the truncation cuts nothing.
        for (src, mu) in [
            (
                "{ dist = \"beta\", alpha = 2, beta = 5, min = 0, max = 1 }",
                2.0 / 7.0,
            ),
            ("{ dist = \"beta\", alpha = 0.3, beta = 0.7, min = 0 }", 0.3),
            (
                "{ dist = \"pert\", low = 0, mode = 2, high = 10, min = -1 }",
                3.0,
            ),
            (
                "{ dist = \"triangular\", low = 0.1, mode = 0.25, high = 0.5, max = 2 }",
                0.85 / 3.0,
            ),
            ("{ dist = \"beta\", mean = 0.5, sd = 0.001, min = 0 }", 0.5),
        ] {
            let got = param(src).mean();
            assert!((got - mu).abs() < 1e-7, "{src}: {got} vs {mu}");
        }
    }

    #[test]
    fn cdf_and_inverse_cdf_round_trip() {
        for src in [
            "{ dist = \"uniform\", low = 2, high = 5, min = 3 }",
            "{ dist = \"normal\", mean = 0.05, sd = 0.01, min = -0.05, max = 0.12 }",
            "{ dist = \"normal\", mean = 0, sd = 1, min = 2.5 }",
            "{ dist = \"lognormal\", median = 2, sigma = 0.5 }",
            "{ dist = \"triangular\", low = 0.1, mode = 0.25, high = 0.5, max = 0.4 }",
            "{ dist = \"pert\", low = 0, mode = 2, high = 10 }",
            "{ dist = \"beta\", mean = 0.1, sd = 0.05 }",
            "{ dist = \"beta\", alpha = 0.5, beta = 0.5, min = 0.2, max = 0.9 }",
            "{ dist = \"ci90\", low = 0.2, high = 0.4, max = 0.5 }",
        ] {
            let p = param(src);
            for u in [1e-4, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1.0 - 1e-4] {
                let x = p.inverse_cdf(u);
                assert!(p.support().contains(x), "{src}: q({u}) = {x}");
                assert!(
                    (p.cdf(x) - u).abs() < 1e-9,
                    "{src}: cdf(q({u})) = {}",
                    p.cdf(x)
                );
            }
            let s = p.support();
            assert_eq!(p.cdf(s.lo - 1.0), 0.0, "{src}");
            assert_eq!(p.cdf(s.hi + 1.0), 1.0, "{src}");
            assert!(
                p.inverse_cdf(0.0) >= s.lo && p.inverse_cdf(1.0) <= s.hi,
                "{src}"
            );
        }
    }

    #[test]
    fn support_applies_truncation() {
        let inf = f64::INFINITY;
        let cases = [
            (
                "{ dist = \"normal\", mean = 0, sd = 1 }",
                Interval::open(-inf, inf),
            ),
            (
                "{ dist = \"normal\", mean = 0, sd = 1, min = 0 }",
                Interval {
                    lo: 0.0,
                    hi: inf,
                    lo_open: false,
                    hi_open: true,
                },
            ),
            (
                "{ dist = \"lognormal\", median = 1, sigma = 1 }",
                Interval::open(0.0, inf),
            ),
            (
                "{ dist = \"lognormal\", median = 1, sigma = 1, min = 0 }",
                Interval::open(0.0, inf),
            ),
            (
                "{ dist = \"lognormal\", median = 1, sigma = 1, max = 5 }",
                Interval {
                    lo: 0.0,
                    hi: 5.0,
                    lo_open: true,
                    hi_open: false,
                },
            ),
            (
                "{ dist = \"beta\", alpha = 2, beta = 3 }",
                Interval::open(0.0, 1.0),
            ),
            (
                "{ dist = \"uniform\", low = 0, high = 1 }",
                Interval::closed(0.0, 1.0),
            ),
            (
                "{ dist = \"uniform\", low = 0, high = 1, min = -1, max = 0.5 }",
                Interval::closed(0.0, 0.5),
            ),
            (
                "{ dist = \"pert\", low = 1, mode = 2, high = 4 }",
                Interval::closed(1.0, 4.0),
            ),
            (
                "{ dist = \"triangular\", low = 1, mode = 2, high = 4, min = 1.5 }",
                Interval::closed(1.5, 4.0),
            ),
            (
                "{ dist = \"discrete\", values = [1, 2, 5], weights = [1, 1, 1], max = 3 }",
                Interval::closed(1.0, 2.0),
            ),
            (
                "{ dist = \"discrete\", values = [0, 2, 5], weights = [0, 1, 1] }",
                Interval::closed(2.0, 5.0),
            ),
            (
                "{ dist = \"fixed\", value = 3 }",
                Interval::closed(3.0, 3.0),
            ),
            // PERT on [0, 1] stays closed; beta stays open.
            (
                "{ dist = \"pert\", low = 0, mode = 0, high = 1 }",
                Interval::closed(0.0, 1.0),
            ),
        ];
        for (src, want) in cases {
            assert_eq!(param(src).support(), want, "{src}");
            assert_eq!(param(src).sampler().support(), want, "{src}");
        }
    }

    #[test]
    fn contains_interval_respects_open_and_closed_ends() {
        let inf = f64::INFINITY;
        let unit = Interval::closed(0.0, 1.0);
        let open_unit = Interval::open(0.0, 1.0);
        let unit_pos = Interval {
            lo: 0.0,
            hi: 1.0,
            lo_open: true,
            hi_open: false,
        };
        let positive = Interval::open(0.0, inf);
        let non_negative = Interval {
            lo: 0.0,
            hi: inf,
            lo_open: false,
            hi_open: true,
        };
        let real = Interval::open(-inf, inf);
        let cases = [
            (unit, open_unit, true),
            (unit_pos, open_unit, true),
            (open_unit, open_unit, true),
            (unit_pos, unit, false),
            (open_unit, unit, false),
            (unit, unit, true),
            (positive, positive, true),
            (non_negative, positive, true),
            (positive, non_negative, false),
            (real, real, true),
            (real, Interval::closed(-inf, inf), true),
            (positive, real, false),
            (unit, Interval::closed(0.2, 1.5), false),
            (unit, Interval::closed(-0.2, 0.5), false),
            (unit, Interval::closed(0.5, 0.5), true),
            (open_unit, Interval::closed(1.0, 1.0), false),
            (open_unit, Interval::open(1.0, 1.0), true),
            (unit, Interval::closed(f64::NAN, 0.5), false),
        ];
        for (outer, inner, want) in cases {
            assert_eq!(outer.contains_interval(&inner), want, "{inner} in {outer}");
        }
        assert!(unit.contains(0.0) && !open_unit.contains(0.0) && !unit.contains(f64::NAN));
        assert!(positive.contains(1e300) && !positive.contains(inf));
    }

    #[test]
    fn interval_display() {
        let inf = f64::INFINITY;
        assert_eq!(Interval::closed(0.0, 1.0).to_string(), "[0, 1]");
        assert_eq!(Interval::open(0.0, inf).to_string(), "(0, inf)");
        assert_eq!(Interval::open(-inf, inf).to_string(), "(-inf, inf)");
        assert_eq!(Interval::closed(-inf, 0.5).to_string(), "(-inf, 0.5]");
        let half = Interval {
            lo: 0.0,
            hi: 1.0,
            lo_open: false,
            hi_open: true,
        };
        assert_eq!(half.to_string(), "[0, 1)");
    }

    #[test]
    fn describe_is_short_and_shows_how_it_was_written() {
        let cases = [
            (
                "{ dist = \"normal\", mean = 0.05, sd = 0.01, min = -0.05, max = 0.12 }",
                "normal(0.05, 0.01) truncated [-0.05, 0.12]",
            ),
            (
                "{ dist = \"beta\", mean = 0.1, sd = 0.05 }",
                "beta(mean 0.1, sd 0.05)",
            ),
            ("{ dist = \"beta\", alpha = 2, beta = 5 }", "beta(2, 5)"),
            (
                "{ dist = \"ci90\", low = 0.2, high = 0.4 }",
                "ci90(0.2, 0.4)",
            ),
            (
                "{ dist = \"triangular\", low = 0.1, mode = 0.25, high = 0.5 }",
                "triangular(0.1, 0.25, 0.5)",
            ),
            (
                "{ dist = \"pert\", low = 0, mode = 2, high = 10 }",
                "pert(0, 2, 10)",
            ),
            (
                "{ dist = \"uniform\", low = 0, high = 1, min = 0.5 }",
                "uniform(0, 1) truncated [0.5, inf)",
            ),
            (
                "{ dist = \"lognormal\", median = 2, sigma = 0.5 }",
                "lognormal(2, 0.5)",
            ),
            ("{ dist = \"fixed\", value = 0.3, source = \"x\" }", "0.3"),
            (
                "{ dist = \"discrete\", values = [1, 2], weights = [3, 1] }",
                "discrete([1, 2], weights [3, 1])",
            ),
        ];
        for (src, want) in cases {
            assert_eq!(param(src).describe(), want);
        }
        assert_eq!(Param::fixed(0.3).describe(), "0.3");
    }

    #[test]
    fn to_toml_round_trips() {
        let cases = [
            "{ dist = \"fixed\", value = 0.3 }",
            "{ dist = \"fixed\", value = 0.3, source = \"World Bank 2024\" }",
            "{ dist = \"uniform\", low = 2, high = 5, min = 3 }",
            "{ dist = \"normal\", mean = 0.05, sd = 0.01, min = -0.05, max = 0.12, source = \"article\" }",
            "{ dist = \"lognormal\", median = 2, sigma = 0.5 }",
            "{ dist = \"triangular\", low = 0.1, mode = 0.25, high = 0.5 }",
            "{ dist = \"pert\", low = 0, mode = 2, high = 10, max = 9 }",
            "{ dist = \"beta\", mean = 0.1, sd = 0.05, source = \"stress case\" }",
            "{ dist = \"beta\", alpha = 0.5, beta = 3 }",
            "{ dist = \"ci90\", low = 0.2, high = 0.4 }",
            "{ dist = \"ci90\", low = -0.3, high = 0.7, max = 0.5 }",
            "{ dist = \"discrete\", values = [1, 2.5], weights = [3, 1], min = 2 }",
        ];
        for src in cases {
            let p = param(src);
            let v = p.to_toml();
            assert_eq!(Param::from_value(&v).as_ref(), Ok(&p), "{src} -> {v}");
            // Through text, as `validate --print` writes it.
            let mut doc = toml::Table::new();
            doc.insert("p".to_string(), v);
            let text = toml::to_string(&doc).expect("serialises");
            let back: toml::Table = toml::from_str(&text).expect("parses");
            assert_eq!(
                Param::from_value(&back["p"]).as_ref(),
                Ok(&p),
                "{src} -> {text}"
            );
        }
        assert_eq!(Param::fixed(0.3).to_toml(), toml::Value::Float(0.3));
        assert_eq!(
            param("{ dist = \"fixed\", value = 0.3 }").to_toml(),
            toml::Value::Float(0.3)
        );
        let t = param("{ dist = \"ci90\", low = 0.2, high = 0.4 }").to_toml();
        assert_eq!(t.get("dist").and_then(|d| d.as_str()), Some("ci90"));
        let t = param("{ dist = \"beta\", mean = 0.1, sd = 0.05 }").to_toml();
        assert!(t.get("mean").is_some() && t.get("alpha").is_none());
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
    fn bad_tables_name_the_field_at_fault() {
        let cases: &[(&str, Option<&str>, &str)] = &[
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
                "{ dist = \"normal\", mean = 0, sd = -0.1 }",
                Some("sd"),
                "sd must be >= 0, found -0.1",
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
                "{ dist = \"normal\", mean = 0, sd = 1, min = 1, max = 0 }",
                Some("min"),
                "min (1) must be <= max (0)",
            ),
            (
                "{ dist = \"normal\", mean = 0, sd = 1, min = 4 }",
                Some("min"),
                "min/max keep only 0.000032 of the probability mass (at least 0.001 needed)",
            ),
            (
                "{ dist = \"normal\", mean = 0, sd = 1, max = -4 }",
                Some("max"),
                "keep only",
            ),
            (
                "{ dist = \"normal\", mean = 0, sd = 1, min = 0.5, max = 0.5 }",
                Some("min"),
                "keep only 0 of",
            ),
            (
                "{ dist = \"normal\", mean = 0, sd = 0, min = 1 }",
                Some("min"),
                "keep only 0 of",
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
                "{ dist = \"lognormal\", median = 1, sigma = 1, max = 0 }",
                Some("max"),
                "keep only 0 of",
            ),
            (
                "{ dist = \"uniform\", low = 0.5, high = 0.2 }",
                Some("low"),
                "low (0.5) must be <= high (0.2)",
            ),
            (
                "{ dist = \"uniform\", low = 0.5 }",
                Some("high"),
                "missing key `high`",
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
                "{ dist = \"beta\", mean = 0.5 }",
                Some("sd"),
                "missing key `sd`",
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
                "{ dist = \"beta\", alpha = 2, beta = 2, min = 1 }",
                Some("min"),
                "keep only 0 of",
            ),
            (
                "{ dist = \"ci90\", low = 0.4, high = 0.2 }",
                Some("low"),
                "low (0.4) must be <= high (0.2)",
            ),
            (
                "{ dist = \"ci90\", low = 0.2, high = 0.4, sd = 1 }",
                Some("sd"),
                "unknown key `sd` in a ci90 distribution",
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
                "{ dist = \"discrete\", values = [1, 2], weights = [1, 1], min = 3 }",
                Some("min"),
                "keep only 0 of",
            ),
            (
                "{ dist = \"discrete\", values = [1, 2] }",
                Some("weights"),
                "missing key `weights`",
            ),
            ("{ dist = \"fixed\" }", Some("value"), "missing key `value`"),
            (
                "{ dist = \"fixed\", value = 1, max = 2 }",
                Some("max"),
                "a fixed value cannot be truncated",
            ),
            (
                "{ dist = \"fixed\", value = 1, mean = 2 }",
                Some("mean"),
                "(expected value, source)",
            ),
        ];
        for (src, field, message) in cases {
            let err = Param::from_toml(&table(src)).expect_err(src);
            assert_eq!(err.field.as_deref(), *field, "{src}: {}", err.message);
            assert!(
                err.message.contains(message),
                "{src}: `{}` lacks `{message}`",
                err.message
            );
        }
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

    #[test]
    fn integers_are_accepted_where_floats_are_expected() {
        assert_eq!(
            param("{ dist = \"uniform\", low = 1, high = 2 }"),
            param("{ dist = \"uniform\", low = 1.0, high = 2.0 }")
        );
    }
}
