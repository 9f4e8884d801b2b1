//! Adaptive Simpson quadrature, for means of truncated laws without a closed form.
//!
//! Each panel is split until Richardson's error estimate `|S(left) + S(right) - S(whole)| / 15`
//! meets the tolerance, which halves with each split, at most 40 levels deep.

/// Adaptive Simpson quadrature of `f` over `[a, b]` to absolute tolerance `tol`.
pub(super) fn integrate(f: &dyn Fn(f64) -> f64, a: f64, b: f64, tol: f64) -> f64 {
    if b <= a {
        return 0.0;
    }
    let m = 0.5 * (a + b);
    let (fa, fm, fb) = (f(a), f(m), f(b));
    let whole = (b - a) / 6.0 * (fa + 4.0 * fm + fb);
    simpson(f, [a, m, b], [fa, fm, fb], whole, tol, 40)
}

fn simpson(
    f: &dyn Fn(f64) -> f64,
    x: [f64; 3],
    y: [f64; 3],
    whole: f64,
    tol: f64,
    depth: u32,
) -> f64 {
    let [a, m, b] = x;
    let [fa, fm, fb] = y;
    let (lm, rm) = (0.5 * (a + m), 0.5 * (m + b));
    let (flm, frm) = (f(lm), f(rm));
    let left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
    let right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
    let delta = left + right - whole;
    if depth == 0 || delta.abs() <= 15.0 * tol {
        left + right + delta / 15.0
    } else {
        simpson(f, [a, lm, m], [fa, flm, fm], left, 0.5 * tol, depth - 1)
            + simpson(f, [m, rm, b], [fm, frm, fb], right, 0.5 * tol, depth - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simpson_is_exact_for_cubics_and_converges_for_smooth_functions() {
        // Simpson's rule integrates polynomials of degree 3 exactly.
        let cubic = integrate(&|x| x * x * x - 2.0 * x + 1.0, 0.0, 2.0, 1e-12);
        assert!((cubic - 2.0).abs() < 1e-12, "{cubic}");
        let exp = integrate(&f64::exp, 0.0, 1.0, 1e-12);
        assert!((exp - (1f64.exp() - 1.0)).abs() < 1e-11, "{exp}");
        assert_eq!(integrate(&f64::exp, 1.0, 1.0, 1e-12), 0.0);
        assert_eq!(integrate(&f64::exp, 1.0, 0.0, 1e-12), 0.0);
    }
}
