//! Rank-based sensitivity: Spearman rank correlation and partial rank correlation (PRCC) of
//! each uncertain input with an outcome, with asymptotic 95% intervals, and the change of the
//! outcome's mean between an input's bottom and top deciles.
//!
//! Ranks are mid-ranks (ties share the mean of their ranks). PRCC (Iman & Conover 1980;
//! Marino et al. 2008) is the correlation of the ranks of input `i` and of the outcome once
//! the (linear effect of the) ranks of every other input are removed; it is computed from
//! the inverse `P` of the rank correlation matrix of (inputs, outcome):
//! `prcc_i = -P[i][y] / sqrt(P[i][i] P[y][y])`.
//!
//! Intervals: batch means on Fisher's z scale ([`section_interval`]): the trials are cut into
//! [`SECTIONS`] sections, each estimates the coefficients, and their spread (scaled to the
//! whole run's size) gives a Student-t interval around the whole run's estimate. It assumes
//! nothing about the joint law, and costs about one more pass over the ranks. They replace
//! a 200-resample bootstrap that cost 30 times the simulation itself. Small runs fall back to
//! Fisher's z with the Bonett-Wright variance ([`fisher_interval`]). The coverage tests
//! below check the nominal 95% on known cases.

use rayon::prelude::*;

use super::Z95;
use super::moments::mean_variance;
use super::select::{from_total_order_key, total_order};

/// One input's rank sensitivity for one outcome.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RankEffect {
    /// Spearman rank correlation (NaN if the outcome or input is constant).
    pub spearman: f64,
    /// Its 95% interval ([`section_interval`] with `q = 0`).
    pub spearman_ci95: [f64; 2],
    /// Partial rank correlation coefficient.
    pub prcc: f64,
    /// Its 95% interval ([`section_interval`] with `q = k - 1`).
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
        Ties::from_order(&total_order(x))
    }

    /// The ties of a variable from its sorted (key, index) pairs ([`total_order`]): the
    /// order of `total_cmp` without reading the variable at random; a new group where the
    /// value differs (`!=`, so -0 and +0 share one, as before).
    fn from_order(order: &[(u64, usize)]) -> Ties {
        let mut group = vec![0u32; order.len()];
        let mut g = 0u32;
        for w in 0..order.len() {
            if w > 0 && from_total_order_key(order[w].0) != from_total_order_key(order[w - 1].0) {
                g += 1;
            }
            group[order[w].1] = g;
        }
        Ties {
            group,
            groups: if order.is_empty() { 0 } else { g as usize + 1 },
        }
    }

    /// Mid-ranks of the trials `idx` (a section, or all trials) among themselves.
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

/// Spearman rank correlation of `x` and `y` (mid-ranks for ties); NaN when either is
/// constant or there are fewer than 2 pairs.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    assert_eq!(x.len(), y.len(), "spearman: paired samples");
    if x.len() < 2 {
        return f64::NAN;
    }
    let idx: Vec<usize> = (0..x.len()).collect();
    let mut counts = Vec::new();
    let mut rank = |v: &[f64]| {
        let mut r = Vec::with_capacity(v.len());
        Ties::new(v).ranks(&idx, &mut counts, &mut r);
        let ok = standardize(&mut r);
        (r, ok)
    };
    let (rx, okx) = rank(x);
    let (ry, oky) = rank(y);
    if okx && oky { dot(&rx, &ry) } else { f64::NAN }
}

/// Mean of `y` over the top decile of `x` minus over its bottom decile (trials ordered by
/// `x`, ties by index); NaN with fewer than 10 trials.
pub fn decile_delta(x: &[f64], y: &[f64]) -> f64 {
    decile_delta_ordered(&decile_order(x), y)
}

/// The trials ordered by `x`, ties by index.
fn decile_order(x: &[f64]) -> Vec<usize> {
    total_order(x).into_iter().map(|(_, i)| i).collect()
}

