//! Does a re-run reproduce a stored summary within Monte Carlo noise? Pure functions of two
//! [`RunSummary`]s, behind `defsim check`.
//!
//! [`verdict`] tests, for every outcome, its mean (z-test with both runs' standard errors),
//! its seven stored quantiles (for continuous outcomes a z-test with the quantiles' standard
//! errors that each summary stores, see [`density`]; for discrete ones, atoms and summaries
//! without them a rank test, see [`quantile`]) and, for outcomes that may be absent, its
//! count `n`; and every probability (two-proportion z-test on the counts). All
//! tests share one family-wise false-alarm rate `alpha` by the Bonferroni correction: each
//! holds when its |z| is at most `z* = Phi^-1(1 - alpha / (2 m))` for `m` comparisons, so the
//! chance that any of them fails when nothing changed is at most `alpha` (whatever the
//! dependence between the comparisons, which is strong here: a mean and its quantiles move
//! together). Comparisons without noise (both standard errors 0: a constant outcome) compare
//! exactly, up to a relative 1e-12 for rounding.
//!
//! The tests assume independent runs. A re-run with the baseline's own seed and trial count
//! uses the same random numbers (common random numbers): when nothing changed it reproduces
//! the baseline exactly (every z is 0), and when something changed the two runs are positively
//! correlated, so the variance of a difference is below the sum of the variances used here
//! and the test is conservative (it fails less often than `alpha` suggests for a given shift,
//! yet still detects far smaller shifts than two independent runs would, since the noise
//! of the difference itself is small).

pub mod density;
pub mod quantile;

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

use crate::analysis::run::RunSummary;
use crate::stats::OutcomeStats;
use density::QuantileSe;

/// How one comparison was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Difference of means over the runs' standard errors pooled (`pooled_se`:
    /// `sqrt(se0^2 + se1^2)` for runs of one size).
    MeanZ,
    /// Difference of the quantiles over the runs' standard errors pooled (`pooled_se`:
    /// `sqrt(se0^2 + se1^2)` for runs of one size), each run's standard error of
    /// the quantile estimated from its density there when its summary was written
    /// ([`density`]): continuous outcomes.
    QuantileSe,
    /// Rank distance of the quantile over its binomial rank error ([`quantile`]): discrete
    /// outcomes, quantiles held by an atom, and summaries without standard errors.
    QuantileRank,
    /// Two-proportion z-test on counts (pooled).
    TwoProportion,
    /// No noise on either side: equal up to rounding, or not.
    Exact,
    /// In the baseline, not in the re-run.
    Missing,
    /// In the re-run, not in the baseline: a new outcome or probability, reported and never
    /// a failure (so that baselines written before it keep passing).
    Added,
}

/// One statistic of one outcome or probability, in both runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckItem {
    /// Outcome or probability name.
    pub name: String,
    /// `mean`, `p05` .. `p95`, `n` (an outcome's count) or `p` (a probability).
    pub stat: String,
    /// The baseline's value.
    pub baseline: Option<f64>,
    /// The re-run's value.
    pub rerun: Option<f64>,
    /// `rerun - baseline`.
    pub diff: Option<f64>,
    /// Standard errors apart (|z|); infinite when the difference is impossible under noise.
    pub z: f64,
    /// How it was compared.
    pub method: Method,
    /// Whether it holds at the corrected bound.
    pub holds: bool,
}

/// The verdict of [`verdict`]: every comparison and whether all hold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckVerdict {
    /// Whether every comparison holds.
    pub holds: bool,
    /// Family-wise false-alarm rate.
    pub alpha: f64,
    /// Always `"bonferroni"`.
    pub correction: &'static str,
    /// Number of comparisons `m`.
    pub comparisons: usize,
    /// The bound on |z|: `Phi^-1(1 - alpha / (2 m))`.
    pub z_critical: f64,
    /// Number of comparisons that fail.
    pub failures: usize,
    /// Both runs used the same seed and trial count (common random numbers).
    pub same_seed_and_trials: bool,
    /// Seed and trials of the baseline and of the re-run.
    pub baseline_seed: u64,
    pub baseline_trials: u64,
    pub rerun_seed: u64,
    pub rerun_trials: u64,
    /// Every comparison, in the summaries' order.
    pub items: Vec<CheckItem>,
}

