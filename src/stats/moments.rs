//! Compensated summation and a mergeable, exact mean.
//!
//! [`NeumaierSum`] adds floating-point numbers with Neumaier's improvement of Kahan
//! summation (A. Neumaier, "Rundungsfehleranalyse einiger Verfahren zur Summation endlicher
//! Summen", ZAMM 54, 1974): the rounding error of every addition is carried in a separate
//! term, so the error of the total does not grow with the number of terms (it is about one
//! rounding of the exact total, plus a term in n times the square of the unit roundoff).
//! For a given sequence of additions its result is deterministic, but floating-point
//! addition is not associative: another order may change the last bits.
//! [`mean_variance`] is the one sample variance of the crate (divisor n - 1), by the
//! corrected two-pass algorithm (Chan, Golub & LeVeque, "Algorithms for computing the
//! sample variance", The American Statistician 37, 1983): a second pass over the deviations
//! from the mean, minus the squared sum of the deviations over n, both sums compensated.
//!
//! [`Mean`] counts and sums with an [`ExactSum`]: merged with `+=` in any order or grouping
//! it gives the same bits, so per-thread and per-shard accumulators are reproducible.

use std::ops::AddAssign;

use super::exact::ExactSum;

/// A running sum with Neumaier's compensation term.
///
/// ```
/// use defsim::stats::NeumaierSum;
/// let mut s = NeumaierSum::new();
/// for x in [1.0, 1e100, 1.0, -1e100] {
///     s.add(x);
/// }
/// assert_eq!(s.total(), 2.0); // naive summation gives 0
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NeumaierSum {
    sum: f64,
    /// Accumulated rounding errors of the additions into `sum`.
    comp: f64,
}

impl NeumaierSum {
    /// An empty sum (0).
    pub const fn new() -> Self {
        Self {
            sum: 0.0,
            comp: 0.0,
        }
    }

    /// Adds `x`.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        // The rounding error of `sum + x` is recovered exactly from the larger operand. The
        // operands are chosen by a select, not a branch: a sum of deviations from the mean
        // is as often smaller than the next term as larger, and a branch on it mispredicts.
        let (big, small) = if self.sum.abs() >= x.abs() {
            (self.sum, x)
        } else {
            (x, self.sum)
        };
        self.comp += (big - t) + small;
        self.sum = t;
    }

    /// The compensated total.
    pub fn total(&self) -> f64 {
        self.sum + self.comp
    }
}

impl AddAssign<&NeumaierSum> for NeumaierSum {
    /// Adds another partial sum: its main term with compensation, then its correction.
    fn add_assign(&mut self, other: &NeumaierSum) {
        self.add(other.sum);
        self.add(other.comp);
    }
}

impl FromIterator<f64> for NeumaierSum {
    fn from_iter<I: IntoIterator<Item = f64>>(iter: I) -> Self {
        let mut s = Self::new();
        for x in iter {
            s.add(x);
        }
        s
    }
}

/// A count and an exact sum: the mean of a yearly series, accumulated per thread and
/// merged with `+=` in any order (the result does not depend on it).
///
/// ```
/// use defsim::stats::Mean;
/// let mut a: Mean = [1.0, 2.0].into_iter().collect();
/// let b: Mean = [3.0, 6.0].into_iter().collect();
/// a += &b;
/// assert_eq!(a.count(), 4);
/// assert_eq!(a.mean(), Some(3.0));
/// assert_eq!(Mean::new().mean(), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Mean {
    n: u64,
    sum: ExactSum,
}

impl Mean {
    /// No observations.
    pub const fn new() -> Self {
        Self {
            n: 0,
            sum: ExactSum::new(),
        }
    }

    /// Adds one observation.
    #[inline]
    pub fn add(&mut self, v: f64) {
        self.n += 1;
        self.sum.add(v);
    }

    /// Adds `n` observations given by their sum (e.g. a short run of values summed plainly
    /// in a fixed order, whose rounding error is negligible): the partial sum is added
    /// exactly, so the result depends on the runs, never on the order they arrive in.
    #[inline]
    pub fn add_sum(&mut self, n: u64, sum: f64) {
        self.n += n;
        self.sum.add(sum);
    }

    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Sum of the observations (the exact sum, rounded once).
    pub fn sum(&self) -> f64 {
        self.sum.total()
    }

