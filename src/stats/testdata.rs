//! Awkward columns for the tests that compare a fast path with the plain one bit for bit.

use rand::RngExt;
use rand_xoshiro::Xoshiro256PlusPlus;

/// Values that order, compare or scale awkwardly: signed zeros, units of both signs,
/// infinities, subnormals and the largest finite values.
pub(crate) const SPECIAL: [f64; 10] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    1e-310,
    -1e-310,
    f64::MAX,
    f64::MIN,
];

/// `n` values: about a quarter drawn from `special` (signed zeros, infinities, subnormals,
/// ...), a quarter small integers in -10..=9 (ties), the rest uniform in [-100, 100).
pub(crate) fn awkward(rng: &mut Xoshiro256PlusPlus, n: usize, special: &[f64]) -> Vec<f64> {
    (0..n)
        .map(|_| match rng.random_range(0..4) {
            0 => special[rng.random_range(0..special.len())],
            1 => rng.random_range(0..20) as f64 - 10.0,
            _ => rng.random::<f64>() * 200.0 - 100.0,
        })
        .collect()
}