/// Compares `rerun` with `baseline` at family-wise false-alarm rate `alpha` (in (0, 1)).
///
/// ```
/// # use defsim::analysis::check::verdict;
/// # fn same(s: &defsim::analysis::run::RunSummary) {
/// let v = verdict(s, s, 0.001);
/// assert!(v.holds && v.failures == 0);
/// # }
/// ```
///
/// # Panics
/// If `alpha` is not in (0, 1) (the command line validates it).
pub fn verdict(baseline: &RunSummary, rerun: &RunSummary, alpha: f64) -> CheckVerdict {
    assert!(
        alpha > 0.0 && alpha < 1.0,
        "alpha = {alpha} must be in (0, 1)"
    );
    let mut items = Vec::new();
    for (name, b) in &baseline.outcomes {
        match rerun.outcomes.get(name) {
            Some(r) => outcome(
                name,
                (b, baseline.trials, baseline.quantile_se.get(name)),
                (r, rerun.trials, rerun.quantile_se.get(name)),
                &mut items,
            ),
            None => items.push(absent(name, "mean", b.mean, None, Method::Missing)),
        }
    }
    for (name, r) in &rerun.outcomes {
        if !baseline.outcomes.contains_key(name) {
            items.push(absent(name, "mean", None, r.mean, Method::Added));
        }
    }
    for (name, b) in &baseline.probabilities {
        match rerun.probabilities.get(name) {
            Some(r) => items.push(two_proportion(
                name,
                "p",
                (count(b.p, baseline.trials), baseline.trials),
                (count(r.p, rerun.trials), rerun.trials),
            )),
            None => items.push(absent(name, "p", Some(b.p), None, Method::Missing)),
        }
    }
    for (name, r) in &rerun.probabilities {
        if !baseline.probabilities.contains_key(name) {
            items.push(absent(name, "p", None, Some(r.p), Method::Added));
        }
    }

    // Added outcomes are not tests: they neither fail nor widen the correction.
    let m = items
        .iter()
        .filter(|i| i.method != Method::Added)
        .count()
        .max(1);
    let z_critical = Normal::standard().inverse_cdf(1.0 - alpha / (2.0 * m as f64));
    let mut failures = 0;
    for item in &mut items {
        item.holds = match item.method {
            Method::Missing => false,
            Method::Added => true,
            _ => item.z <= z_critical,
        };
        failures += usize::from(!item.holds);
    }
    CheckVerdict {
        holds: failures == 0,
        alpha,
        correction: "bonferroni",
        comparisons: m.min(items.len()),
        z_critical,
        failures,
        same_seed_and_trials: baseline.seed == rerun.seed && baseline.trials == rerun.trials,
        baseline_seed: baseline.seed,
        baseline_trials: baseline.trials,
        rerun_seed: rerun.seed,
        rerun_trials: rerun.trials,
        items,
    }
}