    /// The arithmetic mean, `None` without observations.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum.total() / self.n as f64)
    }
}

impl AddAssign<&Mean> for Mean {
    fn add_assign(&mut self, other: &Mean) {
        self.n += other.n;
        self.sum += &other.sum;
    }
}

impl FromIterator<f64> for Mean {
    fn from_iter<I: IntoIterator<Item = f64>>(iter: I) -> Self {
        let mut m = Self::new();
        for v in iter {
            m.add(v);
        }
        m
    }
}

/// The mean and the sample variance (divisor n - 1) of `values`, taken in iteration order
/// (two passes, hence `Clone`): `None` without values, variance `None` with one.
///
/// The mean is the compensated sum over n. The variance is
/// `(sum d^2 - (sum d)^2 / n) / (n - 1)` with `d = x - mean` and both sums compensated: the
/// correction term removes the error left by rounding of the mean; the result is clamped at
/// 0. Deterministic for a given input order.
///
/// ```
/// use defsim::stats::mean_variance;
/// assert_eq!(mean_variance([1.0, 2.0, 3.0, 6.0]), Some((3.0, Some(14.0 / 3.0))));
/// assert_eq!(mean_variance([5.0]), Some((5.0, None)));
/// assert_eq!(mean_variance(std::iter::empty::<f64>()), None);
/// ```
pub fn mean_variance<I>(values: I) -> Option<(f64, Option<f64>)>
where
    I: IntoIterator<Item = f64>,
    I::IntoIter: Clone,
{
    let values = values.into_iter();
    let mut n = 0usize;
    let sum: NeumaierSum = values.clone().inspect(|_| n += 1).collect();
    if n == 0 {
        return None;
    }
    let mean = sum.total() / n as f64;
    Some((mean, variance_about(values, mean, n)))
}

