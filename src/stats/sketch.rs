//! A mergeable quantile sketch for yearly series, with a stated relative error and an
//! exact, order-independent merge.
//!
//! A run keeps one sketch per (series, year): about 250 series of 1e6 trials each, so adding
//! a value must cost a few nanoseconds. The sketch is a histogram with logarithmic buckets
//! keyed directly on the bit pattern of `|v|`: the 11 exponent bits and the top
//! [`MANTISSA_BITS`] = 7 mantissa bits, so that each bucket spans magnitudes `[L, U]` with
//! `U / L <= 1 + 2^-7`. Values with `|v| <` [`ZERO_THRESHOLD`] (1e-9) share one zero bucket;
//! positive and negative values each have a dense window of buckets over the magnitudes seen
//! on that side (so a series of zeros and values near 100 does not span the 30 octaves in
//! between). The zero bucket and both windows live in one array, so adding a value picks
//! its slot without a branch on its sign; a window grows geometrically when a value falls
//! outside it, so a long-lived sketch stops allocating after its first values.
//!
//! A bucket holds an integer count and the exact min and max of its values; nothing else.
//! Merging (`+=`) adds counts and takes mins and maxes: it is **exact, associative and
//! commutative**, so sketches built on any split of the same values, merged in any order,
//! are equal (per-thread accumulators and sharded runs rely on this). [`Sketch::add_slice`]
//! counts a run made only of 0, 1 and 2 (indicator and state series) in registers.
//!
//! **Quantile and error bound.** For `0 < q < 1` and `n` values, [`Sketch::quantile`]
//! finds the bucket that holds the order statistic `x[r]`, `r = floor((n-1) q)` (0-based,
//! ascending: the lower of the two order statistics that a type-7 quantile interpolates
//! between) and reports the bucket's midpoint, clamped to the bucket's exact min and max.
//! The result lies in the same bucket as `x[r]`, so `|result - x[r]| <= 2^-8 |x[r]|`
//! ([`RELATIVE_ERROR`], 0.39%), or below 1e-9 in absolute value when `|x[r]| < 1e-9`. A
//! bucket holding copies of one value reports exactly that value (its min and max agree):
//! the 0/1/2 of a discrete series, a deterministic series, ... `q = 0` and `q = 1` return
//! the exact min and max, and every result lies in `[min, max]`.

use std::ops::AddAssign;

/// Mantissa bits kept in a bucket key: bucket ratio `U / L <= 1 + 2^-MANTISSA_BITS`.
pub const MANTISSA_BITS: u32 = 7;
/// Bound on the relative error of a quantile against the order statistic of its rank: half
/// a bucket, `2^-(MANTISSA_BITS + 1)`.
pub const RELATIVE_ERROR: f64 = 1.0 / (1u64 << (MANTISSA_BITS + 1)) as f64;
/// Values with `|v|` below this share the zero bucket (absolute error below it).
pub const ZERO_THRESHOLD: f64 = 1e-9;

/// Bits dropped from `|v|.to_bits()` to form the magnitude key.
const SHIFT: u32 = 52 - MANTISSA_BITS;
/// Raw key of [`ZERO_THRESHOLD`]: magnitude keys count from it.
const KEY_MIN: u32 = (ZERO_THRESHOLD.to_bits() >> SHIFT) as u32;
/// Largest magnitude key (of `f64::MAX`).
const MAG_MAX: u32 = (f64::MAX.to_bits() >> SHIFT) as u32 - KEY_MIN;
/// Least number of buckets a window grows by: it grows by at least half its length, so a
/// sketch reallocates O(log range) times.
const MIN_GROWTH: u32 = 16;

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
/// let mut t: Sketch = [2.0, 2.0, 2.0].into_iter().collect();
/// t += &[0.0, 1.0, 1.0].into_iter().collect::<Sketch>();
/// assert_eq!(s, t); // any split, merged in any order, gives the same sketch
/// ```
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Sketch {
    /// `[negative window | zero bucket | positive window]`; empty until the first value.
    buckets: Vec<Bucket>,
    /// Windows over magnitude keys: `neg` holds `buckets[..neg.len]` (increasing magnitude),
    /// `pos` holds `buckets[neg.len + 1..]`.
    neg: Span,
    pos: Span,
    count: u64,
}