/// The comparisons of one outcome present in both runs, each run with its quantiles'
/// standard errors when its summary has them.
fn outcome(
    name: &str,
    (b, bt, seb): (&OutcomeStats, u64, Option<&QuantileSe>),
    (r, rt, ser): (&OutcomeStats, u64, Option<&QuantileSe>),
    out: &mut Vec<CheckItem>,
) {
    // An outcome that may be absent (n < trials somewhere) first compares how often it is
    // present; with no observation on a side, that is all there is to compare.
    if b.n != bt || r.n != rt {
        out.push(two_proportion(name, "n", (b.n, bt), (r.n, rt)));
    }
    if b.n == 0 || r.n == 0 {
        return;
    }
    out.push(mean(name, b, r));
    let (Some(pb), Some(pr)) = (quantile::points(b), quantile::points(r)) else {
        return;
    };
    // Discrete or not, as the model's schema says (the re-run's summary, else the
    // baseline's); between two summaries without it, as the stored points suggest.
    let lattice = match ser.or(seb) {
        Some(se) => se.discrete,
        None => quantile::is_lattice(&pb) && quantile::is_lattice(&pr),
    };
    let stats = [
        ("p05", 0.05, b.p05, r.p05),
        ("p10", 0.10, b.p10, r.p10),
        ("p25", 0.25, b.p25, r.p25),
        ("p50", 0.50, b.p50, r.p50),
        ("p75", 0.75, b.p75, r.p75),
        ("p90", 0.90, b.p90, r.p90),
        ("p95", 0.95, b.p95, r.p95),
    ];
    for (stat, p, qb, qr) in stats {
        let (Some(qb), Some(qr)) = (qb, qr) else {
            continue;
        };
        let se = if lattice {
            None
        } else {
            quantile_se(p, (b.n, seb), (r.n, ser))
        };
        let (z, method) = match se {
            _ if close(qb, qr) => (0.0, se.map_or(Method::QuantileRank, |_| Method::QuantileSe)),
            Some(se) => ((qr - qb).abs() / se, Method::QuantileSe),
            None => (
                quantile::z_score(p, (qb, &pb, b.n), (qr, &pr, r.n), lattice),
                Method::QuantileRank,
            ),
        };
        out.push(item(name, stat, Some(qb), Some(qr), z, method));
    }
}

/// The standard error of the difference of two runs' statistics (a mean, a p-quantile) from
/// the standard errors `se0`, `se1` stored with their `n0`, `n1` values, under "nothing
/// changed": both runs' values then have one spread (a standard deviation `s_i = se_i
/// sqrt(n_i)`, or a quantile's sparsity likewise), best estimated by pooling the two,
/// weighted by their counts: `s^2 = (n0 s0^2 + n1 s1^2) / (n0 + n1)`, so
/// `se^2 = s^2 (1/n0 + 1/n1) = (n0^2 se0^2 + n1^2 se1^2) / (n0 n1)`. For runs of one size
/// this is `se0^2 + se1^2`; a small re-run against a large baseline is measured with the
/// baseline's better estimate instead of its own noisy one (which, for an outcome with rare
/// excursions, is too small more often than not).
fn pooled_se((se0, n0): (f64, u64), (se1, n1): (f64, u64)) -> f64 {
    if n0 == n1 {
        return se0.hypot(se1);
    }
    let (n0, n1) = (n0.max(1) as f64, n1.max(1) as f64);
    (n0 / n1 * se0 * se0 + n1 / n0 * se1 * se1).sqrt()
}

/// The standard error of the difference of two runs' p-quantiles ([`pooled_se`]).
/// A summary without standard errors (written before they were added) borrows the other
/// run's, rescaled to its own count (the same density under "nothing changed"). `None`
/// when neither has one, or when both are 0 (an atom holds the quantile in both runs).
fn quantile_se(
    p: f64,
    (nb, seb): (u64, Option<&QuantileSe>),
    (nr, ser): (u64, Option<&QuantileSe>),
) -> Option<f64> {
    let (own_b, own_r) = (seb.and_then(|e| e.at(p)), ser.and_then(|e| e.at(p)));
    let rescale = |se: f64, from: u64, to: u64| se * (from as f64 / to as f64).sqrt();
    let sb = own_b.or(own_r.map(|s| rescale(s, nr, nb)))?;
    let sr = own_r.or(own_b.map(|s| rescale(s, nb, nr)))?;
    let se = pooled_se((sb, nb), (sr, nr));
    (se > 0.0 && se.is_finite()).then_some(se)
}

