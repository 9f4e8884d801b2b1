//! CDF and inverse CDF of the truncated law: the seam for sampling designs.
//!
//! Latin hypercube and Sobol designs draw points in the unit cube and map each column
//! through [`Param::inverse_cdf`]: `F^-1(F(min) + u (F(max) - F(min)))` for a continuous
//! law (statrs or closed forms: fine for designs of thousands of points), the smallest kept
//! value whose CDF reaches `u` for point masses.

use super::Param;
use super::law::Shape;

impl Param {
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
}

#[cfg(test)]
mod tests {
    use crate::dist::testutil::param;

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
}
