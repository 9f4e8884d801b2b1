//! Rank-based sensitivity: Spearman rank correlation and partial rank correlation (PRCC) of
//! each uncertain input with an outcome, with bootstrap intervals, and the change of the
//! outcome's mean between an input's bottom and top deciles.
//!
//! Ranks are mid-ranks (ties share the mean of their ranks). PRCC (Iman & Conover 1980;
//! Marino et al. 2008) is the correlation of the ranks of input `i` and of the outcome once
//! the (linear effect of the) ranks of every other input are removed; it is computed from
//! the inverse `P` of the rank correlation matrix of (inputs, outcome):
//! `prcc_i = -P[i][y] / sqrt(P[i][i] P[y][y])`.
//!
//! Bootstrap: each resample re-ranks the resampled trials. Ranks are re-computed in O(n)
//! from each variable's tie groups (the value order never changes, only the counts), so a
//! resample costs the correlations, not sorts. Intervals are 95% percentile intervals of
//! [`RESAMPLES`] resamples (see [`super::bootstrap`]), deterministic from the seed.

use rayon::prelude::*;

use super::bootstrap::{percentile_interval, resample_indices, resample_rng};
use super::moments::mean_variance;

/// Bootstrap resamples of the rank method.
pub const RESAMPLES: usize = 200;

/// One input's rank sensitivity for one outcome.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RankEffect {
    /// Spearman rank correlation (NaN if the outcome or input is constant).
    pub spearman: f64,
    /// Its 95% bootstrap interval.
    pub spearman_ci95: [f64; 2],
    /// Partial rank correlation coefficient.
    pub prcc: f64,
    /// Its 95% bootstrap interval.
    pub prcc_ci95: [f64; 2],
    /// Mean outcome over the input's top decile minus over its bottom decile.
    pub decile_delta: f64,
}

/// A variable's tie groups in value order: `group[t]` is trial `t`'s group, groups numbered
/// from the smallest value.
struct Ties {
    group: Vec<u32>,
    groups: usize,
}

impl Ties {
    fn new(x: &[f64]) -> Ties {
        let mut order: Vec<usize> = (0..x.len()).collect();
        order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        let mut group = vec![0u32; x.len()];
        let mut g = 0u32;
        for w in 0..order.len() {
            if w > 0 && x[order[w]] != x[order[w - 1]] {
                g += 1;
            }
            group[order[w]] = g;
        }
        Ties {
            group,
            groups: if x.is_empty() { 0 } else { g as usize + 1 },
        }
    }

    /// Mid-ranks of the trials `idx` (a resample, or all trials) among themselves.
    fn ranks(&self, idx: &[usize], counts: &mut Vec<f64>, out: &mut Vec<f64>) {
        counts.clear();
        counts.resize(self.groups, 0.0);
        for &t in idx {
            counts[self.group[t] as usize] += 1.0;
        }
        let mut below = 0.0;
        for c in counts.iter_mut() {
            let n = *c;
            *c = below + (n + 1.0) / 2.0;
            below += n;
        }
        out.clear();
        out.extend(idx.iter().map(|&t| counts[self.group[t] as usize]));
    }
}

/// Centres and scales `v` to unit norm (its sum of squared deviations is the sample
/// variance times `n - 1`, [`mean_variance`]); false, and all zeros, if it is constant.
fn standardize(v: &mut [f64]) -> bool {
    let (mean, norm) = match mean_variance(v.iter().copied()) {
        Some((mean, Some(var))) if var > 0.0 => (mean, (var * (v.len() - 1) as f64).sqrt()),
        _ => {
            v.fill(0.0);
            return false;
        }
    };
    v.iter_mut().for_each(|x| *x = (*x - mean) / norm);
    true
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Inverse of a symmetric positive-definite matrix (Gauss-Jordan, partial pivoting); None if
/// singular.
fn invert(mut a: Vec<Vec<f64>>) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut inv: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    for c in 0..n {
        let p = (c..n).max_by(|&x, &y| a[x][c].abs().total_cmp(&a[y][c].abs()))?;
        if a[p][c].abs() < 1e-12 {
            return None;
        }
        a.swap(c, p);
        inv.swap(c, p);
        let d = a[c][c];
        for j in 0..n {
            a[c][j] /= d;
            inv[c][j] /= d;
        }
        for r in 0..n {
            if r != c && a[r][c] != 0.0 {
                let f = a[r][c];
                for j in 0..n {
                    a[r][j] -= f * a[c][j];
                    inv[r][j] -= f * inv[c][j];
                }
            }
        }
    }
    Some(inv)
}

