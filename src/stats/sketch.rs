//! A mergeable quantile sketch for yearly series, with a stated relative error.
//!
//! A run keeps one sketch per (metric, year): about 220 series of 1e6 trials each, so
//! [`Sketch::add`] must cost a few nanoseconds. The sketch is a histogram with logarithmic
//! buckets keyed directly on the bit pattern of `|v|`: the 11 exponent bits and the top
//! [`MANTISSA_BITS`](crate::stats::sketch::MANTISSA_BITS) = 7 mantissa bits,
//! `key = |v|.to_bits() >> 45`. No logarithm, no allocation except when a window grows.
//! Each bucket spans `[L, U)` with `U / L <= 1 + 2^-7`. Positive and negative values have
//! separate dense windows (a `Vec` and the key of its first bucket), grown on demand, that
//! span only the keys between the smallest and the largest magnitude seen on that side
//! (128 buckets of 24 bytes, 3 KiB, per factor of 2 of range). Values with `|v| <`
//! [`ZERO_THRESHOLD`](crate::stats::sketch::ZERO_THRESHOLD) (1e-9) are counted as 0. The
//! exact count, min and max are kept.
//!
//! A bucket reports the mean of the values it holds (always inside the bucket). It stores
//! the first value it received and the sum of the differences of the later values from it:
//! those differences are exact (Sterbenz: two numbers within a factor 2 subtract without
//! rounding), and for values that repeat exactly they are all zero, so a bucket holding
//! copies of one value reports exactly that value, whatever the value (the 0/1/2 of a
//! discrete series, a deterministic series, ...).
//!
//! **Quantile and error bound.** For `0 < q < 1` and `n` values, [`Sketch::quantile`]
//! returns the value of the bucket that holds the order statistic `x[r]`, `r = floor((n-1) q)`
//! (0-based, ascending): the lower of the two order statistics that a type-7 quantile
//! interpolates between. The result lies in the same bucket as `x[r]`, so
//! `|result - x[r]| < 2^-7 |x[r]|` (relative error below 0.78%), or below 1e-9 in absolute
//! value when `|x[r]| < 1e-9`; it is exact when the bucket holds copies of one value. `q = 0`
//! and `q = 1` return the exact min and max, and every result lies in `[min, max]`.
//!
//! **Merging.** [`Sketch::merge`] (or `+=`) adds counts exactly; the bucket sums are
//! floating point, so the order of merges may change the reported values in their last
//! bits (never the buckets, hence never the error bound). Merge per-block sketches in a
//! fixed order (e.g. by block index) for deterministic output.

use std::ops::AddAssign;

/// Mantissa bits kept in a bucket key: bucket ratio `U / L <= 1 + 2^-MANTISSA_BITS`.
pub const MANTISSA_BITS: u32 = 7;
/// Bound on the relative error of a quantile against the order statistic of its rank.
pub const RELATIVE_ERROR: f64 = 1.0 / (1u64 << MANTISSA_BITS) as f64;
/// Values with `|v|` below this are counted as 0 (absolute error below it).
pub const ZERO_THRESHOLD: f64 = 1e-9;

/// Bits dropped from `|v|.to_bits()` to form the bucket key.
const SHIFT: u32 = 52 - MANTISSA_BITS;

/// A mergeable quantile sketch; see the module documentation for its error bound.
///
/// ```
/// use defsim::stats::Sketch;
/// let mut s = Sketch::new();
/// for v in [0.0, 1.0, 1.0, 2.0, 2.0, 2.0] {
///     s.add(v);
/// }
/// assert_eq!(s.count(), 6);
/// assert_eq!(s.quantile(0.5), Some(1.0)); // rank floor(5 * 0.5) = 2
/// assert_eq!(s.quantile(0.9), Some(2.0));
/// assert_eq!((s.min(), s.max()), (Some(0.0), Some(2.0)));
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Sketch {
    /// Values > 0 with `|v| >= ZERO_THRESHOLD`.
    pos: Window,
    /// Values < 0 with `|v| >= ZERO_THRESHOLD`, keyed by `|v|`.
    neg: Window,
    /// Values with `|v| < ZERO_THRESHOLD`.
    zeros: u64,
    count: u64,
    /// `+inf` while empty.
    min: f64,
    /// `-inf` while empty.
    max: f64,
}

