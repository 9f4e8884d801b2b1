//! Robustness across futures, trial by trial: Savage regret and missed share.
//!
//! Every policy runs on the same futures (common random numbers), so trial `t` of every
//! policy is the same future and the policies can be compared inside it:
//! * **Savage regret** (Savage 1951, "The theory of statistical decision") of policy `p` in
//!   future `t` on a cost: its cost minus the least cost of any policy in that future,
//!   `r_pt = c_pt - min_q c_qt >= 0`; reported as its mean and its 90% quantile (type 7)
//!   over futures.
//! * **Missed share**: the share of futures in which some policy meets the criterion and `p`
//!   does not, i.e. how often the choice of `p` was the reason the criterion was missed.

use crate::stats::quantile_type7_sorted;

/// Regret of one policy over the futures.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Regret {
    /// Mean regret.
    pub mean: f64,
    /// 90% quantile of the regret (type 7).
    pub p90: f64,
}

/// Savage regret of each policy on `costs[p][t]` (every policy has the same futures `t`).
pub fn savage_regret(costs: &[&[f64]]) -> Vec<Regret> {
    let Some(n) = costs.first().map(|c| c.len()) else {
        return Vec::new();
    };
    assert!(
        costs.iter().all(|c| c.len() == n),
        "policies on different futures"
    );
    let least: Vec<f64> = (0..n)
        .map(|t| costs.iter().map(|c| c[t]).fold(f64::INFINITY, f64::min))
        .collect();
    costs
        .iter()
        .map(|c| {
            let mut r: Vec<f64> = c.iter().zip(&least).map(|(x, m)| x - m).collect();
            let mean = r.iter().sum::<f64>() / n as f64;
            r.sort_by(f64::total_cmp);
            let p90 = if n == 0 {
                f64::NAN
            } else {
                quantile_type7_sorted(&r, 0.9)
            };
            Regret { mean, p90 }
        })
        .collect()
}

/// Missed share of each policy: `met[p][t]` is 1 when policy `p` meets the criterion in
/// future `t` (0 otherwise).
pub fn missed_share(met: &[&[f64]]) -> Vec<f64> {
    let Some(n) = met.first().map(|c| c.len()) else {
        return Vec::new();
    };
    assert!(
        met.iter().all(|c| c.len() == n),
        "policies on different futures"
    );
    let any: Vec<bool> = (0..n).map(|t| met.iter().any(|m| m[t] == 1.0)).collect();
    met.iter()
        .map(|m| {
            let missed = m
                .iter()
                .zip(&any)
                .filter(|(v, a)| **a && **v != 1.0)
                .count();
            missed as f64 / n as f64
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regret_of_a_hand_made_table() {
        // Three policies, four futures.
        let a = [10.0, 20.0, 30.0, 40.0];
        let b = [12.0, 15.0, 30.0, 50.0];
        let c = [11.0, 25.0, 20.0, 40.0];
        // Least per future: 10, 15, 20, 40.
        let r = savage_regret(&[&a, &b, &c]);
        // a: 0, 5, 10, 0 -> mean 3.75; sorted 0 0 5 10, p90 at h = 2.7 -> 5 + 0.7*5 = 8.5
        assert_eq!(r[0].mean, 3.75);
        assert!((r[0].p90 - 8.5).abs() < 1e-12);
        // b: 2, 0, 10, 10 -> mean 5.5; sorted 0 2 10 10 -> p90 = 10
        assert_eq!(r[1].mean, 5.5);
        assert_eq!(r[1].p90, 10.0);
        // c: 1, 10, 0, 0 -> mean 2.75; sorted 0 0 1 10 -> 1 + 0.7*9 = 7.3
        assert_eq!(r[2].mean, 2.75);
        assert!((r[2].p90 - 7.3).abs() < 1e-12);
    }

    #[test]
    fn one_policy_has_no_regret() {
        let r = savage_regret(&[&[3.0, 1.0, 2.0]]);
        assert_eq!(
            r[0],
            Regret {
                mean: 0.0,
                p90: 0.0
            }
        );
        assert!(savage_regret(&[]).is_empty());
    }

    #[test]
    fn missed_share_of_a_hand_made_table() {
        let a = [1.0, 0.0, 0.0, 1.0, 0.0];
        let b = [1.0, 1.0, 0.0, 0.0, 0.0];
        let c = [0.0, 0.0, 0.0, 1.0, 0.0];
        // Some policy meets it in futures 0, 1, 3.
        let m = missed_share(&[&a, &b, &c]);
        assert_eq!(m, vec![1.0 / 5.0, 1.0 / 5.0, 2.0 / 5.0]);
        // A policy that meets it whenever any does misses nothing.
        assert_eq!(missed_share(&[&a, &[1.0, 1.0, 0.0, 1.0, 0.0]])[1], 0.0);
    }
}