/// [`decile_delta`] from `x`'s order ([`decile_order`]).
fn decile_delta_ordered(order: &[usize], y: &[f64]) -> f64 {
    let n = order.len();
    let d = n / 10;
    if d == 0 {
        return f64::NAN;
    }
    let mean = |ix: &[usize]| ix.iter().map(|&t| y[t]).sum::<f64>() / ix.len() as f64;
    mean(&order[n - d..]) - mean(&order[..d])
}

/// The 95% interval of a rank correlation `r` from `n` pairs with `q` variables partialled
/// out: `tanh(atanh(r) -/+ 1.96 s)`, `s^2 = (1 + r^2 / 2) / (n - 3 - q)` (Fisher's z with the
/// variance of Bonett & Wright 2000 for Spearman's coefficient). `[r, r]` when `|r| = 1`; NaN
/// when `r` is NaN or `n <= q + 3`.
pub fn fisher_interval(r: f64, n: usize, q: usize) -> [f64; 2] {
    if r.is_nan() || n <= q + 3 {
        return [f64::NAN, f64::NAN];
    }
    let r = r.clamp(-1.0, 1.0);
    if r.abs() == 1.0 {
        return [r, r];
    }
    let s = ((1.0 + r * r / 2.0) / (n - 3 - q) as f64).sqrt();
    let z = r.atanh();
    [(z - Z95 * s).tanh(), (z + Z95 * s).tanh()]
}

/// Sections of the batch-means intervals ([`section_interval`]).
pub const SECTIONS: usize = 20;

/// Student's t quantile 97.5% with `SECTIONS - 1 = 19` degrees of freedom.
const T975_19: f64 = 2.093_024_054_408_263;

/// The 95% batch-means interval of a rank correlation `r` estimated on `n` trials with `q`
/// variables partialled out, from its estimates `parts` on [`SECTIONS`] disjoint sections of
/// about `n / SECTIONS` trials each: on Fisher's z scale, `z(r) -/+ t s c`, where `s` is the
/// standard deviation of the sections' `z`, `c^2 = (n / SECTIONS - 3 - q) / (n - 3 - q)`
/// scales a section's variance to the whole run's (the variance of `z` falls as
/// `1 / (n - 3 - q)`, Fisher 1924; whatever its constant, which depends on the unknown joint
/// law, cancels) and `t` is Student's 97.5% quantile with 19 degrees of freedom (sections
/// are independent, so the interval is distribution-free: Schmeiser 1982). None when a
/// section's estimate is not finite or a section is too small (under `q + 13` trials).
pub fn section_interval(r: f64, parts: &[f64], n: usize, q: usize) -> Option<[f64; 2]> {
    let m = n as f64 / parts.len() as f64;
    if parts.len() != SECTIONS || r.is_nan() || m < (q + 13) as f64 {
        return None;
    }
    let z: Vec<f64> = parts.iter().map(|p| p.atanh()).collect();
    if z.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let (_, var) = mean_variance(z.iter().copied())?;
    let c2 = (m - 3.0 - q as f64) / (n - 3 - q) as f64;
    let half = T975_19 * (var? * c2).sqrt();
    let r = r.clamp(-1.0, 1.0);
    let zr = r.atanh();
    Some([(zr - half).tanh(), (zr + half).tanh()])
}

