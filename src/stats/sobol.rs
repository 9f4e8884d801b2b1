//! Variance-based (Sobol) sensitivity indices from a Saltelli design's outputs.
//!
//! With `f(A)`, `f(B)` and `f(AB_i)` the outcome on the rows of the design
//! ([`crate::engine::Saltelli`]), `N` base points and `V` the sample variance of the `2N`
//! values of `f(A)` and `f(B)` ([`super::mean_variance`]):
//! * first order, Saltelli et al. (2010), Table 2 (b): `S_i = mean(f(B) (f(AB_i) - f(A))) / V`,
//!   with `f(B)` centred on the mean `m` of the `2N` values (`f(B) - m`): the same expectation
//!   (`mean(f(AB_i) - f(A))` estimates 0), a much smaller variance when `|m|` is large;
//! * total, Jansen (1999): `ST_i = mean((f(A) - f(AB_i))^2) / (2 V)`.
//!
//! Intervals: 95% percentile bootstrap over the base points `j` (the rows A_j, B_j and
//! AB_i,j move together), [`RESAMPLES`] resamples seeded as in [`super::bootstrap`].

use rayon::prelude::*;

use super::bootstrap::{percentile_interval, resample_indices, resample_rng};
use super::moments::mean_variance;

/// Bootstrap resamples of the Sobol indices.
pub const RESAMPLES: usize = 500;

/// One input's Sobol indices for one outcome.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SobolIndex {
    /// First-order index `S_i` (NaN for a constant outcome).
    pub first: f64,
    /// Its 95% bootstrap interval.
    pub first_ci95: [f64; 2],
    /// Total index `ST_i`.
    pub total: f64,
    /// Its 95% bootstrap interval.
    pub total_ci95: [f64; 2],
}

/// `(first, total)` of every input on the base points `idx`.
fn estimate(fa: &[f64], fb: &[f64], fab: &[&[f64]], idx: &[usize]) -> Vec<(f64, f64)> {
    let n = idx.len() as f64;
    let both = idx.iter().flat_map(|&j| [fa[j], fb[j]]);
    let Some((mean, Some(var))) = mean_variance(both) else {
        return vec![(f64::NAN, f64::NAN); fab.len()];
    };
    fab.iter()
        .map(|ab| {
            if var <= 0.0 {
                return (f64::NAN, f64::NAN);
            }
            let (mut s, mut t) = (0.0, 0.0);
            for &j in idx {
                s += (fb[j] - mean) * (ab[j] - fa[j]);
                t += (fa[j] - ab[j]).powi(2);
            }
            (s / n / var, t / n / (2.0 * var))
        })
        .collect()
}

/// First-order and total indices of every input (`fab[i]` is the outcome on `AB_i`), with
/// bootstrap intervals keyed by `seed`.
pub fn sobol_indices(
    fa: &[f64],
    fb: &[f64],
    fab: &[&[f64]],
    resamples: usize,
    seed: u64,
) -> Vec<SobolIndex> {
    let n = fa.len();
    let all: Vec<usize> = (0..n).collect();
    let point = estimate(fa, fb, fab, &all);
    let boot: Vec<Vec<(f64, f64)>> = (0..resamples)
        .into_par_iter()
        .map(|b| {
            let mut idx = Vec::new();
            resample_indices(&mut resample_rng(seed, b), n, &mut idx);
            estimate(fa, fb, fab, &idx)
        })
        .collect();
    point
        .iter()
        .enumerate()
        .map(|(i, &(first, total))| {
            let f: Vec<f64> = boot.iter().map(|r| r[i].0).collect();
            let t: Vec<f64> = boot.iter().map(|r| r[i].1).collect();
            SobolIndex {
                first,
                first_ci95: percentile_interval(&f),
                total,
                total_ci95: percentile_interval(&t),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn additive_function_on_a_known_design() {
        // f = x0 + 2 x1 on a tiny hand-made design: S and ST follow the formulas.
        let a = [[0.1, 0.9], [0.5, 0.2], [0.8, 0.4]];
        let b = [[0.3, 0.6], [0.7, 0.1], [0.2, 0.5]];
        let f = |x: [f64; 2]| x[0] + 2.0 * x[1];
        let fa: Vec<f64> = a.iter().map(|&x| f(x)).collect();
        let fb: Vec<f64> = b.iter().map(|&x| f(x)).collect();
        let fab: Vec<Vec<f64>> = (0..2)
            .map(|i| {
                (0..3)
                    .map(|j| {
                        let mut x = a[j];
                        x[i] = b[j][i];
                        f(x)
                    })
                    .collect()
            })
            .collect();
        let fab_ref: Vec<&[f64]> = fab.iter().map(|c| c.as_slice()).collect();
        let r = sobol_indices(&fa, &fb, &fab_ref, 10, 1);
        let all = [0, 1, 2];
        let e = estimate(&fa, &fb, &fab_ref, &all);
        let mean = (fa.iter().sum::<f64>() + fb.iter().sum::<f64>()) / 6.0;
        let var = fa
            .iter()
            .chain(&fb)
            .map(|v| (v - mean).powi(2))
            .sum::<f64>()
            / 5.0;
        let t0 = (0..3).map(|j| (fa[j] - fab[0][j]).powi(2)).sum::<f64>() / 3.0 / (2.0 * var);
        assert!((e[0].1 - t0).abs() < 1e-12 && (r[0].total - t0).abs() < 1e-12);
        let s1 = (0..3)
            .map(|j| (fb[j] - mean) * (fab[1][j] - fa[j]))
            .sum::<f64>()
            / 3.0
            / var;
        assert!((r[1].first - s1).abs() < 1e-12);
    }
}
