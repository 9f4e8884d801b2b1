//! Compensated summation and a mergeable, exact mean.
//!
//! [`NeumaierSum`] adds floating-point numbers with Neumaier's improvement of Kahan
//! summation (A. Neumaier, "Rundungsfehleranalyse einiger Verfahren zur Summation endlicher
//! Summen", ZAMM 54, 1974): the rounding error of every addition is carried in a separate
//! term, so the error of the total does not grow with the number of terms (it is about one
//! rounding of the exact total, plus a term in n times the square of the unit roundoff).
//! For a given sequence of additions its result is deterministic, but floating-point
//! addition is not associative: another order may change the last bits.
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
        // The rounding error of `sum + x` is recovered exactly from the larger operand.
        if self.sum.abs() >= x.abs() {
            self.comp += (self.sum - t) + x;
        } else {
            self.comp += (x - t) + self.sum;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn empty_mean_is_none() {
        assert_eq!(Mean::new().mean(), None);
        assert_eq!(Mean::new().count(), 0);
        assert_eq!(Mean::default().sum(), 0.0);
    }
}
