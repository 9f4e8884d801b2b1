//! SplitMix64 mixing (Steele, Lea & Flood, "Fast splittable pseudorandom number
//! generators", OOPSLA 2014): the one place that turns a seed and an index into the seed of
//! an independent generator, for the engine's per-trial streams and the bootstrap's
//! resamples.
//!
//! Both functions are bijections of `u64` with full avalanche (each input bit flips each
//! output bit with probability about 1/2), fixed forever: changing them changes every
//! stream and every bootstrap interval.

/// SplitMix64's increment (`2^64 / phi`, made odd).
pub(crate) const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's finaliser (Stafford's "Mix13"): a bijective avalanche mix of 64 bits.
#[inline]
pub(crate) fn finalize(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// SplitMix64's output function: the finaliser of `z + GOLDEN_GAMMA`, i.e. the number a
/// SplitMix64 generator in state `z` returns next.
#[inline]
pub(crate) fn mix(z: u64) -> u64 {
    finalize(z.wrapping_add(GOLDEN_GAMMA))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_matches_the_reference_splitmix64_sequence() {
        // The first outputs of SplitMix64 seeded with 1234567 (Vigna's reference
        // splitmix64.c): state s gives mix(s), the next state is s + GOLDEN_GAMMA.
        let mut s: u64 = 1_234_567;
        let mut out = [0u64; 3];
        for o in &mut out {
            *o = mix(s);
            s = s.wrapping_add(GOLDEN_GAMMA);
        }
        assert_eq!(
            out,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423
            ]
        );
    }
}
