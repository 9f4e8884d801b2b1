//! Which lever moves P(criterion) most: main effects over a policy design.
//!
//! The main effect of lever `j` at level `l` is the mean of P(criterion) over the policies
//! that set lever `j` to `l` (averaging over the other levers' levels: Box, Hunter & Hunter,
//! "Statistics for Experimenters", ch. 5). A lever's effect is the difference between its
//! best and its worst level. Because every policy runs on the same futures, that difference
//! has a paired interval: in future `t`, `d_t` = (share of the best level's policies meeting
//! the criterion) minus (share of the worst level's), and the interval is
//! `mean(d) ± z sd(d) / sqrt(n)` ([`crate::analysis::compare::paired`]). Picking the best and worst
//! levels from the same data makes the difference slightly optimistic when levels are
//! close; an effect whose interval covers 0 is reported as not distinguishable from none.
//!
//! For a Latin hypercube of numeric levers, [`bins`] groups each lever's values into
//! equal-count bins, which then serve as its levels.

use serde::{Deserialize, Serialize};

use crate::analysis::compare::{Difference, paired};

/// The main effect of one lever on P(criterion).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MainEffect {
    /// Mean P(criterion) over the policies at each level (in the lever's level order;
    /// `None` for a level no policy has).
    pub level_means: Vec<Option<f64>>,
    /// The level with the lowest mean.
    pub low: usize,
    /// The level with the highest mean.
    pub high: usize,
    /// P at `high` minus P at `low`, with its paired interval (`None` with one level or
    /// fewer than two futures).
    pub effect: Option<Difference>,
}

impl MainEffect {
    /// The size of the effect (0 when there is none).
    pub fn size(&self) -> f64 {
        self.effect.as_ref().map_or(0.0, |d| d.diff.abs())
    }
}

/// Per future, the share of `policies` meeting the criterion.
fn share(policies: &[usize], met: &[&[f64]], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n];
    for &p in policies {
        for (o, &v) in out.iter_mut().zip(met[p]) {
            *o += v;
        }
    }
    let k = policies.len() as f64;
    out.iter_mut().for_each(|v| *v /= k);
    out
}

/// Main effects of every lever. `levels[p][j]` is policy `p`'s level of lever `j`,
/// `counts[j]` lever `j`'s number of levels, `met[p][t]` 1 when policy `p` meets the
/// criterion in future `t`.
pub fn main_effects(levels: &[Vec<usize>], counts: &[usize], met: &[&[f64]]) -> Vec<MainEffect> {
    let n = met.first().map_or(0, |m| m.len());
    counts
        .iter()
        .enumerate()
        .map(|(j, &count)| {
            let members: Vec<Vec<usize>> = (0..count)
                .map(|l| (0..levels.len()).filter(|&p| levels[p][j] == l).collect())
                .collect();
            let shares: Vec<Option<Vec<f64>>> = members
                .iter()
                .map(|m| (!m.is_empty()).then(|| share(m, met, n)))
                .collect();
            let level_means: Vec<Option<f64>> = shares
                .iter()
                .map(|s| s.as_ref().map(|s| s.iter().sum::<f64>() / n as f64))
                .collect();
            let present: Vec<(usize, f64)> = level_means
                .iter()
                .enumerate()
                .filter_map(|(l, m)| m.map(|m| (l, m)))
                .collect();
            // Ties go to the first level, so the effect reads from the earlier level.
            let low = present
                .iter()
                .copied()
                .reduce(|a, b| if b.1 < a.1 { b } else { a })
                .map_or(0, |x| x.0);
            let high = present
                .iter()
                .copied()
                .reduce(|a, b| if b.1 > a.1 { b } else { a })
                .map_or(0, |x| x.0);
            let effect = if present.len() >= 2 && low != high {
                paired(
                    shares[low].as_deref().expect("present"),
                    shares[high].as_deref().expect("present"),
                )
            } else {
                None
            };
            MainEffect {
                level_means,
                low,
                high,
                effect,
            }
        })
        .collect()
}

/// Two levers' joint effect on P(criterion).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TwoWay {
    /// The two levers (indices): rows follow the first, columns the second.
    pub levers: [usize; 2],
    /// `means[i][j]`: mean P(criterion) over the policies with the first lever at level `i`
    /// and the second at level `j` (averaged over the other levers' levels); `None` where no
    /// policy has that pair.
    pub means: Vec<Vec<Option<f64>>>,
}

