//! Histogram of one outcome over trials: the share of trials in each bin, with the
//! viability threshold (where one applies), the mean and the 5/50/95% quantiles marked.
//!
//! Integer-valued outcomes with a short range (years sanctioned, break-even year) get one
//! bin per value. Otherwise 40 equal bins span the 0.1-99.9% quantiles (widened to include
//! the threshold), so one extreme trial does not squash the picture; the caption says how
//! many trials fall outside. Marked quantiles are type 7 over all trials, as in
//! `summary.json`.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{self, Threshold, number};
use super::{Chart, DrawResult};
use crate::engine::Outcome;
use crate::stats::{OutcomeStats, quantile_type7_by, quantiles_type7};

/// Bins when the outcome is continuous.
const BINS: usize = 40;

/// One outcome's histogram.
#[derive(Debug, Clone)]
pub struct Histogram {
    name: String,
    /// Axis label with unit.
    label: String,
    /// Left edge of the first bin and bin width.
    start: f64,
    width: f64,
    /// Share of all trials in each bin.
    shares: Vec<f64>,
    /// Trials with a value (the outcome may be absent in some).
    present: usize,
    total: usize,
    outside: usize,
    mean: f64,
    q: [f64; 3],
    threshold: Option<Threshold>,
    caption: String,
}

impl Histogram {
    /// Bins a streaming run's outcome from its sketch: `points` are the sketch's buckets
    /// (value, count) in ascending order, `total` the run's trial count. Each bucket's trials
    /// go to the bin holding its value (a bucket spans at most 2^-7 of its value, far
    /// narrower than a bin); the continuous range spans the sketch's 0.1-99.9% quantiles.
    pub fn from_sketch(
        outcome: &Outcome,
        points: &[(f64, u64)],
        total: u64,
        stats: &OutcomeStats,
        threshold: Option<Threshold>,
        caption: String,
    ) -> Histogram {
        let present: u64 = points.iter().map(|p| p.1).sum();
        let nan = f64::NAN;
        let mut h = Histogram {
            name: outcome.name.clone(),
            label: outcome.label(),
            start: 0.0,
            width: 1.0,
            shares: vec![],
            present: present as usize,
            total: total as usize,
            outside: 0,
            mean: stats.mean.unwrap_or(nan),
            q: [stats.p05, stats.p50, stats.p95].map(|x| x.unwrap_or(nan)),
            threshold: threshold.clone(),
            caption,
        };
        if present == 0 {
            h.mean = nan;
            return h;
        }
        let (min, max) = (stats.min.unwrap_or(nan), stats.max.unwrap_or(nan));
        let integer = points.iter().all(|p| p.0.fract() == 0.0) && max - min <= 60.0;
        let rank = |q: f64| {
            let r = ((present - 1) as f64 * q).floor() as u64;
            let mut seen = 0;
            points
                .iter()
                .find(|p| {
                    seen += p.1;
                    r < seen
                })
                .map_or(max, |p| p.0)
        };
        let (start, width, nbins) =
            bins(integer, min, max, &threshold, || (rank(0.001), rank(0.999)));
        let (counts, outside) = count(points.iter().copied(), start, width, nbins);
        h.start = start;
        h.width = width;
        h.outside = outside as usize;
        h.shares = counts.iter().map(|&c| c as f64 / total as f64).collect();
        h
    }

    /// Bins the values of `outcome` (NaN = absent in that trial); `stats` is the
    /// outcome's summary (its mean and 5/50/95% are marked, as `summary.json` states them).
    pub fn new(
        outcome: &Outcome,
        values: &[f64],
        stats: &OutcomeStats,
        threshold: Option<Threshold>,
        caption: String,
    ) -> Histogram {
        let total = values.len();
        let present = values.iter().filter(|x| !x.is_nan()).count();
        if present == 0 {
            return Histogram {
                name: outcome.name.clone(),
                label: outcome.label(),
                start: 0.0,
                width: 1.0,
                shares: vec![],
                present,
                total,
                outside: 0,
                mean: f64::NAN,
                q: [f64::NAN; 3],
                threshold,
                caption,
            };
        }
        let nan = f64::NAN;
        let mean = stats.mean.unwrap_or(nan);
        let q = [stats.p05, stats.p50, stats.p95].map(|x| x.unwrap_or(nan));
        let (min, max) = (stats.min.unwrap_or(nan), stats.max.unwrap_or(nan));
        let integer = max - min <= 60.0 && values.iter().all(|x| x.is_nan() || x.fract() == 0.0);
        let (start, width, nbins) = bins(integer, min, max, &threshold, || {
            range(values, present, [stats.p05, stats.p95])
        });
        let present_values = values.iter().filter(|x| !x.is_nan()).map(|&x| (x, 1));
        let (counts, outside) = count(present_values, start, width, nbins);
        let outside = outside as usize;
        Histogram {
            name: outcome.name.clone(),
            label: outcome.label(),
            start,
            width,
            shares: counts.iter().map(|&c| c as f64 / total as f64).collect(),
            present,
            total,
            outside,
            mean,
            q,
            threshold,
            caption,
        }
    }
}