impl Default for Sketch {
    fn default() -> Self {
        Self::new()
    }
}

impl Sketch {
    /// An empty sketch (allocates nothing).
    pub const fn new() -> Self {
        Self {
            pos: Window::new(),
            neg: Window::new(),
            zeros: 0,
            count: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// Records one finite value.
    #[inline]
    pub fn add(&mut self, v: f64) {
        debug_assert!(v.is_finite(), "sketch value {v} is not finite");
        self.count += 1;
        // Comparisons, not `f64::min`/`max`: their NaN handling measured slower here.
        if v < self.min {
            self.min = v;
        }
        if v > self.max {
            self.max = v;
        }
        let a = v.abs();
        if a < ZERO_THRESHOLD {
            self.zeros += 1;
        } else {
            let key = (a.to_bits() >> SHIFT) as u32;
            if v > 0.0 {
                self.pos.add(key, v);
            } else {
                self.neg.add(key, v);
            }
        }
    }

    /// Adds everything recorded in `other`. Counts add exactly; see the module
    /// documentation on merge order.
    pub fn merge(&mut self, other: &Sketch) {
        self.pos.merge(&other.pos);
        self.neg.merge(&other.neg);
        self.zeros += other.zeros;
        self.count += other.count;
        if other.min < self.min {
            self.min = other.min;
        }
        if other.max > self.max {
            self.max = other.max;
        }
    }

    /// Number of values recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The smallest value recorded, exactly; `None` when empty.
    pub fn min(&self) -> Option<f64> {
        (self.count > 0).then_some(self.min)
    }

    /// The largest value recorded, exactly; `None` when empty.
    pub fn max(&self) -> Option<f64> {
        (self.count > 0).then_some(self.max)
    }

    /// The approximate quantile at `q`: the value of the bucket holding the order
    /// statistic of 0-based rank `floor((n - 1) q)`, within the error stated in the module
    /// documentation; the exact min at `q = 0` and max at `q = 1`. `None` when empty.
    /// Monotone in `q`. Costs a scan of the buckets.
    ///
    /// # Panics
    /// If `q` is not in `[0, 1]` (a programming error).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        assert!((0.0..=1.0).contains(&q), "probability {q} is not in [0, 1]");
        if self.count == 0 {
            return None;
        }
        if q == 0.0 {
            return Some(self.min);
        }
        if q == 1.0 {
            return Some(self.max);
        }
        let rank = ((self.count - 1) as f64 * q).floor() as u64;
        let value = self.value_at_rank(rank);
        Some(value.clamp(self.min, self.max))
    }

    /// Value of the bucket holding 0-based rank `rank < count`: negative buckets from the
    /// largest magnitude down, then the zeros, then positive buckets upwards.
    fn value_at_rank(&self, rank: u64) -> f64 {
        let mut seen = 0;
        for (i, b) in self.neg.buckets.iter().enumerate().rev() {
            seen += b.count;
            if rank < seen {
                let (lo, hi) = bucket_bounds(self.neg.first_key + i as u32);
                return b.value().clamp(-hi, -lo);
            }
        }
        seen += self.zeros;
        if rank < seen {
            return 0.0;
        }
        for (i, b) in self.pos.buckets.iter().enumerate() {
            seen += b.count;
            if rank < seen {
                let (lo, hi) = bucket_bounds(self.pos.first_key + i as u32);
                return b.value().clamp(lo, hi);
            }
        }
        unreachable!("rank {rank} beyond the {} values counted", self.count)
    }
}

impl AddAssign<&Sketch> for Sketch {
    fn add_assign(&mut self, other: &Sketch) {
        self.merge(other);
    }
}

impl FromIterator<f64> for Sketch {
    fn from_iter<I: IntoIterator<Item = f64>>(iter: I) -> Self {
        let mut s = Self::new();
        for v in iter {
            s.add(v);
        }
        s
    }
}

/// Smallest and largest magnitudes with key `key`.
fn bucket_bounds(key: u32) -> (f64, f64) {
    let lo = f64::from_bits(u64::from(key) << SHIFT);
    let hi = f64::from_bits((u64::from(key + 1) << SHIFT) - 1);
    (lo, hi)
}

/// One histogram bucket: count and the mean of its values, kept as the first value plus
/// the sum of the (exact) differences from it.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct Bucket {
    count: u64,
    first: f64,
    diff_sum: f64,
}

