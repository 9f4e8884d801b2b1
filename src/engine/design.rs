//! Sampling designs: trials whose uncertain parameters come from points of the unit cube
//! instead of their own random streams (EMA Workbench's seam between sampling and
//! distributions).
//!
//! A [`Design`] gives, for each trial (row), a point `u` in `(0, 1)^k`, one coordinate per
//! uncertain input in [`super::Schema::inputs`] order, and the trial index whose substreams
//! drive that row's annual shocks. The model maps `u` through each input's inverse CDF
//! ([`Model::draw_params_at`]). Annual shocks are not inputs: they keep their ordinary
//! per-trial streams ([`super::Streams`]), so a design changes only how the per-trial
//! parameters are drawn.
//!
//! Two designs live here:
//! * [`LatinHypercube`] (`defsim run --design lhs`): input `j` of trial `i` lies in stratum
//!   `pi_j(i)` of `n` equal strata, `u = (pi_j(i) + v) / n`, where `pi_j` is a pseudo-random
//!   permutation of `0..n` keyed by `(seed, j)` (a bijective integer hash with cycle
//!   walking, after Kensler 2013, "Correlated multi-jittered sampling") and `v` in `(0, 1)`
//!   is a hash of `(seed, j, i)`. Each row is computed on its own from `(seed, i)`: no
//!   table, no order, so results are identical whatever the number of threads.
//! * [`Saltelli`] (`defsim sensitivity --method sobol`): the `N (k + 2)` rows A, B and
//!   `AB_i` (A with column `i` from B) of Saltelli et al. (2010), A and B being the two
//!   halves of an Owen-scrambled Sobol sequence in `2k` dimensions (Burley 2020,
//!   `sobol_burley`).

use crate::stats::splitmix::mix;

/// Unit-cube points per trial: see the module documentation.
pub trait Design: Sync {
    /// Number of rows (trials) the design has.
    fn rows(&self) -> u64;

    /// Writes row `trial`'s point (each coordinate in `(0, 1)`) and returns the trial index
    /// whose random substreams drive the row's annual shocks.
    fn point(&self, trial: u64, unit: &mut [f64]) -> u64;
}

