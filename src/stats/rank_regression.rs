//! How much of an outcome's spread the uncertain inputs explain, and which of them matter:
//! Spearman rank correlations with intervals, and the R² of a regression of the outcome's
//! ranks on all inputs' ranks (standardised rank regression, Saltelli et al. 2004,
//! "Sensitivity Analysis in Practice", section 1.2.5).
//!
//! * Ranks are mid-ranks (ties share the mean of their ranks); every rank column is centred
//!   and scaled to unit norm, so dot products are rank correlations.
//! * Spearman's interval: Fisher's `z = atanh(r)` with the variance `(1 + r²/2) / (n - 3)`
//!   of Bonett & Wright (2000, "Sample size requirements for estimating Pearson, Kendall and
//!   Spearman correlations", Psychometrika 65), back-transformed with `tanh`.
//! * `R² = c' C⁻¹ c` with `C` the inputs' rank correlation matrix and `c` their rank
//!   correlations with the outcome. Its interval uses the large-sample standard error
//!   `sqrt(4 R² (1 - R²)² / n)` (Olkin & Finn 1995, Psychological Bulletin 118), which is
//!   ample at the tens of thousands of trials a run has. Inputs that are constant (no
//!   rank variation) are left out of the regression; `1 - R²` is the share of the rank
//!   variance that the inputs do not explain linearly in ranks: the annual shocks (and
//!   interactions and non-monotone effects).

use rayon::prelude::*;

use super::Z95;
use super::select::{from_total_order_key, total_order};

/// Mid-ranks of `x`, centred and scaled to unit norm; `None` if `x` is constant.
pub fn standardized_ranks(x: &[f64]) -> Option<Vec<f64>> {
    let mut r = x.to_vec();
    standardize_ranks_in_place(&mut r).then_some(r)
}

/// Replaces `x` by its [`standardized_ranks`] (the same bits) without a second column;
/// `false` (and `x` is left holding unscaled centred ranks) if `x` is constant.
pub fn standardize_ranks_in_place(x: &mut [f64]) -> bool {
    let n = x.len();
    // (order key, index) pairs sorted as integers: the order of `f64::total_cmp` without
    // reading `x` at random, which costs more than the sort itself at 100,000 values. The
    // keys hold the values, so `x` is free to take the ranks.
    let order = total_order(x);
    let value = |k: usize| from_total_order_key(order[k].0);
    let r = x;
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && value(j) == value(i) {
            j += 1;
        }
        let mid = (i + j + 1) as f64 / 2.0; // ranks i+1 ..= j
        for &(_, t) in &order[i..j] {
            r[t] = mid;
        }
        i = j;
    }
    let mean = (n as f64 + 1.0) / 2.0;
    let mut ss = 0.0;
    for v in r.iter_mut() {
        *v -= mean;
        ss += *v * *v;
    }
    if ss <= 0.0 {
        return false;
    }
    let s = ss.sqrt();
    r.iter_mut().for_each(|v| *v /= s);
    true
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The 95% interval of a Spearman correlation `r` over `n` trials (Fisher's z with the
/// Bonett-Wright variance); `[-1, 1]` with fewer than 4 trials.
pub fn spearman_interval(r: f64, n: usize) -> [f64; 2] {
    if n < 4 || !r.is_finite() {
        return [-1.0, 1.0];
    }
    let z = r.clamp(-0.999_999_999, 0.999_999_999).atanh();
    let half = Z95 * ((1.0 + r * r / 2.0) / (n as f64 - 3.0)).sqrt();
    [(z - half).tanh(), (z + half).tanh()]
}

/// One input's rank correlation with an outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InputCorrelation {
    /// Spearman rank correlation (`None` when the input is constant).
    pub spearman: Option<f64>,
    /// Its 95% interval.
    pub ci95: [f64; 2],
}

/// An outcome's rank regression on the inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct RankRegression {
    /// Per input, in the order given.
    pub inputs: Vec<InputCorrelation>,
    /// R² of the rank regression (`None` when the outcome is constant or no input varies).
    pub r2: Option<f64>,
    /// Its 95% interval.
    pub r2_ci95: [f64; 2],
}