/// The second pass of [`mean_variance`]: the sample variance of the `n` `values` (the same
/// ones, in the same order) about their `mean` (as [`mean_variance`] computed it), or `None`
/// below two values (then `values` is not read). Lets a caller fuse the first pass with
/// other work and still get the same bits.
pub fn variance_about(values: impl IntoIterator<Item = f64>, mean: f64, n: usize) -> Option<f64> {
    let nf = n as f64;
    (n > 1).then(|| {
        let mut squares = NeumaierSum::new();
        let mut deviations = NeumaierSum::new();
        for x in values {
            let d = x - mean;
            squares.add(d * d);
            deviations.add(d);
        }
        let dev = deviations.total();
        // The correction term removes the error left by rounding of the mean.
        let var = (squares.total() - dev * dev / nf) / (nf - 1.0);
        var.max(0.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `NeumaierSum::add` as it was written before, with a branch: the select must give
    /// the same bits.
    fn add_with_a_branch(s: &mut NeumaierSum, x: f64) {
        let t = s.sum + x;
        if s.sum.abs() >= x.abs() {
            s.comp += (s.sum - t) + x;
        } else {
            s.comp += (x - t) + s.sum;
        }
        s.sum = t;
    }

    #[test]
    fn adding_by_a_select_gives_the_branch_s_bits() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(4);
        let special = crate::stats::testdata::SPECIAL;
        // Cancellation, signs that change every term, specials and NaN.
        let xs: Vec<f64> = (0..20_000)
            .map(|i| match i % 5 {
                0 => special[rng.random_range(0..special.len())],
                1 => 1e16 * if rng.random::<bool>() { 1.0 } else { -1.0 },
                2 if i % 997 == 2 => f64::NAN,
                _ => rng.random::<f64>() * 2.0 - 1.0,
            })
            .collect();
        // From the start, and from after the first infinity or NaN poisons the sum.
        for from in [0, 1, 7, 500] {
            let (mut a, mut b) = (NeumaierSum::default(), NeumaierSum::default());
            for &x in &xs[from..] {
                a.add(x);
                add_with_a_branch(&mut b, x);
                assert_eq!(
                    (a.sum.to_bits(), a.comp.to_bits()),
                    (b.sum.to_bits(), b.comp.to_bits()),
                    "after {x}"
                );
                if !b.sum.is_finite() {
                    break;
                }
            }
        }
        // Finite terms only: a long run where the larger operand alternates.
        let finite: Vec<f64> = xs.iter().copied().filter(|x| x.abs() < 1e17).collect();
        let (mut a, mut b) = (NeumaierSum::default(), NeumaierSum::default());
        for &x in &finite {
            a.add(x);
            add_with_a_branch(&mut b, x);
        }
        assert_eq!(a.total().to_bits(), b.total().to_bits());
    }

    #[test]
    fn the_second_pass_alone_gives_mean_variance_s_bits() {
        // Values whose deviations change sign often and whose sums round: the compensated
        // sums must be the same additions in the same order.
        let xs: Vec<f64> = (0..10_001)
            .map(|i| ((i * 7919) % 1000) as f64 * 0.1 + 1e8 * f64::from(i % 3 == 0))
            .collect();
        for n in [0, 1, 2, 3, 1000, xs.len()] {
            let values = &xs[..n];
            let Some((mean, var)) = mean_variance(values.iter().copied()) else {
                assert_eq!(n, 0);
                continue;
            };
            let sum: NeumaierSum = values.iter().copied().collect();
            assert_eq!(sum.total() / n as f64, mean);
            let again = variance_about(values.iter().copied(), mean, n);
            assert_eq!(again.map(f64::to_bits), var.map(f64::to_bits), "n = {n}");
        }
    }

    #[test]
    fn neumaier_recovers_what_naive_summation_loses() {
        let xs = [1.0, 1e100, 1.0, -1e100];
        assert_eq!(xs.iter().sum::<f64>(), 0.0);
        assert_eq!(xs.into_iter().collect::<NeumaierSum>().total(), 2.0);
    }

    #[test]
    fn neumaier_sum_of_tenths_is_correctly_rounded() {
        // 0.1 (as a double) times 1e6 is exactly 100000.0000000000055511151231257827...,
        // whose nearest double is 100000 (an ulp there is 1.5e-11).
        let s: NeumaierSum = std::iter::repeat_n(0.1, 1_000_000).collect();
        assert_eq!(s.total(), 100_000.0);
        let naive: f64 = std::iter::repeat_n(0.1, 1_000_000).sum();
        assert_ne!(naive, s.total());
    }

    #[test]
    fn mean_merged_from_blocks_equals_mean_of_all() {
        let xs: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.37).sin() * 1e3).collect();
        let whole: Mean = xs.iter().copied().collect();
        let mut merged = Mean::new();
        for block in xs.chunks(64) {
            merged += &block.iter().copied().collect::<Mean>();
        }
        assert_eq!(merged.count(), 1000);
        let (a, b) = (whole.mean().unwrap(), merged.mean().unwrap());
        assert!((a - b).abs() <= 1e-15 * a.abs().max(1.0), "{a} vs {b}");
        // Merging the blocks in reverse order gives the same bits.
        let mut reversed = Mean::new();
        for block in xs.chunks(64).rev() {
            reversed += &block.iter().copied().collect::<Mean>();
        }
        assert_eq!(reversed, merged);
        assert_eq!(reversed.mean().unwrap().to_bits(), b.to_bits());
    }

    #[test]
    fn variance_survives_a_large_offset() {
        // 1e9 + {0, 1, 2, 3}: variance 5/3, which the textbook one-pass formula
        // (sum x^2 - n mean^2) / (n - 1) loses entirely at this offset.
        let xs = [0.0, 1.0, 2.0, 3.0].map(|x| 1e9 + x);
        let (mean, var) = mean_variance(xs).unwrap();
        assert_eq!(mean, 1e9 + 1.5);
        assert!((var.unwrap() - 5.0 / 3.0).abs() < 1e-12, "{var:?}");
        let one_pass = (xs.iter().map(|x| x * x).sum::<f64>() - 4.0 * mean * mean) / 3.0;
        assert!((one_pass - 5.0 / 3.0).abs() > 0.1, "{one_pass}");
        // Identical values: exactly 0, never negative.
        assert_eq!(mean_variance([0.1; 7]).unwrap().1, Some(0.0));
    }

    #[test]
    fn empty_mean_is_none() {
        assert_eq!(Mean::new().mean(), None);
        assert_eq!(Mean::new().count(), 0);
        assert_eq!(Mean::default().sum(), 0.0);
    }
}