/// Magnitude keys `first .. first + len` of a window.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
struct Span {
    first: u32,
    len: u32,
}

/// One histogram bucket: how many values, and the exact min and max among them.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
struct Bucket {
    count: u64,
    /// `+inf` while empty.
    min: f64,
    /// `-inf` while empty.
    max: f64,
}

impl Bucket {
    const EMPTY: Bucket = Bucket {
        count: 0,
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
    };

    #[inline]
    fn add(&mut self, v: f64) {
        self.count += 1;
        // Branches, not selects: after the first few values they are predicted, and the
        // bucket's min and max are not rewritten.
        if v < self.min {
            self.min = v;
        }
        if v > self.max {
            self.max = v;
        }
    }

    fn merge(&mut self, other: &Bucket) {
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }
}

/// Magnitude key of `|v| >= ZERO_THRESHOLD` (garbage below it).
#[inline]
fn magnitude(v: f64) -> u32 {
    ((v.abs().to_bits() >> SHIFT) as u32).wrapping_sub(KEY_MIN)
}

/// The signed key of a finite value, monotone in `v`: 0 for the zero bucket, else the
/// magnitude key plus 1 with the sign of `v`.
#[cfg(test)]
fn signed_key(v: f64) -> i32 {
    if v.abs() < ZERO_THRESHOLD {
        0
    } else {
        let k = magnitude(v) as i32 + 1;
        if v < 0.0 { -k } else { k }
    }
}

/// A sketch's windows, copied out so that a tight loop over many values
/// ([`Sketch::add_slice`]) finds slots from registers; the one definition of a value's slot.
#[derive(Clone, Copy)]
struct Windows {
    /// Index of the zero bucket (= the negative window's length).
    zero: usize,
    neg_first: u32,
    neg_len: u32,
    pos_first: u32,
    pos_len: u32,
}

impl Windows {
    #[inline]
    fn of(s: &Sketch) -> Windows {
        Windows {
            zero: s.neg.len as usize,
            neg_first: s.neg.first,
            neg_len: s.neg.len,
            pos_first: s.pos.first,
            pos_len: s.pos.len,
        }
    }

    /// Index in the buckets of a finite value's bucket (the zero bucket for `|v| <`
    /// [`ZERO_THRESHOLD`]), or `None` when it lies outside the windows. Valid only once
    /// the sketch has its zero bucket.
    #[inline]
    fn slot(&self, v: f64) -> Option<usize> {
        const MAGNITUDE: u64 = !(1 << 63);
        let bits = v.to_bits();
        if bits & MAGNITUDE < ZERO_THRESHOLD.to_bits() {
            return Some(self.zero);
        }
        let m = (((bits & MAGNITUDE) >> SHIFT) as u32).wrapping_sub(KEY_MIN);
        if bits >> 63 == 1 {
            let off = m.wrapping_sub(self.neg_first);
            (off < self.neg_len).then_some(off as usize)
        } else {
            let off = m.wrapping_sub(self.pos_first);
            (off < self.pos_len).then_some(self.zero + 1 + off as usize)
        }
    }
}

/// Smallest and largest magnitudes of magnitude key `m`.
fn bounds(m: u32) -> (f64, f64) {
    let raw = u64::from(m + KEY_MIN);
    let lo = f64::from_bits(raw << SHIFT);
    let hi = f64::from_bits(((raw + 1) << SHIFT) - 1);
    (lo, hi)
}

/// The value a bucket reports: the midpoint of its key's range, clamped to its own values.
fn report(k: i32, b: &Bucket) -> f64 {
    let mid = match k {
        0 => 0.0,
        k => {
            let (lo, hi) = bounds(k.unsigned_abs() - 1);
            let m = lo + (hi - lo) / 2.0;
            if k > 0 { m } else { -m }
        }
    };
    mid.clamp(b.min, b.max)
}