/// `([outcome][input] spearman, [outcome][input] prcc)`.
type Correlations = (Vec<Vec<f64>>, Vec<Vec<f64>>);

/// Spearman and PRCC of every input with every outcome on the trials `idx`.
fn correlations(ties: &[Ties], k: usize, idx: &[usize]) -> Correlations {
    let mut counts = Vec::new();
    let mut ok = Vec::with_capacity(ties.len());
    let ranks: Vec<Vec<f64>> = ties
        .iter()
        .map(|t| {
            let mut r = Vec::with_capacity(idx.len());
            t.ranks(idx, &mut counts, &mut r);
            ok.push(standardize(&mut r));
            r
        })
        .collect();
    let corr = |a: usize, b: usize| {
        if ok[a] && ok[b] {
            dot(&ranks[a], &ranks[b])
        } else {
            f64::NAN
        }
    };
    let cxx: Vec<Vec<f64>> = (0..k)
        .map(|i| {
            (0..k)
                .map(|j| {
                    if i == j {
                        1.0
                    } else {
                        corr(i.max(j), i.min(j))
                    }
                })
                .collect()
        })
        .collect();
    let m = ties.len() - k;
    let mut spearman = Vec::with_capacity(m);
    let mut prcc = Vec::with_capacity(m);
    for o in 0..m {
        let cxy: Vec<f64> = (0..k).map(|i| corr(i, k + o)).collect();
        let mut full = cxx.clone();
        for (row, &c) in full.iter_mut().zip(&cxy) {
            row.push(c);
        }
        let mut last = cxy.clone();
        last.push(1.0);
        full.push(last);
        let p = if full.iter().flatten().all(|x| x.is_finite()) {
            invert(full)
        } else {
            None
        };
        prcc.push(match p {
            Some(p) => (0..k)
                .map(|i| -p[i][k] / (p[i][i] * p[k][k]).sqrt())
                .collect(),
            None => vec![f64::NAN; k],
        });
        spearman.push(cxy);
    }
    (spearman, prcc)
}

