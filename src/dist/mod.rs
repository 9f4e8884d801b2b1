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
//! # Where things are
//!
//! One file per concern; each says what it owns. Sampling ([`Sampler`]) and the inverse
//! CDF ([`Param::inverse_cdf`]) are separate seams: plain Monte Carlo uses rand_distr's fast
//! samplers, sampling designs map the unit cube through the inverse CDF.

/// Writing a parameter back: [`Param::describe`] for reports, [`Param::to_toml`] for files.
mod format;
/// Intervals of the real line: supports, truncation bounds and key domains.
mod interval;
/// CDF and inverse CDF of the truncated law: the seam for sampling designs.
mod inverse_cdf;
/// The untruncated law in analytic form: point masses or a continuous CDF and quantile.
mod law;
/// [`Param`]: a checked distribution with its truncation and source.
mod param;
/// Reading a scenario's distribution table or bare number.
mod parse;
/// Adaptive Simpson quadrature (means of truncated laws without a closed form).
mod quadrature;
/// [`Sampler`]: fast draws with rand_distr, truncation by redraw.
mod sampling;
/// The families ([`Dist`]), the checks of their parameters and the `ci90` and
/// beta-by-moments conversions.
mod spec;
/// Helpers shared by the unit tests of this folder.
#[cfg(test)]
mod testutil;
/// Truncation by `min`/`max`: support, kept mass and mean of the truncated law.
mod truncation;

pub use interval::Interval;
pub use param::Param;
pub use sampling::Sampler;
pub use spec::{Dist, DistError};
pub use truncation::MIN_TRUNCATED_MASS;
