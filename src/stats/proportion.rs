//! Proportions of trials (viability, break-even) with Wilson score intervals.
//!
//! The Wilson score interval (E. B. Wilson, "Probable inference, the law of succession,
//! and statistical inference", JASA 22, 1927) inverts the normal score test, so unlike
//! the Wald interval it stays inside [0, 1], is never of zero width at 0 or n successes,
//! and covers close to its nominal level for small counts (Newcombe, "Two-sided confidence
//! intervals for the single proportion", Statistics in Medicine 17, 1998, method 3).
//! With `s` successes in `n` trials and `R = sqrt(s (n - s) / n + z^2 / 4)`:
//!
//! `centre ± half = (s + z^2 / 2 ± z R) / (n + z^2)`.
//!
//! Each end is computed in a form without cancellation, `lower = s^2 / (n (s + z^2/2 + z R))`
//! and `upper = 1 - (n - s)^2 / (n ((n - s) + z^2/2 + z R))` (algebraically the same), so
//! `lower = 0` exactly when `s = 0` and `upper = 1` exactly when `s = n`.

use serde::{Deserialize, Serialize};

/// The 97.5% standard normal quantile: z of a two-sided 95% interval.
pub const Z95: f64 = 1.959963984540054;

/// A proportion with its 95% Wilson interval; serialises as the `summary.json`
/// probability object `{ "p": .., "ci95": [lower, upper] }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proportion {
    /// Observed share of successes, `s / n` (0 when n = 0).
    pub p: f64,
    /// 95% Wilson score interval `[lower, upper]`.
    pub ci95: [f64; 2],
}

/// The Wilson score interval `(lower, upper)` for `successes` out of `n` at normal
/// quantile `z` (e.g. [`Z95`]).
///
/// With `n = 0` there is no information: the interval is the whole `[0, 1]`.
///
/// # Panics
/// If `successes > n` or `z` is negative or not finite (programming errors).
///
/// ```
/// use defsim::stats::{wilson, Z95};
/// let (lo, hi) = wilson(5, 10, Z95);
/// assert!((lo - 0.2366).abs() < 1e-4 && (hi - 0.7634).abs() < 1e-4);
/// ```
pub fn wilson(successes: u64, n: u64, z: f64) -> (f64, f64) {
    assert!(successes <= n, "{successes} successes out of {n} trials");
    assert!(z.is_finite() && z >= 0.0, "z = {z} must be finite and >= 0");
    if n == 0 {
        return (0.0, 1.0);
    }
    let (s, f, n) = (successes as f64, (n - successes) as f64, n as f64);
    let half_z2 = z * z / 2.0;
    let zr = z * (s * f / n + half_z2 / 2.0).sqrt();
    let lower = s * s / (n * (s + half_z2 + zr));
    let upper = 1.0 - f * f / (n * (f + half_z2 + zr));
    // Guard the ends against rounding (z = 0 gives s/n itself).
    (lower.clamp(0.0, 1.0), upper.clamp(0.0, 1.0))
}

/// The share of `successes` among `n` trials with its 95% Wilson interval.
///
/// With `n = 0` (no trial has the property's denominator): `p = 0` and `ci95 = [0, 1]`,
/// which says "no information" instead of failing; callers report `n` alongside.
///
/// ```
/// use defsim::stats::proportion;
/// let p = proportion(0, 10);
/// assert_eq!(p.p, 0.0);
/// assert_eq!(p.ci95[0], 0.0);
/// ```
pub fn proportion(successes: u64, n: u64) -> Proportion {
    let (lower, upper) = wilson(successes, n, Z95);
    let p = if n == 0 {
        0.0
    } else {
        successes as f64 / n as f64
    };
    Proportion {
        p,
        ci95: [lower, upper],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn wilson_matches_reference_values() {
        // By formula, (s + z^2/2 ± z sqrt(s(n-s)/n + z^2/4)) / (n + z^2), z = 1.959963984540054
        // (z^2 = 3.841458820694124):
        //   0/10:  upper = z^2 / (10 + z^2) = 3.841458820694124 / 13.841458820694124
        //          = 0.277532799863; lower = 0.
        //   5/10:  0.5 ± z sqrt(2.5 + 0.960364705173531) / 13.841458820694124
        //          = 0.236593090513, 0.763406909487.
        //   10/10: 1 - 0.277532799863 = 0.722467200137, upper 1.
        //   1/10:  0.017876213095, 0.404150026795.
        // Newcombe (1998), Table II, method 3, printed to 4 decimals:
        //   81/263: 0.2553-0.3662; 15/148: 0.0624-0.1605; 0/20: 0-0.1611; 1/29: 0.0061-0.1718.
        let cases = [
            (0, 10, 0.0, 0.277532799863, 1e-12),
            (5, 10, 0.236593090513, 0.763406909487, 1e-12),
            (10, 10, 0.722467200137, 1.0, 1e-12),
            (1, 10, 0.017876213095, 0.404150026795, 1e-12),
            (81, 263, 0.2553, 0.3662, 5e-5),
            (15, 148, 0.0624, 0.1605, 5e-5),
            (0, 20, 0.0, 0.1611, 5e-5),
            (1, 29, 0.0061, 0.1718, 5e-5),
        ];
        for (s, n, lo, hi, tol) in cases {
            let (l, h) = wilson(s, n, Z95);
            assert!(
                close(l, lo, tol) && close(h, hi, tol),
                "{s}/{n}: ({l}, {h})"
            );
        }
    }

    #[test]
    fn ends_are_exact_at_zero_and_all_successes() {
        for n in [1, 2, 10, 1000, 1_000_000] {
            assert_eq!(wilson(0, n, Z95).0, 0.0);
            assert_eq!(wilson(n, n, Z95).1, 1.0);
        }
    }

    #[test]
    fn interval_contains_p_and_is_symmetric_in_successes_and_failures() {
        for n in [1u64, 3, 10, 99, 100_000] {
            for s in [0, 1, n / 3, n / 2, n - 1, n] {
                let (l, h) = wilson(s, n, Z95);
                let p = s as f64 / n as f64;
                assert!(
                    0.0 <= l && l <= p && p <= h && h <= 1.0,
                    "{s}/{n}: {l} {p} {h}"
                );
                let (l2, h2) = wilson(n - s, n, Z95);
                assert!(close(l, 1.0 - h2, 1e-12) && close(h, 1.0 - l2, 1e-12));
            }
        }
    }

    #[test]
    fn zero_z_gives_the_point_estimate() {
        let (l, h) = wilson(3, 10, 0.0);
        assert!(close(l, 0.3, 1e-15) && close(h, 0.3, 1e-15));
    }

    #[test]
    fn no_trials_gives_the_whole_unit_interval() {
        assert_eq!(
            proportion(0, 0),
            Proportion {
                p: 0.0,
                ci95: [0.0, 1.0]
            }
        );
    }

    #[test]
    fn proportion_serialises_as_summary_json_probability() {
        let json = serde_json::to_string(&proportion(10, 10)).unwrap();
        assert!(
            json.starts_with("{\"p\":1.0,\"ci95\":[0.722467200137"),
            "{json}"
        );
        assert!(json.ends_with(",1.0]}"), "{json}");
    }

    #[test]
    #[should_panic(expected = "successes out of")]
    fn more_successes_than_trials_panics() {
        wilson(11, 10, Z95);
    }
}
