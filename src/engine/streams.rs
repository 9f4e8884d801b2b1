//! Per-trial random substreams.
//!
//! Each named stream of a trial is a Xoshiro256++ generator (rand_xoshiro: a portable,
//! documented algorithm that will not change between versions, unlike `StdRng`) seeded by
//! `seed_from_u64(h)`, with `h = mix(mix(mix(seed) ^ trial) ^ fnv1a(name))` and `mix` the
//! SplitMix64 output function (Steele, Lea & Flood 2014; [`crate::stats::splitmix`]). A stream's numbers thus depend only on
//! the run's seed, the trial index and the stream's name: two scenarios run with the same
//! seed share every stream they both have (common random numbers), and adding a parameter
//! or component does not reshuffle the others.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::stats::splitmix::{GOLDEN_GAMMA, mix};

/// FNV-1a (64-bit) of a stream name: stable across platforms and versions.
pub fn stream_key(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// `Xoshiro256PlusPlus::seed_from_u64(x)`, bit for bit, without its byte buffer: the
/// state is the next four outputs of a SplitMix64 generator in state `x` (rand_xoshiro's
/// definition), read back as the little-endian seed `from_seed` takes (which maps an
/// all-zero seed to a fixed other one: the four outputs are never all zero, as `mix` is a
/// bijection and they are mixes of four distinct states).
#[inline]
fn seeded(x: u64) -> Xoshiro256PlusPlus {
    let mut seed = [0u8; 32];
    for (i, word) in seed.chunks_exact_mut(8).enumerate() {
        let z = x.wrapping_add(GOLDEN_GAMMA.wrapping_mul(i as u64));
        word.copy_from_slice(&mix(z).to_le_bytes());
    }
    Xoshiro256PlusPlus::from_seed(seed)
}

/// `mix(mix(seed) ^ trial)`: what every stream of `trial` of a run with `seed` starts from.
#[inline]
fn trial_base(seed: u64, trial: u64) -> u64 {
    mix(mix(seed) ^ trial)
}

/// The generator of the stream named by `key` ([`stream_key`]) in the trial whose
/// [`trial_base`] is `base`.
#[inline]
fn stream_rng(base: u64, key: u64) -> Xoshiro256PlusPlus {
    seeded(mix(base ^ key))
}

/// The substreams of one trial, reseeded for each trial without allocating.
#[derive(Debug, Clone)]
pub struct Streams {
    keys: Vec<u64>,
    rngs: Vec<Xoshiro256PlusPlus>,
}

impl Streams {
    /// Streams for the given names (in the model's order).
    pub fn new(names: &[String]) -> Streams {
        let keys: Vec<u64> = names.iter().map(|n| stream_key(n)).collect();
        let rngs = keys
            .iter()
            .map(|_| Xoshiro256PlusPlus::seed_from_u64(0))
            .collect();
        Streams { keys, rngs }
    }

    /// Seeds every stream for `trial` of a run with `seed`.
    pub fn reseed(&mut self, seed: u64, trial: u64) {
        let base = trial_base(seed, trial);
        for (rng, &key) in self.rngs.iter_mut().zip(&self.keys) {
            *rng = stream_rng(base, key);
        }
    }

    /// The generator of stream `i`.
    #[inline]
    pub fn get(&mut self, i: usize) -> &mut Xoshiro256PlusPlus {
        &mut self.rngs[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn a_stream_depends_only_on_seed_trial_and_name() {
        let mut a = Streams::new(&["macro".into(), "gold".into()]);
        let mut b = Streams::new(&["gold".into(), "power".into(), "macro".into()]);
        a.reseed(7, 42);
        b.reseed(7, 42);
        let x: f64 = a.get(0).random();
        let y: f64 = b.get(2).random();
        assert_eq!(x, y, "same name, same numbers whatever the position");
        let g1: u64 = a.get(1).random();
        let g2: u64 = b.get(0).random();
        assert_eq!(g1, g2);
        b.reseed(7, 43);
        let z: f64 = b.get(2).random();
        assert_ne!(x, z, "another trial, other numbers");
    }

    #[test]
    fn seeding_matches_rand_xoshiro_seed_from_u64() {
        for x in [0u64, 1, 42, u64::MAX, 0x9e37_79b9_7f4a_7c15, 20_250_117] {
            let mut a = seeded(x);
            let mut b = Xoshiro256PlusPlus::seed_from_u64(x);
            for _ in 0..8 {
                assert_eq!(a.random::<u64>(), b.random::<u64>(), "seed {x}");
            }
        }
    }

    #[test]
    fn fnv1a_matches_reference_values() {
        // Reference values of FNV-1a 64 (Fowler, Noll, Vo): "" and "a".
        assert_eq!(stream_key(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stream_key("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
