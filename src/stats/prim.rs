//! PRIM scenario discovery (Friedman & Fisher 1999, "Bump hunting in high-dimensional
//! data"; as in the EMA Workbench's `prim` module): which box of the uncertain inputs holds
//! the trials where a condition is true?
//!
//! Peeling: starting from every trial, each step considers, for every input, removing the
//! trials below its `alpha`-quantile (lower peel) or above its `1 - alpha`-quantile (upper
//! peel) within the current box, and keeps the peel whose remaining box has the highest
//! density (share of trials meeting the condition; ties: the larger box, then the first
//! input), Friedman & Fisher's original objective. When the quantile is the box's smallest
//! (largest) value because of ties, the peel removes that value's trials. Peeling stops
//! when no peel leaves at least `min_mass` of all trials, or when the density reaches 1.
//! Every box of the path is kept: the trajectory of coverage (share of all the trials of
//! interest inside) against density. Pasting is not done.
//!
//! Quasi-p-value of a restricted input (EMA Workbench): the one-sided binomial probability
//! `P(X >= hits)`, `X ~ Binomial(n_box, p_j)`, where `p_j` is the density of the box with
//! that input's limits removed: how surprising the box's density would be if the
//! restriction did nothing.

use statrs::function::beta::beta_reg;

use super::quantile_type7_sorted;

/// Peeling options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrimOptions {
    /// Share of the box's trials removed by one peel (Friedman & Fisher: 0.05-0.1).
    pub alpha: f64,
    /// Smallest share of all trials a box may hold.
    pub min_mass: f64,
}

impl Default for PrimOptions {
    fn default() -> PrimOptions {
        PrimOptions {
            alpha: 0.05,
            min_mass: 0.05,
        }
    }
}

/// One box of the peeling trajectory.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PrimBox {
    /// `[lo, hi]` per input (inclusive); unrestricted inputs keep the data's range.
    pub limits: Vec<[f64; 2]>,
    /// Trials inside.
    pub n: usize,
    /// Trials inside meeting the condition.
    pub hits: usize,
    /// Share of the trials meeting the condition that are inside.
    pub coverage: f64,
    /// Share of the trials inside meeting the condition.
    pub density: f64,
    /// Share of all trials inside.
    pub mass: f64,
}

/// The inputs' full ranges (the limits of the first box).
fn ranges(x: &[&[f64]]) -> Vec<[f64; 2]> {
    x.iter()
        .map(|c| {
            c.iter()
                .fold([f64::INFINITY, f64::NEG_INFINITY], |[lo, hi], &v| {
                    [lo.min(v), hi.max(v)]
                })
        })
        .collect()
}

fn make_box(limits: Vec<[f64; 2]>, inside: &[usize], y: &[bool], total_hits: usize) -> PrimBox {
    let n_all = y.len();
    let hits = inside.iter().filter(|&&t| y[t]).count();
    PrimBox {
        limits,
        n: inside.len(),
        hits,
        coverage: if total_hits == 0 {
            0.0
        } else {
            hits as f64 / total_hits as f64
        },
        density: if inside.is_empty() {
            0.0
        } else {
            hits as f64 / inside.len() as f64
        },
        mass: inside.len() as f64 / n_all as f64,
    }
}

/// The peeling trajectory of `y` (the condition per trial) over the inputs `x[j][trial]`.
/// The first box holds every trial.
pub fn peel(x: &[&[f64]], y: &[bool], opts: PrimOptions) -> Vec<PrimBox> {
    let n_all = y.len();
    let total_hits = y.iter().filter(|&&b| b).count();
    let mut limits = ranges(x);
    let mut inside: Vec<usize> = (0..n_all).collect();
    let mut path = vec![make_box(limits.clone(), &inside, y, total_hits)];
    let min_n = (opts.min_mass * n_all as f64).ceil() as usize;
    let mut values = Vec::new();
    while path.last().is_some_and(|b| b.density < 1.0 && b.n > 0) {
        // Best peel: (density, size, input, is_upper, new limit).
        let mut best: Option<(f64, usize, usize, bool, f64)> = None;
        for (j, col) in x.iter().enumerate() {
            values.clear();
            values.extend(inside.iter().map(|&t| col[t]));
            values.sort_by(f64::total_cmp);
            let (min, max) = (values[0], values[values.len() - 1]);
            if min == max {
                continue;
            }
            for upper in [false, true] {
                let q = quantile_type7_sorted(
                    &values,
                    if upper { 1.0 - opts.alpha } else { opts.alpha },
                );
                // Keep x >= q (x <= q); if that removes nothing, remove the ties at the edge.
                let limit = match (upper, q) {
                    (false, q) if q > min => q,
                    (false, _) => *values.iter().find(|&&v| v > min).expect("not constant"),
                    (true, q) if q < max => q,
                    (true, _) => *values
                        .iter()
                        .rev()
                        .find(|&&v| v < max)
                        .expect("not constant"),
                };
                let keep = |v: f64| if upper { v <= limit } else { v >= limit };
                let (mut kept, mut hits) = (0usize, 0usize);
                for &t in &inside {
                    if keep(col[t]) {
                        kept += 1;
                        hits += usize::from(y[t]);
                    }
                }
                if kept < min_n.max(1) {
                    continue;
                }
                let density = hits as f64 / kept as f64;
                let better = match best {
                    None => true,
                    Some((d, k, ..)) => density > d || (density == d && kept > k),
                };
                if better {
                    best = Some((density, kept, j, upper, limit));
                }
            }
        }
        let Some((_, _, j, upper, limit)) = best else {
            break;
        };
        if upper {
            limits[j][1] = limit;
            inside.retain(|&t| x[j][t] <= limit);
        } else {
            limits[j][0] = limit;
            inside.retain(|&t| x[j][t] >= limit);
        }
        path.push(make_box(limits.clone(), &inside, y, total_hits));
    }
    path
}