/// Rank sensitivity of every outcome to every input: `[outcome][input]`.
///
/// `inputs[j]` and `outcomes[o]` are columns over the same trials, without NaN (leave out
/// the trials where an optional outcome is absent before calling). Intervals: batch means
/// over [`SECTIONS`] sections of consecutive trials ([`section_interval`]), or Fisher's z
/// with the Bonett-Wright variance ([`fisher_interval`]) where sections are too small or a
/// section's estimate is undefined. Deterministic: no random numbers, and the same result
/// on any number of threads.
pub fn rank_sensitivity(inputs: &[&[f64]], outcomes: &[&[f64]]) -> Vec<Vec<RankEffect>> {
    let k = inputs.len();
    let n = inputs.first().map_or(0, |c| c.len());
    // One sort of each input serves its ties and its decile order.
    let (mut ties, orders): (Vec<Ties>, Vec<Vec<usize>>) = inputs
        .par_iter()
        .map(|x| {
            let order = total_order(x);
            let ties = Ties::from_order(&order);
            (ties, order.into_iter().map(|(_, i)| i).collect())
        })
        .unzip();
    ties.par_extend(outcomes.par_iter().map(|c| Ties::new(c)));
    let all: Vec<usize> = (0..n).collect();
    let (spearman, prcc) = correlations(&ties, k, &all);
    let parts: Vec<Correlations> = (0..SECTIONS)
        .into_par_iter()
        .map(|g| correlations(&ties, k, &all[g * n / SECTIONS..(g + 1) * n / SECTIONS]))
        .collect();
    let interval = |r: f64, part: &dyn Fn(&Correlations) -> f64, q: usize| {
        let parts: Vec<f64> = parts.iter().map(part).collect();
        section_interval(r, &parts, n, q).unwrap_or_else(|| fisher_interval(r, n, q))
    };
    (0..outcomes.len())
        .map(|o| {
            (0..k)
                .map(|i| RankEffect {
                    spearman: spearman[o][i],
                    spearman_ci95: interval(spearman[o][i], &|c| c.0[o][i], 0),
                    prcc: prcc[o][i],
                    prcc_ci95: interval(prcc[o][i], &|c| c.1[o][i], k - 1),
                    decile_delta: decile_delta_ordered(&orders[i], outcomes[o]),
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testdata::{SPECIAL, awkward};
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// The old index sorts under an indirect comparator, for comparison.
    fn old_groups(x: &[f64]) -> (Vec<u32>, usize) {
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
        (group, if x.is_empty() { 0 } else { g as usize + 1 })
    }

    #[test]
    fn ties_and_decile_order_equal_the_comparator_sorts_with_signed_zeros_and_infinities() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(12);
        for n in [0, 1, 2, 100, 20_000] {
            let x = awkward(&mut rng, n, &SPECIAL);
            let t = Ties::new(&x);
            assert_eq!((t.group, t.groups), old_groups(&x), "n = {n}");
            let mut want: Vec<usize> = (0..x.len()).collect();
            want.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
            assert_eq!(decile_order(&x), want, "n = {n}");
        }
    }

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
        let r = rank_sensitivity(&[&x], &[&y]);
        assert!((r[0][0].spearman - 1.0).abs() < 1e-12);
        assert!(
            (r[0][0].decile_delta - (y[49] + y[48] + y[47] + y[46] + y[45]) / 5.0
                + (y[0] + y[1] + y[2] + y[3] + y[4]) / 5.0)
                .abs()
                < 1e-9
        );
    }

    #[test]
    fn spearman_known_answers() {
        // Ranks (1,2,3,4,5) and (2,1,4,3,5): 1 - 6 * 4 / (5 * 24) = 0.8.
        let r = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[20.0, 10.0, 40.0, 30.0, 50.0]);
        assert!((r - 0.8).abs() < 1e-12, "{r}");
        let r = spearman(&[1.0, 2.0, 3.0], &[9.0, 4.0, 1.0]);
        assert!((r + 1.0).abs() < 1e-12);
        assert!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).is_nan());
        assert!(spearman(&[1.0], &[1.0]).is_nan());
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
        let r = rank_sensitivity(&inputs, &[&y]);
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

    /// Draws of one trial `(x1, x2, x3, y)` of a known case.
    type Draw = fn(&mut Xoshiro256PlusPlus) -> [f64; 4];

    /// Independent standard normal x1, x2, x3 and `y = x1 + 0.5 x2 + 0.5 e`.
    fn normal_case(rng: &mut Xoshiro256PlusPlus) -> [f64; 4] {
        use rand_distr::{Distribution, StandardNormal};
        let v: [f64; 4] = std::array::from_fn(|_| StandardNormal.sample(rng));
        [v[0], v[1], v[2], v[0] + 0.5 * v[1] + 0.5 * v[3]]
    }

    /// Independent uniform x1, x2, x3 and a skewed, heteroskedastic `y = exp(3 x1) + 4 x2^2 e`
    /// (e exponential): far from a normal copula.
    fn skewed_case(rng: &mut Xoshiro256PlusPlus) -> [f64; 4] {
        let v: [f64; 4] = std::array::from_fn(|_| rng.random::<f64>());
        let e = -(1.0 - v[3]).ln();
        [v[0], v[1], v[2], (3.0 * v[0]).exp() + 4.0 * v[1] * v[1] * e]
    }

    /// `n` trials of a case, as columns.
    fn sample(draw: Draw, rng: &mut Xoshiro256PlusPlus, n: usize) -> Vec<Vec<f64>> {
        let mut cols: Vec<Vec<f64>> = (0..4).map(|_| Vec::with_capacity(n)).collect();
        for _ in 0..n {
            for (c, v) in cols.iter_mut().zip(draw(rng)) {
                c.push(v);
            }
        }
        cols
    }

    /// `[spearman, prcc][input]` hits of the intervals of `reps` samples of `n` over `truth`.
    fn coverage(draw: Draw, truth: [[f64; 3]; 2], reps: usize, n: usize) -> [[f64; 3]; 2] {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2026);
        let mut hits = [[0usize; 3]; 2];
        for _ in 0..reps {
            let cols = sample(draw, &mut rng, n);
            let inputs: Vec<&[f64]> = cols[..3].iter().map(|c| c.as_slice()).collect();
            let r = rank_sensitivity(&inputs, &[&cols[3]]);
            for (i, e) in r[0].iter().enumerate() {
                let inside = |ci: [f64; 2], v: f64| usize::from(ci[0] <= v && v <= ci[1]);
                hits[0][i] += inside(e.spearman_ci95, truth[0][i]);
                hits[1][i] += inside(e.prcc_ci95, truth[1][i]);
            }
        }
        hits.map(|h| h.map(|c| c as f64 / reps as f64))
    }

    /// The normal case's true coefficients: the population Spearman coefficient of a pair
    /// with Pearson correlation `rho` is `(6 / pi) asin(rho / 2)` (Pearson 1907); the
    /// population PRCC is the same function of the population Spearman matrix as the
    /// estimate is of the sample's.
    fn normal_truth() -> [[f64; 3]; 2] {
        let (a, b) = (1.0 / 1.5f64.sqrt(), 0.5 / 1.5f64.sqrt());
        let pearson = [
            [1.0, 0.0, 0.0, a],
            [0.0, 1.0, 0.0, b],
            [0.0, 0.0, 1.0, 0.0],
            [a, b, 0.0, 1.0],
        ];
        let rs: Vec<Vec<f64>> = pearson
            .iter()
            .map(|row| {
                row.iter()
                    .map(|&r| 6.0 / std::f64::consts::PI * (r / 2.0).asin())
                    .collect()
            })
            .collect();
        let p = invert(rs.clone()).unwrap();
        [
            std::array::from_fn(|i| rs[i][3]),
            std::array::from_fn(|i| -p[i][3] / (p[i][i] * p[3][3]).sqrt()),
        ]
    }

    /// Samples of a known case whose rank coefficients are set (normal case: strong and
    /// moderate PRCC 0.87 and 0.66, Spearman 0.80 and 0.39; skewed case: the truth is the
    /// estimate on 2,000,000 trials, whose own error, about 0.001, is small beside the
    /// intervals' half-width at 2,000 trials, about 0.04). Over 2,000 independent samples of
    /// 2,000 trials (sections of 100), each batch-means interval must cover its true value at
    /// 95% within 4 binomial standard errors (+-0.0195): an interval 10% too narrow (0.925)
    /// fails, and so did the Bonett-Wright interval for the normal case's PRCC (0.97: too
    /// wide).
    #[test]
    fn section_intervals_cover_at_the_nominal_rate_on_known_cases() {
        const REPS: usize = 2000;
        let tol = 4.0 * (0.95 * 0.05 / REPS as f64).sqrt();
        let skewed = {
            let cols = sample(
                skewed_case,
                &mut Xoshiro256PlusPlus::seed_from_u64(1),
                2_000_000,
            );
            let inputs: Vec<&[f64]> = cols[..3].iter().map(|c| c.as_slice()).collect();
            let r = rank_sensitivity(&inputs, &[&cols[3]]);
            [
                std::array::from_fn(|i| r[0][i].spearman),
                std::array::from_fn(|i| r[0][i].prcc),
            ]
        };
        for (case, draw, truth) in [
            ("normal", normal_case as Draw, normal_truth()),
            ("skewed", skewed_case as Draw, skewed),
        ] {
            let rates = coverage(draw, truth, REPS, 2000);
            eprintln!("{case}: coverage {rates:?}; truth {truth:?}");
            for (what, h) in ["spearman", "prcc"].iter().zip(rates) {
                for (i, rate) in h.iter().enumerate() {
                    assert!(
                        (rate - 0.95).abs() < tol,
                        "{case} {what} of x{}: coverage {rate} (nominal 0.95 +- {tol:.4})",
                        i + 1
                    );
                }
            }
        }
    }

    /// Small runs (sections under `q + 13` trials) use Fisher's z with the Bonett-Wright
    /// variance: on the normal case at 200 trials, Spearman's interval covers at 95% within 4
    /// binomial standard errors, and PRCC's at least that often (it is conservative there).
    #[test]
    fn small_runs_fall_back_to_bonett_wright() {
        const REPS: usize = 2000;
        let tol = 4.0 * (0.95 * 0.05 / REPS as f64).sqrt();
        let rates = coverage(normal_case, normal_truth(), REPS, 200);
        eprintln!("fallback: coverage {rates:?}");
        for rate in rates[0] {
            assert!((rate - 0.95).abs() < tol, "spearman {rates:?}");
        }
        for rate in rates[1] {
            assert!(rate > 0.95 - tol, "prcc {rates:?}");
        }
        let x = sample(normal_case, &mut Xoshiro256PlusPlus::seed_from_u64(3), 200);
        let inputs: Vec<&[f64]> = x[..3].iter().map(|c| c.as_slice()).collect();
        let e = &rank_sensitivity(&inputs, &[&x[3]])[0][0];
        assert_eq!(e.prcc_ci95, fisher_interval(e.prcc, 200, 2));
    }

    #[test]
    fn fisher_interval_edges() {
        assert_eq!(fisher_interval(1.0, 100, 3), [1.0, 1.0]);
        assert!(fisher_interval(0.5, 4, 1)[0].is_nan());
        assert!(fisher_interval(f64::NAN, 100, 0)[1].is_nan());
        // n = 1003, r = 0: +-1.96 / sqrt(1000) on the z scale.
        let [lo, hi] = fisher_interval(0.0, 1003, 0);
        assert!((hi - (Z95 / 1000f64.sqrt()).tanh()).abs() < 1e-12 && (lo + hi).abs() < 1e-15);
    }

    #[test]
    fn a_constant_outcome_gives_nan_not_a_panic() {
        let x: Vec<f64> = (0..30).map(f64::from).collect();
        let y = vec![1.0; 30];
        let r = rank_sensitivity(&[&x], &[&y]);
        assert!(r[0][0].spearman.is_nan() && r[0][0].prcc.is_nan());
    }
}
