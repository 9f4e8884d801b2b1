//! Exact, order-independent summation of floating-point numbers.
//!
//! [`ExactSum`] keeps the sum of every number added to it *exactly*, as a fixed-point
//! integer spanning the whole range of `f64` (from 2^-1074 to past 2^1024), in 68 signed
//! 64-bit limbs of 32 bits each (the idea of Neal's "superaccumulator", R. M. Neal, "Fast
//! exact summation using small and large superaccumulators", arXiv:1505.05571, 2015, in
//! its simplest dense form). Adding a number writes its 53-bit significand into the two or
//! three limbs it overlaps; a carry pass runs every 2^30 additions, before any limb could
//! overflow. The total is rounded to the nearest `f64` once, when it is read.
//!
//! **Guarantee.** Because the state is the exact sum, the result does not depend on the
//! order of additions or merges: any grouping of the same numbers, merged with `+=` in
//! any order, gives the same bits. That is what makes per-thread accumulators and sharded
//! runs reproducible. [`ExactSum::total`] is correctly rounded (to nearest, ties to even)
//! except when the total is subnormal (below 2^-1022), where it may be one subnormal ulp
//! off; it is `±inf` past the `f64` range, and NaN (or `±inf`) when a non-finite number was
//! added.
//!
//! It costs a few nanoseconds per addition and 552 bytes: accumulate short runs of values
//! in plain floating point in a fixed order (a block's trials) and add their partial sums
//! here, as the engine does.

use std::ops::AddAssign;

/// Limbs of 32 bits: bit positions 0 .. 2176 above 2^-1074 (the top one holds the sign).
const LIMBS: usize = 68;
/// Additions between carry passes: each adds less than 2^32 to a limb in absolute value,
/// so limbs stay below 2^62 in absolute value.
const CARRY_EVERY: u32 = 1 << 30;

/// An exact sum of `f64` values; see the module documentation.
///
/// ```
/// use defsim::stats::ExactSum;
/// let mut a = ExactSum::new();
/// for x in [1e100, 1.0, -1e100, 0.1] {
///     a.add(x);
/// }
/// assert_eq!(a.total(), 1.1);
/// let mut b = ExactSum::new();
/// for x in [0.1, -1e100, 1.0, 1e100] {
///     b.add(x);
/// }
/// assert_eq!(a, b); // the order of additions does not matter, bit for bit
/// ```
#[derive(Clone)]
pub struct ExactSum {
    limbs: [i64; LIMBS],
    /// Additions (and merges) since the last carry pass.
    pending: u32,
    /// Sum of the non-finite values added (0 when there were none).
    special: f64,
}

impl Default for ExactSum {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for ExactSum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExactSum")
            .field("total", &self.total())
            .finish()
    }
}

impl PartialEq for ExactSum {
    /// Equal when the exact sums are equal (whatever the carries still pending).
    fn eq(&self, other: &Self) -> bool {
        let special = |s: &ExactSum| s.special.to_bits();
        special(self) == special(other) && self.normalized() == other.normalized()
    }
}

impl serde::Serialize for ExactSum {
    /// The normalised limbs and the non-finite part: equal sums serialise to equal bytes.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (self.normalized().to_vec(), self.special).serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for ExactSum {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (limbs, special): (Vec<i64>, f64) = serde::Deserialize::deserialize(deserializer)?;
        let limbs: [i64; LIMBS] = limbs
            .try_into()
            .map_err(|_| serde::de::Error::custom("an exact sum has 68 limbs"))?;
        if limbs[..LIMBS - 1].iter().any(|l| !(0..1 << 32).contains(l)) {
            return Err(serde::de::Error::custom(
                "an exact sum's limbs are not normalised",
            ));
        }
        Ok(ExactSum {
            limbs,
            pending: 0,
            special,
        })
    }
}

impl ExactSum {
    /// An empty sum (0).
    pub const fn new() -> Self {
        Self {
            limbs: [0; LIMBS],
            pending: 0,
            special: 0.0,
        }
    }