/// A uniform in the open interval `(0, 1)` from 64 hashed bits (53 bits, centred).
fn open_unit(bits: u64) -> f64 {
    ((bits >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

/// A pseudo-random permutation of `0..n` keyed by `key`: `i` -> `permute(i, n, key)`.
///
/// A bijection of `w`-bit words (`2^w` the smallest power of two `>= n`) built from
/// invertible steps (xor with a key, multiplication by an odd constant, xorshift, all modulo
/// `2^w`), applied again while the result is `>= n` (cycle walking, which keeps it a
/// bijection of `0..n`). Kensler (2013) uses the same construction on 32 bits.
pub fn permute(i: u64, n: u64, key: u64) -> u64 {
    assert!(i < n, "index {i} outside 0..{n}");
    if n == 1 {
        return 0;
    }
    let bits = 64 - (n - 1).leading_zeros();
    let mask = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let half = bits.div_ceil(2).max(1);
    let k1 = mix(key);
    let k2 = mix(k1);
    let mut x = i;
    loop {
        for (round, k) in [k1, k2, k1.rotate_left(17), k2.rotate_left(29)]
            .into_iter()
            .enumerate()
        {
            x ^= k & mask;
            x = x.wrapping_mul(0x9e37_79b9_7f4a_7c15 | 1) & mask;
            x ^= x >> half;
            x = x.wrapping_add(k >> (7 + round)) & mask;
            x = x.wrapping_mul(0xd6e8_feb8_6659_fd93 | 1) & mask;
            x ^= x >> (bits / 3).max(1);
        }
        if x < n {
            return x;
        }
    }
}

/// Latin hypercube over `n` trials and `k` inputs, keyed by the run's seed.
#[derive(Debug, Clone, Copy)]
pub struct LatinHypercube {
    n: u64,
    k: usize,
    seed: u64,
}

impl LatinHypercube {
    /// The design of `n` trials for `k` inputs with `seed` (the run's seed).
    pub fn new(n: u64, k: usize, seed: u64) -> LatinHypercube {
        LatinHypercube { n, k, seed }
    }

    /// The permutation key of input `j`: distinct from every stream key of the run.
    fn key(&self, j: usize) -> u64 {
        mix(mix(self.seed ^ 0x4c48_535f_6465_7369) ^ j as u64)
    }
}

impl Design for LatinHypercube {
    fn rows(&self) -> u64 {
        self.n
    }

    fn point(&self, trial: u64, unit: &mut [f64]) -> u64 {
        debug_assert_eq!(unit.len(), self.k);
        for (j, u) in unit.iter_mut().enumerate() {
            let key = self.key(j);
            let stratum = permute(trial, self.n, key);
            let jitter = open_unit(mix(mix(key) ^ trial));
            *u = (stratum as f64 + jitter) / self.n as f64;
        }
        trial
    }
}

/// Largest number of inputs a Saltelli design supports (`sobol_burley` has 256 dimensions).
pub const SALTELLI_MAX_INPUTS: usize = sobol_burley::NUM_DIMENSIONS as usize / 2;

/// Largest number of base points of a Saltelli design (`sobol_burley` has 2^16 points).
pub const SALTELLI_MAX_BASE: u64 = 1 << 16;

/// The Saltelli (2010) design: rows `0..N` are A, `N..2N` are B, `(2 + i) N..(3 + i) N` are
/// `AB_i`. Rows of A and of `AB_i` with the same base index `j` share trial `j`'s annual
/// shocks; B's row `j` has trial `N + j`'s. So A and B are independent samples of every
/// uncertainty (parameters and shocks), and `AB_i` differs from A only in input `i`: the
/// estimators then measure each parameter's share of the total variance, shocks included.
#[derive(Debug, Clone)]
pub struct Saltelli {
    n: u64,
    k: usize,
    /// `a[j * k + i]`, `b[j * k + i]`: the two base matrices.
    a: Vec<f64>,
    b: Vec<f64>,
}

impl Saltelli {
    /// `n` base points for `k` inputs (`k <= SALTELLI_MAX_INPUTS`,
    /// `n <= SALTELLI_MAX_BASE`); `seed` keys the Owen scrambling.
    pub fn new(n: u64, k: usize, seed: u64) -> Saltelli {
        assert!(k <= SALTELLI_MAX_INPUTS && n <= SALTELLI_MAX_BASE);
        let scramble = (mix(seed ^ 0x5341_4c54) >> 32) as u32;
        // Points of sobol_burley are multiples of 2^-24 in [0, 1): centre them in their cell
        // so no coordinate is 0 (an infinite quantile for an unbounded law).
        let cell = 1.0 / f64::from(1u32 << 24);
        let coord = |j: u64, d: usize| {
            f64::from(sobol_burley::sample(j as u32, d as u32, scramble)) + 0.5 * cell
        };
        let mut a = Vec::with_capacity(n as usize * k);
        let mut b = Vec::with_capacity(n as usize * k);
        for j in 0..n {
            a.extend((0..k).map(|i| coord(j, i)));
            b.extend((0..k).map(|i| coord(j, k + i)));
        }
        Saltelli { n, k, a, b }
    }

    /// Number of base points `N`.
    pub fn base(&self) -> u64 {
        self.n
    }

    /// Number of inputs `k`.
    pub fn inputs(&self) -> usize {
        self.k
    }
}

impl Design for Saltelli {
    fn rows(&self) -> u64 {
        self.n * (self.k as u64 + 2)
    }

    fn point(&self, trial: u64, unit: &mut [f64]) -> u64 {
        let (block, j) = (trial / self.n, trial % self.n);
        let row = j as usize * self.k..(j as usize + 1) * self.k;
        match block {
            0 => {
                unit.copy_from_slice(&self.a[row]);
                j
            }
            1 => {
                unit.copy_from_slice(&self.b[row]);
                self.n + j
            }
            _ => {
                let i = (block - 2) as usize;
                unit.copy_from_slice(&self.a[row.clone()]);
                unit[i] = self.b[row][i];
                j
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permute_is_a_bijection_for_awkward_sizes() {
        for n in [1u64, 2, 3, 7, 64, 100, 1000, 4097] {
            let mut seen = vec![false; n as usize];
            for i in 0..n {
                let p = permute(i, n, 42 + n);
                assert!(!seen[p as usize], "n = {n}: {p} twice");
                seen[p as usize] = true;
            }
        }
    }

    #[test]
    fn latin_hypercube_puts_one_point_in_each_stratum_of_each_input() {
        let (n, k) = (500u64, 4);
        let d = LatinHypercube::new(n, k, 7);
        let mut hits = vec![vec![0u32; n as usize]; k];
        let mut u = vec![0.0; k];
        for i in 0..n {
            assert_eq!(d.point(i, &mut u), i);
            for (j, &x) in u.iter().enumerate() {
                assert!(x > 0.0 && x < 1.0);
                hits[j][(x * n as f64) as usize] += 1;
            }
        }
        assert!(hits.iter().flatten().all(|&h| h == 1));
        // Columns are not the same permutation.
        let (mut a, mut b) = (vec![0.0; k], vec![0.0; k]);
        d.point(3, &mut a);
        d.point(4, &mut b);
        assert!(a.windows(2).any(|w| (w[0] - w[1]).abs() > 1.0 / n as f64));
    }

    #[test]
    fn saltelli_rows_are_a_b_and_a_with_one_column_of_b() {
        let (n, k) = (8u64, 3);
        let d = Saltelli::new(n, k, 1);
        assert_eq!(d.rows(), n * 5);
        let (mut a, mut b, mut ab) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
        for j in 0..n {
            assert_eq!(d.point(j, &mut a), j);
            assert_eq!(d.point(n + j, &mut b), n + j);
            for i in 0..k {
                assert_eq!(d.point((2 + i as u64) * n + j, &mut ab), j);
                for c in 0..k {
                    assert_eq!(ab[c], if c == i { b[c] } else { a[c] });
                }
            }
            assert!(a.iter().chain(&b).all(|&x| x > 0.0 && x < 1.0));
        }
    }
}
