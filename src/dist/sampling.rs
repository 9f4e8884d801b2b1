//! [`Sampler`]: one draw per uncertain parameter per trial, truncation by redraw.
//!
//! A [`Param`] builds its sampler once ([`Param::sampler`]): rand_distr's fast samplers
//! for the untruncated family, and the interval a draw must fall in. A draw outside it is
//! thrown away and drawn again, so the sample follows the conditional law
//! `X | min <= X <= max`; discrete laws keep only the atoms the truncation keeps and never
//! redraw. The same parameters and RNG state give the same draw on every machine.

use rand::Rng;
use rand_distr::Distribution;

use super::law::Shape;
use super::{Dist, Interval, Param};

/// Draws a sampler may throw away before giving up with NaN. With at least
/// [`MIN_TRUNCATED_MASS`](super::MIN_TRUNCATED_MASS) kept, ten million failures in a row
/// have probability below `e^-10000`; reaching it means a numerical defect (e.g. a
/// lognormal whose draws all overflow), which the engine reports as a NaN trial instead of
/// hanging.
const MAX_DRAWS: u32 = 10_000_000;

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

impl Param {
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
    use crate::dist::spec::Z90;
    use crate::dist::testutil::{N, beta_mu4, check_moments, check_quantiles, draws, param};

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
}