impl Bucket {
    #[inline]
    fn add(&mut self, v: f64) {
        if self.count == 0 {
            self.first = v;
        }
        self.diff_sum += v - self.first;
        self.count += 1;
    }

    fn merge(&mut self, other: &Bucket) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *other;
            return;
        }
        let shift = other.first - self.first;
        self.diff_sum += other.diff_sum + shift * other.count as f64;
        self.count += other.count;
    }

    /// Mean of the values; only called on non-empty buckets.
    fn value(&self) -> f64 {
        self.first + self.diff_sum / self.count as f64
    }
}

/// A dense run of buckets for the keys `first_key .. first_key + buckets.len()`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Window {
    first_key: u32,
    buckets: Vec<Bucket>,
}

impl Window {
    const fn new() -> Self {
        Self {
            first_key: 0,
            buckets: Vec::new(),
        }
    }

    #[inline]
    fn add(&mut self, key: u32, v: f64) {
        // A key below the window wraps to a huge index, so one comparison covers both sides.
        let i = key.wrapping_sub(self.first_key) as usize;
        match self.buckets.get_mut(i) {
            Some(b) => b.add(v),
            None => self.grow_and_add(key, v),
        }
    }

    #[cold]
    #[inline(never)]
    fn grow_and_add(&mut self, key: u32, v: f64) {
        self.cover(key, key);
        self.buckets[(key - self.first_key) as usize].add(v);
    }

    /// Grows the window (never shrinks it) so that it spans the keys `lo ..= hi`.
    fn cover(&mut self, lo: u32, hi: u32) {
        if self.buckets.is_empty() {
            self.first_key = lo;
            self.buckets = vec![Bucket::default(); (hi - lo + 1) as usize];
            return;
        }
        let last = self.first_key + self.buckets.len() as u32 - 1;
        if hi > last {
            self.buckets
                .resize((hi - self.first_key + 1) as usize, Bucket::default());
        }
        if lo < self.first_key {
            let extra = (self.first_key - lo) as usize;
            self.buckets
                .splice(0..0, std::iter::repeat_n(Bucket::default(), extra));
            self.first_key = lo;
        }
    }

