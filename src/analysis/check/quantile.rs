//! How far apart two runs' quantiles are, in standard errors, from the stored quantiles alone:
//! the rank test `check` uses for discrete outcomes, for quantiles held by an atom, and when
//! neither summary stores the quantiles' standard errors ([`super::density`]).
//!
//! A summary stores each outcome's quantiles at p = 0.05 .. 0.95 and its min and max: nine
//! points `(p, Q(p))` of the quantile function. Joined by straight lines they give a
//! nondecreasing, continuous `Q`; its inverse maps a value `v` to the probabilities at which
//! `Q` takes it (an interval when `Q` is flat there, an atom of the distribution).
//!
//! **Why a rank test.** Under "nothing changed" the other run's p-quantile `v` has, in this
//! run's distribution, rank `F(v) = p + e` with `e` approximately normal with variance
//! `p (1 - p) (1/n0 + 1/n1)` (the sample quantile's rank error, Bahadur's representation;
//! the two runs' errors add). So `|F(v) - p| / sqrt(p (1 - p) (1/n0 + 1/n1))` is a z-score,
//! and it equals the asymptotic test `|q1 - q0| / se(q)` with `se(q_p) = sqrt(p (1 - p) / n)
//! / f(q_p)` and the density `f` estimated by the slope of the stored quantile function
//! between the points that bracket `v` (Serfling, *Approximation Theorems of Mathematical
//! Statistics*, 1980, 2.3.3). Working in rank space needs no density where `Q` is flat
//! (an atom: `F(v)` is then an interval and the distance is to its nearest end).
//!
//! **Which way the secant errs.** A segment's slope equals `Q'` somewhere inside it (mean
//! value theorem), 5 to 25 points of probability from `p`. The test is run both ways (the
//! rerun's quantile against the baseline's `Q`, and the baseline's against the rerun's) and
//! the smaller z-score counts. At `p05` and `p95` one of the two directions reads through an
//! outer segment (`min`..`p05`, `p95`..`max`), several times steeper than `Q'(p)` because the
//! sample extremes lie far out in the tails: the density, and z, are understated several
//! times, and the minimum picks that direction. (The inner segments, `p05`..`p10` and
//! `p90`..`p95`, are flatter than `Q` at their outer end where the density falls off, so
//! through them z is overstated, but the minimum discards it.) Inner quantiles read through
//! segments 15 to 25 points wide, whose mean slope exceeds `Q'` near a mode, understating z
//! again. Net, the test is far more conservative than its nominal level for continuous
//! outcomes (measured in `docs/check.md`); it is the fallback, not the main test.
//!
//! **Lattice outcomes.** For discrete outcomes (0/1 and integer-valued, as the model's
//! schema declares; between two summaries without that record, those whose stored points
//! are all integers) the distribution has atoms and a quantile jumps a whole step as soon as
//! the CDF at an atom crosses `p`; the stored points cannot tell how near `p` that CDF is. A
//! move of one step is therefore not counted (the value is moved one step back toward the
//! other run's quantile before its rank is taken); larger moves are measured as above. The
//! mean and, for indicators, the probability still test such outcomes.

use crate::stats::OutcomeStats;

/// The nine stored points `(p, Q(p))` of a summary's quantile function, when the outcome has
/// observations. A non-monotone file (not written by defsim) is made monotone by a running max.
pub fn points(s: &OutcomeStats) -> Option<[(f64, f64); 9]> {
    let xs = [
        s.min?, s.p05?, s.p10?, s.p25?, s.p50?, s.p75?, s.p90?, s.p95?, s.max?,
    ];
    const PS: [f64; 9] = [0.0, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 1.0];
    let mut out = [(0.0, 0.0); 9];
    let mut top = f64::NEG_INFINITY;
    for (k, (&p, &x)) in PS.iter().zip(&xs).enumerate() {
        top = top.max(x);
        out[k] = (p, top);
    }
    Some(out)
}

/// The probabilities `[a, b]` at which the piecewise-linear `Q` through `pts` equals `v`;
/// `None` when `v` is outside `[min, max]`.
pub fn preimage(pts: &[(f64, f64); 9], v: f64) -> Option<(f64, f64)> {
    let (lo, hi) = (pts[0].1, pts[8].1);
    if !(lo <= v && v <= hi) {
        return None;
    }
    let at = |(p0, x0): (f64, f64), (p1, x1): (f64, f64)| {
        if x1 > x0 {
            p0 + (v - x0) / (x1 - x0) * (p1 - p0)
        } else {
            p0
        }
    };
    // a: the first p with Q(p) >= v; b: the last p with Q(p) <= v.
    let a = pts.windows(2).find(|w| w[1].1 >= v).map_or(pts[0].0, |w| {
        if w[0].1 >= v { w[0].0 } else { at(w[0], w[1]) }
    });
    let b = pts
        .windows(2)
        .rev()
        .find(|w| w[0].1 <= v)
        .map_or(
            pts[8].0,
            |w| if w[1].1 <= v { w[1].0 } else { at(w[0], w[1]) },
        );
    Some((a, b.max(a)))
}

