//! Reproducible bootstrap resampling (Efron & Tibshirani 1993, percentile intervals).
//!
//! Resample `b` draws its indices from its own Xoshiro256++ generator (rand_xoshiro: a
//! portable algorithm fixed across versions) seeded from `(seed, b)`, so resamples can run
//! in parallel in any order and still give the same intervals.

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::quantile_type7_sorted;
use super::splitmix::{GOLDEN_GAMMA, finalize};

/// The generator of resample `b` of a bootstrap keyed by `seed`.
pub fn resample_rng(seed: u64, b: usize) -> Xoshiro256PlusPlus {
    // SplitMix64's finaliser on the pair, as the engine's streams do.
    let z = seed ^ 0xb007_57a9_0000_0000 ^ (b as u64).wrapping_mul(GOLDEN_GAMMA);
    Xoshiro256PlusPlus::seed_from_u64(finalize(z))
}

/// Fills `out` with `n` indices drawn uniformly with replacement from `0..n`.
pub fn resample_indices(rng: &mut Xoshiro256PlusPlus, n: usize, out: &mut Vec<usize>) {
    out.clear();
    out.extend((0..n).map(|_| rng.random_range(0..n)));
}

/// The 95% percentile interval of bootstrap replicates (type-7 quantiles 2.5% and 97.5%);
/// NaN replicates (a resample where the statistic is undefined) are left out. `[NaN, NaN]`
/// when none is finite.
pub fn percentile_interval(replicates: &[f64]) -> [f64; 2] {
    let mut v: Vec<f64> = replicates.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return [f64::NAN, f64::NAN];
    }
    v.sort_by(f64::total_cmp);
    [
        quantile_type7_sorted(&v, 0.025),
        quantile_type7_sorted(&v, 0.975),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_and_resample_give_the_same_indices() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        resample_indices(&mut resample_rng(5, 3), 100, &mut a);
        resample_indices(&mut resample_rng(5, 3), 100, &mut b);
        assert_eq!(a, b);
        resample_indices(&mut resample_rng(5, 4), 100, &mut b);
        assert_ne!(a, b);
        assert!(a.iter().all(|&i| i < 100));
    }

    #[test]
    fn percentile_interval_of_a_known_sample() {
        let v: Vec<f64> = (0..=1000).map(f64::from).collect();
        let [lo, hi] = percentile_interval(&v);
        assert!((lo - 25.0).abs() < 1e-9 && (hi - 975.0).abs() < 1e-9);
        assert!(percentile_interval(&[f64::NAN])[0].is_nan());
    }
}