impl Default for Sketch {
    fn default() -> Self {
        Self::new()
    }
}

impl PartialEq for Sketch {
    /// Equal when they hold the same counts, mins and maxes in every bucket (however far
    /// their windows grew).
    fn eq(&self, other: &Self) -> bool {
        self.count == other.count && self.occupied().eq(other.occupied())
    }
}

impl Sketch {
    /// An empty sketch (allocates nothing).
    pub const fn new() -> Self {
        Self {
            buckets: Vec::new(),
            neg: Span { first: 0, len: 0 },
            pos: Span { first: 0, len: 0 },
            count: 0,
        }
    }

    /// Index in `buckets` of a finite value's bucket, or `None` when it lies outside the
    /// windows (or the sketch has no buckets yet).
    #[inline]
    fn slot(&self, v: f64) -> Option<usize> {
        if self.buckets.is_empty() {
            return None;
        }
        Windows::of(self).slot(v)
    }

    /// Records one finite value.
    #[inline]
    pub fn add(&mut self, v: f64) {
        debug_assert!(v.is_finite(), "sketch value {v} is not finite");
        match self.slot(v).and_then(|i| self.buckets.get_mut(i)) {
            Some(b) => b.add(v),
            None => self.grow_and_add(v),
        }
        self.count += 1;
    }

    /// Records a run of finite values: the same sketch as adding them one by one, faster.
    /// A run made only of the small integers 0, 1 and 2 (indicator and state series) is
    /// counted in registers and added to its three buckets at once.
    pub fn add_slice(&mut self, values: &[f64]) {
        self.add_slice_summing(values, values.len().max(1), |_, _| {});
    }

    /// [`Sketch::add_slice`] (the very same state, windows included), and, in the same
    /// pass, the plain sum of each consecutive group of `group` values (the last may be
    /// shorter), in their order: `sums(len, ((0 + v0) + v1) + ...)`, bit for bit. A caller
    /// that needs both does not wait on a second, latency-bound loop of additions.
    ///
    /// # Panics
    /// If `group` is 0.
    pub fn add_slice_summing(
        &mut self,
        values: &[f64],
        group: usize,
        mut sums: impl FnMut(usize, f64),
    ) {
        const SMALL: [u64; 3] = [0, 0x3ff0_0000_0000_0000, 0x4000_0000_0000_0000];
        assert!(group > 0, "groups of no values");
        if values.is_empty() {
            return;
        }
        if values.iter().all(|v| SMALL.contains(&v.to_bits())) {
            let (mut ones, mut twos) = (0u64, 0u64);
            for run in values.chunks(group) {
                // Of the three bit patterns, only 1.0 has bit 61 set and only 2.0 bit 62:
                // shifts and adds, which vectorise on any x86-64 (64-bit compares do not).
                let (mut o, mut t) = (0u64, 0u64);
                for v in run {
                    o += (v.to_bits() >> 61) & 1;
                    t += v.to_bits() >> 62;
                }
                // Every partial sum of +0, 1 and 2 is an integer below 2^53, so exact:
                // the ordered sum is this, bit for bit.
                sums(run.len(), o as f64 + 2.0 * t as f64);
                (ones, twos) = (ones + o, twos + t);
            }
            let zeros = values.len() as u64 - ones - twos;
            for (v, n) in [(0.0, zeros), (1.0, ones), (2.0, twos)] {
                if n > 0 {
                    self.add(v);
                    let i = self.slot(v).expect("just added");
                    self.buckets[i].count += n - 1;
                    self.count += n - 1;
                }
            }
            return;
        }
        if self.buckets.is_empty() {
            self.buckets.push(Bucket::EMPTY); // the zero bucket, as the first value adds it
        }
        // Passes with the windows and the buckets held in registers: a value outside the
        // windows (rare once a sketch has seen a few chunks) grows them, and the pass
        // resumes after it with the new ones. The same sketch as adding one by one.
        for run in values.chunks(group) {
            let mut sum = 0.0;
            let mut rest = run;
            while !rest.is_empty() {
                let w = Windows::of(self);
                let buckets = self.buckets.as_mut_slice();
                let mut taken = rest.len();
                for (k, &v) in rest.iter().enumerate() {
                    debug_assert!(v.is_finite(), "sketch value {v} is not finite");
                    match w.slot(v) {
                        Some(i) => buckets[i].add(v),
                        None => {
                            taken = k;
                            break;
                        }
                    }
                    sum += v;
                }
                if let Some(&v) = rest.get(taken) {
                    self.grow_and_add(v);
                    sum += v;
                    taken += 1;
                }
                rest = &rest[taken..];
            }
            sums(run.len(), sum);
        }
        self.count += values.len() as u64;
    }

