//! Order statistics of a column by radix selection, without copying or reordering it.
//!
//! Values are ordered by [`f64::total_cmp`], through an unsigned key with the same order
//! ([`total_order_key`]). To find the values of a few ranks among `n`: one pass takes the
//! smallest and largest key, a second counts the keys in up to 2^16 buckets of equal width
//! over that range, a third keeps only the keys of the buckets that hold a wanted rank, and
//! the ranks are selected among those few. Three streaming passes over the column replace a
//! chain of quickselects over all of it (about `2.5 n log2(k)` element visits for `k` ranks:
//! fourteen passes for the forty-odd ranks a summary with standard errors needs). A bucket
//! that holds a large share of the values (an atom, such as the zeros of a 0/1 outcome) is
//! not copied when all its keys are equal (its minimum and maximum, kept as the third pass
//! goes, tell); otherwise the keys of all such buckets are copied together in a fourth pass
//! (at most `n` keys), so a column is read four times at most. The values found are the
//! very bits of the order statistics, whatever the method: the result equals the sort's.

use super::NeumaierSum;

/// An unsigned key whose integer order is the order of [`f64::total_cmp`].
pub(crate) fn total_order_key(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 { !b } else { b | 1 << 63 }
}

/// The value of a [`total_order_key`].
pub(crate) fn from_total_order_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// `(total_order_key(x[i]), i)` for every `i`, sorted: by key, ties by index. A stable
/// radix sort on the key alone (a few passes of counting, the passes where every key has the
/// same byte skipped) from index order gives exactly the order of a comparison sort of the
/// pairs, with fewer instructions and less time at a run's 100,000 drivers' trials (rank
/// regressions, rank sensitivity).
pub(crate) fn total_order(x: &[f64]) -> Vec<(u64, usize)> {
    let mut order: Vec<(u64, usize)> = x
        .iter()
        .enumerate()
        .map(|(i, &v)| (total_order_key(v), i))
        .collect();
    radsort::sort_by_key(&mut order, |&(k, _)| k);
    order
}

/// Bits of the bucket index: 2^16 counters of 4 bytes stay in the L2 cache.
const BUCKET_BITS: u32 = 16;

/// A bucket holding more keys than this is not copied in the third pass: its minimum and
/// maximum show whether it holds one value, else its keys are copied in a fourth.
const COPY_AT_ONCE: u32 = 1 << 16;

/// Places the keys of the given 0-based ranks (ascending, distinct, each `>= offset`) at
/// their index, `keys` being a sub-slice that starts at global rank `offset`: the middle
/// rank first, then each side with its ranks.
fn select_key_ranks(keys: &mut [u64], offset: usize, ranks: &[usize]) {
    if ranks.is_empty() {
        return;
    }
    let mid = ranks.len() / 2;
    let (left, _, right) = keys.select_nth_unstable(ranks[mid] - offset);
    select_key_ranks(left, offset, &ranks[..mid]);
    select_key_ranks(right, ranks[mid] + 1, &ranks[mid + 1..]);
}

/// One bucket that holds a wanted rank.
struct Wanted {
    /// Rank of the bucket's first key among the keys searched.
    start: usize,
    /// Keys in the bucket.
    count: u32,
    /// The bucket's keys, when copied.
    keys: Vec<u64>,
    /// The smallest and largest key seen in the bucket.
    min: u64,
    max: u64,
}

/// The present (non-NaN) entries of a column as keys: how many, and their range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PresentKeys {
    n: usize,
    lo: u64,
    hi: u64,
}

impl PresentKeys {
    /// One pass over `column`: its present values' count and range.
    pub fn scan(column: &[f64]) -> PresentKeys {
        let (mut n, mut lo, mut hi) = (0usize, u64::MAX, 0u64);
        for k in keys(column) {
            n += 1;
            lo = lo.min(k);
            hi = hi.max(k);
        }
        PresentKeys { n, lo, hi }
    }

