//! Helpers shared by the unit tests of `dist/`: reading a parameter from inline TOML, and
//! Monte Carlo checks of moments and quantiles with tolerances from the Monte Carlo error.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::Param;

/// Draws per Monte Carlo check: with 5-sigma tolerances a correct implementation fails
/// a given check with probability below 1e-6.
pub(super) const N: usize = 200_000;

pub(super) fn table(src: &str) -> toml::Table {
    let doc: toml::Table = toml::from_str(&format!("p = {src}")).expect("test TOML parses");
    match doc.get("p") {
        Some(toml::Value::Table(t)) => t.clone(),
        other => panic!("not a table: {other:?}"),
    }
}

pub(super) fn param(src: &str) -> Param {
    Param::from_toml(&table(src)).unwrap_or_else(|e| panic!("{src}: {e}"))
}

pub(super) fn draws(p: &Param, seed: u64) -> Vec<f64> {
    let s = p.sampler();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..N).map(|_| s.sample(&mut rng)).collect()
}

pub(super) fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    (m, v)
}

/// Checks the sample mean against `mu` within 5 standard errors `sqrt(var / n)`, the
/// sample variance against `var` within 5 standard errors `sqrt((mu4 - var^2) / n)`
/// (the asymptotic sd of the sample variance), and `Param::mean` against `mu`.
pub(super) fn check_moments(src: &str, mu: f64, var: f64, mu4: f64) {
    let p = param(src);
    let xs = draws(&p, 7);
    let (m, v) = mean_var(&xs);
    let n = N as f64;
    let tol_m = 5.0 * (var / n).sqrt();
    let tol_v = 5.0 * ((mu4 - var * var).max(0.0) / n).sqrt();
    // Plus rounding of the sums (a point mass has no Monte Carlo error at all).
    let eps = 1e-9 * mu.abs().max(1.0);
    assert!(
        (m - mu).abs() <= tol_m + eps,
        "{src}: mean {m} vs {mu} (tol {tol_m})"
    );
    assert!(
        (v - var).abs() <= tol_v + eps * eps,
        "{src}: var {v} vs {var} (tol {tol_v})"
    );
    assert!(
        (p.mean() - mu).abs() <= 1e-9 * mu.abs().max(1.0),
        "{src}: mean() {} vs {mu}",
        p.mean()
    );
    let s = p.support();
    assert!(
        xs.iter().all(|x| s.contains(*x)),
        "{src}: a draw outside {s}"
    );
}

/// Checks the sampler against the CDF and inverse CDF: the share of draws at or below
/// `x = inverse_cdf(q)` is `cdf(x)` (`q` for a continuous law) within 5 binomial standard
/// errors `sqrt(q (1 - q) / n)`.
pub(super) fn check_quantiles(src: &str) {
    let p = param(src);
    let xs = draws(&p, 11);
    for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
        let x = p.inverse_cdf(q);
        let f = p.cdf(x);
        let share = xs.iter().filter(|d| **d <= x).count() as f64 / N as f64;
        let tol = 5.0 * (f * (1.0 - f) / N as f64).sqrt() + 1e-12;
        assert!(
            (share - f).abs() <= tol,
            "{src}: share below q{q} = {x} is {share}, cdf {f}"
        );
    }
}

/// Fourth central moment of a beta from its excess kurtosis (Johnson et al.).
pub(super) fn beta_mu4(a: f64, b: f64) -> f64 {
    let var = a * b / ((a + b).powi(2) * (a + b + 1.0));
    let excess = 6.0 * ((a - b).powi(2) * (a + b + 1.0) - a * b * (a + b + 2.0))
        / (a * b * (a + b + 2.0) * (a + b + 3.0));
    var * var * (3.0 + excess)
}

/// Checks that each `(table, field, message part)` is rejected by [`Param::from_toml`]
/// naming `field` with a message that contains `message part`.
pub(super) fn assert_rejects(cases: &[(&str, Option<&str>, &str)]) {
    for (src, field, message) in cases {
        let err = Param::from_toml(&table(src)).expect_err(src);
        assert_eq!(err.field.as_deref(), *field, "{src}: {}", err.message);
        assert!(
            err.message.contains(message),
            "{src}: `{}` lacks `{message}`",
            err.message
        );
    }
}