/// The default box of a trajectory: the one with the highest F1 score of coverage and
/// density (`2 c d / (c + d)`, their harmonic mean: the box that best trades the share of
/// cases explained against their purity); the earliest on ties.
pub fn default_box(path: &[PrimBox]) -> usize {
    let f1 = |b: &PrimBox| {
        let s = b.coverage + b.density;
        if s > 0.0 {
            2.0 * b.coverage * b.density / s
        } else {
            0.0
        }
    };
    (0..path.len()).fold(0, |best, i| {
        if f1(&path[i]) > f1(&path[best]) {
            i
        } else {
            best
        }
    })
}

/// Whether input `j` is restricted in `b` (a limit inside the data's range).
pub fn restricted(b: &PrimBox, full: &PrimBox, j: usize) -> bool {
    b.limits[j][0] > full.limits[j][0] || b.limits[j][1] < full.limits[j][1]
}

/// `P(X >= k)` for `X ~ Binomial(n, p)`: the regularised incomplete beta `I_p(k, n - k + 1)`.
pub fn binomial_upper_tail(k: usize, n: usize, p: f64) -> f64 {
    if k == 0 {
        1.0
    } else if k > n || p <= 0.0 {
        0.0
    } else if p >= 1.0 {
        1.0
    } else {
        beta_reg(k as f64, (n - k + 1) as f64, p)
    }
}

/// The quasi-p-value of input `j`'s restriction in box `b` (see the module documentation).
pub fn quasi_p(x: &[&[f64]], y: &[bool], b: &PrimBox, j: usize) -> f64 {
    let (mut n, mut hits) = (0usize, 0usize);
    for t in 0..y.len() {
        let inside = x
            .iter()
            .enumerate()
            .all(|(i, col)| i == j || (b.limits[i][0] <= col[t] && col[t] <= b.limits[i][1]));
        if inside {
            n += 1;
            hits += usize::from(y[t]);
        }
    }
    if n == 0 {
        return f64::NAN;
    }
    binomial_upper_tail(b.hits, b.n, hits as f64 / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn binomial_tail_matches_direct_sums() {
        // P(X >= 3), X ~ Bin(5, 0.4) = 0.31744.
        assert!((binomial_upper_tail(3, 5, 0.4) - 0.31744).abs() < 1e-12);
        assert_eq!(binomial_upper_tail(0, 5, 0.4), 1.0);
        assert_eq!(binomial_upper_tail(6, 5, 0.4), 0.0);
    }

    #[test]
    fn prim_recovers_a_planted_box() {
        // Condition true exactly inside x0 in [0.2, 0.7], x1 in [0.3, 1]; x2 irrelevant.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let n = 5000;
        let cols: Vec<Vec<f64>> = (0..3)
            .map(|_| (0..n).map(|_| rng.random::<f64>()).collect())
            .collect();
        let y: Vec<bool> = (0..n)
            .map(|t| (0.2..=0.7).contains(&cols[0][t]) && cols[1][t] >= 0.3)
            .collect();
        let x: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
        let path = peel(&x, &y, PrimOptions::default());
        let k = default_box(&path);
        let b = &path[k];
        // Peels remove 5% of the box at a time, so a limit may overshoot by about
        // 0.05 x the box's width along that input (< 0.05 here).
        let tol = 0.05;
        assert!((b.limits[0][0] - 0.2).abs() < tol, "{:?}", b.limits);
        assert!((b.limits[0][1] - 0.7).abs() < tol, "{:?}", b.limits);
        assert!((b.limits[1][0] - 0.3).abs() < tol, "{:?}", b.limits);
        assert!(b.limits[1][1] > 1.0 - tol && b.limits[2][0] < tol && b.limits[2][1] > 1.0 - tol);
        assert!(b.density > 0.95 && b.coverage > 0.85, "{b:?}");
        // Trajectory: density never falls, coverage never rises.
        for w in path.windows(2) {
            assert!(w[1].coverage <= w[0].coverage && w[1].n < w[0].n);
        }
        let full = &path[0];
        assert!(restricted(b, full, 0) && quasi_p(&x, &y, b, 0) < 1e-6);
        assert!(quasi_p(&x, &y, b, 1) < 1e-6);
    }
}