/// Solves `a x = b` for a symmetric positive-definite `a` (Cholesky); `None` if it is not
/// (numerically) positive definite.
fn solve_spd(a: &[Vec<f64>], b: &[f64]) -> Option<Vec<f64>> {
    let k = a.len();
    let mut l = vec![vec![0.0; k]; k];
    for i in 0..k {
        for j in 0..=i {
            let s = a[i][j] - (0..j).map(|m| l[i][m] * l[j][m]).sum::<f64>();
            if i == j {
                if s <= 1e-10 {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    let mut y = vec![0.0; k];
    for i in 0..k {
        y[i] = (b[i] - (0..i).map(|m| l[i][m] * y[m]).sum::<f64>()) / l[i][i];
    }
    let mut x = vec![0.0; k];
    for i in (0..k).rev() {
        x[i] = (y[i] - (i + 1..k).map(|m| l[m][i] * x[m]).sum::<f64>()) / l[i][i];
    }
    Some(x)
}

/// Rank correlations of each input with each outcome, and each outcome's rank-regression
/// R²: `result[o]`. Columns must have the same length and no NaN (leave out trials where
/// an optional outcome is absent).
pub fn rank_regressions(inputs: &[&[f64]], outcomes: &[&[f64]]) -> Vec<RankRegression> {
    let n = inputs.first().or(outcomes.first()).map_or(0, |c| c.len());
    let xr: Vec<Option<Vec<f64>>> = inputs.par_iter().map(|c| standardized_ranks(c)).collect();
    regressions_on_ranks(n, &xr, outcomes)
}

/// [`rank_regressions`] of inputs given by value: each input column is turned into its
/// ranks where it lies, so the inputs are never held twice (the same results, bit for bit).
pub fn rank_regressions_owned(inputs: Vec<Vec<f64>>, outcomes: &[&[f64]]) -> Vec<RankRegression> {
    let n = inputs
        .first()
        .map(Vec::len)
        .or(outcomes.first().map(|c| c.len()));
    let xr: Vec<Option<Vec<f64>>> = inputs
        .into_par_iter()
        .map(|mut c| standardize_ranks_in_place(&mut c).then_some(c))
        .collect();
    regressions_on_ranks(n.unwrap_or(0), &xr, outcomes)
}

/// [`rank_regressions`] over `n` trials, from the inputs' standardised ranks (`None` for a
/// constant input).
fn regressions_on_ranks(
    n: usize,
    xr: &[Option<Vec<f64>>],
    outcomes: &[&[f64]],
) -> Vec<RankRegression> {
    let varying: Vec<usize> = (0..xr.len()).filter(|&j| xr[j].is_some()).collect();
    let x = |j: usize| xr[j].as_deref().expect("varying");
    let cxx: Vec<Vec<f64>> = varying
        .par_iter()
        .map(|&a| {
            varying
                .iter()
                .map(|&b| if a == b { 1.0 } else { dot(x(a), x(b)) })
                .collect()
        })
        .collect();
    outcomes
        .par_iter()
        .map(|y| {
            let yr = standardized_ranks(y);
            let corr: Vec<InputCorrelation> = (0..xr.len())
                .map(|j| {
                    let r = match (&xr[j], &yr) {
                        (Some(a), Some(b)) => Some(dot(a, b).clamp(-1.0, 1.0)),
                        _ => None,
                    };
                    InputCorrelation {
                        spearman: r,
                        ci95: r.map_or([-1.0, 1.0], |r| spearman_interval(r, n)),
                    }
                })
                .collect();
            let r2 = if yr.is_some() && !varying.is_empty() {
                let c: Vec<f64> = varying
                    .iter()
                    .map(|&j| corr[j].spearman.unwrap_or(0.0))
                    .collect();
                solve_spd(&cxx, &c).map(|beta| dot(&beta, &c).clamp(0.0, 1.0))
            } else {
                None
            };
            let r2_ci95 = match r2 {
                Some(r) if n > 0 => {
                    let se = (4.0 * r * (1.0 - r).powi(2) / n as f64).sqrt();
                    [(r - Z95 * se).max(0.0), (r + Z95 * se).min(1.0)]
                }
                _ => [0.0, 1.0],
            };
            RankRegression {
                inputs: corr,
                r2,
                r2_ci95,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::select::total_order_key;
    use crate::stats::testdata::{SPECIAL, awkward};
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn ranks_share_ties_and_constants_have_none() {
        let r = standardized_ranks(&[3.0, 1.0, 3.0, 2.0]).unwrap();
        // Mid-ranks 3.5, 1, 3.5, 2 centred on 2.5: 1, -1.5, 1, -0.5; norm sqrt(4.5).
        let s = 4.5f64.sqrt();
        for (a, b) in r.iter().zip([1.0 / s, -1.5 / s, 1.0 / s, -0.5 / s]) {
            assert!((a - b).abs() < 1e-12);
        }
        assert!(standardized_ranks(&[2.0; 5]).is_none());
    }

    /// The ranks by an index sort under `total_cmp` (the plain way), for comparison.
    fn reference_ranks(x: &[f64]) -> Vec<f64> {
        let n = x.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        let mut r = vec![0.0; n];
        let mut i = 0;
        while i < n {
            let mut j = i + 1;
            while j < n && x[order[j]] == x[order[i]] {
                j += 1;
            }
            for &t in &order[i..j] {
                r[t] = (i + j + 1) as f64 / 2.0;
            }
            i = j;
        }
        r
    }

    #[test]
    fn ranks_equal_an_index_sort_bit_for_bit_with_ties_signed_zeros_and_infinities() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let x = awkward(&mut rng, 5_000, &SPECIAL);
        let reference = reference_ranks(&x);
        let mean = (x.len() as f64 + 1.0) / 2.0;
        let ss: f64 = reference.iter().map(|r| (r - mean) * (r - mean)).sum();
        let got = standardized_ranks(&x).expect("varies");
        // Same mid-ranks: the standardised ranks agree to rounding of the common scale.
        for (g, r) in got.iter().zip(&reference) {
            assert!((g - (r - mean) / ss.sqrt()).abs() < 1e-12);
        }
        for (a, b) in [(0.5, -0.0), (-2.5, f64::NEG_INFINITY), (7.0, 1e-310)] {
            assert_eq!(
                from_total_order_key(total_order_key(a)).to_bits(),
                a.to_bits()
            );
            assert_eq!(total_order_key(a).cmp(&total_order_key(b)), a.total_cmp(&b));
        }
    }

    #[test]
    fn the_radix_order_is_the_comparison_sort_s_with_ties_signed_zeros_and_infinities() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(6);
        for n in [0, 1, 2, 100, 20_000] {
            let x = awkward(&mut rng, n, &SPECIAL);
            let mut want: Vec<(u64, usize)> = x
                .iter()
                .enumerate()
                .map(|(i, &v)| (total_order_key(v), i))
                .collect();
            want.sort_unstable();
            assert_eq!(total_order(&x), want, "n = {n}");
        }
    }

    #[test]
    fn inputs_given_by_value_give_the_same_regressions_bit_for_bit() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        let x1: Vec<f64> = (0..3_000).map(|_| rng.random::<f64>()).collect();
        let ties: Vec<f64> = (0..3_000).map(|_| rng.random_range(0..5) as f64).collect();
        let constant = vec![4.0; 3_000];
        let y: Vec<f64> = x1
            .iter()
            .zip(&ties)
            .map(|(a, b)| a + 0.3 * b + rng.random::<f64>())
            .collect();
        let borrowed = rank_regressions(&[&x1, &ties, &constant], &[&y, &x1]);
        let owned = rank_regressions_owned(vec![x1.clone(), ties, constant], &[&y, &x1]);
        assert_eq!(format!("{borrowed:?}"), format!("{owned:?}"));
        assert!(owned[0].inputs[2].spearman.is_none() && owned[0].r2.is_some());
    }

    #[test]
    fn a_monotone_function_of_the_inputs_is_fully_explained() {
        // y = exp(x1) exactly: Spearman 1 with x1, R² 1.
        let x1: Vec<f64> = (0..200).map(|i| ((i * 37) % 200) as f64).collect();
        let x2: Vec<f64> = (0..200).map(|i| ((i * 91) % 200) as f64).collect();
        let y: Vec<f64> = x1.iter().map(|v| (v / 50.0).exp()).collect();
        let r = &rank_regressions(&[&x1, &x2], &[&y])[0];
        assert!((r.inputs[0].spearman.unwrap() - 1.0).abs() < 1e-12);
        assert!((r.r2.unwrap() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn r2_recovers_the_inputs_share_of_a_linear_model_within_monte_carlo_error() {
        // y = x1 + x2 + e with x1, x2, e independent standard uniforms scaled so that the
        // inputs carry 2/3 of the variance: rank R² close to (but, ranks being a
        // transformation, not exactly) 2/3. Check it against a large-sample reference.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let n = 20_000;
        let x1: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
        let x2: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
        let c: Vec<f64> = vec![1.0; n];
        let y: Vec<f64> = (0..n)
            .map(|t| x1[t] + x2[t] + rng.random::<f64>())
            .collect();
        let r = &rank_regressions(&[&x1, &c, &x2], &[&y])[0];
        assert!(
            r.inputs[1].spearman.is_none(),
            "a constant input has no correlation"
        );
        let r2 = r.r2.unwrap();
        // Spearman of each input with y is about 0.56 (a uniform's share of a sum of three);
        // the R² of ranks is then about 2 * 0.56² = 0.63.
        for j in [0, 2] {
            let s = r.inputs[j].spearman.unwrap();
            assert!(
                r.inputs[j].ci95[0] < s && s < r.inputs[j].ci95[1],
                "{:?}",
                r.inputs[j]
            );
            assert!((s - 0.56).abs() < 0.03, "{s}");
        }
        assert!((r2 - 0.63).abs() < 0.04, "{r2}");
        assert!(r.r2_ci95[0] < r2 && r2 < r.r2_ci95[1]);
        // The noise explains nothing the inputs do not: an outcome of pure noise has R² near 0.
        let e: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
        let r0 = &rank_regressions(&[&x1, &x2], &[&e])[0];
        assert!(r0.r2.unwrap() < 0.002, "{:?}", r0.r2);
    }

    #[test]
    fn spearman_interval_narrows_with_n_and_stays_inside_minus_one_one() {
        let a = spearman_interval(0.5, 100);
        let b = spearman_interval(0.5, 10_000);
        assert!(a[0] < b[0] && b[1] < a[1]);
        assert!(b[0] < 0.5 && 0.5 < b[1]);
        let c = spearman_interval(0.99, 10);
        assert!(c[1] <= 1.0 && c[0] >= -1.0);
        assert_eq!(spearman_interval(0.3, 3), [-1.0, 1.0]);
    }
}