/// The (up to) two levers with the largest effects, largest first (ties by lever order);
/// levers without an effect are left out.
pub fn strongest_two(effects: &[MainEffect]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..effects.len())
        .filter(|&j| effects[j].effect.is_some())
        .collect();
    idx.sort_by(|&a, &b| {
        effects[b]
            .size()
            .total_cmp(&effects[a].size())
            .then(a.cmp(&b))
    });
    idx.truncate(2);
    idx
}

/// Mean P(criterion) over the policies at each pair of levels of levers `a` and `b`:
/// `cells[la][lb]` (`None` where no policy has that pair).
pub fn two_way(
    levels: &[Vec<usize>],
    counts: &[usize],
    p: &[f64],
    a: usize,
    b: usize,
) -> Vec<Vec<Option<f64>>> {
    let mut sum = vec![vec![(0.0, 0usize); counts[b]]; counts[a]];
    for (lv, &pp) in levels.iter().zip(p) {
        let cell = &mut sum[lv[a]][lv[b]];
        cell.0 += pp;
        cell.1 += 1;
    }
    sum.into_iter()
        .map(|row| {
            row.into_iter()
                .map(|(s, k)| (k > 0).then(|| s / k as f64))
                .collect()
        })
        .collect()
}

/// Equal-count bins of `values` (by rank, ties by index): `k` bins (fewer when there are
/// fewer values); returns each value's bin.
pub fn bins(values: &[f64], k: usize) -> Vec<usize> {
    let n = values.len();
    let k = k.min(n).max(1);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let mut out = vec![0; n];
    for (rank, &i) in order.iter().enumerate() {
        out[i] = rank * k / n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_effects_of_a_hand_made_table() {
        // Two levers (2 x 2), four futures. Lever 0 matters, lever 1 does not.
        let levels = vec![vec![0, 0], vec![0, 1], vec![1, 0], vec![1, 1]];
        let p00 = [0.0, 0.0, 1.0, 0.0];
        let p01 = [0.0, 0.0, 0.0, 1.0];
        let p10 = [1.0, 1.0, 1.0, 0.0];
        let p11 = [1.0, 1.0, 0.0, 1.0];
        let met: Vec<&[f64]> = vec![&p00, &p01, &p10, &p11];
        let e = main_effects(&levels, &[2, 2], &met);
        // Lever 0: level 0 mean P = (0.25 + 0.25) / 2 = 0.25; level 1 = 0.75.
        assert_eq!(e[0].level_means, vec![Some(0.25), Some(0.75)]);
        assert_eq!((e[0].low, e[0].high), (0, 1));
        let d = e[0].effect.as_ref().unwrap();
        // Per future: shares at level 1 minus level 0: 1, 1, -0.5 + 0.5 = 0, 0 -> 0.5.
        assert_eq!(d.diff, 0.5);
        // Lever 1: both levels 0.5: no effect (the tie keeps the first level as both ends).
        assert_eq!(e[1].level_means, vec![Some(0.5), Some(0.5)]);
        assert!(e[1].effect.is_none());
        assert_eq!(strongest_two(&e), vec![0]);
    }

    #[test]
    fn strongest_two_ranks_by_size_whatever_the_sign() {
        let mk = |diff: f64| MainEffect {
            level_means: vec![],
            low: 0,
            high: 1,
            effect: Some(Difference {
                diff,
                ci95: [diff - 0.01, diff + 0.01],
                n: 100,
            }),
        };
        let e = vec![mk(0.1), mk(0.3), mk(0.2), mk(0.3)];
        assert_eq!(strongest_two(&e), vec![1, 3]);
    }

    #[test]
    fn two_way_averages_over_the_other_levers() {
        // Three levers 2 x 2 x 2; P = level sum / 3.
        let levels = crate::analysis::explore::design::factorial(&[2, 2, 2]);
        let p: Vec<f64> = levels
            .iter()
            .map(|l| l.iter().sum::<usize>() as f64 / 3.0)
            .collect();
        let cells = two_way(&levels, &[2, 2, 2], &p, 0, 2);
        // (0, 0): policies 000, 010 -> (0 + 1/3) / 2
        assert!((cells[0][0].unwrap() - 1.0 / 6.0).abs() < 1e-12);
        assert!((cells[1][1].unwrap() - (2.0 / 3.0 + 1.0) / 2.0).abs() < 1e-12);
    }

    #[test]
    fn bins_have_equal_counts() {
        let v = [0.9, 0.1, 0.5, 0.3, 0.7, 0.2];
        assert_eq!(bins(&v, 3), vec![2, 0, 1, 1, 2, 0]);
        assert_eq!(bins(&v, 10), vec![5, 0, 3, 2, 4, 1]);
    }
}
