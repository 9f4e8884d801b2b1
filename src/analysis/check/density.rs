//! The standard error of each stored quantile, estimated when the summary is written, from
//! all of the run's values: what `check` needs to compare two runs' quantiles at the nominal
//! false-alarm rate (`docs/check.md`).
//!
//! A sample p-quantile of `n` independent values from a distribution with density `f` is
//! asymptotically normal with variance `p (1 - p) / (n f(q_p)^2)` (Serfling, *Approximation
//! Theorems of Mathematical Statistics*, 1980, 2.3.3). The unknown is the *sparsity*
//! `s(p) = 1 / f(q_p) = Q'(p)`, the slope of the quantile function. It is estimated by the
//! difference quotient of the sample quantile function over a window of `±h` probability
//! around `p` (Siddiqui 1960; Bloch & Gastwirth 1968):
//!
//! `s(p) ≈ (Q(p + h) - Q(p - h)) / (2 h)`,
//!
//! with the Hall & Sheather (1988) bandwidth
//! `h = n^(-1/3) z^(2/3) (1.5 phi(x)^2 / (2 x^2 + 1))^(1/3)`, `x = Phi^-1(p)`, `z = 1.96`,
//! chosen to make a 95% test of a quantile hold its level (the rate at which the bias of the
//! secant and the noise of the `2 n h` spacings it spans balance for a test, rather than for
//! the density itself: Koenker, *Quantile Regression*, 2005, 3.4.1). At 20,000 values it
//! spans about ±0.8 points of probability at p05 and p95 and ±3.6 at the median (some 300 to
//! 1,400 order statistics), so the estimate's own relative error is a few percent. The
//! window is cut at 0 and 1 where it would leave them (small runs), the quotient then taken
//! over what is left. `Q` is the type-7 sample quantile of the summary's own quantiles.
//!
//! Where `Q` is flat over the whole window (an atom of the distribution holds the quantile)
//! the estimate is 0: the quantile does not move by noise, and `check` compares it by ranks
//! instead. Discrete outcomes (0/1 and integer-valued, as the model's schema declares them)
//! have no density at all: no standard errors are estimated for them.

use serde::{Deserialize, Serialize};
use statrs::distribution::{Continuous, ContinuousCDF, Normal};

use crate::stats::select::PresentKeys;
use crate::stats::{
    OutcomeStats, QUANTILES, mean_variance, quantiles_type7, quantiles_type7_counted, summarize,
    variance_about,
};

/// The two-sided 5% normal quantile for which the Hall-Sheather bandwidth is tuned.
const Z_BANDWIDTH: f64 = 1.959_963_984_540_054;

/// An outcome's quantile standard errors, as `summary.json` stores them under
/// `quantile_se.<outcome>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuantileSe {
    /// Whether the outcome is discrete (0/1 or integer-valued, from the model's schema): its
    /// quantiles jump between whole values and have no standard error (all `null`).
    pub discrete: bool,
    /// Standard error of `p05`, in the outcome's unit (`null` for fewer than two values).
    pub p05: Option<f64>,
    /// Standard error of `p10`.
    pub p10: Option<f64>,
    /// Standard error of `p25`.
    pub p25: Option<f64>,
    /// Standard error of `p50`.
    pub p50: Option<f64>,
    /// Standard error of `p75`.
    pub p75: Option<f64>,
    /// Standard error of `p90`.
    pub p90: Option<f64>,
    /// Standard error of `p95`.
    pub p95: Option<f64>,
}

impl QuantileSe {
    /// The entry of a discrete outcome: no standard errors.
    pub const DISCRETE: QuantileSe = QuantileSe {
        discrete: true,
        p05: None,
        p10: None,
        p25: None,
        p50: None,
        p75: None,
        p90: None,
        p95: None,
    };

    /// The standard errors of the [`QUANTILES`] of `values` (the outcome's present values,
    /// in any order: they are reordered), or of none for a `discrete` outcome.
    pub fn of(values: &mut [f64], discrete: bool) -> QuantileSe {
        if discrete {
            return QuantileSe::DISCRETE;
        }
        QuantileSe::from_array(discrete, quantile_se(values))
    }

    /// The entry with the standard errors of the [`QUANTILES`], in their order.
    fn from_array(discrete: bool, se: [Option<f64>; QUANTILES.len()]) -> QuantileSe {
        let [p05, p10, p25, p50, p75, p90, p95] = se;
        QuantileSe {
            discrete,
            p05,
            p10,
            p25,
            p50,
            p75,
            p90,
            p95,
        }
    }