impl Chart for Histogram {
    fn stem(&self) -> String {
        format!("hist_{}", self.name)
    }

    fn title(&self) -> String {
        format!("Distribution of {} over trials", self.label)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let mut caption = self.caption.clone();
        if self.present < self.total {
            caption += &format!(
                "; {} of {} trials have a value",
                style::thousands(self.present as u64),
                style::thousands(self.total as u64)
            );
        }
        if self.outside > 0 {
            caption += &format!(
                "; {} trials beyond the 0.1-99.9% range not shown",
                style::thousands(self.outside as u64)
            );
        }
        let area = style::frame(root, &self.title(), &caption)?;
        let x0 = self.start;
        let x1 = self.start + self.width * self.shares.len().max(1) as f64;
        let ymax = self.shares.iter().copied().fold(0.0, f64::max).max(1e-3) * 1.15 * 100.0;
        let mut chart = style::plot_area(&area, x0..x1, 0.0..ymax, 64)?;
        style::mesh(&mut chart, &self.label, "share of trials (%)").draw()?;
        if self.present == 0 {
            let (w, h) = area.dim_in_pixel();
            area.draw(&Text::new(
                "no trial has a value",
                (w as i32 / 2 - 80, h as i32 / 2 - 40),
                style::text(18),
            ))?;
            return Ok(());
        }
        let bar = style::colour(0).mix(0.55).filled();
        chart.draw_series(self.shares.iter().enumerate().map(|(i, s)| {
            let l = self.start + self.width * i as f64;
            Rectangle::new([(l, 0.0), (l + self.width, s * 100.0)], bar)
        }))?;

        let vline = |x: f64| vec![(x, 0.0), (x, ymax)];
        let scale = style::unit((x0, x1), (0.0, ymax));
        let spot = style::legend_spot(self.shares.iter().enumerate().flat_map(|(i, s)| {
            // A bar covers everything below its top.
            let x = self.start + self.width * (i as f64 + 0.5);
            [0.0, 0.25, 0.5, 0.75, 1.0].map(|f| scale((x, s * 100.0 * f)))
        }));
        let mut marks: Vec<(String, f64, ShapeStyle, bool)> = vec![(
            format!("mean {}", number(self.mean)),
            self.mean,
            BLACK.stroke_width(2),
            false,
        )];
        for (label, q) in ["5%", "median", "95%"].iter().zip(self.q) {
            let dashed = *label != "median";
            let colour = if dashed {
                RGBColor(60, 60, 60)
            } else {
                style::colour(1)
            };
            marks.push((
                format!("{label} {}", number(q)),
                q,
                colour.stroke_width(2),
                dashed,
            ));
        }
        if let Some(t) = &self.threshold {
            marks.push((t.legend(), t.value, style::THRESHOLD.stroke_width(3), false));
        }
        for (label, x, line, dashed) in marks {
            if !x.is_finite() {
                continue;
            }
            let series = if dashed {
                chart.draw_series(DashedLineSeries::new(vline(x), 6, 4, line))?
            } else {
                chart.draw_series(LineSeries::new(vline(x), line))?
            };
            series.label(label).legend(style::line_key(line));
        }
        style::legend(&mut chart, spot)?;
        Ok(())
    }
}