/// Mean of `y` over the top decile of `x` minus over its bottom decile (trials ordered by
/// `x`, ties by index); NaN with fewer than 10 trials.
pub fn decile_delta(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len();
    let d = n / 10;
    if d == 0 {
        return f64::NAN;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
    let mean = |ix: &[usize]| ix.iter().map(|&t| y[t]).sum::<f64>() / ix.len() as f64;
    mean(&order[n - d..]) - mean(&order[..d])
}

/// Rank sensitivity of every outcome to every input: `[outcome][input]`.
///
/// `inputs[j]` and `outcomes[o]` are columns over the same trials, without NaN (leave out
/// the trials where an optional outcome is absent before calling). `seed` keys the
/// bootstrap; `resamples` is normally [`RESAMPLES`].
pub fn rank_sensitivity(
    inputs: &[&[f64]],
    outcomes: &[&[f64]],
    resamples: usize,
    seed: u64,
) -> Vec<Vec<RankEffect>> {
    let k = inputs.len();
    let n = inputs.first().map_or(0, |c| c.len());
    let ties: Vec<Ties> = inputs
        .iter()
        .chain(outcomes)
        .map(|c| Ties::new(c))
        .collect();
    let all: Vec<usize> = (0..n).collect();
    let (spearman, prcc) = correlations(&ties, k, &all);
    let boot: Vec<Correlations> = (0..resamples)
        .into_par_iter()
        .map(|b| {
            let mut idx = Vec::new();
            resample_indices(&mut resample_rng(seed, b), n, &mut idx);
            correlations(&ties, k, &idx)
        })
        .collect();
    (0..outcomes.len())
        .map(|o| {
            (0..k)
                .map(|i| {
                    let s: Vec<f64> = boot.iter().map(|r| r.0[o][i]).collect();
                    let p: Vec<f64> = boot.iter().map(|r| r.1[o][i]).collect();
                    RankEffect {
                        spearman: spearman[o][i],
                        spearman_ci95: percentile_interval(&s),
                        prcc: prcc[o][i],
                        prcc_ci95: percentile_interval(&p),
                        decile_delta: decile_delta(inputs[i], outcomes[o]),
                    }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn mid_ranks_share_ties() {
        let t = Ties::new(&[3.0, 1.0, 3.0, 2.0]);
        let (mut c, mut r) = (Vec::new(), Vec::new());
        t.ranks(&[0, 1, 2, 3], &mut c, &mut r);
        assert_eq!(r, vec![3.5, 1.0, 3.5, 2.0]);
        // A resample with trial 1 twice: ranks among the resample.
        t.ranks(&[1, 1, 0], &mut c, &mut r);
        assert_eq!(r, vec![1.5, 1.5, 3.0]);
    }

    #[test]
    fn spearman_of_a_monotone_transform_is_one() {
        let x: Vec<f64> = (0..50).map(|i| f64::from(i) * 0.37).collect();
        let y: Vec<f64> = x.iter().map(|v| v.exp()).collect();
        let r = rank_sensitivity(&[&x], &[&y], 20, 1);
        assert!((r[0][0].spearman - 1.0).abs() < 1e-12);
        assert!(
            (r[0][0].decile_delta - (y[49] + y[48] + y[47] + y[46] + y[45]) / 5.0
                + (y[0] + y[1] + y[2] + y[3] + y[4]) / 5.0)
                .abs()
                < 1e-9
        );
    }

    #[test]
    fn prcc_ranks_inputs_by_their_effect() {
        // y = 4 x1 + 2 x2 - 1 x3 + 0 x4 + noise: |PRCC| must follow |coefficient|.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let n = 4000;
        let cols: Vec<Vec<f64>> = (0..4)
            .map(|_| (0..n).map(|_| rng.random::<f64>()).collect())
            .collect();
        let y: Vec<f64> = (0..n)
            .map(|t| 4.0 * cols[0][t] + 2.0 * cols[1][t] - cols[2][t] + 2.0 * rng.random::<f64>())
            .collect();
        let inputs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
        let r = rank_sensitivity(&inputs, &[&y], 100, 9);
        let p: Vec<f64> = r[0].iter().map(|e| e.prcc).collect();
        assert!(p[0] > p[1] && p[1] > -p[2] && -p[2] > p[3].abs(), "{p:?}");
        assert!(p[2] < 0.0);
        // The irrelevant input's interval covers 0; the others' do not.
        assert!(r[0][3].prcc_ci95[0] < 0.0 && r[0][3].prcc_ci95[1] > 0.0);
        for e in &r[0][..3] {
            assert!(e.prcc_ci95[0] * e.prcc_ci95[1] > 0.0);
            assert!(e.prcc_ci95[0] <= e.prcc && e.prcc <= e.prcc_ci95[1]);
        }
        assert!(r[0][0].decile_delta > 3.0);
    }

    #[test]
    fn a_constant_outcome_gives_nan_not_a_panic() {
        let x: Vec<f64> = (0..30).map(f64::from).collect();
        let y = vec![1.0; 30];
        let r = rank_sensitivity(&[&x], &[&y], 10, 1);
        assert!(r[0][0].spearman.is_nan() && r[0][0].prcc.is_nan());
    }
}