/// Means: z-test with both standard errors pooled ([`pooled_se`]), exact when neither has
/// noise.
fn mean(name: &str, b: &OutcomeStats, r: &OutcomeStats) -> CheckItem {
    let (mb, mr) = (b.mean.unwrap_or(f64::NAN), r.mean.unwrap_or(f64::NAN));
    let se = pooled_se((b.se.unwrap_or(0.0), b.n), (r.se.unwrap_or(0.0), r.n));
    let (z, method) = if se > 0.0 && se.is_finite() {
        ((mr - mb).abs() / se, Method::MeanZ)
    } else {
        (exact(mb, mr), Method::Exact)
    };
    item(name, "mean", b.mean, r.mean, z, method)
}

/// Two-proportion z-test of `s0` out of `n0` against `s1` out of `n1`, pooled variance
/// (the test of "both come from one proportion"); exact when the pooled share is 0 or 1.
fn two_proportion(name: &str, stat: &str, (s0, n0): (u64, u64), (s1, n1): (u64, u64)) -> CheckItem {
    let share = |s: u64, n: u64| if n == 0 { 0.0 } else { s as f64 / n as f64 };
    let (p0, p1) = (share(s0, n0), share(s1, n1));
    let (value0, value1) = if stat == "n" {
        (s0 as f64, s1 as f64)
    } else {
        (p0, p1)
    };
    let pooled = share(s0 + s1, n0 + n1);
    let se = (pooled * (1.0 - pooled) * (1.0 / n0.max(1) as f64 + 1.0 / n1.max(1) as f64)).sqrt();
    let (z, method) = if se > 0.0 {
        ((p1 - p0).abs() / se, Method::TwoProportion)
    } else {
        (exact(p0, p1), Method::Exact)
    };
    item(name, stat, Some(value0), Some(value1), z, method)
}

/// The number of successes behind a stored share `p` of `n` trials (p was `s / n`).
fn count(p: f64, n: u64) -> u64 {
    (p * n as f64).round().clamp(0.0, n as f64) as u64
}

/// Equal up to a relative 1e-12 (rounding of a mean of identical values).
fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

/// z of an exact comparison: 0 when equal (up to rounding), infinite otherwise.
fn exact(a: f64, b: f64) -> f64 {
    if close(a, b) { 0.0 } else { f64::INFINITY }
}

fn item(
    name: &str,
    stat: &str,
    b: Option<f64>,
    r: Option<f64>,
    z: f64,
    method: Method,
) -> CheckItem {
    CheckItem {
        name: name.to_string(),
        stat: stat.to_string(),
        baseline: b,
        rerun: r,
        diff: b.zip(r).map(|(b, r)| r - b),
        z,
        method,
        holds: true,
    }
}

fn absent(name: &str, stat: &str, b: Option<f64>, r: Option<f64>, method: Method) -> CheckItem {
    item(name, stat, b, r, f64::INFINITY, method)
}

/// The verdict of [`compare_exact`]: whether two `summary.json` texts are identical,
/// `defsim_version` aside, and where they first differ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExactCheckVerdict {
    /// Identical byte for byte (with the re-run's version set to the baseline's).
    pub holds: bool,
    /// Always `"exact"`.
    pub mode: &'static str,
    /// Number of lines that differ (by position).
    pub differing_lines: usize,
    /// The first differing line: 1-based number, the baseline's and the re-run's text.
    pub first_difference: Option<(usize, String, String)>,
}

