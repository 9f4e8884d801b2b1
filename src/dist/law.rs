//! The untruncated law of a parameter in the form the CDF code needs.
//!
//! [`Shape`] is either point masses (fixed, discrete and degenerate cases: `sd = 0`,
//! `sigma = 0`, `low == high`) or a non-degenerate continuous law ([`Cont`]) with its
//! support, CDF and quantile (statrs, or closed forms). `pert` is the beta-PERT
//! distribution (Malcolm et al. 1959; Vose, *Risk Analysis*, 2008) with shape 4:
//! `low + (high - low) Beta(alpha, beta)`, `alpha = 1 + 4 (mode - low) / (high - low)`,
//! `beta = 1 + 4 (high - mode) / (high - low)`, whose mean is `(low + 4 mode + high) / 6`.

use statrs::distribution::ContinuousCDF;

use super::{Dist, Interval, Param};

/// The untruncated law in the form the CDF code needs.
pub(super) enum Shape {
    /// Point masses, sorted by value, positive weights (fixed, discrete, degenerate cases).
    Atoms(Vec<(f64, f64)>),
    /// A continuous law.
    Cont(Cont),
}

/// Continuous laws, non-degenerate (positive spread).
#[derive(Clone, Copy)]
pub(super) enum Cont {
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
    pub(super) fn support(&self) -> Interval {
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
            // PERT takes its closed range (with mode == low, its density is positive at
            // low).
            Cont::ScaledBeta { low, scale, .. } => Interval::closed(low, low + scale),
        }
    }

    pub(super) fn cdf(&self, x: f64) -> f64 {
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
    pub(super) fn quantile(&self, p: f64) -> f64 {
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
}

impl Param {
    /// The untruncated law, degenerate cases as point masses.
    pub(super) fn shape(&self) -> Shape {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::testutil::param;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

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
}
