//! The share of trials sanctioned, and the share in each foreign-support state (full,
//! reduced, withdrawn), year by year: two stacked-area panels.
//!
//! Shares are the yearly means of the 0/1 series `sanctioned`, `support_full`,
//! `support_reduced` and `support_withdrawn` (exact: a mean of indicators is the share).

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{self, AreaError, XyChart};
use super::{Chart, DrawResult};
use crate::analysis::run::RunSummary;

/// The states chart of one run.
#[derive(Debug, Clone)]
pub struct States {
    years: Vec<f64>,
    sanctioned: Vec<f64>,
    /// Shares in support state full, reduced, withdrawn, per year.
    support: [Vec<f64>; 3],
    caption: String,
}

/// Names of the support states, in order 0, 1, 2.
const SUPPORT: [&str; 3] = ["full", "reduced", "withdrawn"];

impl States {
    /// Reads the shares from `summary`; `None` when the series are missing (an old summary).
    pub fn new(summary: &RunSummary, caption: String) -> Option<States> {
        let mean = |name: &str| -> Option<Vec<f64>> {
            Some(
                summary
                    .timeseries
                    .get(name)?
                    .iter()
                    .map(|p| p.mean)
                    .collect(),
            )
        };
        let years = summary
            .timeseries
            .get("sanctioned")?
            .iter()
            .map(|p| p.year as f64)
            .collect();
        Some(States {
            years,
            sanctioned: mean("sanctioned")?,
            support: [
                mean("support_full")?,
                mean("support_reduced")?,
                mean("support_withdrawn")?,
            ],
            caption,
        })
    }
}

/// One panel: the share of trials (%) by year under the heading `caption`, with `x_labels`
/// year ticks.
fn panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    caption: &str,
    x: Range<f64>,
    x_labels: usize,
) -> Result<XyChart<'a, DB>, AreaError<DB>> {
    let mut chart = ChartBuilder::on(area)
        .caption(caption, style::text(16))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(60)
        .build_cartesian_2d(x, 0.0..100.0)?;
    style::mesh(&mut chart, "year", "share of trials (%)")
        .x_labels(x_labels)
        .x_label_formatter(&style::year)
        .draw()?;
    Ok(chart)
}

/// Colours of the support states: full (green), reduced (amber), withdrawn (red).
const SUPPORT_COLOURS: [RGBColor; 3] = [
    RGBColor(44, 160, 44),
    RGBColor(255, 170, 40),
    RGBColor(214, 39, 40),
];

impl Chart for States {
    fn stem(&self) -> String {
        "states".into()
    }

    fn title(&self) -> String {
        "Sanctions and foreign support: share of trials in each state by year".into()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = style::frame(root, &self.title(), &self.caption)?;
        let (left, right) = area.split_horizontally(area.dim_in_pixel().0 * 2 / 5);
        let (x0, x1) = (
            self.years.first().copied().unwrap_or(0.0) - 0.3,
            self.years.last().copied().unwrap_or(1.0) + 0.3,
        );
        let mut chart = panel(&left, "sanctioned", x0..x1, 6)?;
        let red = style::colour(4);
        chart.draw_series(
            AreaSeries::new(
                self.years
                    .iter()
                    .zip(&self.sanctioned)
                    .map(|(y, s)| (*y, s * 100.0)),
                0.0,
                red.mix(0.45).filled(),
            )
            .border_style(red.stroke_width(2)),
        )?;

        let mut chart = panel(&right, "foreign (Russian) support", x0..x1, 12)?;
        // Stacked from the bottom: withdrawn, reduced, full (full on top, the usual state).
        let mut edges = vec![vec![0.0; self.years.len()]];
        for s in [2, 1, 0] {
            let below = &edges[edges.len() - 1];
            let above = below
                .iter()
                .zip(&self.support[s])
                .map(|(b, v)| b + v * 100.0)
                .collect();
            edges.push(above);
        }
        // Drawn top band first, so the legend reads top to bottom like the stack.
        for (k, s) in [0, 1, 2].into_iter().enumerate() {
            let (below, above) = (&edges[2 - k], &edges[3 - k]);
            let poly = style::band(
                self.years
                    .iter()
                    .zip(below)
                    .zip(above)
                    .map(|((x, lo), hi)| (*x, *lo, *hi)),
            );
            let c = SUPPORT_COLOURS[s];
            chart
                .draw_series(std::iter::once(Polygon::new(poly, c.mix(0.6).filled())))?
                .label(SUPPORT[s])
                .legend(style::box_key(c.mix(0.6).filled()));
        }
        style::legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    }
}