    /// Adds `x` exactly.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let bits = x.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as u32;
        if biased == 0x7ff {
            self.special += x;
            return;
        }
        let frac = bits & ((1 << 52) - 1);
        // value = mant * 2^(pos - 1074), pos the bit position of the significand's lsb.
        let (mant, pos) = if biased == 0 {
            (frac, 0)
        } else {
            (frac | (1 << 52), biased - 1)
        };
        if mant == 0 {
            return;
        }
        let k = (pos / 32) as usize;
        let wide = u128::from(mant) << (pos % 32);
        let parts = [
            (wide & 0xffff_ffff) as i64,
            ((wide >> 32) & 0xffff_ffff) as i64,
            (wide >> 64) as i64,
        ];
        if bits >> 63 == 0 {
            for (l, p) in self.limbs[k..k + 3].iter_mut().zip(parts) {
                *l += p;
            }
        } else {
            for (l, p) in self.limbs[k..k + 3].iter_mut().zip(parts) {
                *l -= p;
            }
        }
        self.bump();
    }

    #[inline]
    fn bump(&mut self) {
        self.pending += 1;
        if self.pending >= CARRY_EVERY {
            self.carry();
        }
    }

    /// Propagates carries: every limb but the top one ends in `[0, 2^32)`.
    fn carry(&mut self) {
        propagate(&mut self.limbs);
        self.pending = 0;
    }

    fn normalized(&self) -> [i64; LIMBS] {
        let mut limbs = self.limbs;
        propagate(&mut limbs);
        limbs
    }

    /// The sum, rounded once to the nearest `f64` (see the module documentation).
    pub fn total(&self) -> f64 {
        if self.special != 0.0 || self.special.is_nan() {
            return self.special;
        }
        let mut limbs = self.normalized();
        let negative = limbs[LIMBS - 1] < 0;
        if negative {
            for l in &mut limbs {
                *l = -*l;
            }
            propagate(&mut limbs);
        }
        let Some(h) = limbs.iter().rposition(|&l| l != 0) else {
            return 0.0;
        };
        // The top three limbs (96 bits) with a sticky bit for everything below: rounding
        // that to 53 bits is rounding the exact sum.
        let limb = |i: isize| if i < 0 { 0 } else { limbs[i as usize] as u128 };
        let h = h as isize;
        let mut m = (limb(h) << 64) | (limb(h - 1) << 32) | limb(h - 2);
        if h >= 3 && limbs[..(h - 2) as usize].iter().any(|&l| l != 0) {
            m |= 1;
        }
        let magnitude = scale(m as f64, 32 * (h - 2) as i32 - 1074);
        if negative { -magnitude } else { magnitude }
    }
}

/// Carry pass over `limbs` (two's-complement style: the top limb keeps the sign).
fn propagate(limbs: &mut [i64; LIMBS]) {
    for k in 0..LIMBS - 1 {
        let c = limbs[k] >> 32;
        limbs[k] -= c << 32;
        limbs[k + 1] += c;
    }
}