    fn merge(&mut self, other: &Window) {
        let Some(len) = u32::try_from(other.buckets.len()).ok().filter(|&l| l > 0) else {
            return;
        };
        self.cover(other.first_key, other.first_key + len - 1);
        let start = (other.first_key - self.first_key) as usize;
        for (b, o) in self.buckets[start..].iter_mut().zip(&other.buckets) {
            b.merge(o);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use rand::{RngExt, SeedableRng};
    use rand_distr::StandardNormal;
    use rand_xoshiro::Xoshiro256PlusPlus as Rng;

    fn draw_u64(rng: &mut Rng) -> u64 {
        rng.random()
    }

    fn normal(rng: &mut Rng) -> f64 {
        rng.sample(StandardNormal)
    }

    /// 1e5 values: lognormals of both signs over many orders of magnitude, normals, exact
    /// zeros, tiny values that count as zero, and a repeated value.
    fn mixed_values(n: usize, seed: u64) -> Vec<f64> {
        let mut state = Rng::seed_from_u64(seed);
        (0..n)
            .map(|i| match i % 8 {
                0 | 1 => (3.0 * normal(&mut state)).exp(),
                2 => -(2.0 * normal(&mut state) + 5.0).exp(),
                3 | 4 => 100.0 * normal(&mut state),
                5 => 0.0,
                6 => 1e-10 * normal(&mut state),
                _ => 0.1,
            })
            .collect()
    }

    fn assert_within_bound(sketch: &Sketch, sorted: &[f64]) {
        let n = sorted.len();
        for k in 1..=99 {
            let q = k as f64 / 100.0;
            let exact = sorted[((n - 1) as f64 * q).floor() as usize];
            let got = sketch.quantile(q).unwrap();
            let err = (got - exact).abs();
            let ok = if exact.abs() < ZERO_THRESHOLD {
                err < ZERO_THRESHOLD
            } else {
                err < RELATIVE_ERROR * exact.abs()
            };
            assert!(ok, "q = {q}: sketch {got}, exact {exact}");
        }
    }

    #[test]
    fn quantiles_lie_within_the_stated_relative_error() {
        let xs = mixed_values(100_000, 1);
        let sketch: Sketch = xs.iter().copied().collect();
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        assert_eq!(sketch.count(), 100_000);
        assert_within_bound(&sketch, &sorted);
        assert_eq!(sketch.quantile(0.0), Some(sorted[0]));
        assert_eq!(sketch.quantile(1.0), Some(sorted[sorted.len() - 1]));
        assert_eq!(sketch.min(), Some(sorted[0]));
        assert_eq!(sketch.max(), Some(sorted[sorted.len() - 1]));
    }

    #[test]
    fn exact_for_discrete_series() {
        let mut state = Rng::seed_from_u64(3);
        let xs: Vec<f64> = (0..10_001)
            .map(|_| (draw_u64(&mut state) % 3) as f64)
            .collect();
        let sketch: Sketch = xs.iter().copied().collect();
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        for k in 0..=100 {
            let q = k as f64 / 100.0;
            let exact = sorted[(10_000.0 * q).floor() as usize];
            assert_eq!(sketch.quantile(q), Some(exact), "q = {q}");
        }
    }

    #[test]
    fn exact_for_a_repeated_value_whose_sum_rounds() {
        // 0.1 * n is not exact in floating point; the bucket still reports 0.1 itself.
        let mut sketch: Sketch = std::iter::repeat_n(0.1, 1000).collect();
        sketch.add(0.1 * (1.0 + 2f64.powi(-20))); // same bucket, another value
        sketch.add(5.0);
        sketch.add(0.1 * (1.0 - 2f64.powi(-20)));
        assert_eq!(sketch.quantile(0.0), Some(0.1 * (1.0 - 2f64.powi(-20))));
        let mid = sketch.quantile(0.5).unwrap();
        assert!((mid - 0.1).abs() < 1e-15, "{mid}");
        let constant: Sketch = std::iter::repeat_n(-23_456_789.123, 777).collect();
        assert_eq!(constant.quantile(0.37), Some(-23_456_789.123));
    }

    #[test]
    fn merge_of_halves_equals_the_whole() {
        let xs = mixed_values(100_000, 2);
        let whole: Sketch = xs.iter().copied().collect();
        let (a, b) = xs.split_at(37_000);
        let mut merged: Sketch = b.iter().copied().collect();
        merged += &a.iter().copied().collect::<Sketch>();
        assert_eq!(merged.count(), whole.count());
        assert_eq!(merged.zeros, whole.zeros);
        assert_eq!((merged.min(), merged.max()), (whole.min(), whole.max()));
        for (m, w) in [(&merged.pos, &whole.pos), (&merged.neg, &whole.neg)] {
            assert_eq!(m.first_key, w.first_key);
            let counts = |win: &Window| win.buckets.iter().map(|b| b.count).collect::<Vec<_>>();
            assert_eq!(counts(m), counts(w));
        }
        let mut sorted = xs;
        sorted.sort_by(f64::total_cmp);
        assert_within_bound(&merged, &sorted);
        for k in 1..100 {
            let q = k as f64 / 100.0;
            let (m, w) = (merged.quantile(q).unwrap(), whole.quantile(q).unwrap());
            assert!((m - w).abs() <= 1e-12 * w.abs(), "q = {q}: {m} vs {w}");
        }
    }

    #[test]
    fn merging_in_a_fixed_order_is_deterministic() {
        let xs = mixed_values(20_000, 4);
        let blocks: Vec<Sketch> = xs
            .chunks(1000)
            .map(|c| c.iter().copied().collect())
            .collect();
        let merge_all = || {
            let mut s = Sketch::new();
            for b in &blocks {
                s += b;
            }
            s
        };
        assert_eq!(merge_all(), merge_all());
    }

    #[test]
    fn empty_sketch_reports_nothing() {
        let mut s = Sketch::new();
        assert_eq!(
            (s.count(), s.quantile(0.5), s.min(), s.max()),
            (0, None, None, None)
        );
        s += &Sketch::new();
        assert_eq!(s, Sketch::new());
    }

    #[test]
    fn tiny_values_are_recorded_as_zero_but_stay_in_min_max() {
        let s: Sketch = [5e-10, 2e-10, 3e-10].into_iter().collect();
        assert_eq!(s.zeros, 3);
        // Every quantile lies in [min, max], so the zero is clamped to the min.
        assert_eq!(s.quantile(0.5), Some(2e-10));
        assert_eq!(s.quantile(1.0), Some(5e-10));
    }

    #[test]
    fn bucket_bounds_ratio_is_at_most_one_plus_two_to_minus_seven() {
        for v in [1e-9, 0.1, 1.0, 1.5, 1.999, 3.0, 1e6, 1.7e308] {
            let key = (f64::to_bits(v) >> SHIFT) as u32;
            let (lo, hi) = bucket_bounds(key);
            assert!(lo <= v && v <= hi, "{v}: [{lo}, {hi}]");
            assert!(hi / lo < 1.0 + RELATIVE_ERROR, "{v}: [{lo}, {hi}]");
        }
    }

    /// Best of several runs, in nanoseconds per value.
    fn best_ns_per_add(xs: &[f64]) -> f64 {
        (0..7)
            .map(|_| {
                let mut s = Sketch::new();
                let t = std::time::Instant::now();
                for &v in xs {
                    s.add(std::hint::black_box(v));
                }
                let el = t.elapsed();
                std::hint::black_box(&s);
                el.as_nanos() as f64 / xs.len() as f64
            })
            .fold(f64::INFINITY, f64::min)
    }

    #[test]
    #[ignore = "timing; run with --release -- --ignored --nocapture"]
    fn speed_of_add_and_summarize() {
        let mixed = mixed_values(2_000_000, 9);
        println!(
            "Sketch::add, mixed signs/zeros: {:.2} ns",
            best_ns_per_add(&mixed)
        );
        let mut state = Rng::seed_from_u64(11);
        let gdp: Vec<f64> = (0..2_000_000)
            .map(|_| (0.3 * normal(&mut state) + 7.0).exp())
            .collect();
        println!(
            "Sketch::add, lognormal (GDP-like): {:.2} ns",
            best_ns_per_add(&gdp)
        );
        let wide: Vec<f64> = (0..2_000_000)
            .map(|_| (3.0 * normal(&mut state)).exp())
            .collect();
        println!(
            "Sketch::add, lognormal sigma 3: {:.2} ns",
            best_ns_per_add(&wide)
        );
        let discrete: Vec<f64> = (0..2_000_000)
            .map(|_| (draw_u64(&mut state) % 3) as f64)
            .collect();
        println!(
            "Sketch::add, random 0/1/2: {:.2} ns",
            best_ns_per_add(&discrete)
        );
        let data = mixed_values(1_000_000, 10);
        let best = (0..5)
            .map(|_| {
                let mut work = data.clone();
                let t = std::time::Instant::now();
                std::hint::black_box(crate::stats::summarize(&mut work));
                t.elapsed().as_secs_f64() * 1e3
            })
            .fold(f64::INFINITY, f64::min);
        println!("summarize(1e6): {best:.2} ms");
        let mut work = data.clone();
        let t = std::time::Instant::now();
        work.sort_by(f64::total_cmp);
        println!(
            "full sort (1e6), for comparison: {:.2} ms",
            t.elapsed().as_secs_f64() * 1e3
        );
    }

    proptest! {
        #[test]
        fn quantiles_are_monotone_and_within_min_max(
            xs in prop::collection::vec(
                prop_oneof![-1e6f64..1e6, Just(0.0), -1e-8f64..1e-8, (0u8..3).prop_map(f64::from)],
                1..300,
            ),
            split in 0usize..300,
        ) {
            let split = split.min(xs.len());
            let mut s: Sketch = xs[..split].iter().copied().collect();
            s += &xs[split..].iter().copied().collect::<Sketch>();
            let (min, max) = (s.min().unwrap(), s.max().unwrap());
            let mut prev = f64::NEG_INFINITY;
            for k in 0..=200 {
                let v = s.quantile(k as f64 / 200.0).unwrap();
                prop_assert!(prev <= v && min <= v && v <= max, "k = {}: {} after {}", k, v, prev);
                prev = v;
            }
        }
    }
}
