//! Truncation by `min`/`max`: which values a draw can take, how much mass is kept, and the
//! mean of the truncated law.
//!
//! Truncation is by redraw: the law is `X | min <= X <= max`, never a clamp (which would
//! put point masses on the bounds). It must keep at least [`MIN_TRUNCATED_MASS`] of the
//! mass. The mean of a truncated normal or lognormal is closed-form (Johnson, Kotz and
//! Balakrishnan, *Continuous Univariate Distributions*); for the other truncated
//! continuous families it is `a + int_a^b (F(b) - F(x)) dx / (F(b) - F(a))`, integrated by
//! adaptive Simpson between quantile breakpoints.

use statrs::distribution::ContinuousCDF;

use super::law::{Cont, Shape};
use super::quadrature::integrate;
use super::{Dist, Interval, Param};

/// Least probability mass a truncation (`min`/`max`) must keep: it bounds the expected
/// redraws per sample at 1000 and keeps `F(max) - F(min)` accurate (see [`crate::dist`]).
pub const MIN_TRUNCATED_MASS: f64 = 0.001;

impl Param {
    /// The truncation bounds as an interval (`[min, max]`, infinite ends where absent).
    pub(super) fn bounds(&self) -> Interval {
        Interval {
            lo: self.min.unwrap_or(f64::NEG_INFINITY),
            hi: self.max.unwrap_or(f64::INFINITY),
            lo_open: self.min.is_none(),
            hi_open: self.max.is_none(),
        }
    }

    /// The atoms the truncation keeps, and the total weight of all atoms.
    pub(super) fn kept_atoms(&self, atoms: Vec<(f64, f64)>) -> (Vec<(f64, f64)>, f64) {
        let total: f64 = atoms.iter().map(|a| a.1).sum();
        let bounds = self.bounds();
        let kept = atoms.into_iter().filter(|a| bounds.contains(a.0)).collect();
        (kept, total)
    }

    /// `(F(min), F(max) - F(min))` of a continuous law (`F(-inf) = 0`, `F(inf) = 1`).
    pub(super) fn cont_range(&self, c: &Cont) -> (f64, f64) {
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
}

impl Cont {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::testutil::{N, assert_rejects, check_quantiles, draws, mean_var, param};

    /// A truncation that keeps less than `MIN_TRUNCATED_MASS` of the mass.
    #[test]
    fn truncation_keeping_too_little_mass_is_rejected() {
        assert_rejects(&[
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
                "{ dist = \"lognormal\", median = 1, sigma = 1, max = 0 }",
                Some("max"),
                "keep only 0 of",
            ),
            (
                "{ dist = \"beta\", alpha = 2, beta = 2, min = 1 }",
                Some("min"),
                "keep only 0 of",
            ),
            (
                "{ dist = \"discrete\", values = [1, 2], weights = [1, 1], min = 3 }",
                Some("min"),
                "keep only 0 of",
            ),
        ]);
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
}
