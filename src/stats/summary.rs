//! Exact summary of one outcome over all trials: the `summary.json` outcome object.
//!
//! - Mean by compensated (Neumaier) summation in index order.
//! - Sample standard deviation with divisor n - 1, by the corrected two-pass algorithm
//!   (second pass over the deviations from the mean, minus the squared sum of the deviations
//!   over n; Chan, Golub & LeVeque, "Algorithms for computing the sample variance", The
//!   American Statistician 37, 1983), both sums compensated ([`super::mean_variance`]).
//!   `se = sd / sqrt(n)`.
//! - Quantiles of type 7 of Hyndman & Fan ("Sample quantiles in statistical packages",
//!   The American Statistician 50, 1996): linear interpolation between order statistics,
//!   `h = (n - 1) q`, `Q(q) = x[floor(h)] + (h - floor(h)) (x[floor(h) + 1] - x[floor(h)])`
//!   with `x` sorted ascending and indexed from 0. This is R's default `quantile()` and
//!   NumPy's default `"linear"` method.
//!
//! Guarantees: quantiles, min and max depend only on the multiset of values (bit for bit
//! the same for any permutation of the input: order statistics are selected under the
//! total order [`f64::total_cmp`], so equal keys are identical bit patterns); mean, sd and
//! se are deterministic for a given input order. Inputs are expected finite (a NaN outcome
//! is a bug the engine reports); a NaN would make the mean NaN and sort after `+inf`.

use serde::{Deserialize, Serialize};

use super::QUANTILES;
use super::moments::mean_variance;
use super::select::PresentKeys;

/// Summary statistics of one outcome; serialises as the `summary.json` outcome object with
/// keys `n, mean, sd, se, p05, p10, p25, p50, p75, p90, p95, min, max` in that order,
/// `None` as `null`.
///
/// With `n = 0` every statistic is `None`. With `n = 1`, `sd` and `se` are `None`: the
/// sample standard deviation divides by `n - 1 = 0`, and reporting 0 would claim a precision
/// that one observation cannot give; the other statistics equal the single value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeStats {
    /// Number of observations.
    pub n: u64,
    /// Arithmetic mean.
    pub mean: Option<f64>,
    /// Sample standard deviation (divisor n - 1); `None` when n < 2.
    pub sd: Option<f64>,
    /// Standard error of the mean, `sd / sqrt(n)`; `None` when n < 2.
    pub se: Option<f64>,
    /// 5% quantile (type 7).
    pub p05: Option<f64>,
    /// 10% quantile (type 7).
    pub p10: Option<f64>,
    /// 25% quantile (type 7).
    pub p25: Option<f64>,
    /// Median (type 7).
    pub p50: Option<f64>,
    /// 75% quantile (type 7).
    pub p75: Option<f64>,
    /// 90% quantile (type 7).
    pub p90: Option<f64>,
    /// 95% quantile (type 7).
    pub p95: Option<f64>,
    /// Smallest value.
    pub min: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
}

impl OutcomeStats {
    /// The summary of `n` observations with mean `mean` and sample standard deviation `sd`
    /// (`None` below two observations); `q` holds the min, the [`QUANTILES`] in order, and
    /// the max. The standard error is `sd / sqrt(n)`.
    pub fn from_quantiles(
        n: u64,
        mean: Option<f64>,
        sd: Option<f64>,
        q: [Option<f64>; QUANTILES.len() + 2],
    ) -> OutcomeStats {
        OutcomeStats {
            n,
            mean,
            sd,
            se: sd.map(|sd| sd / (n as f64).sqrt()),
            min: q[0],
            p05: q[1],
            p10: q[2],
            p25: q[3],
            p50: q[4],
            p75: q[5],
            p90: q[6],
            p95: q[7],
            max: q[8],
        }
    }

    /// The summary of no observations: `n = 0`, every statistic `None`.
    pub const EMPTY: OutcomeStats = OutcomeStats {
        n: 0,
        mean: None,
        sd: None,
        se: None,
        p05: None,
        p10: None,
        p25: None,
        p50: None,
        p75: None,
        p90: None,
        p95: None,
        min: None,
        max: None,
    };
}