    #[cold]
    #[inline(never)]
    fn grow_and_add(&mut self, v: f64) {
        if self.buckets.is_empty() {
            self.buckets.push(Bucket::EMPTY);
        }
        if v.abs() >= ZERO_THRESHOLD {
            let m = magnitude(v);
            self.cover(v < 0.0, m, m);
        }
        let i = self.slot(v).expect("covered");
        self.buckets[i].add(v);
    }

    /// Grows the window of one sign (never shrinks it) so that it spans the magnitude keys
    /// `lo ..= hi`, with geometric slack on the side that grows.
    fn cover(&mut self, negative: bool, lo: u32, hi: u32) {
        if self.buckets.is_empty() {
            self.buckets.push(Bucket::EMPTY);
        }
        let span = if negative { self.neg } else { self.pos };
        let (first, last) = if span.len == 0 {
            let slack = MIN_GROWTH / 2;
            (lo.saturating_sub(slack), (hi + slack).min(MAG_MAX))
        } else {
            let slack = (span.len / 2).max(MIN_GROWTH);
            let old_last = span.first + span.len - 1;
            let first = if lo < span.first {
                lo.saturating_sub(slack)
            } else {
                span.first
            };
            let last = if hi > old_last {
                (hi + slack).min(MAG_MAX)
            } else {
                old_last
            };
            if (first, last) == (span.first, old_last) {
                return;
            }
            (first, last)
        };
        let grown = Span {
            first,
            len: last - first + 1,
        };
        let (neg, pos) = if negative {
            (grown, self.pos)
        } else {
            (self.neg, grown)
        };
        let mut buckets = vec![Bucket::EMPTY; (neg.len + 1 + pos.len) as usize];
        let mut copy = |from: Span, to: Span, src: usize, dst: usize| {
            if from.len > 0 {
                let at = dst + (from.first - to.first) as usize;
                buckets[at..at + from.len as usize]
                    .copy_from_slice(&self.buckets[src..src + from.len as usize]);
            }
        };
        copy(self.neg, neg, 0, 0);
        copy(
            self.pos,
            pos,
            self.neg.len as usize + 1,
            neg.len as usize + 1,
        );
        buckets[neg.len as usize] = self.buckets[self.neg.len as usize];
        self.buckets = buckets;
        (self.neg, self.pos) = (neg, pos);
    }

    /// The non-empty buckets with their signed keys, in increasing order of value.
    /// Every non-empty bucket in ascending order, as (the value it reports, its count):
    /// a histogram of the values (for plots of streaming runs).
    pub fn buckets(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        self.occupied().map(|(k, b)| (report(k, b), b.count))
    }

    fn occupied(&self) -> impl Iterator<Item = (i32, &Bucket)> {
        let n = self.neg.len as usize;
        let neg = self.buckets.get(..n).unwrap_or(&[]);
        let rest = self.buckets.get(n..).unwrap_or(&[]);
        let (neg_first, pos_first) = (self.neg.first as i32, self.pos.first as i32);
        let negatives = neg
            .iter()
            .enumerate()
            .rev()
            .map(move |(i, b)| (-(neg_first + i as i32 + 1), b));
        let others = rest.iter().enumerate().map(move |(i, b)| match i {
            0 => (0, b),
            i => (pos_first + i as i32, b),
        });
        negatives.chain(others).filter(|(_, b)| b.count > 0)
    }

