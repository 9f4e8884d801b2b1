//! The Gaussian copula that ties correlated uncertain parameters, trial by trial.
//!
//! The analyst states Spearman rank correlations between pairs of parameters. A Gaussian
//! copula with normal (Pearson) correlation `r` has rank correlation
//! `rank = (6 / pi) asin(r / 2)`, so the copula uses `r_ij = 2 sin(pi rank_ij / 6)`
//! ([`normal_from_rank`]; pairs that no entry names: 0). Each trial draws one independent
//! standard normal per correlated parameter, multiplies the vector by the lower Cholesky
//! factor `L` of that matrix ([`Copula::correlate`]), maps each component to a uniform with
//! the standard normal CDF ([`uniform`]) and the uniform to the parameter through its own
//! inverse CDF. Each trial thus stands alone (no rearrangement of a whole sample, as
//! Iman-Conover would need), and every marginal is exactly the parameter's own law.
//!
//! A continuous marginal keeps the rank correlation asked for; a discrete or narrowly
//! truncated one reaches less (ties), which is why runs report the rank correlation
//! achieved.

use std::f64::consts::PI;

use statrs::distribution::{ContinuousCDF, Normal};

/// Normal (Pearson) correlation of a Gaussian copula whose Spearman rank correlation is
/// `rank`: `2 sin(pi rank / 6)`.
pub fn normal_from_rank(rank: f64) -> f64 {
    2.0 * (PI * rank / 6.0).sin()
}

/// Spearman rank correlation of a Gaussian copula with normal correlation `r`:
/// `(6 / pi) asin(r / 2)` (the inverse of [`normal_from_rank`]).
pub fn rank_from_normal(r: f64) -> f64 {
    6.0 / PI * (r / 2.0).asin()
}

/// Smallest pivot of the Cholesky factorisation accepted as positive: a matrix whose
/// pivot falls below is treated as not positive definite (singular or nearly so).
pub const MIN_PIVOT: f64 = 1e-10;

/// The correlation matrix is not positive definite.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error(
    "the correlations among the first {} correlated parameters are not positive definite \
     (pivot {pivot:.3e})",
    .leading + 1
)]
pub struct NotPositiveDefinite {
    /// Index of the variable where the factorisation failed: the matrix of variables
    /// `0..=leading` is not positive definite, while that of `0..leading` is.
    pub leading: usize,
    /// The pivot found there (`<= MIN_PIVOT`).
    pub pivot: f64,
}

/// The Cholesky factor of the normal correlation matrix of `n` correlated parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Copula {
    n: usize,
    /// Lower triangle, row-major, `n * n` (upper part zero).
    lower: Vec<f64>,
}

impl Copula {
    /// Builds the copula of `n` parameters from rank correlations `(i, j, rank)` between
    /// parameters `i != j` (each unordered pair at most once; pairs not given: 0).
    ///
    /// # Panics
    /// On an index out of range, `i == j`, or a rank outside (-1, 1): validation rejects
    /// these before a copula is built.
    pub fn new(n: usize, ranks: &[(usize, usize, f64)]) -> Result<Copula, NotPositiveDefinite> {
        let mut m = vec![0.0; n * n];
        for i in 0..n {
            m[i * n + i] = 1.0;
        }
        for &(i, j, rank) in ranks {
            assert!(i < n && j < n && i != j, "copula: pair ({i}, {j}) of {n}");
            assert!(rank > -1.0 && rank < 1.0, "copula: rank {rank}");
            let r = normal_from_rank(rank);
            m[i * n + j] = r;
            m[j * n + i] = r;
        }
        let lower = cholesky(n, &m)?;
        Ok(Copula { n, lower })
    }

    /// Number of correlated parameters.
    pub fn dim(&self) -> usize {
        self.n
    }

    /// Entry `(i, j)` of the lower Cholesky factor.
    pub fn factor(&self, i: usize, j: usize) -> f64 {
        self.lower[i * self.n + j]
    }

    /// Turns independent standard normals `z` into correlated ones, in place: `z <- L z`.
    ///
    /// # Panics
    /// If `z.len()` is not [`Copula::dim`].
    pub fn correlate(&self, z: &mut [f64]) {
        assert_eq!(z.len(), self.n, "copula: one normal per parameter");
        // Row i of L z reads z[0..=i]: going from the last row up keeps the inputs unread.
        for i in (0..self.n).rev() {
            let row = &self.lower[i * self.n..i * self.n + i + 1];
            z[i] = row.iter().zip(&z[..=i]).map(|(l, x)| l * x).sum();
        }
    }
}

/// Lower Cholesky factor of the symmetric `n x n` matrix `m` (row-major).
fn cholesky(n: usize, m: &[f64]) -> Result<Vec<f64>, NotPositiveDefinite> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum();
            if i == j {
                let pivot = m[i * n + i] - s;
                if pivot.is_nan() || pivot <= MIN_PIVOT {
                    return Err(NotPositiveDefinite { leading: i, pivot });
                }
                l[i * n + i] = pivot.sqrt();
            } else {
                l[i * n + j] = (m[i * n + j] - s) / l[j * n + j];
            }
        }
    }
    Ok(l)
}

/// The standard normal law.
fn std_normal() -> Normal {
    Normal::standard()
}

