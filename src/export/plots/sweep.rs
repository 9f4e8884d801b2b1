//! Outcomes along one swept parameter (`sweep`): the headline probability (every criterion
//! met) with its 95% interval and the share meeting each criterion ([`CriteriaAlong`]), and an outcome's 5/50/95% quantiles
//! ([`OutcomeAlong`]), against the parameter's value.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{self, Threshold};
use super::{Chart, DrawResult};
use crate::stats::Proportion;

/// x range of a sweep, padded by 3% each side.
fn x_range(xs: &[f64]) -> (f64, f64) {
    let lo = xs.iter().copied().fold(f64::MAX, f64::min);
    let hi = xs.iter().copied().fold(f64::MIN, f64::max);
    let pad = ((hi - lo) * 0.03).max(1e-9);
    (lo - pad, hi + pad)
}

/// The headline probability and the criteria along the parameter.
#[derive(Debug, Clone)]
pub struct CriteriaAlong {
    /// Name of the headline outcome (`viable`).
    pub headline: String,
    /// The swept key.
    pub param: String,
    /// Its values.
    pub xs: Vec<f64>,
    /// (label, probability at each value): the headline first, then each criterion.
    pub lines: Vec<(String, Vec<Proportion>)>,
    /// Caption.
    pub caption: String,
}

impl Chart for CriteriaAlong {
    fn stem(&self) -> String {
        format!("sweep_{}", self.headline)
    }

    fn title(&self) -> String {
        format!(
            "P({}) and each criterion along {}",
            self.headline, self.param
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = style::frame(root, &self.title(), &self.caption)?;
        let (x0, x1) = x_range(&self.xs);
        let mut chart = style::plot_area(&area, x0..x1, 0.0..100.0, 64)?;
        style::mesh(&mut chart, &self.param, "share of trials (%), 95% interval").draw()?;
        let scale = style::unit((x0, x1), (0.0, 100.0));
        let spot = style::legend_spot(self.lines.iter().flat_map(|(_, ps)| {
            let line: Vec<(f64, f64)> = self
                .xs
                .iter()
                .zip(ps)
                .map(|(x, p)| scale((*x, p.p * 100.0)))
                .collect();
            style::densify(&line)
        }));
        for (i, (label, ps)) in self.lines.iter().enumerate() {
            let c = if i == 0 {
                style::colour(0)
            } else {
                style::colour(i + 1)
            };
            if i == 0 {
                let band = style::band(
                    self.xs
                        .iter()
                        .zip(ps)
                        .map(|(x, p)| (*x, p.ci95[0] * 100.0, p.ci95[1] * 100.0)),
                );
                chart.draw_series(std::iter::once(Polygon::new(band, c.mix(0.25).filled())))?;
            }
            let line = c.stroke_width(if i == 0 { 3 } else { 1 });
            let pts: Vec<(f64, f64)> = self
                .xs
                .iter()
                .zip(ps)
                .map(|(x, p)| (*x, p.p * 100.0))
                .collect();
            chart
                .draw_series(LineSeries::new(pts.clone(), line))?
                .label(label.clone())
                .legend(style::line_key(line));
            chart.draw_series(
                pts.iter()
                    .map(|p| Circle::new(*p, if i == 0 { 4 } else { 3 }, c.filled())),
            )?;
        }
        style::legend(&mut chart, spot)?;
        Ok(())
    }
}

/// One outcome's 5/50/95% along the parameter.
#[derive(Debug, Clone)]
pub struct OutcomeAlong {
    /// The swept key.
    pub param: String,
    /// The outcome.
    pub outcome: String,
    /// The outcome's axis label with unit.
    pub label: String,
    /// Parameter values.
    pub xs: Vec<f64>,
    /// 5%, 50%, 95% at each value (NaN when the outcome is absent in every trial).
    pub q: Vec<[f64; 3]>,
    /// Its viability threshold, if any.
    pub threshold: Option<Threshold>,
    /// Caption.
    pub caption: String,
}

impl Chart for OutcomeAlong {
    fn stem(&self) -> String {
        format!("sweep_{}", self.outcome)
    }

    fn title(&self) -> String {
        format!("{}: 5/50/95% along {}", self.outcome, self.param)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = style::frame(root, &self.title(), &self.caption)?;
        let (x0, x1) = x_range(&self.xs);
        let finite = self.q.iter().flatten().copied().filter(|v| v.is_finite());
        let extra = self.threshold.as_ref().map(|t| t.value);
        let (mut y0, mut y1) = finite
            .chain(extra)
            .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
        if y0 > y1 {
            (y0, y1) = (0.0, 1.0);
        }
        if y0 >= 0.0 {
            y0 = 0.0;
        }
        let pad = ((y1 - y0) * 0.06).max(1e-9 + y1.abs() * 0.01);
        let mut chart = style::plot_area(&area, x0..x1, y0..(y1 + pad), 72)?;
        style::mesh(&mut chart, &self.param, &self.label).draw()?;
        let c = style::colour(0);
        let scale = style::unit((x0, x1), (y0, y1 + pad));
        let present: Vec<(f64, [f64; 3])> = self
            .xs
            .iter()
            .zip(&self.q)
            .filter(|(_, q)| q.iter().all(|v| v.is_finite()))
            .map(|(x, q)| (*x, *q))
            .collect();
        let spot =
            style::legend_spot(
                (0..3)
                    .flat_map(|k| {
                        let line: Vec<(f64, f64)> =
                            present.iter().map(|(x, q)| scale((*x, q[k]))).collect();
                        style::densify(&line)
                    })
                    .chain(self.threshold.iter().flat_map(|t| {
                        [0.0, 0.5, 1.0].map(|f| scale((x0 + f * (x1 - x0), t.value)))
                    })),
            );
        let band = style::band(present.iter().map(|(x, q)| (*x, q[0], q[2])));
        chart
            .draw_series(std::iter::once(Polygon::new(band, c.mix(0.2).filled())))?
            .label("5-95% of trials")
            .legend(style::box_key(c.mix(0.2).filled()));
        let line = c.stroke_width(3);
        chart
            .draw_series(LineSeries::new(
                present.iter().map(|(x, q)| (*x, q[1])),
                line,
            ))?
            .label("median")
            .legend(style::line_key(line));
        chart.draw_series(
            present
                .iter()
                .map(|(x, q)| Circle::new((*x, q[1]), 4, c.filled())),
        )?;
        if let Some(t) = &self.threshold {
            style::threshold_line(&mut chart, [(x0, t.value), (x1, t.value)], t.legend())?;
        }
        style::legend(&mut chart, spot)?;
        Ok(())
    }
}