    /// Adds everything recorded in `other`: exact, and independent of the order of merges.
    pub fn merge(&mut self, other: &Sketch) {
        if other.count == 0 {
            return;
        }
        if self.buckets.is_empty() {
            self.buckets.push(Bucket::EMPTY);
        }
        for (negative, span) in [(true, other.neg), (false, other.pos)] {
            if span.len > 0 {
                self.cover(negative, span.first, span.first + span.len - 1);
            }
        }
        for (k, b) in other.occupied() {
            let i = match k {
                0 => self.neg.len as usize,
                k if k > 0 => self.neg.len as usize + 1 + (k as u32 - 1 - self.pos.first) as usize,
                k => (k.unsigned_abs() - 1 - self.neg.first) as usize,
            };
            self.buckets[i].merge(b);
        }
        self.count += other.count;
    }

    /// Number of values recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The smallest value recorded, exactly; `None` when empty.
    pub fn min(&self) -> Option<f64> {
        self.occupied().next().map(|(_, b)| b.min)
    }

    /// The largest value recorded, exactly; `None` when empty.
    pub fn max(&self) -> Option<f64> {
        self.occupied().last().map(|(_, b)| b.max)
    }

    /// The approximate quantile at `q`: the reported value of the bucket holding the order
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
            return self.min();
        }
        if q == 1.0 {
            return self.max();
        }
        let rank = ((self.count - 1) as f64 * q).floor() as u64;
        let mut seen = 0;
        for (k, b) in self.occupied() {
            seen += b.count;
            if rank < seen {
                return Some(report(k, b));
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
    fn exact_for_a_repeated_value_and_within_the_bucket_values_otherwise() {
        let sketch: Sketch = std::iter::repeat_n(0.1, 1000).collect();
        assert_eq!(sketch.quantile(0.5), Some(0.1));
        let mut sketch = sketch;
        sketch.add(0.1 * (1.0 + 2f64.powi(-20))); // same bucket, another value
        sketch.add(5.0);
        sketch.add(0.1 * (1.0 - 2f64.powi(-20)));
        assert_eq!(sketch.quantile(0.0), Some(0.1 * (1.0 - 2f64.powi(-20))));
        // The bucket's midpoint, clamped to the values it holds.
        let mid = sketch.quantile(0.5).unwrap();
        assert!((mid - 0.1).abs() <= 0.11 * 2f64.powi(-20), "{mid}");
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
        assert_eq!(merged, whole);
        for k in 0..=100 {
            let q = k as f64 / 100.0;
            assert_eq!(merged.quantile(q), whole.quantile(q), "q = {q}");
        }
        let mut sorted = xs;
        sorted.sort_by(f64::total_cmp);
        assert_within_bound(&merged, &sorted);
    }

    #[test]
    fn merging_in_any_order_gives_the_same_sketch() {
        let xs = mixed_values(20_000, 4);
        let blocks: Vec<Sketch> = xs
            .chunks(1000)
            .map(|c| c.iter().copied().collect())
            .collect();
        let mut forward = Sketch::new();
        for b in &blocks {
            forward += b;
        }
        let mut backward = Sketch::new();
        for b in blocks.iter().rev() {
            backward += b;
        }
        // Pairwise, as a tree of shards would.
        let mut tree = blocks.clone();
        while tree.len() > 1 {
            tree = tree
                .chunks(2)
                .map(|p| {
                    let mut s = p[0].clone();
                    if let Some(q) = p.get(1) {
                        s += q;
                    }
                    s
                })
                .collect();
        }
        assert_eq!(forward, backward);
        assert_eq!(forward, tree[0]);
        assert_eq!(forward, xs.iter().copied().collect::<Sketch>());
    }

    #[test]
    fn add_slice_builds_the_same_sketch_as_adding_one_by_one() {
        let mut state = Rng::seed_from_u64(8);
        let discrete: Vec<f64> = (0..1000)
            .map(|_| (draw_u64(&mut state) % 3) as f64)
            .collect();
        for xs in [
            mixed_values(5000, 7),
            discrete.clone(),
            discrete.iter().map(|v| v.min(1.0)).collect(),
            vec![0.0; 10],
            vec![-0.0, 0.0, 1.0],
            vec![-0.0; 3],
            vec![1e-12, -5.0, 0.0, 3.0, 1e300, -1e-300, 2.0],
            vec![],
        ] {
            let one_by_one: Sketch = xs.iter().copied().collect();
            let mut sliced = Sketch::new();
            let mut summed = Sketch::new();
            for run in xs.chunks(1024) {
                sliced.add_slice(run);
                // The sums come in the same pass, bit for bit the plain ordered sums, also
                // across the windows' growth and in the 0/1/2 fast path.
                let mut got = Vec::new();
                summed.add_slice_summing(run, 100, |n, s| got.push((n, s.to_bits())));
                let plain: Vec<(usize, u64)> = run
                    .chunks(100)
                    .map(|g| (g.len(), g.iter().fold(0.0, |a, v| a + v).to_bits()))
                    .collect();
                assert_eq!(got, plain);
            }
            assert_eq!(sliced, one_by_one);
            assert_eq!(summed, one_by_one);
            assert_eq!(summed.count(), xs.len() as u64);
            let bits = |x: Option<f64>| x.map(f64::to_bits);
            assert_eq!(bits(sliced.min()), bits(one_by_one.min()));
            // Summing changes nothing of the state, windows included (parts and
            // checkpoints carry sketches).
            assert_eq!(
                postcard::to_stdvec(&summed).unwrap(),
                postcard::to_stdvec(&sliced).unwrap()
            );
        }
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
        assert_eq!(s.occupied().map(|(k, _)| k).collect::<Vec<_>>(), vec![0]);
        // Every quantile lies in its bucket's [min, max], so the zero is clamped to the min.
        assert_eq!(s.quantile(0.5), Some(2e-10));
        assert_eq!(s.quantile(1.0), Some(5e-10));
        // Just below the threshold, in the magnitude key of the threshold itself, with that
        // key inside the window: still the zero bucket, added one by one or as a slice.
        let xs = [1.5e-9, 1e-9, -1e-9, 0.999_999e-9, -0.999_999e-9];
        assert_eq!(magnitude(xs[1]), magnitude(xs[3]));
        let one_by_one: Sketch = xs.into_iter().collect();
        let mut sliced = Sketch::new();
        sliced.add_slice(&xs);
        for s in [one_by_one, sliced] {
            let keys: Vec<(i32, u64)> = s.occupied().map(|(k, b)| (k, b.count)).collect();
            assert_eq!(keys, vec![(-1, 1), (0, 2), (1, 1), (signed_key(1.5e-9), 1)]);
        }
    }

    #[test]
    fn bucket_bounds_ratio_is_at_most_one_plus_two_to_minus_seven() {
        for v in [1e-9, 0.1, 1.0, 1.5, 1.999, 3.0, 1e6, 1.7e308, -2.5, -1e-9] {
            let (lo, hi) = bounds(magnitude(v));
            assert!(lo <= v.abs() && v.abs() <= hi, "{v}: [{lo}, {hi}]");
            assert!(hi / lo < 1.0 + 2.0 * RELATIVE_ERROR, "{v}: [{lo}, {hi}]");
        }
        assert_eq!(magnitude(f64::MAX), MAG_MAX);
        assert_eq!(magnitude(1e-9), 0);
        assert_eq!(
            (signed_key(0.0), signed_key(-0.0), signed_key(9.9e-10)),
            (0, 0, 0)
        );
        assert!(signed_key(-1e-9) < 0 && signed_key(1e-9) > 0);
    }

    #[test]
    fn extreme_values_grow_the_window_to_the_ends_of_the_range() {
        let xs = [1.0, f64::MAX, -f64::MAX, 0.0, 1e-300, -3.0];
        let s: Sketch = xs.into_iter().collect();
        assert_eq!((s.min(), s.max()), (Some(-f64::MAX), Some(f64::MAX)));
        assert_eq!(s.quantile(0.5), Some(0.0));
        assert_eq!(s.quantile(0.25), Some(-3.0));
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
