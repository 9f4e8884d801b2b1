//! The states chart: for every 0/1 state series the model places in a band
//! ([`crate::engine::Band`]), the share of trials in that state year by year, one panel per
//! group of bands (the viability model: sanctioned, and the three foreign-support states).
//!
//! A band's share is the yearly mean of its 0/1 series (exact: a mean of indicators is the
//! share). A panel of one band is a filled area; a panel of several is a stack with a legend.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{self, AreaError, XyChart};
use super::{Chart, DrawResult};
use crate::analysis::run::RunSummary;
use crate::engine::{Schema, Tone};

/// The states chart of one run.
#[derive(Debug, Clone)]
pub struct States {
    years: Vec<f64>,
    /// The panels, left to right.
    panels: Vec<Panel>,
    caption: String,
}

/// One panel of the chart.
#[derive(Debug, Clone)]
struct Panel {
    heading: String,
    topic: String,
    /// Legend label, tone and yearly shares (0 to 1) of each band, top band first.
    bands: Vec<(String, Tone, Vec<f64>)>,
}

impl States {
    /// Reads the shares of the schema's bands from `summary`; `None` when the schema places
    /// no series in a band, or a band's series is missing (an old summary).
    pub fn new(summary: &RunSummary, schema: &Schema, caption: String) -> Option<States> {
        let mut years = None;
        let mut panels: Vec<Panel> = Vec::new();
        for series in &schema.series {
            let Some(band) = &series.band else {
                continue;
            };
            let points = summary.timeseries.get(&series.name)?;
            years.get_or_insert_with(|| points.iter().map(|p| p.year as f64).collect());
            let shares = points.iter().map(|p| p.mean).collect();
            let at = match panels.iter().position(|p| p.heading == band.panel) {
                Some(at) => at,
                None => {
                    panels.push(Panel {
                        heading: band.panel.clone(),
                        topic: band.topic.clone(),
                        bands: Vec::new(),
                    });
                    panels.len() - 1
                }
            };
            panels[at]
                .bands
                .push((band.legend.clone(), band.tone, shares));
        }
        Some(States {
            years: years?,
            panels,
            caption,
        })
    }
}

/// One panel's axes: the share of trials (%) by year under the heading `caption`, with
/// `x_labels` year ticks.
fn axes<'a, DB: DrawingBackend>(
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

/// The colour of a band in a stacked panel: good (green), strained (amber), bad (red).
fn tone_colour(tone: Tone) -> RGBColor {
    match tone {
        Tone::Good => RGBColor(44, 160, 44),
        Tone::Strained => RGBColor(255, 170, 40),
        Tone::Bad => RGBColor(214, 39, 40),
    }
}

impl Panel {
    /// Its share of the chart's width: a stack (with its legend) takes 3 parts, a single
    /// area 2.
    fn width(&self) -> u32 {
        if self.bands.len() > 1 { 3 } else { 2 }
    }

    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        years: &[f64],
        x: Range<f64>,
    ) -> DrawResult<DB> {
        if let [(_, _, shares)] = self.bands.as_slice() {
            let mut chart = axes(area, &self.heading, x, 6)?;
            let colour = style::colour(4);
            chart.draw_series(
                AreaSeries::new(
                    years.iter().zip(shares).map(|(y, s)| (*y, s * 100.0)),
                    0.0,
                    colour.mix(0.45).filled(),
                )
                .border_style(colour.stroke_width(2)),
            )?;
            return Ok(());
        }
        let mut chart = axes(area, &self.heading, x, 12)?;
        // Stacked from the bottom: the last band lowest, the first (the usual state) on top.
        let mut edges = vec![vec![0.0; years.len()]];
        for (_, _, shares) in self.bands.iter().rev() {
            let below = &edges[edges.len() - 1];
            let above = below
                .iter()
                .zip(shares)
                .map(|(b, v)| b + v * 100.0)
                .collect();
            edges.push(above);
        }
        // Drawn top band first, so the legend reads top to bottom like the stack.
        let n = self.bands.len();
        for (k, (legend, tone, _)) in self.bands.iter().enumerate() {
            let (below, above) = (&edges[n - 1 - k], &edges[n - k]);
            let poly = style::band(
                years
                    .iter()
                    .zip(below)
                    .zip(above)
                    .map(|((x, lo), hi)| (*x, *lo, *hi)),
            );
            let c = tone_colour(*tone);
            chart
                .draw_series(std::iter::once(Polygon::new(poly, c.mix(0.6).filled())))?
                .label(legend.as_str())
                .legend(style::box_key(c.mix(0.6).filled()));
        }
        style::legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    }
}

impl Chart for States {
    fn stem(&self) -> String {
        "states".into()
    }

    fn title(&self) -> String {
        let topics: Vec<&str> = self.panels.iter().map(|p| p.topic.as_str()).collect();
        let topics = topics.join(" and ");
        let mut first = topics.chars();
        let topics: String = first
            .next()
            .map(|c| c.to_uppercase().chain(first).collect())
            .unwrap_or_default();
        format!("{topics}: share of trials in each state by year")
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = style::frame(root, &self.title(), &self.caption)?;
        let x = (
            self.years.first().copied().unwrap_or(0.0) - 0.3,
            self.years.last().copied().unwrap_or(1.0) + 0.3,
        );
        // Panels side by side, each as wide as its share of the parts.
        let width = area.dim_in_pixel().0;
        let parts: u32 = self.panels.iter().map(Panel::width).sum();
        let (mut rest, mut taken, mut left) = (area, 0, 0);
        for (i, panel) in self.panels.iter().enumerate() {
            let this = if i + 1 < self.panels.len() {
                taken += panel.width();
                let edge = width * taken / parts;
                let (this, next) = rest.split_horizontally(edge - left);
                left = edge;
                rest = next;
                this
            } else {
                rest.clone()
            };
            panel.draw(&this, &self.years, x.0..x.1)?;
        }
        Ok(())
    }
}
