//! Policy designs: which combinations of lever values an experiment evaluates.
//!
//! * [`factorial`]: every combination of the listed levels, in odometer order: the first
//!   lever (in the experiment file's order) changes slowest, the last fastest, so policy
//!   `i`'s level of lever `j` is digit `j` of `i` written in the mixed radix of the levels'
//!   counts. The count is the product of the counts; [`factorial_count`] computes it without
//!   overflow, so a design too large to evaluate is refused before it is built.
//! * [`lhs`]: a Latin hypercube of `n` policies over numeric lever ranges `[low, high]`:
//!   lever `j` of policy `i` lies in stratum `pi_j(i)` of `n` equal strata of its range
//!   (the engine's [`LatinHypercube`], keyed by the experiment's seed and a constant that
//!   keeps it apart from the trials' own design).

use crate::engine::{Design, LatinHypercube};

/// The number of policies of a factorial design over levers with `levels[j]` values each,
/// or `None` when it does not fit a `u64` (far beyond any limit an experiment accepts).
pub fn factorial_count(levels: &[usize]) -> Option<u64> {
    levels
        .iter()
        .try_fold(1u64, |acc, &n| acc.checked_mul(n as u64))
}

/// Every combination of levels, as level indices per lever, in odometer order (the last
/// lever changes fastest). No levers give one policy: the scenario as written.
///
/// ```
/// let d = defsim::analysis::explore::design::factorial(&[2, 3]);
/// assert_eq!(d, vec![vec![0, 0], vec![0, 1], vec![0, 2], vec![1, 0], vec![1, 1], vec![1, 2]]);
/// ```
pub fn factorial(levels: &[usize]) -> Vec<Vec<usize>> {
    let count = factorial_count(levels).expect("a design that fits in memory") as usize;
    (0..count)
        .map(|mut i| {
            let mut digits = vec![0; levels.len()];
            for (d, &n) in digits.iter_mut().zip(levels).rev() {
                *d = i % n;
                i /= n;
            }
            digits
        })
        .collect()
}

/// Keeps the policies' Latin hypercube apart from the trials' (`run --design lhs`).
const POLICY_KEY: u64 = 0x706f_6c69_6369_6573; // "policies"

/// A Latin hypercube of `n` policies over `ranges` (`[low, high]` per lever), keyed by
/// `seed`: `points[i][j]` is lever `j`'s value in policy `i`. Each lever's `n` values fall
/// one in each of `n` equal strata of its range.
pub fn lhs(n: u64, ranges: &[[f64; 2]], seed: u64) -> Vec<Vec<f64>> {
    let design = LatinHypercube::new(n, ranges.len(), seed ^ POLICY_KEY);
    let mut unit = vec![0.0; ranges.len()];
    (0..n)
        .map(|i| {
            design.point(i, &mut unit);
            unit.iter()
                .zip(ranges)
                .map(|(u, [lo, hi])| lo + (hi - lo) * u)
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factorial_counts_and_orders_like_an_odometer() {
        let levels = [3, 3, 2, 2, 2];
        let d = factorial(&levels);
        assert_eq!(d.len(), 72);
        assert_eq!(factorial_count(&levels), Some(72));
        assert_eq!(d[0], vec![0, 0, 0, 0, 0]);
        assert_eq!(d[1], vec![0, 0, 0, 0, 1]);
        assert_eq!(d[2], vec![0, 0, 0, 1, 0]);
        assert_eq!(d[8], vec![0, 1, 0, 0, 0]);
        assert_eq!(d[24], vec![1, 0, 0, 0, 0]);
        assert_eq!(d[71], vec![2, 2, 1, 1, 1]);
        // Every combination exactly once.
        let mut sorted = d.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 72);
        assert_eq!(sorted, d, "odometer order is lexicographic order");
    }

    #[test]
    fn no_levers_is_one_policy_and_huge_designs_do_not_overflow() {
        assert_eq!(factorial(&[]), vec![Vec::<usize>::new()]);
        assert_eq!(factorial_count(&[usize::MAX, 3]), None);
        assert_eq!(factorial_count(&[100, 100, 2]), Some(20_000));
    }

    #[test]
    fn lhs_puts_one_policy_in_each_stratum_of_each_range() {
        let ranges = [[0.0, 1.0], [0.5, 2.5]];
        let n = 40;
        let pts = lhs(n, &ranges, 7);
        assert_eq!(pts.len(), 40);
        for (j, [lo, hi]) in ranges.iter().enumerate() {
            let mut strata: Vec<usize> = pts
                .iter()
                .map(|p| {
                    assert!(p[j] > *lo && p[j] < *hi);
                    ((p[j] - lo) / (hi - lo) * n as f64) as usize
                })
                .collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..n as usize).collect::<Vec<_>>(), "lever {j}");
        }
        assert_eq!(pts, lhs(n, &ranges, 7), "deterministic");
        assert_ne!(pts, lhs(n, &ranges, 8), "keyed by the seed");
    }
}
