//! Fan charts of yearly series: the 5-95% and 25-75% bands of trials year by year with the
//! median and the mean ([`Fan`]), or several scenarios overlaid, each as its median and
//! 5-95% band ([`FanOverlay`], for `compare`). Quantiles come from `RunSummary::timeseries`
//! (sketch quantiles, within 0.78% relative of the exact ones).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{self, AreaError, Threshold, XyChart, number};
use super::{Chart, DrawResult};
use crate::analysis::run::YearPoint;

/// One run's fan chart of one yearly series.
#[derive(Debug, Clone)]
pub struct Fan<'a> {
    /// Series name (`fiscal_burden`, `ammunition.output`).
    pub series: &'a str,
    /// Axis label with unit.
    pub label: &'a str,
    /// Its yearly points.
    pub points: &'a [YearPoint],
    /// The viability threshold the series is held to, drawn as a dashed red line.
    pub threshold: Option<Threshold>,
    /// Caption (scenario, seed, trials).
    pub caption: String,
}

/// The file-safe form of a series name (`ammunition.output` -> `ammunition-output`).
pub fn file_name(series: &str) -> String {
    series.replace('.', "-")
}

/// x and y ranges that hold `points` (x in years, padded; y from 0 when all values are >= 0).
fn ranges<'p>(
    sets: impl Iterator<Item = &'p [YearPoint]>,
    extra: Option<f64>,
) -> (f64, f64, f64, f64) {
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    if let Some(v) = extra {
        (y0, y1) = (v, v);
    }
    for points in sets {
        for p in points {
            x0 = x0.min(p.year as f64);
            x1 = x1.max(p.year as f64);
            for v in [p.p05, p.p95, p.mean] {
                if v.is_finite() {
                    y0 = y0.min(v);
                    y1 = y1.max(v);
                }
            }
        }
    }
    if x0 > x1 {
        return (0.0, 1.0, 0.0, 1.0);
    }
    if y0 > y1 {
        (y0, y1) = (0.0, 1.0);
    }
    if y0 >= 0.0 {
        y0 = 0.0;
    }
    let pad = ((y1 - y0) * 0.06).max(1e-9 + y1.abs() * 0.01);
    (
        x0 - 0.3,
        x1 + 0.3,
        y0.min(y0 - pad * f64::from(y0 < 0.0)),
        y1 + pad,
    )
}

/// A band between two quantiles as a closed polygon.
fn band(
    points: &[YearPoint],
    lo: fn(&YearPoint) -> f64,
    hi: fn(&YearPoint) -> f64,
) -> Vec<(f64, f64)> {
    style::band(points.iter().map(|p| (p.year as f64, lo(p), hi(p))))
}

/// Draws the mesh of a fan chart and returns the chart.
fn axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    label: &str,
    (x0, x1, y0, y1): (f64, f64, f64, f64),
) -> Result<XyChart<'a, DB>, AreaError<DB>> {
    let mut chart = style::plot_area(area, x0..x1, y0..y1, 72)?;
    style::mesh(&mut chart, "year", label)
        .x_labels(12)
        .x_label_formatter(&style::year)
        .draw()?;
    Ok(chart)
}

impl Chart for Fan<'_> {
    fn stem(&self) -> String {
        format!("fan_{}", file_name(self.series))
    }

    fn title(&self) -> String {
        format!("{} by year: 5-25-50-75-95% of trials", self.series)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = style::frame(root, &self.title(), &self.caption)?;
        let r = ranges(
            std::iter::once(self.points),
            self.threshold.as_ref().map(|t| t.value),
        );
        let mut chart = axes(&area, self.label, r)?;
        let scale = style::unit((r.0, r.1), (r.2, r.3));
        let spot =
            style::legend_spot(self.points.iter().flat_map(|p| {
                [p.p05, p.p25, p.p50, p.p75, p.p95].map(|v| scale((p.year as f64, v)))
            }));
        let c = style::colour(0);
        chart
            .draw_series(std::iter::once(Polygon::new(
                band(self.points, |p| p.p05, |p| p.p95),
                c.mix(0.18).filled(),
            )))?
            .label("5-95% of trials")
            .legend(style::box_key(c.mix(0.18).filled()));
        chart
            .draw_series(std::iter::once(Polygon::new(
                band(self.points, |p| p.p25, |p| p.p75),
                c.mix(0.38).filled(),
            )))?
            .label("25-75%")
            .legend(style::box_key(c.mix(0.38).filled()));
        let median = c.stroke_width(3);
        chart
            .draw_series(LineSeries::new(
                self.points.iter().map(|p| (p.year as f64, p.p50)),
                median,
            ))?
            .label("median")
            .legend(style::line_key(median));
        let mean = BLACK.stroke_width(1);
        chart
            .draw_series(DashedLineSeries::new(
                self.points.iter().map(|p| (p.year as f64, p.mean)),
                6,
                4,
                mean,
            ))?
            .label("mean")
            .legend(style::line_key(mean));
        if let Some(t) = &self.threshold {
            let label = format!("viability threshold ({} {})", t.sign(), number(t.value));
            style::threshold_line(&mut chart, [(r.0, t.value), (r.1, t.value)], label)?;
        }
        style::legend(&mut chart, spot)?;
        Ok(())
    }
}

/// One series of several scenarios, overlaid: each scenario's median and 5-95% band.
#[derive(Debug, Clone)]
pub struct FanOverlay<'a> {
    /// Series name.
    pub series: &'a str,
    /// Axis label with unit.
    pub label: &'a str,
    /// (scenario name, its points), first scenario first.
    pub runs: Vec<(&'a str, &'a [YearPoint])>,
    /// Caption.
    pub caption: String,
}

impl Chart for FanOverlay<'_> {
    fn stem(&self) -> String {
        format!("fan_{}", file_name(self.series))
    }

    fn title(&self) -> String {
        format!(
            "{} by year: median and 5-95% band per scenario",
            self.series
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = style::frame(root, &self.title(), &self.caption)?;
        let r = ranges(self.runs.iter().map(|(_, p)| *p), None);
        let mut chart = axes(&area, self.label, r)?;
        let scale = style::unit((r.0, r.1), (r.2, r.3));
        let spot = style::legend_spot(self.runs.iter().flat_map(|(_, points)| {
            points
                .iter()
                .flat_map(|p| [p.p05, p.p50, p.p95].map(|v| scale((p.year as f64, v))))
        }));
        for (i, (_, points)) in self.runs.iter().enumerate() {
            chart.draw_series(std::iter::once(Polygon::new(
                band(points, |p| p.p05, |p| p.p95),
                style::colour(i).mix(0.15).filled(),
            )))?;
        }
        for (i, (name, points)) in self.runs.iter().enumerate() {
            let line = style::colour(i).stroke_width(3);
            chart
                .draw_series(LineSeries::new(
                    points.iter().map(|p| (p.year as f64, p.p50)),
                    line,
                ))?
                .label(format!("{name}: median (band 5-95%)"))
                .legend(style::line_key(line));
            let edges: [fn(&YearPoint) -> f64; 2] = [|p| p.p05, |p| p.p95];
            for get in edges {
                chart.draw_series(DashedLineSeries::new(
                    points.iter().map(|p| (p.year as f64, get(p))),
                    5,
                    4,
                    style::colour(i).stroke_width(1),
                ))?;
            }
        }
        style::legend(&mut chart, spot)?;
        Ok(())
    }
}