/// Summarises `values` (one outcome over all trials).
///
/// Mean and sd are computed first, in index order; then the quantiles, min and max are
/// found by selection ([`slice::select_nth_unstable_by`]) instead of a full sort, which
/// reorders `values`. Work is O(n log k) for the k order statistics needed.
///
/// ```
/// use defsim::stats::summarize;
/// let mut xs = vec![4.0, 1.0, 3.0, 2.0];
/// let s = summarize(&mut xs);
/// assert_eq!((s.n, s.mean, s.p25, s.p50), (4, Some(2.5), Some(1.75), Some(2.5)));
/// assert_eq!((s.min, s.max), (Some(1.0), Some(4.0)));
/// ```
pub fn summarize(values: &mut [f64]) -> OutcomeStats {
    let n = values.len();
    if n == 0 {
        return OutcomeStats::EMPTY;
    }
    let Some((mean, var)) = mean_variance(values.iter().copied()) else {
        return OutcomeStats::EMPTY;
    };
    let sd = var.map(f64::sqrt);

    // Probabilities 0 and 1 give the min and max as type-7 quantiles.
    let mut probs = [0.0; QUANTILES.len() + 2];
    probs[1..=QUANTILES.len()].copy_from_slice(&QUANTILES);
    probs[QUANTILES.len() + 1] = 1.0;
    let q = quantiles_type7(values, &probs);

    OutcomeStats::from_quantiles(
        n as u64,
        Some(mean),
        sd,
        std::array::from_fn(|i| Some(q[i])),
    )
}

/// [`summarize`] of the present (non-NaN) values of `column`, in index order, without
/// copying or reordering it: the same bits ([`quantiles_type7_present`]).
///
/// ```
/// use defsim::stats::summarize_present;
/// let s = summarize_present(&[4.0, f64::NAN, 1.0, 3.0, 2.0]);
/// assert_eq!((s.n, s.mean, s.p25, s.p50), (4, Some(2.5), Some(1.75), Some(2.5)));
/// ```
pub fn summarize_present(column: &[f64]) -> OutcomeStats {
    let present = PresentKeys::scan(column);
    let Some((mean, var)) = mean_variance(column.iter().copied().filter(|v| !v.is_nan())) else {
        return OutcomeStats::EMPTY;
    };
    let mut probs = [0.0; QUANTILES.len() + 2];
    probs[1..=QUANTILES.len()].copy_from_slice(&QUANTILES);
    probs[QUANTILES.len() + 1] = 1.0;
    let q = quantiles_type7_present(&present, column, &probs);
    OutcomeStats::from_quantiles(
        present.len() as u64,
        Some(mean),
        var.map(f64::sqrt),
        std::array::from_fn(|i| Some(q[i])),
    )
}

/// Type-7 quantile (Hyndman & Fan 1996) of data already sorted ascending.
///
/// `h = (n - 1) q`; the result interpolates linearly between the order statistics
/// `sorted[floor(h)]` and `sorted[floor(h) + 1]` (0-based). `q = 0` gives the first element,
/// `q = 1` the last.
///
/// # Panics
/// If `sorted` is empty or `q` is not in `[0, 1]` (programming errors: the probabilities
/// are constants of the program, never user input).
///
/// ```
/// use defsim::stats::quantile_type7_sorted;
/// assert_eq!(quantile_type7_sorted(&[1.0, 2.0, 3.0, 4.0], 0.25), 1.75);
/// ```
pub fn quantile_type7_sorted(sorted: &[f64], q: f64) -> f64 {
    quantile_type7_by(sorted.len(), q, |r| Some(sorted[r]))
        .expect("every order statistic is at hand")
}

/// Type-7 quantiles of `values` at each probability of `probs` (any order, each in
/// `[0, 1]`), in the order of `probs`, without a full sort: the needed order statistics are
/// selected by a divide-and-conquer over [`slice::select_nth_unstable_by`] under
/// [`f64::total_cmp`], which reorders `values`. The result equals
/// [`quantile_type7_sorted`] on the sorted values, bit for bit.
///
/// # Panics
/// If `values` is empty or a probability is not in `[0, 1]`.
pub fn quantiles_type7(values: &mut [f64], probs: &[f64]) -> Vec<f64> {
    assert!(!values.is_empty(), "quantile of no values");
    let n = values.len();
    let ranks = ranks_read(n, probs);
    select_ranks(values, 0, &ranks);
    probs
        .iter()
        .map(|&q| {
            quantile_type7_by(n, q, |r| Some(values[r])).expect("every order statistic is at hand")
        })
        .collect()
}