/// Compares the re-run's `summary.json` with the baseline's text byte for byte, with the
/// re-run's `defsim_version` set to the baseline's (the one field allowed to differ between
/// builds). `text` renders a summary exactly as `defsim run` writes `summary.json`. Meant
/// for the same build on the same platform: another platform's maths library may change the
/// last bits of a draw.
pub fn exact_verdict(
    baseline_text: &str,
    baseline: &RunSummary,
    rerun: &RunSummary,
    text: impl Fn(&RunSummary) -> String,
) -> ExactCheckVerdict {
    let mut rerun = rerun.clone();
    rerun.defsim_version.clone_from(&baseline.defsim_version);
    let text = text(&rerun);
    let (old, new): (Vec<&str>, Vec<&str>) =
        (baseline_text.lines().collect(), text.lines().collect());
    let pairs = old.len().max(new.len());
    let mut differing = 0;
    let mut first = None;
    for i in 0..pairs {
        let (a, b) = (
            old.get(i).copied().unwrap_or(""),
            new.get(i).copied().unwrap_or(""),
        );
        if a != b {
            differing += 1;
            first.get_or_insert_with(|| (i + 1, a.to_string(), b.to_string()));
        }
    }
    ExactCheckVerdict {
        holds: text == baseline_text,
        mode: "exact",
        differing_lines: differing,
        first_difference: first,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_pooled_standard_error_is_the_sum_for_runs_of_one_size_and_weights_by_count() {
        use super::pooled_se;
        // One size: exactly sqrt(se0^2 + se1^2).
        assert_eq!(pooled_se((0.3, 500), (0.4, 500)), 0.3f64.hypot(0.4));
        // A sd of 1 from 20,000 values and of 0.1 (too small) from 1,000: the pooled spread
        // (20,000 + 0.01 x 1,000) / 21,000 times (1/20,000 + 1/1,000).
        let (n0, n1): (f64, f64) = (20_000.0, 1_000.0);
        let se = pooled_se((1.0 / n0.sqrt(), 20_000), (0.1 / n1.sqrt(), 1_000));
        let want = ((n0 * 1.0 + n1 * 0.01) / (n0 + n1) * (1.0 / n0 + 1.0 / n1)).sqrt();
        assert!((se - want).abs() < 1e-15, "{se} against {want}");
        // Each run's own errors would say 0.0077: the small run's spread is not trusted.
        assert!(se > 3.0 * (1.0 / n0.sqrt()).hypot(0.1 / n1.sqrt()));
    }

    use super::*;

    /// A summary of one outcome `x` of 10,000 trials with the given nine stored points
    /// (min, p05 .. p95, max) and, when given, the quantiles' standard errors.
    fn summary(points: [f64; 9], se: Option<QuantileSe>) -> RunSummary {
        let mut s: RunSummary = serde_json::from_str(
            r#"{"scenario":{"name":"x","file":"x.toml","resolved_sha256":""},"seed":1,
            "trials":10000,"start_year":2025,"horizon_years":11,"defsim_version":"0",
            "outcomes":{},"probabilities":{},"timeseries":{},"parameters":[]}"#,
        )
        .unwrap();
        let stats =
            OutcomeStats::from_quantiles(10_000, Some(points[4]), Some(1.0), points.map(Some));
        s.outcomes.insert("x".into(), stats);
        if let Some(se) = se {
            s.quantile_se.insert("x".into(), se);
        }
        s
    }

    fn se_all(v: f64) -> QuantileSe {
        QuantileSe {
            discrete: false,
            p05: Some(v),
            p10: Some(v),
            p25: Some(v),
            p50: Some(v),
            p75: Some(v),
            p90: Some(v),
            p95: Some(v),
        }
    }

    fn z_of(v: &CheckVerdict, stat: &str) -> (f64, Method) {
        let item = v.items.iter().find(|i| i.stat == stat).unwrap();
        (item.z, item.method)
    }

    const POINTS: [f64; 9] = [-4.0, -1.6, -1.3, -0.7, 0.0, 0.7, 1.3, 1.6, 4.0];

    #[test]
    fn quantiles_of_continuous_outcomes_are_measured_in_their_standard_errors() {
        let mut moved = POINTS;
        moved[4] += 0.06; // the median, by 0.06
        let (b, r) = (
            summary(POINTS, Some(se_all(0.01))),
            summary(moved, Some(se_all(0.02))),
        );
        let (z, method) = z_of(&verdict(&b, &r, 0.001), "p50");
        assert_eq!(method, Method::QuantileSe);
        assert!((z - 0.06 / 0.0005f64.sqrt()).abs() < 1e-9, "{z}");
        // Without standard errors on either side, the rank test through the stored points.
        let v = verdict(&summary(POINTS, None), &summary(moved, None), 0.001);
        assert_eq!(z_of(&v, "p50").1, Method::QuantileRank);
    }

    #[test]
    fn a_baseline_without_standard_errors_borrows_the_rerun_s() {
        let mut moved = POINTS;
        moved[6] += 0.03; // p90
        let mut rerun = summary(moved, Some(se_all(0.01)));
        rerun.trials = 40_000;
        rerun.outcomes["x"].n = 40_000;
        let v = verdict(&summary(POINTS, None), &rerun, 0.001);
        // The baseline's se is the re-run's at a quarter of its count: 0.02.
        let (z, method) = z_of(&v, "p90");
        assert_eq!(method, Method::QuantileSe);
        assert!((z - 0.03 / 0.0005f64.sqrt()).abs() < 1e-9, "{z}");
    }

    #[test]
    fn discrete_outcomes_are_known_from_the_summary_not_from_their_values() {
        // Non-integer stored points (type-7 quantiles interpolate), but declared discrete:
        // the rank test with its one-step allowance, not standard errors.
        let b = summary(
            [0.0, 0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 9.0],
            Some(QuantileSe::DISCRETE),
        );
        let r = summary(
            [0.0, 0.0, 0.5, 1.0, 3.0, 3.0, 4.0, 5.0, 9.0],
            Some(QuantileSe::DISCRETE),
        );
        let (z, method) = z_of(&verdict(&b, &r, 0.001), "p50");
        assert_eq!((z, method), (0.0, Method::QuantileRank));
        // Declared continuous, the same move of one is measured in standard errors.
        let (b, r) = (
            summary(
                [0.0, 0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 9.0],
                Some(se_all(0.1)),
            ),
            summary(
                [0.0, 0.0, 0.5, 1.0, 3.0, 3.0, 4.0, 5.0, 9.0],
                Some(se_all(0.1)),
            ),
        );
        let (z, method) = z_of(&verdict(&b, &r, 0.001), "p50");
        assert_eq!(method, Method::QuantileSe);
        assert!(z > 7.0);
    }

    #[test]
    fn a_quantile_held_by_an_atom_in_both_runs_falls_back_to_ranks() {
        let mut atom = se_all(0.01);
        atom.p95 = Some(0.0);
        let b = summary(
            [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 1.0, 1.0],
            Some(atom.clone()),
        );
        let r = summary([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.9, 1.0], Some(atom));
        let (z, method) = z_of(&verdict(&b, &r, 0.001), "p95");
        assert_eq!(method, Method::QuantileRank);
        assert!(z.is_finite() && z > 0.0, "{z}");
        // Equal quantiles held by an atom compare as equal.
        let (z, _) = z_of(&verdict(&b, &b.clone(), 0.001), "p95");
        assert_eq!(z, 0.0);
    }

    #[test]
    fn a_summary_reads_back_its_quantile_standard_errors_and_old_ones_read_without() {
        let s = summary(POINTS, Some(se_all(0.01)));
        let text = serde_json::to_string(&s).unwrap();
        assert!(
            text.contains(r#""quantile_se":{"x":{"discrete":false,"p05":0.01"#),
            "{text}"
        );
        let back: RunSummary = serde_json::from_str(&text).unwrap();
        assert_eq!(back.quantile_se, s.quantile_se);
        let old = serde_json::to_string(&summary(POINTS, None)).unwrap();
        assert!(!old.contains("quantile_se"));
    }
}