    /// [`PresentKeys::scan`] that also sums the present values in index order, as the first
    /// pass of [`super::mean_variance`] does (the same bits): the sum rides in the scan's
    /// pass, its additions' latency hiding the scan's work.
    pub fn scan_summing(column: &[f64]) -> (PresentKeys, NeumaierSum) {
        let (mut n, mut lo, mut hi) = (0usize, u64::MAX, 0u64);
        let mut sum = NeumaierSum::new();
        for &v in column {
            if v.is_nan() {
                continue;
            }
            sum.add(v);
            let k = total_order_key(v);
            n += 1;
            lo = lo.min(k);
            hi = hi.max(k);
        }
        (PresentKeys { n, lo, hi }, sum)
    }

    /// An empty [`Histogram`] of the present keys' range, for the caller to fill with every
    /// present value ([`Histogram::add`]) in a pass of its own, then hand to
    /// [`PresentKeys::order_statistics_counted`].
    pub fn histogram(&self) -> Histogram {
        Histogram::new(self.lo, self.hi.max(self.lo))
    }

    /// Number of present values.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether no value is present.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The values of the present entries of `column` (the column [`PresentKeys::scan`]
    /// read) at the given 0-based ranks (ascending, distinct, each below [`Self::len`])
    /// under [`f64::total_cmp`], in the order of `ranks`. Reads `column` a few times;
    /// writes nothing to it.
    ///
    /// # Panics
    /// If a rank is not below the number of present values.
    pub fn order_statistics(&self, column: &[f64], ranks: &[usize]) -> Vec<f64> {
        self.order_statistics_with(column, ranks, None)
    }

    /// [`PresentKeys::order_statistics`] with the histogram of the present values already
    /// counted (every present value of `column` added once, from [`PresentKeys::histogram`]).
    pub fn order_statistics_counted(
        &self,
        column: &[f64],
        ranks: &[usize],
        counted: Histogram,
    ) -> Vec<f64> {
        assert_eq!(
            counted.count.iter().map(|&c| c as usize).sum::<usize>(),
            self.n,
            "every present value counted once"
        );
        self.order_statistics_with(column, ranks, Some(counted))
    }

    fn order_statistics_with(
        &self,
        column: &[f64],
        ranks: &[usize],
        counted: Option<Histogram>,
    ) -> Vec<f64> {
        let (n, lo, hi) = (self.n, self.lo, self.hi);
        assert!(
            ranks.windows(2).all(|w| w[0] < w[1]) && ranks.last().is_none_or(|&r| r < n),
            "ranks ascending, distinct and below the {n} values"
        );
        if ranks.is_empty() {
            return Vec::new();
        }
        if u32::try_from(n).is_err() || ranks.len() >= usize::from(NONE) {
            // Beyond the counters' range, or so many ranks that a sort is as cheap.
            let mut all: Vec<u64> = keys(column).collect();
            all.sort_unstable();
            return ranks
                .iter()
                .map(|&r| from_total_order_key(all[r]))
                .collect();
        }
        let histogram = counted.unwrap_or_else(|| {
            let mut h = Histogram::new(lo, hi);
            for k in keys(column) {
                h.add_key(k);
            }
            h
        });
        select_counted(column, histogram, ranks)
            .into_iter()
            .map(from_total_order_key)
            .collect()
    }
}

/// The keys of the present values of `column`, in index order.
fn keys(column: &[f64]) -> impl Iterator<Item = u64> + '_ {
    column
        .iter()
        .filter(|v| !v.is_nan())
        .map(|&v| total_order_key(v))
}

/// No wanted bucket.
const NONE: u16 = u16::MAX;

/// Counts of keys in up to 2^16 buckets of equal width over a range of keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    lo: u64,
    hi: u64,
    shift: u32,
    count: Vec<u32>,
}

impl Histogram {
    /// Empty buckets over `lo ..= hi`.
    fn new(lo: u64, hi: u64) -> Histogram {
        let span = hi - lo;
        let shift = (u64::BITS - span.leading_zeros()).saturating_sub(BUCKET_BITS);
        Histogram {
            lo,
            hi,
            shift,
            count: vec![0; (span >> shift) as usize + 1],
        }
    }

    /// The bucket of a key in the range.
    #[inline]
    fn bucket(&self, k: u64) -> usize {
        ((k - self.lo) >> self.shift) as usize
    }

    /// Counts a key in the range.
    #[inline]
    fn add_key(&mut self, k: u64) {
        let b = self.bucket(k);
        self.count[b] += 1;
    }