/// The 0.1% and 99.9% quantiles (type 7) of the `present` non-NaN values of `values`, as
/// [`quantiles_type7`] gives them over all of them, reading only the two tails: the values at
/// or below `bounds[0]` (the 5% quantile) are a lower set of the values in the order of
/// [`f64::total_cmp`], so their order statistics of low rank are those of all the values
/// (and likewise above `bounds[1]`, the 95%). The ranks are selected within the tails, about
/// a tenth of the values, instead of within a copy of the whole column. Falls back to a full
/// selection when a tail does not hold the ranks needed (a tiny run, or absent bounds).
fn range(values: &[f64], present: usize, bounds: [Option<f64>; 2]) -> (f64, f64) {
    let full = || {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        let r = quantiles_type7(&mut v, &[0.001, 0.999]);
        (r[0], r[1])
    };
    let [Some(lo_bound), Some(hi_bound)] = bounds else {
        return full();
    };
    let (mut low, mut high) = (Vec::new(), Vec::new());
    for &x in values.iter().filter(|x| !x.is_nan()) {
        if x.total_cmp(&lo_bound).is_le() {
            low.push(x);
        }
        if x.total_cmp(&hi_bound).is_ge() {
            high.push(x);
        }
    }
    let above = present - high.len(); // rank of the smallest value in `high`
    let lo = quantile_type7_by(present, 0.001, |r| {
        (r < low.len()).then(|| *low.select_nth_unstable_by(r, f64::total_cmp).1)
    });
    let hi = quantile_type7_by(present, 0.999, |r| {
        let k = r.checked_sub(above)?;
        (k < high.len()).then(|| *high.select_nth_unstable_by(k, f64::total_cmp).1)
    });
    match (lo, hi) {
        (Some(lo), Some(hi)) => (lo, hi),
        _ => full(),
    }
}

/// The bins' start, width and count: one bin per integer for small integer outcomes, else
/// [`BINS`] bins over the range `range()` gives (the 0.1% to 99.9% order statistics), widened
/// to take in the threshold; all values (almost) equal get one visible bar around them.
fn bins(
    integer: bool,
    min: f64,
    max: f64,
    threshold: &Option<Threshold>,
    range: impl FnOnce() -> (f64, f64),
) -> (f64, f64, usize) {
    if integer {
        return (min - 0.5, 1.0, (max - min) as usize + 1);
    }
    let (mut lo, mut hi) = range();
    if let Some(t) = threshold {
        lo = lo.min(t.value);
        hi = hi.max(t.value);
    }
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        let pad = (lo.abs() * 0.05).max(0.5);
        (lo - pad, 2.0 * pad / BINS as f64, BINS)
    } else {
        (lo, (hi - lo) / BINS as f64, BINS)
    }
}

