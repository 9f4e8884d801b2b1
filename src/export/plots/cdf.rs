//! Overlaid empirical cumulative distributions of one outcome, one line per scenario
//! (`compare`), with the viability threshold where one applies. Each curve is drawn through
//! 401 type-7 quantiles (q = 0, 0.0025, .., 1); the x range is the 0.1-99.9% quantiles of
//! all scenarios together (widened to the threshold).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{self, Threshold};
use super::{Chart, DrawResult};
use crate::engine::Outcome;
use crate::stats::quantile_type7_sorted;

/// Points per curve.
const POINTS: usize = 401;

/// One outcome across scenarios.
#[derive(Debug, Clone)]
pub struct Cdf {
    outcome: String,
    /// Axis label with unit.
    label: String,
    /// (scenario, (x, F(x)) points); an outcome absent in every trial has no points.
    runs: Vec<(String, Vec<(f64, f64)>)>,
    x: (f64, f64),
    threshold: Option<Threshold>,
    caption: String,
}

impl Cdf {
    /// `runs`: each scenario's name and the outcome's values over trials (NaN = absent).
    pub fn new(
        outcome: &Outcome,
        runs: &[(&str, &[f64])],
        threshold: Option<Threshold>,
        caption: String,
    ) -> Cdf {
        let (mut lo, mut hi) = (f64::MAX, f64::MIN);
        let runs = runs
            .iter()
            .map(|(name, values)| {
                let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
                v.sort_by(f64::total_cmp);
                let n = values.len() as f64;
                let share = v.len() as f64 / n.max(1.0);
                let points: Vec<(f64, f64)> = if v.is_empty() {
                    vec![]
                } else {
                    lo = lo.min(quantile_type7_sorted(&v, 0.001));
                    hi = hi.max(quantile_type7_sorted(&v, 0.999));
                    (0..POINTS)
                        .map(|i| {
                            let q = i as f64 / (POINTS - 1) as f64;
                            // F is over all trials: an absent outcome never reaches 1.
                            (quantile_type7_sorted(&v, q), q * share)
                        })
                        .collect()
                };
                (name.to_string(), points)
            })
            .collect();
        if let Some(t) = &threshold {
            lo = lo.min(t.value);
            hi = hi.max(t.value);
        }
        if lo > hi {
            (lo, hi) = (0.0, 1.0);
        }
        if hi - lo < 1e-12 * hi.abs().max(1.0) {
            let pad = (lo.abs() * 0.05).max(0.5);
            (lo, hi) = (lo - pad, hi + pad);
        }
        Cdf {
            outcome: outcome.name.clone(),
            label: outcome.label(),
            runs,
            x: (lo, hi),
            threshold,
            caption,
        }
    }
}

impl Chart for Cdf {
    fn stem(&self) -> String {
        format!("cdf_{}", self.outcome)
    }

    fn title(&self) -> String {
        format!("Cumulative distribution of {} by scenario", self.outcome)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = style::frame(root, &self.title(), &self.caption)?;
        let (x0, x1) = self.x;
        let mut chart = style::plot_area(&area, x0..x1, 0.0..100.0, 64)?;
        style::mesh(&mut chart, &self.label, "share of trials at or below (%)").draw()?;
        let scale = style::unit((x0, x1), (0.0, 100.0));
        let spot = style::legend_spot(self.runs.iter().flat_map(|(_, points)| {
            points
                .iter()
                .map(|(x, f)| scale((x.clamp(x0, x1), f * 100.0)))
        }));
        for (i, (name, points)) in self.runs.iter().enumerate() {
            let line = style::colour(i).stroke_width(if i == 0 { 3 } else { 2 });
            // Clip to the x range so lines stop at the frame.
            let clipped = points
                .iter()
                .map(|(x, f)| (x.clamp(x0, x1), f * 100.0))
                .collect::<Vec<_>>();
            chart
                .draw_series(LineSeries::new(clipped, line))?
                .label(name.clone())
                .legend(style::line_key(line));
        }
        if let Some(t) = &self.threshold {
            style::threshold_line(&mut chart, [(t.value, 0.0), (t.value, 100.0)], t.legend())?;
        }
        style::legend(&mut chart, spot)?;
        Ok(())
    }
}