    /// The standard error of the quantile at probability `p` (one of [`QUANTILES`]).
    pub fn at(&self, p: f64) -> Option<f64> {
        let all = [
            self.p05, self.p10, self.p25, self.p50, self.p75, self.p90, self.p95,
        ];
        QUANTILES.iter().position(|&q| q == p).and_then(|i| all[i])
    }
}

/// The Hall-Sheather bandwidth (in probability) for the p-quantile of `n` values.
///
/// ```
/// # use defsim::analysis::check::density::bandwidth;
/// let h = bandwidth(20_000, 0.5);
/// assert!((h - 0.0357).abs() < 1e-3);
/// ```
pub fn bandwidth(n: u64, p: f64) -> f64 {
    let normal = Normal::standard();
    let x = normal.inverse_cdf(p);
    let phi = normal.pdf(x);
    (n as f64).powf(-1.0 / 3.0)
        * Z_BANDWIDTH.powf(2.0 / 3.0)
        * (1.5 * phi * phi / (2.0 * x * x + 1.0)).powf(1.0 / 3.0)
}

/// The probability window `[lo, hi]` of the difference quotient at `p` for `n` values:
/// `p ± h`, cut at 0 and 1.
pub fn window(n: u64, p: f64) -> (f64, f64) {
    let h = bandwidth(n, p);
    ((p - h).max(0.0), (p + h).min(1.0))
}

/// The standard error `s(p) sqrt(p (1 - p) / n)` of each of the [`QUANTILES`] of `values`
/// (reordered), the sparsity `s(p)` estimated by the difference quotient of the type-7
/// sample quantile function over [`window`]; `None` for fewer than two values.
pub fn quantile_se(values: &mut [f64]) -> [Option<f64>; QUANTILES.len()] {
    let n = values.len() as u64;
    if n < 2 {
        return [None; QUANTILES.len()];
    }
    let q = quantiles_type7(values, &window_probs(n));
    standard_errors(n, &q)
}

/// The window ends `[lo, hi]` of every quantile, in the order of [`QUANTILES`].
fn window_probs(n: u64) -> Vec<f64> {
    QUANTILES
        .iter()
        .flat_map(|&p| {
            let (lo, hi) = window(n, p);
            [lo, hi]
        })
        .collect()
}

/// The standard errors from the type-7 quantiles `q` at [`window_probs`]`(n)`.
fn standard_errors(n: u64, q: &[f64]) -> [Option<f64>; QUANTILES.len()] {
    std::array::from_fn(|i| {
        let p = QUANTILES[i];
        let (lo, hi) = window(n, p);
        let sparsity = (q[2 * i + 1] - q[2 * i]) / (hi - lo);
        Some(sparsity * (p * (1.0 - p) / n as f64).sqrt())
    })
}

/// [`summarize`] and [`QuantileSe::of`] of the same values together, bit for bit the same
/// results as the two apart, with one selection of every order statistic both need (the
/// selection's passes grow with the log of the number of ranks, so one selection of all of
/// them costs little more than either alone). Reorders `values`.
pub fn summarize_with_se(values: &mut [f64], discrete: bool) -> (OutcomeStats, QuantileSe) {
    let n = values.len();
    if discrete || n < 2 {
        let stats = summarize(values);
        return (stats, QuantileSe::of(values, discrete));
    }
    let Some((mean, var)) = mean_variance(values.iter().copied()) else {
        return (OutcomeStats::EMPTY, QuantileSe::of(values, discrete));
    };
    // The summary's min, quantiles and max (as `summarize` selects them), then the windows.
    let mut probs = vec![0.0];
    probs.extend(QUANTILES);
    probs.push(1.0);
    let stored = probs.len();
    probs.extend(window_probs(n as u64));
    let q = quantiles_type7(values, &probs);
    let stats = OutcomeStats::from_quantiles(
        n as u64,
        Some(mean),
        var.map(f64::sqrt),
        std::array::from_fn(|i| Some(q[i])),
    );
    let se = QuantileSe::from_array(discrete, standard_errors(n as u64, &q[stored..]));
    (stats, se)
}

