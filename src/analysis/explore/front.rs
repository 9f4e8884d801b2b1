//! The Pareto front of policies: the highest P(criterion) for the money.
//!
//! A policy is on the front when no other policy is at least as likely to meet the
//! criterion at no more mean program cost, and strictly better in one of the two. Equal
//! policies (same P and cost) are all on the front: neither dominates the other.

/// Whether each policy `(p, cost)` is on the front (maximise `p`, minimise `cost`).
///
/// ```
/// use defsim::analysis::explore::front::pareto_front;
/// // (0.2, 10) is dominated by (0.3, 9); the other two trade P against cost.
/// let on = pareto_front(&[(0.2, 10.0), (0.3, 9.0), (0.5, 20.0)]);
/// assert_eq!(on, vec![false, true, true]);
/// ```
pub fn pareto_front(points: &[(f64, f64)]) -> Vec<bool> {
    points
        .iter()
        .map(|&(p, c)| {
            !points
                .iter()
                .any(|&(q, d)| q >= p && d <= c && (q > p || d < c))
        })
        .collect()
}

/// The front's policies, cheapest first (ties by index): the order in which the front is
/// drawn and read.
pub fn front_order(points: &[(f64, f64)]) -> Vec<usize> {
    let on = pareto_front(points);
    let mut idx: Vec<usize> = (0..points.len()).filter(|&i| on[i]).collect();
    idx.sort_by(|&a, &b| points[a].1.total_cmp(&points[b].1).then(a.cmp(&b)));
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_of_a_hand_made_table() {
        // (P, mean cost)
        let pts = [
            (0.10, 100.0), // 0: cheapest: on the front
            (0.10, 120.0), // 1: dominated by 0 (same P, dearer)
            (0.30, 150.0), // 2: on the front
            (0.25, 160.0), // 3: dominated by 2
            (0.30, 150.0), // 4: equal to 2: on the front too
            (0.60, 400.0), // 5: the most likely: on the front
            (0.60, 401.0), // 6: dominated by 5
            (0.05, 90.0),  // 7: cheaper still: on the front
        ];
        assert_eq!(
            pareto_front(&pts),
            vec![true, false, true, false, true, true, false, true]
        );
        assert_eq!(front_order(&pts), vec![7, 0, 2, 4, 5]);
    }

    #[test]
    fn every_policy_off_the_front_is_dominated_by_one_on_it() {
        let pts: Vec<(f64, f64)> = (0..50)
            .map(|i| {
                let x = f64::from(i);
                ((x * 0.37).sin().abs(), (x * 1.7).cos() * 50.0 + 100.0)
            })
            .collect();
        let on = pareto_front(&pts);
        assert!(on.iter().any(|&b| b));
        for (i, &(p, c)) in pts.iter().enumerate() {
            let dominated_by_front = pts
                .iter()
                .enumerate()
                .any(|(j, &(q, d))| on[j] && q >= p && d <= c && (q > p || d < c));
            assert_eq!(on[i], !dominated_by_front, "policy {i}");
        }
    }
}