/// [`quantiles_type7`] of the present (non-NaN) values of `column` (`present` being its
/// [`PresentKeys::scan`]), without copying or reordering it: the order statistics are
/// found by radix selection ([`super::select`]), so the result is the same, bit for bit.
///
/// # Panics
/// If no value is present or a probability is not in `[0, 1]`.
///
/// ```
/// use defsim::stats::{quantiles_type7_present, select::PresentKeys};
/// let column = [4.0, f64::NAN, 1.0, 3.0, 2.0];
/// let q = quantiles_type7_present(&PresentKeys::scan(&column), &column, &[0.25, 1.0]);
/// assert_eq!(q, [1.75, 4.0]);
/// ```
pub fn quantiles_type7_present(present: &PresentKeys, column: &[f64], probs: &[f64]) -> Vec<f64> {
    assert!(!present.is_empty(), "quantile of no values");
    let n = present.len();
    let ranks = ranks_read(n, probs);
    let values = present.order_statistics(column, &ranks);
    probs
        .iter()
        .map(|&q| {
            quantile_type7_by(n, q, |r| ranks.binary_search(&r).ok().map(|i| values[i]))
                .expect("every order statistic is at hand")
        })
        .collect()
}

/// The ranks that the type-7 quantiles of `n` values at `probs` read (ascending, distinct).
fn ranks_read(n: usize, probs: &[f64]) -> Vec<usize> {
    let mut ranks = Vec::with_capacity(2 * probs.len());
    for &q in probs {
        let (lo, frac) = position(n, q);
        ranks.push(lo);
        if frac > 0.0 {
            ranks.push(lo + 1);
        }
    }
    ranks.sort_unstable();
    ranks.dedup();
    ranks
}

/// The type-7 quantile at `q` of `n` values given by their order statistics: `order_stat(r)`
/// is the value of 0-based rank `r` under [`f64::total_cmp`], or `None` where the caller does
/// not hold it (then the result is `None`). Reads ranks `floor(h)` and `floor(h) + 1` only,
/// `h = (n - 1) q`, so a caller that keeps only a tail of the values gets the tail's quantiles
/// equal, bit for bit, to [`quantiles_type7`] over all of them.
///
/// # Panics
/// If `n` is 0 or `q` is not in `[0, 1]`.
pub fn quantile_type7_by(
    n: usize,
    q: f64,
    mut order_stat: impl FnMut(usize) -> Option<f64>,
) -> Option<f64> {
    assert!(n > 0, "quantile of no values");
    let (lo, frac) = position(n, q);
    if frac > 0.0 {
        Some(interpolate(order_stat(lo)?, order_stat(lo + 1)?, frac))
    } else {
        order_stat(lo)
    }
}

/// `(floor(h), h - floor(h))` with `h = (n - 1) q`; `frac > 0` implies `floor(h) + 1 < n`.
fn position(n: usize, q: f64) -> (usize, f64) {
    assert!((0.0..=1.0).contains(&q), "probability {q} is not in [0, 1]");
    let h = (n - 1) as f64 * q;
    let lo = (h.floor() as usize).min(n - 1);
    let frac = if lo == n - 1 { 0.0 } else { h - lo as f64 };
    (lo, frac)
}

/// `lo + frac (hi - lo)` for `0 < frac < 1`, kept inside `[lo, hi]` (rounding of the
/// difference could otherwise step past `hi`). Monotone in `frac`.
fn interpolate(lo: f64, hi: f64, frac: f64) -> f64 {
    (lo + frac * (hi - lo)).clamp(lo, hi)
}