/// [`summarize_with_se`] of the present (non-NaN) values of `column`, in index order,
/// without copying or reordering it: the same bits. The order statistics are found by radix
/// selection ([`crate::stats::select`]): a few streaming passes over the column instead of
/// a copy and a chain of quickselects.
pub fn summarize_present_with_se(column: &[f64], discrete: bool) -> (OutcomeStats, QuantileSe) {
    // Three passes for the moments and the selection's counts: the range with the mean's
    // sum, then the deviations with the histogram (each count riding in the latency of the
    // compensated sums), then the selection's own.
    let (present, sum) = PresentKeys::scan_summing(column);
    let n = present.len();
    let no_se = || QuantileSe::from_array(discrete, [None; QUANTILES.len()]);
    if n == 0 {
        return (OutcomeStats::EMPTY, no_se());
    }
    // As `mean_variance` computes them, bit for bit.
    let mean = sum.total() / n as f64;
    let mut histogram = present.histogram();
    let present_values = column.iter().copied().filter(|v| !v.is_nan());
    let var = variance_about(
        present_values.clone().inspect(|&v| histogram.add(v)),
        mean,
        n,
    );
    if var.is_none() {
        // One value: the deviations were not read.
        present_values.for_each(|v| histogram.add(v));
    }
    // The summary's min, quantiles and max, then (with standard errors) the windows.
    let mut probs = vec![0.0];
    probs.extend(QUANTILES);
    probs.push(1.0);
    let stored = probs.len();
    let with_se = !discrete && n >= 2;
    if with_se {
        probs.extend(window_probs(n as u64));
    }
    let q = quantiles_type7_counted(&present, Some(histogram), column, &probs);
    let stats = OutcomeStats::from_quantiles(
        n as u64,
        Some(mean),
        var.map(f64::sqrt),
        std::array::from_fn(|i| Some(q[i])),
    );
    let se = if with_se {
        QuantileSe::from_array(false, standard_errors(n as u64, &q[stored..]))
    } else {
        no_se()
    };
    (stats, se)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_distr::{Exp1, StandardNormal};
    use rand_xoshiro::Xoshiro256PlusPlus as Rng;

    /// The true standard error of the p-quantile of `n` draws with density `f` there.
    fn true_se(p: f64, n: usize, f: f64) -> f64 {
        (p * (1.0 - p) / n as f64).sqrt() / f
    }

    /// The relative standard deviation of the estimate: the quotient spans `2 n h` spacings
    /// of the order statistics, each (nearly) an independent exponential times the local
    /// sparsity, so the span's relative sd is `1 / sqrt(2 n h)`.
    fn relative_sd(n: usize, p: f64) -> f64 {
        let (lo, hi) = window(n as u64, p);
        1.0 / ((hi - lo) * n as f64).sqrt()
    }

    #[test]
    fn the_column_read_where_it_lies_gives_the_same_bits_as_its_copy() {
        let mut rng = Rng::seed_from_u64(17);
        let draw = |rng: &mut Rng, kind: usize| -> f64 {
            match kind {
                0 => rng.sample(StandardNormal),
                1 => rng.random_range(0..2) as f64,
                2 => [0.0, -0.0, f64::INFINITY, 2.5, f64::NAN][rng.random_range(0..5)],
                _ => {
                    if rng.random::<f64>() < 0.3 {
                        f64::NAN
                    } else {
                        rng.sample::<f64, _>(Exp1) * 1e4
                    }
                }
            }
        };
        for n in [0, 1, 2, 3, 10, 1_000, 100_000] {
            for kind in 0..4 {
                let column: Vec<f64> = (0..n).map(|_| draw(&mut rng, kind)).collect();
                for discrete in [false, true] {
                    let mut present: Vec<f64> =
                        column.iter().copied().filter(|v| !v.is_nan()).collect();
                    let want = summarize_with_se(&mut present, discrete);
                    let got = summarize_present_with_se(&column, discrete);
                    assert_eq!(
                        format!("{got:?}"),
                        format!("{want:?}"),
                        "n = {n}, kind {kind}, discrete {discrete}"
                    );
                    let mut present: Vec<f64> =
                        column.iter().copied().filter(|v| !v.is_nan()).collect();
                    assert_eq!(
                        format!("{:?}", crate::stats::summarize_present(&column)),
                        format!("{:?}", summarize(&mut present))
                    );
                }
            }
        }
    }

    #[test]
    fn the_estimate_matches_the_true_standard_error_of_known_distributions() {
        let n = 20_000;
        let mut rng = Rng::seed_from_u64(11);
        let normal: Vec<f64> = (0..n).map(|_| rng.sample(StandardNormal)).collect();
        let exponential: Vec<f64> = (0..n).map(|_| rng.sample(Exp1)).collect();
        let std_normal = Normal::standard();
        for (name, mut xs, density) in [
            (
                "normal",
                normal,
                Box::new(|p: f64| std_normal.pdf(std_normal.inverse_cdf(p)))
                    as Box<dyn Fn(f64) -> f64>,
            ),
            // Exp(1): Q(p) = -ln(1 - p), f(Q(p)) = 1 - p.
            ("exponential", exponential, Box::new(|p: f64| 1.0 - p)),
        ] {
            let se = quantile_se(&mut xs);
            for (i, &p) in QUANTILES.iter().enumerate() {
                let want = true_se(p, n, density(p));
                let got = se[i].unwrap();
                // Four standard deviations of the estimate's noise, plus the secant's bias
                // (relative h^2 Q'''/(6 Q'), below 1% for these laws at this n).
                let tol = 4.0 * relative_sd(n, p) + 0.01;
                assert!(
                    (got / want - 1.0).abs() < tol,
                    "{name} p = {p}: se {got} against {want} (tolerance {tol})"
                );
            }
        }
    }

    #[test]
    fn the_estimate_predicts_the_spread_of_repeated_sample_quantiles() {
        // 400 samples of 2,000 normal draws: the sd of their sample p05 and median against
        // the mean estimated standard error. The sd of a sd over 400 samples is 1/sqrt(798)
        // = 3.5% relative: four of those, plus 2% for the estimate's bias at this n.
        let (samples, n) = (400, 2_000);
        let mut rng = Rng::seed_from_u64(5);
        for (k, p) in [(0, 0.05), (3, 0.5)] {
            let mut quantiles = Vec::with_capacity(samples);
            let mut estimated = 0.0;
            for _ in 0..samples {
                let mut xs: Vec<f64> = (0..n).map(|_| rng.sample(StandardNormal)).collect();
                estimated += quantile_se(&mut xs)[k].unwrap() / samples as f64;
                quantiles.push(quantiles_type7(&mut xs, &[p])[0]);
            }
            let mean = quantiles.iter().sum::<f64>() / samples as f64;
            let var =
                quantiles.iter().map(|q| (q - mean).powi(2)).sum::<f64>() / (samples - 1) as f64;
            let ratio = estimated / var.sqrt();
            assert!(
                (ratio - 1.0).abs() < 4.0 / (2.0 * (samples - 1) as f64).sqrt() + 0.02,
                "p = {p}: estimated se / observed sd = {ratio}"
            );
        }
    }

    #[test]
    fn summarizing_with_the_standard_errors_equals_the_two_apart_bit_for_bit() {
        let mut rng = Rng::seed_from_u64(3);
        for n in [0, 1, 2, 3, 10, 999, 5_000] {
            for ties in [false, true] {
                let xs: Vec<f64> = (0..n)
                    .map(|_| {
                        let x: f64 = rng.sample(StandardNormal);
                        if ties { x.round() } else { x }
                    })
                    .collect();
                for discrete in [false, true] {
                    let (stats, se) = summarize_with_se(&mut xs.clone(), discrete);
                    let mut apart = xs.clone();
                    let want_stats = summarize(&mut apart);
                    let want_se = QuantileSe::of(&mut apart, discrete);
                    let bits = |s: &OutcomeStats| {
                        [
                            s.mean, s.sd, s.se, s.p05, s.p10, s.p25, s.p50, s.p75, s.p90, s.p95,
                            s.min, s.max,
                        ]
                        .map(|v| v.map(f64::to_bits))
                    };
                    let se_bits = |s: &QuantileSe| {
                        [s.p05, s.p10, s.p25, s.p50, s.p75, s.p90, s.p95]
                            .map(|v| v.map(f64::to_bits))
                    };
                    assert_eq!(stats.n, want_stats.n);
                    assert_eq!(bits(&stats), bits(&want_stats), "n = {n}");
                    assert_eq!(se.discrete, want_se.discrete);
                    assert_eq!(se_bits(&se), se_bits(&want_se), "n = {n}");
                }
            }
        }
    }

    #[test]
    fn an_atom_has_no_spread_and_tiny_runs_have_no_estimate() {
        let mut xs = vec![3.0; 500];
        assert!(quantile_se(&mut xs).iter().all(|s| *s == Some(0.0)));
        assert_eq!(quantile_se(&mut [1.0]), [None; 7]);
        let mut two = [1.0, 2.0];
        assert!(quantile_se(&mut two).iter().all(|s| s.unwrap() > 0.0));
        assert_eq!(
            QuantileSe::of(&mut [0.0, 1.0, 1.0], true),
            QuantileSe::DISCRETE
        );
    }
}