/// `Phi(z)`, kept inside the open interval `[2^-53, 1 - 2^-53]` so that a parameter's
/// inverse CDF never sees 0 or 1 (which would be infinite for an untruncated normal); the
/// clamp matters only for `|z| > 8.2`, about one trial in 10^15.
pub fn uniform(z: f64) -> f64 {
    const EPS: f64 = 1.0 / (1u64 << 53) as f64;
    std_normal().cdf(z).clamp(EPS, 1.0 - EPS)
}

/// `Phi^-1(u)` for `u` in (0, 1): the normal that a sampling design's coordinate stands for.
pub fn normal_quantile(u: f64) -> f64 {
    std_normal().inverse_cdf(u)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rank::spearman;
    use rand::{RngExt, SeedableRng};
    use rand_distr::StandardNormal;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// `n` trials of `copula`'s uniforms, one column per parameter.
    fn draw(copula: &Copula, n: usize, seed: u64) -> Vec<Vec<f64>> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let d = copula.dim();
        let mut cols = vec![Vec::with_capacity(n); d];
        let mut z = vec![0.0; d];
        for _ in 0..n {
            for x in z.iter_mut() {
                *x = rng.sample(StandardNormal);
            }
            copula.correlate(&mut z);
            for (c, &x) in cols.iter_mut().zip(&z) {
                c.push(uniform(x));
            }
        }
        cols
    }

    #[test]
    fn rank_and_normal_correlations_are_inverse() {
        for rank in [-0.99, -0.6, -0.1, 0.0, 0.3, 0.6, 0.95] {
            let r = normal_from_rank(rank);
            assert!((rank_from_normal(r) - rank).abs() < 1e-12);
            assert!(r.abs() < 1.0);
        }
        // Known values: rank 0.5 -> 2 sin(pi/12) = 0.517638...
        assert!((normal_from_rank(0.5) - 0.517_638_090_205_041_5).abs() < 1e-12);
        assert_eq!(normal_from_rank(0.0), 0.0);
    }

    #[test]
    fn two_uniforms_at_rank_0_6_reach_it_and_keep_their_marginals() {
        let copula = Copula::new(2, &[(0, 1, 0.6)]).unwrap();
        let n = 200_000;
        let cols = draw(&copula, n, 11);
        // Standard error of Spearman's rho near 0.6 at n = 200k is about
        // (1 - 0.6^2) / sqrt(n) = 0.0014: 0.01 is seven of them.
        let rho = spearman(&cols[0], &cols[1]);
        assert!((rho - 0.6).abs() < 0.01, "achieved rank correlation {rho}");
        // Marginals uniform: every decile holds n/10 within 5 binomial sd.
        let sd = (n as f64 * 0.1 * 0.9).sqrt();
        for c in &cols {
            let mut counts = [0usize; 10];
            for &u in c {
                assert!(u > 0.0 && u < 1.0);
                counts[(u * 10.0) as usize] += 1;
            }
            for k in counts {
                assert!((k as f64 - n as f64 / 10.0).abs() < 5.0 * sd, "{counts:?}");
            }
        }
    }

    #[test]
    fn uncorrelated_copula_leaves_the_normals_alone() {
        let copula = Copula::new(3, &[]).unwrap();
        let mut z = [0.3, -1.2, 2.5];
        copula.correlate(&mut z);
        assert_eq!(z, [0.3, -1.2, 2.5]);
        // The first variable is never mixed with the others.
        let copula = Copula::new(3, &[(0, 2, 0.4), (1, 2, -0.3)]).unwrap();
        let mut z = [0.3, -1.2, 2.5];
        copula.correlate(&mut z);
        assert_eq!(z[0], 0.3);
        assert!((z[1] + 1.2).abs() < 1e-15);
    }

    #[test]
    fn factor_reproduces_the_matrix() {
        let ranks = [(0, 1, 0.4), (0, 2, -0.2), (1, 2, 0.5), (2, 3, 0.7)];
        let c = Copula::new(4, &ranks).unwrap();
        for i in 0..4 {
            for j in 0..4 {
                let llt: f64 = (0..4).map(|k| c.factor(i, k) * c.factor(j, k)).sum();
                let want = if i == j {
                    1.0
                } else {
                    ranks
                        .iter()
                        .find(|p| (p.0, p.1) == (i.min(j), i.max(j)))
                        .map_or(0.0, |p| normal_from_rank(p.2))
                };
                assert!((llt - want).abs() < 1e-12, "({i},{j}) {llt} vs {want}");
            }
        }
    }

    #[test]
    fn three_pairwise_ranks_that_cannot_hold_together_are_refused() {
        // a ~ b and b ~ c strongly, a ~ c strongly against: impossible.
        let e = Copula::new(3, &[(0, 1, 0.9), (1, 2, 0.9), (0, 2, -0.9)]).unwrap_err();
        assert_eq!(e.leading, 2);
        assert!(
            e.to_string().contains("first 3 correlated parameters"),
            "{e}"
        );
        // A fourth, unrelated parameter before them does not change where it fails.
        let e = Copula::new(4, &[(1, 2, 0.9), (2, 3, 0.9), (1, 3, -0.9)]).unwrap_err();
        assert_eq!(e.leading, 3);
    }

    #[test]
    fn normal_quantile_inverts_the_cdf() {
        for u in [1e-9, 0.025, 0.5, 0.8, 1.0 - 1e-9] {
            let z = normal_quantile(u);
            let back = uniform(z);
            assert!((back - u).abs() < 1e-9 * u, "{u}: {z} -> {back}");
        }
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-9);
        assert!(uniform(40.0) < 1.0 && uniform(-40.0) > 0.0);
    }
}