/// Places the order statistics of the given 0-based ranks (ascending, distinct, each
/// `>= offset`) of the whole slice at their index; `values` is a sub-slice starting at
/// global rank `offset`. Selecting the middle rank first splits the problem in two, so the
/// work is O(n log k) for k ranks rather than O(n k).
fn select_ranks(values: &mut [f64], offset: usize, ranks: &[usize]) {
    if ranks.is_empty() {
        return;
    }
    let mid = ranks.len() / 2;
    let (left, _, right) = values.select_nth_unstable_by(ranks[mid] - offset, f64::total_cmp);
    select_ranks(left, offset, &ranks[..mid]);
    select_ranks(right, ranks[mid] + 1, &ranks[mid + 1..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus as Rng;

    /// Test data from a seeded portable generator.
    fn draw_u64(rng: &mut Rng) -> u64 {
        rng.random()
    }

    fn sorted(xs: &[f64]) -> Vec<f64> {
        let mut s = xs.to_vec();
        s.sort_by(f64::total_cmp);
        s
    }

    #[test]
    fn type7_matches_hand_computed_values() {
        let x = [1.0, 2.0, 3.0, 4.0];
        // h = 3q: q = 0.25 -> h = 0.75 -> 1 + 0.75 (2 - 1) = 1.75; q = 0.5 -> 2.5;
        // q = 0.75 -> h = 2.25 -> 3.25; q = 0.1 -> h = 0.3 -> 1.3; q = 0.9 -> 3.7.
        let cases = [
            (0.0, 1.0),
            (0.25, 1.75),
            (0.5, 2.5),
            (0.75, 3.25),
            (1.0, 4.0),
            (0.1, 1.3),
            (0.9, 3.7),
        ];
        for (q, want) in cases {
            let got = quantile_type7_sorted(&x, q);
            assert!((got - want).abs() < 1e-15, "q = {q}: {got} != {want}");
        }
        // R: quantile(c(10, 20, 30, 40, 50), c(0.05, 0.95)) gives 12 and 48 (h = 0.2, 3.8).
        let y = [10.0, 20.0, 30.0, 40.0, 50.0];
        assert!((quantile_type7_sorted(&y, 0.05) - 12.0).abs() < 1e-12);
        assert!((quantile_type7_sorted(&y, 0.95) - 48.0).abs() < 1e-12);
        assert_eq!(quantile_type7_sorted(&[7.0], 0.3), 7.0);
    }

    #[test]
    fn selection_equals_full_sort_on_random_data_of_many_sizes() {
        let mut state = Rng::seed_from_u64(42);
        let probs = [0.0, 0.05, 0.1, 0.25, 0.3, 0.5, 0.75, 0.9, 0.95, 0.999, 1.0];
        for n in (1..=40).chain([99, 100, 101, 1000, 4097]) {
            for ties in [false, true] {
                let xs: Vec<f64> = (0..n)
                    .map(|_| {
                        let u = draw_u64(&mut state);
                        if ties {
                            (u % 5) as f64 - 2.0
                        } else {
                            (u >> 11) as f64 / (1u64 << 53) as f64 * 200.0 - 100.0
                        }
                    })
                    .collect();
                let s = sorted(&xs);
                let mut work = xs.clone();
                let got = quantiles_type7(&mut work, &probs);
                for (&q, g) in probs.iter().zip(got) {
                    let want = quantile_type7_sorted(&s, q);
                    assert_eq!(g.to_bits(), want.to_bits(), "n = {n}, q = {q}");
                }
            }
        }
    }

    #[test]
    fn summary_quantiles_are_invariant_under_permutation() {
        let mut state = Rng::seed_from_u64(7);
        let xs: Vec<f64> = (0..1001)
            .map(|_| (draw_u64(&mut state) % 1000) as f64 / 7.0 - 50.0)
            .collect();
        let base = summarize(&mut xs.clone());
        let mut perm = xs.clone();
        for round in 0..5 {
            // Fisher-Yates shuffle, then also the reversed order.
            for i in (1..perm.len()).rev() {
                perm.swap(i, (draw_u64(&mut state) % (i as u64 + 1)) as usize);
            }
            if round == 4 {
                perm.reverse();
            }
            let s = summarize(&mut perm.clone());
            let pick = |s: &OutcomeStats| {
                [
                    s.p05, s.p10, s.p25, s.p50, s.p75, s.p90, s.p95, s.min, s.max,
                ]
            };
            assert_eq!(pick(&s), pick(&base));
            let close = |a: Option<f64>, b: Option<f64>| (a.unwrap() - b.unwrap()).abs() < 1e-12;
            assert!(close(s.mean, base.mean) && close(s.sd, base.sd));
        }
    }

    #[test]
    fn mean_sd_se_of_known_data() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squared deviations 32, sd = sqrt(32/7).
        let mut xs = vec![2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let s = summarize(&mut xs);
        assert_eq!(s.n, 8);
        assert_eq!(s.mean, Some(5.0));
        let sd = (32.0f64 / 7.0).sqrt();
        assert!((s.sd.unwrap() - sd).abs() < 1e-15);
        assert!((s.se.unwrap() - sd / 8f64.sqrt()).abs() < 1e-15);
        // h = 7 q: p25 at h = 1.75 -> 4, p50 at 3.5 -> 4.5, p95 at 6.65 -> 7 + 0.65 * 2.
        assert_eq!(s.p25, Some(4.0));
        assert_eq!(s.p50, Some(4.5));
        assert!((s.p95.unwrap() - 8.3).abs() < 1e-12);
        assert_eq!((s.min, s.max), (Some(2.0), Some(9.0)));
    }

    #[test]
    fn sd_keeps_precision_with_a_large_offset() {
        // Same data shifted by 1e9: the two-pass algorithm keeps the spread.
        let mut xs: Vec<f64> = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
            .iter()
            .map(|x| x + 1e9)
            .collect();
        let s = summarize(&mut xs);
        assert!((s.sd.unwrap() - (32.0f64 / 7.0).sqrt()).abs() < 1e-6);
    }

    #[test]
    fn empty_and_single_observation() {
        assert_eq!(summarize(&mut []), OutcomeStats::EMPTY);
        let s = summarize(&mut [3.5]);
        assert_eq!((s.n, s.mean, s.sd, s.se), (1, Some(3.5), None, None));
        assert_eq!(
            (s.p05, s.p50, s.p95, s.min, s.max),
            (Some(3.5), Some(3.5), Some(3.5), Some(3.5), Some(3.5))
        );
        let s = summarize(&mut [1.0, 3.0]);
        assert_eq!((s.sd, s.p50), (Some(2f64.sqrt()), Some(2.0)));
    }

    #[test]
    fn serialises_as_the_summary_json_outcome_object() {
        let json = serde_json::to_string(&summarize(&mut [1.0, 2.0, 3.0, 4.0])).unwrap();
        // serde_json's `preserve_order` keeps the keys in the order written.
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let want = [
            "n", "mean", "sd", "se", "p05", "p10", "p25", "p50", "p75", "p90", "p95", "min", "max",
        ];
        assert_eq!(keys, want);
        assert!(json.starts_with("{\"n\":4,\"mean\":2.5,"), "{json}");
        let empty = serde_json::to_string(&OutcomeStats::EMPTY).unwrap();
        assert_eq!(
            empty,
            "{\"n\":0,\"mean\":null,\"sd\":null,\"se\":null,\"p05\":null,\
             \"p10\":null,\"p25\":null,\"p50\":null,\"p75\":null,\"p90\":null,\
             \"p95\":null,\"min\":null,\"max\":null}"
        );
        // Reads back; serde_json without its `float_roundtrip` feature may parse a
        // shortest-representation float one ulp off (3.8499999999999996 -> 3.85), so only
        // exactly representable fields are compared bit for bit.
        let back: OutcomeStats = serde_json::from_str(&json).unwrap();
        assert_eq!(
            (back.n, back.mean, back.p25, back.max),
            (4, Some(2.5), Some(1.75), Some(4.0))
        );
        assert_eq!(
            serde_json::from_str::<OutcomeStats>(&empty).unwrap(),
            OutcomeStats::EMPTY
        );
    }

    #[test]
    #[should_panic(expected = "not in [0, 1]")]
    fn probability_outside_unit_interval_panics() {
        quantile_type7_sorted(&[1.0], 1.5);
    }

    proptest! {
        #[test]
        fn quantiles_are_monotone_and_within_min_max(
            xs in prop::collection::vec(-1e6f64..1e6, 1..200),
        ) {
            let s = summarize(&mut xs.clone());
            let q = [s.min, s.p05, s.p10, s.p25, s.p50, s.p75, s.p90, s.p95, s.max]
                .map(Option::unwrap);
            prop_assert!(q.windows(2).all(|w| w[0] <= w[1]), "{q:?}");
            let sorted = sorted(&xs);
            prop_assert_eq!(q[0], sorted[0]);
            prop_assert_eq!(q[8], sorted[sorted.len() - 1]);
            prop_assert_eq!(s.p50.unwrap(), quantile_type7_sorted(&sorted, 0.5));
        }
    }
}