/// `x * 2^e`, exactly while the result is normal.
fn scale(mut x: f64, mut e: i32) -> f64 {
    let pow2 = |e: i32| f64::from_bits(((e + 1023) as u64) << 52);
    while e > 1000 {
        x *= pow2(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= pow2(-1000);
        e += 1000;
    }
    x * pow2(e)
}

impl AddAssign<&ExactSum> for ExactSum {
    /// Adds another exact sum: the result is the exact sum of both.
    fn add_assign(&mut self, other: &ExactSum) {
        if self.pending.saturating_add(other.pending) >= CARRY_EVERY - 1 {
            self.carry();
        }
        let mut theirs = other.limbs;
        if other.pending >= CARRY_EVERY / 2 {
            propagate(&mut theirs);
        }
        for (l, o) in self.limbs.iter_mut().zip(theirs) {
            *l += o;
        }
        self.special += other.special;
        // Limbs below the top are now below 2^63 in absolute value: carry before more.
        self.carry();
    }
}

impl FromIterator<f64> for ExactSum {
    fn from_iter<I: IntoIterator<Item = f64>>(iter: I) -> Self {
        let mut s = Self::new();
        for x in iter {
            s.add(x);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::seq::SliceRandom;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus as Rng;

    #[test]
    fn recovers_what_floating_point_loses() {
        let s: ExactSum = [1.0, 1e100, 1.0, -1e100].into_iter().collect();
        assert_eq!(s.total(), 2.0);
        let tenths: ExactSum = std::iter::repeat_n(0.1, 1_000_000).collect();
        // 1e6 times the double 0.1 is 100000.0000000000055511..., which rounds to 100000.
        assert_eq!(tenths.total(), 100_000.0);
        assert_eq!(ExactSum::new().total(), 0.0);
        let s: ExactSum = [f64::MAX, f64::MAX, -f64::MAX].into_iter().collect();
        assert_eq!(s.total(), f64::MAX, "no overflow in between");
        let s: ExactSum = [f64::MAX, f64::MAX].into_iter().collect();
        assert_eq!(s.total(), f64::INFINITY);
        let tiny = f64::from_bits(1); // 2^-1074
        let s: ExactSum = [tiny, tiny, 1.0, -1.0].into_iter().collect();
        assert_eq!(s.total(), 2.0 * tiny);
    }

    #[test]
    fn total_is_correctly_rounded_against_integer_arithmetic() {
        // Integers below 2^62 sum exactly in i128: the total must be that sum rounded once.
        let mut rng = Rng::seed_from_u64(5);
        for _ in 0..200 {
            let xs: Vec<i64> = (0..50)
                .map(|_| rng.random::<i64>() >> rng.random_range(1..63))
                .collect();
            let s: ExactSum = xs.iter().map(|&x| x as f64).collect();
            // Each `x as f64` is an integer, so i128 sums them exactly; `i128 as f64`
            // rounds to nearest, ties to even.
            let exact: i128 = xs.iter().map(|&x| (x as f64) as i128).sum();
            assert_eq!(s.total(), exact as f64, "{xs:?}");
        }
    }

    #[test]
    fn non_finite_values_propagate() {
        let s: ExactSum = [1.0, f64::INFINITY].into_iter().collect();
        assert_eq!(s.total(), f64::INFINITY);
        let s: ExactSum = [f64::INFINITY, f64::NEG_INFINITY].into_iter().collect();
        assert!(s.total().is_nan());
    }

    #[test]
    fn carry_passes_keep_the_sum_exact() {
        let mut s = ExactSum::new();
        s.pending = CARRY_EVERY - 3;
        for _ in 0..10 {
            s.add(-f64::MAX / 4.0);
            s.add(f64::MAX / 4.0);
            s.add(-0.75);
        }
        assert_eq!(s.total(), -7.5);
    }

    proptest! {
        #[test]
        fn any_order_and_grouping_gives_the_same_bits(
            xs in prop::collection::vec(
                prop_oneof![
                    -1e300f64..1e300,
                    -1.0f64..1.0,
                    -1e-300f64..1e-300,
                    Just(0.1),
                    Just(-0.1),
                ],
                0..200,
            ),
            seed in 0u64..1000,
            split in 0usize..200,
        ) {
            let whole: ExactSum = xs.iter().copied().collect();
            let mut shuffled = xs.clone();
            shuffled.shuffle(&mut Rng::seed_from_u64(seed));
            let split = split.min(xs.len());
            let mut a: ExactSum = shuffled[..split].iter().copied().collect();
            let b: ExactSum = shuffled[split..].iter().copied().collect();
            a += &b;
            prop_assert_eq!(a.total().to_bits(), whole.total().to_bits());
            prop_assert!(a == whole);
            // Against a compensated sum: exact where the terms do not cancel badly.
            let naive: f64 = xs.iter().sum();
            let scale: f64 = xs.iter().map(|x| x.abs()).sum();
            prop_assert!((whole.total() - naive).abs() <= 1e-12 * scale.max(1e-300));
        }
    }
}