/// Counts of `(value, weight)` points per bin, and the weight outside every bin; the top edge
/// belongs to the last bin.
fn count(
    points: impl Iterator<Item = (f64, u64)>,
    start: f64,
    width: f64,
    nbins: usize,
) -> (Vec<u64>, u64) {
    let mut counts = vec![0u64; nbins];
    let mut outside = 0;
    let end = start + width * nbins as f64;
    for (x, c) in points {
        let b = (x - start) / width;
        // For b >= 0, truncation is the floor (without a call to libm's `floor`); a NaN or
        // negative b lies outside.
        if b >= 0.0 {
            let i = b as usize;
            if i < nbins {
                counts[i] += c;
            } else if i == nbins && x <= end {
                counts[nbins - 1] += c;
            } else {
                outside += c;
            }
        } else {
            outside += c;
        }
    }
    (counts, outside)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::OutcomeKind;
    use crate::stats::summarize;

    fn continuous(name: &str) -> Outcome {
        Outcome::named(name, OutcomeKind::Continuous)
    }

    #[test]
    fn the_range_from_the_tails_equals_a_selection_over_every_value_bit_for_bit() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        for (case, n) in [(0, 1), (1, 7), (2, 40), (3, 2_000), (4, 100_001)] {
            let values: Vec<f64> = (0..n)
                .map(|_| match (case + rng.random_range(0..5)) % 5 {
                    0 => f64::NAN,
                    1 => (rng.random_range(0..4) as f64) * 0.5, // ties
                    2 => -0.0,
                    _ => rng.random::<f64>().powi(3) * 1e3 - 10.0,
                })
                .collect();
            let mut present: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
            if present.is_empty() {
                continue;
            }
            let stats = summarize(&mut present.clone());
            let want = quantiles_type7(&mut present, &[0.001, 0.999]);
            let got = range(&values, present.len(), [stats.p05, stats.p95]);
            assert_eq!(
                (got.0.to_bits(), got.1.to_bits()),
                (want[0].to_bits(), want[1].to_bits()),
                "n = {n}"
            );
            // Absent bounds: the full selection.
            let got = range(&values, present.len(), [None, stats.p95]);
            assert_eq!((got.0, got.1), (want[0], want[1]));
        }
    }

    /// The fallback arm of [`range`]: a tail that does not hold the order statistics its
    /// quantile needs (bounds inside the 0.1%/99.9% quantiles, a bound beyond every value, a
    /// run so small that the 0.1% quantile interpolates past the 5% one's lower set) gives
    /// the full selection's range, bit for bit. Each case checks first that its tail is too
    /// small, so the arm is what it tests.
    #[test]
    fn a_tail_too_small_for_its_rank_falls_back_to_the_full_selection() {
        let spread: Vec<f64> = (0..1000)
            .map(|i| ((i * 389) % 1000) as f64 * 0.25)
            .collect();
        let tiny = vec![3.0, -1.0, 7.5, 0.25, 2.0, 9.0, -4.0];
        let cases: [(&[f64], [f64; 2]); 4] = [
            // Both tails empty.
            (&spread, [-1.0, 1e9]),
            // The low tail too small (its bound below the 0.1% quantile), the high one fine.
            (&spread, [0.0, 200.0]),
            // The high tail empty, the low one fine.
            (&spread, [10.0, 250.0]),
            // The tiny run's own 5% and 95% quantiles: the low tail holds rank 0 only, and
            // the 0.1% quantile interpolates between ranks 0 and 1.
            (&tiny, [-4.0 + 0.3 * 3.0, 9.0 - 0.3 * 1.5]),
        ];
        for (i, (values, [lo, hi])) in cases.into_iter().enumerate() {
            let n = values.len();
            let mut all = values.to_vec();
            let want = quantiles_type7(&mut all, &[0.001, 0.999]);
            // The ranks the two quantiles read: floor and ceil of (n - 1) p.
            let needs = |p: f64| {
                let h = (n - 1) as f64 * p;
                (h.floor() as usize, h.ceil() as usize)
            };
            let low = values.iter().filter(|x| x.total_cmp(&lo).is_le()).count();
            let high = values.iter().filter(|x| x.total_cmp(&hi).is_ge()).count();
            let (lo_rank, hi_rank) = (needs(0.001).1, needs(0.999).0);
            assert!(
                lo_rank >= low || hi_rank < n - high,
                "case {i}: a tail holds its ranks, so the fallback is not tested"
            );
            let got = range(values, n, [Some(lo), Some(hi)]);
            assert_eq!(
                (got.0.to_bits(), got.1.to_bits()),
                (want[0].to_bits(), want[1].to_bits()),
                "case {i}"
            );
        }
    }

    #[test]
    fn integer_outcomes_get_one_bin_per_value_and_shares_sum_to_one() {
        let values = [0.0, 1.0, 1.0, 3.0, f64::NAN];
        let stats = summarize(
            &mut values
                .iter()
                .copied()
                .filter(|v| !v.is_nan())
                .collect::<Vec<_>>(),
        );
        let h = Histogram::new(
            &continuous("years_sanctioned"),
            &values,
            &stats,
            None,
            String::new(),
        );
        assert_eq!(h.shares.len(), 4);
        assert_eq!(h.shares, vec![0.2, 0.4, 0.0, 0.2]);
        assert_eq!((h.present, h.total, h.outside), (4, 5, 0));
    }

    #[test]
    fn continuous_bins_cover_the_threshold_and_count_every_trial() {
        let values: Vec<f64> = (0..1000).map(|i| 0.1 + i as f64 * 1e-4).collect();
        let t = Threshold {
            value: 0.35,
            at_least: true,
            headline: "viable".into(),
        };
        let stats = summarize(&mut values.clone());
        let h = Histogram::new(
            &continuous("independence"),
            &values,
            &stats,
            Some(t),
            String::new(),
        );
        assert!(h.start <= 0.1 + 1e-4);
        assert!(h.start + h.width * BINS as f64 >= 0.35);
        let inside: f64 = h.shares.iter().sum::<f64>() * 1000.0;
        assert_eq!(inside.round() as usize + h.outside, 1000);
    }
}