    /// Counts a present value of the column whose range this covers.
    #[inline]
    pub fn add(&mut self, v: f64) {
        self.add_key(total_order_key(v));
    }
}

/// [`PresentKeys::order_statistics`] for fewer than 2^32 values and [`NONE`] ranks, with
/// the present keys of `column` counted in `histogram`: the keys at `ranks`.
fn select_counted(column: &[f64], histogram: Histogram, ranks: &[usize]) -> Vec<u64> {
    let Histogram {
        lo,
        hi,
        shift,
        count,
    } = histogram;
    let present = || keys(column).filter(move |k| (lo..=hi).contains(k));
    let bucket = |k: u64| ((k - lo) >> shift) as usize;

    // The buckets of the wanted ranks, in rank order (ranks ascend, so one walk finds them).
    let mut slot = vec![NONE; count.len()];
    let mut wanted: Vec<Wanted> = Vec::new();
    let mut of_rank = Vec::with_capacity(ranks.len());
    let (mut b, mut start) = (0usize, 0usize);
    for &r in ranks {
        while start + count[b] as usize <= r {
            start += count[b] as usize;
            b += 1;
        }
        if slot[b] == NONE {
            slot[b] = wanted.len() as u16;
            let copy = count[b] <= COPY_AT_ONCE;
            wanted.push(Wanted {
                start,
                count: count[b],
                keys: Vec::with_capacity(if copy { count[b] as usize } else { 0 }),
                min: u64::MAX,
                max: 0,
            });
        }
        of_rank.push(slot[b] as usize);
    }
    drop(count);
    for k in present() {
        let s = slot[bucket(k)];
        if s != NONE {
            let w = &mut wanted[s as usize];
            w.min = w.min.min(k);
            w.max = w.max.max(k);
            if w.count <= COPY_AT_ONCE {
                w.keys.push(k);
            }
        }
    }
    // The large buckets of several values (a dense cluster beside far outliers): their keys
    // are copied together in one more pass, at most `n` keys (the room a copy of the column
    // took before), so that no column is read more than four times whatever its values.
    let large = |w: &Wanted| w.count > COPY_AT_ONCE && w.min != w.max;
    if wanted.iter().any(large) {
        for w in wanted.iter_mut().filter(|w| large(w)) {
            w.keys.reserve_exact(w.count as usize);
        }
        for k in present() {
            let s = slot[bucket(k)];
            if s != NONE && large(&wanted[s as usize]) {
                wanted[s as usize].keys.push(k);
            }
        }
    }
    // Each bucket's ranks: its one value, or selected among its copied keys.
    let mut found = vec![0u64; ranks.len()];
    for (i, w) in wanted.iter_mut().enumerate() {
        let at: Vec<usize> = (0..ranks.len()).filter(|&j| of_rank[j] == i).collect();
        let within: Vec<usize> = at.iter().map(|&j| ranks[j] - w.start).collect();
        let keys = if w.min == w.max {
            vec![w.min; within.len()]
        } else {
            debug_assert_eq!(w.keys.len(), w.count as usize);
            select_key_ranks(&mut w.keys, 0, &within);
            within.iter().map(|&r| w.keys[r]).collect()
        };
        for (j, k) in at.into_iter().zip(keys) {
            found[j] = k;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testdata::{SPECIAL, awkward};
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus as Rng;

    /// The order statistics by a full sort under `total_cmp` (the plain way).
    fn by_sort(column: &[f64], ranks: &[usize]) -> Vec<u64> {
        let mut v: Vec<f64> = column.iter().copied().filter(|v| !v.is_nan()).collect();
        v.sort_by(f64::total_cmp);
        ranks.iter().map(|&r| v[r].to_bits()).collect()
    }

    fn check(column: &[f64], what: &str) {
        let present = PresentKeys::scan(column);
        let n = present.len();
        if n == 0 {
            assert!(present.order_statistics(column, &[]).is_empty());
            return;
        }
        // Every rank of small columns; else the ends, quantile-like ranks and neighbours.
        let mut ranks: Vec<usize> = if n <= 300 {
            (0..n).collect()
        } else {
            [
                0.0, 0.003, 0.05, 0.0501, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.97, 1.0,
            ]
            .iter()
            .flat_map(|&p| {
                let r = ((n - 1) as f64 * p) as usize;
                [r, (r + 1).min(n - 1)]
            })
            .collect()
        };
        ranks.sort_unstable();
        ranks.dedup();
        let got: Vec<u64> = present
            .order_statistics(column, &ranks)
            .iter()
            .map(|v| v.to_bits())
            .collect();
        assert_eq!(got, by_sort(column, &ranks), "{what}, n = {n}");
    }

    #[test]
    fn several_large_buckets_of_several_values_are_selected_exactly() {
        // Three dense clusters of 90,000 distinct values each, a few ulps apart, beside far
        // outliers: each cluster falls in one bucket of the 2^16 (wider than a cluster) with
        // more keys than are copied in the third pass, and not all equal, so the keys of all
        // three are copied together in a fourth.
        let mut rng = Rng::seed_from_u64(11);
        let mut column = Vec::new();
        for centre in [1.0f64, 2.0, -3.0] {
            column.extend(
                (0..90_000)
                    .map(|_| f64::from_bits(centre.to_bits() + rng.random_range(0..5_000u64))),
            );
        }
        column.extend((0..30_000).map(|_| {
            let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
            sign * 1e300 * (1.0 + rng.random::<f64>())
        }));
        check(&column, "three dense clusters beside far outliers");
    }

    #[test]
    fn radix_selection_equals_a_sort_bit_for_bit() {
        let mut rng = Rng::seed_from_u64(3);
        // An optional outcome's absent trials are NaN: the selection skips them.
        let special: Vec<f64> = SPECIAL.iter().copied().chain([f64::NAN]).collect();
        for n in [0, 1, 2, 3, 17, 300, 1_000, 70_000, 300_000] {
            let mut cases: Vec<(&str, Vec<f64>)> = Vec::new();
            cases.push((
                "uniform",
                (0..n)
                    .map(|_| rng.random::<f64>() * 200.0 - 100.0)
                    .collect(),
            ));
            cases.push((
                "wide range",
                (0..n)
                    .map(|_| (rng.random::<f64>() * 80.0 - 40.0).exp())
                    .collect(),
            ));
            cases.push((
                "ties, signed zeros, infinities, NaN",
                awkward(&mut rng, n, &special),
            ));
            cases.push((
                "0/1",
                (0..n).map(|_| rng.random_range(0..2) as f64).collect(),
            ));
            cases.push((
                "years",
                (0..n)
                    .map(|_| 2025.0 + rng.random_range(0..11) as f64)
                    .collect(),
            ));
            cases.push((
                "an atom and a spread",
                (0..n)
                    .map(|_| {
                        if rng.random::<f64>() < 0.6 {
                            0.0
                        } else {
                            rng.random::<f64>() * 1e-3
                        }
                    })
                    .collect(),
            ));
            cases.push((
                "a dense cluster",
                (0..n)
                    .map(|_| {
                        if rng.random::<f64>() < 0.5 {
                            1.0 + rng.random::<f64>() * 1e-12
                        } else {
                            rng.random::<f64>() * 1e6
                        }
                    })
                    .collect(),
            ));
            cases.push((
                "nested clusters beside far outliers (large buckets searched again)",
                (0..n)
                    .map(|_| match rng.random_range(0..10) {
                        0 => rng.random::<f64>() * 1e300,
                        1..=3 => 1.0 + rng.random::<f64>() * 1e-6,
                        _ => 1.0 + rng.random_range(0..100_000) as f64 * f64::EPSILON,
                    })
                    .collect(),
            ));
            cases.push(("constant", vec![-3.25; n]));
            cases.push(("all NaN", vec![f64::NAN; n]));
            for (what, column) in &cases {
                check(column, what);
            }
        }
    }

    #[test]
    fn keys_keep_the_total_order_and_the_bits() {
        for (a, b) in [
            (0.5, -0.0),
            (-2.5, f64::NEG_INFINITY),
            (7.0, 1e-310),
            (0.0, -0.0),
            (f64::INFINITY, f64::MAX),
        ] {
            for v in [a, b] {
                assert_eq!(
                    from_total_order_key(total_order_key(v)).to_bits(),
                    v.to_bits()
                );
            }
            assert_eq!(total_order_key(a).cmp(&total_order_key(b)), a.total_cmp(&b));
        }
    }
}
