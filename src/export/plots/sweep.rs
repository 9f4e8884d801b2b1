//! Outcomes along one swept parameter (`sweep`): P(viable) with its 95% interval and the
//! share meeting each criterion ([`ViabilityAlong`]), and an outcome's 5/50/95% quantiles
//! ([`OutcomeAlong`]), against the parameter's value.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{self, Threshold, number, outcome_unit};
use super::{Chart, DrawResult};
use crate::stats::Proportion;

/// x range of a sweep, padded by 3% each side.
fn x_range(xs: &[f64]) -> (f64, f64) {
    let lo = xs.iter().copied().fold(f64::MAX, f64::min);
    let hi = xs.iter().copied().fold(f64::MIN, f64::max);
    let pad = ((hi - lo) * 0.03).max(1e-9);
    (lo - pad, hi + pad)
}

/// P(viable) and the criteria along the parameter.
#[derive(Debug, Clone)]
pub struct ViabilityAlong {
    /// The swept key.
    pub param: String,
    /// Its values.
    pub xs: Vec<f64>,
    /// (label, probability at each value): `viable` first, then each criterion.
    pub lines: Vec<(String, Vec<Proportion>)>,
    /// Caption.
    pub caption: String,
}

impl Chart for ViabilityAlong {
    fn stem(&self) -> String {
        "sweep_viable".into()
    }

    fn title(&self) -> String {
        format!("P(viable) and each criterion along {}", self.param)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = style::frame(root, &self.title(), &self.caption)?;
        let (x0, x1) = x_range(&self.xs);
        let mut chart = ChartBuilder::on(&area)
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, 0.0..100.0)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .x_desc(self.param.as_str())
            .y_desc("share of trials (%), 95% interval")
            .x_label_formatter(&|v| number(*v))
            .y_label_formatter(&|v| number(*v))
            .label_style(style::text(13))
            .axis_desc_style(style::text(15))
            .draw()?;
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
                let mut band: Vec<(f64, f64)> = self
                    .xs
                    .iter()
                    .zip(ps)
                    .map(|(x, p)| (*x, p.ci95[1] * 100.0))
                    .collect();
                band.extend(
                    self.xs
                        .iter()
                        .zip(ps)
                        .rev()
                        .map(|(x, p)| (*x, p.ci95[0] * 100.0)),
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
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], line));
            chart.draw_series(
                pts.iter()
                    .map(|p| Circle::new(*p, if i == 0 { 4 } else { 3 }, c.filled())),
            )?;
        }
        chart
            .configure_series_labels()
            .position(spot)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .label_font(style::text(13))
            .draw()?;
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
        let extra = self.threshold.map(|t| t.value);
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
        let mut chart = ChartBuilder::on(&area)
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d(x0..x1, y0..(y1 + pad))?;
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .x_desc(self.param.as_str())
            .y_desc(outcome_unit(&self.outcome))
            .x_label_formatter(&|v| number(*v))
            .y_label_formatter(&|v| number(*v))
            .label_style(style::text(13))
            .axis_desc_style(style::text(15))
            .draw()?;
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
        let mut band: Vec<(f64, f64)> = present.iter().map(|(x, q)| (*x, q[2])).collect();
        band.extend(present.iter().rev().map(|(x, q)| (*x, q[0])));
        chart
            .draw_series(std::iter::once(Polygon::new(band, c.mix(0.2).filled())))?
            .label("5-95% of trials")
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 22, y + 5)], c.mix(0.2).filled())
            });
        let line = c.stroke_width(3);
        chart
            .draw_series(LineSeries::new(
                present.iter().map(|(x, q)| (*x, q[1])),
                line,
            ))?
            .label("median")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], line));
        chart.draw_series(
            present
                .iter()
                .map(|(x, q)| Circle::new((*x, q[1]), 4, c.filled())),
        )?;
        if let Some(t) = self.threshold {
            let th = style::THRESHOLD.stroke_width(2);
            let sign = if t.at_least { ">=" } else { "<=" };
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(x0, t.value), (x1, t.value)],
                    6,
                    4,
                    th,
                ))?
                .label(format!("viable if {sign} {}", number(t.value)))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], th));
        }
        chart
            .configure_series_labels()
            .position(spot)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .label_font(style::text(13))
            .draw()?;
        Ok(())
    }
}