/// How far (in probability) the rank of `v` under `pts` is from `p`: 0 when `Q(p) = v` is
/// possible, infinite when `v` lies outside the run's whole range.
pub fn rank_distance(pts: &[(f64, f64); 9], v: f64, p: f64) -> f64 {
    match preimage(pts, v) {
        None => f64::INFINITY,
        Some((a, _)) if p < a => a - p,
        Some((_, b)) if p > b => p - b,
        Some(_) => 0.0,
    }
}

/// True when every stored point of the summary is an integer: taken for a lattice outcome
/// when neither summary records whether the outcome is discrete.
pub fn is_lattice(pts: &[(f64, f64); 9]) -> bool {
    pts.iter().all(|(_, x)| x.fract() == 0.0)
}

/// The z-score of the difference between the p-quantiles `q0` (of the run with points
/// `pts0`, `n0` observations) and `q1` (`pts1`, `n1`), as described in the module docs;
/// `lattice` when the outcome is discrete (a move of one whole step is not counted).
pub fn z_score(
    p: f64,
    (q0, pts0, n0): (f64, &[(f64, f64); 9], u64),
    (q1, pts1, n1): (f64, &[(f64, f64); 9], u64),
    lattice: bool,
) -> f64 {
    if q0 == q1 {
        return 0.0;
    }
    let sigma = (p * (1.0 - p) * (1.0 / n0 as f64 + 1.0 / n1 as f64)).sqrt();
    let toward = |v: f64, reference: f64| {
        if lattice {
            v - (v - reference).clamp(-1.0, 1.0)
        } else {
            v
        }
    };
    let d1 = rank_distance(pts0, toward(q1, q0), p);
    let d0 = rank_distance(pts1, toward(q0, q1), p);
    let d = d0.min(d1);
    if d == 0.0 { 0.0 } else { d / sigma }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(xs: [f64; 9]) -> OutcomeStats {
        OutcomeStats::from_quantiles(1000, Some(xs[4]), Some(1.0), xs.map(Some))
    }

    #[test]
    fn preimage_inverts_the_piecewise_linear_quantile_function() {
        // Uniform on [0, 1]: Q(p) = p, so the preimage of v is v.
        let u = points(&summary([0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1.0])).unwrap();
        let (a, b) = preimage(&u, 0.3).unwrap();
        assert!((a - 0.3).abs() < 1e-12 && (b - 0.3).abs() < 1e-12);
        assert_eq!(preimage(&u, 1.5), None);
        assert!((rank_distance(&u, 0.52, 0.5) - 0.02).abs() < 1e-12);
        // An atom at 0 up to p = 0.25: the preimage of 0 is [0, 0.25].
        let atom = points(&summary([0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 9.0])).unwrap();
        assert_eq!(preimage(&atom, 0.0), Some((0.0, 0.25)));
        assert_eq!(rank_distance(&atom, 0.0, 0.10), 0.0);
        assert!((rank_distance(&atom, 0.0, 0.30) - 0.05).abs() < 1e-12);
        assert_eq!(preimage(&atom, 2.0), Some((0.75, 0.75)));
    }

    #[test]
    fn a_lattice_step_is_not_counted_but_two_are() {
        let a = points(&summary([0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 5.0, 11.0])).unwrap();
        let b = points(&summary([0.0, 0.0, 0.0, 0.0, 2.0, 2.0, 3.0, 5.0, 11.0])).unwrap();
        assert_eq!(z_score(0.5, (1.0, &a, 1000), (2.0, &b, 1000), true), 0.0);
        let c = points(&summary([0.0, 0.0, 0.0, 1.0, 3.0, 3.0, 4.0, 5.0, 11.0])).unwrap();
        assert!(z_score(0.5, (1.0, &a, 1000), (3.0, &c, 1000), true) > 5.0);
    }

    #[test]
    fn a_constant_outcome_compares_exactly() {
        let k = points(&summary([2.0; 9])).unwrap();
        assert_eq!(z_score(0.5, (2.0, &k, 10), (2.0, &k, 10), true), 0.0);
        let other = points(&summary([2.5; 9])).unwrap();
        assert_eq!(
            z_score(0.5, (2.0, &k, 10), (2.5, &other, 10), false),
            f64::INFINITY
        );
    }
}
