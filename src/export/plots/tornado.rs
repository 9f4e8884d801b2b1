//! Horizontal bar charts of sensitivity: the tornado of PRCC per outcome (bars, with 95%
//! bootstrap whiskers and the Spearman correlation as a dot) and the Sobol indices (first
//! order and total, side by side, with whiskers).

use std::path::Path;

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{SIZE, plot_err, png_and_svg};

/// One series of bars: a value and a 95% interval per input.
#[derive(Debug, Clone)]
pub struct Bars {
    /// Legend label.
    pub label: String,
    /// Value per input (NaN: no bar).
    pub values: Vec<f64>,
    /// Interval per input.
    pub ci95: Vec<[f64; 2]>,
    /// Fill colour (RGB).
    pub color: (u8, u8, u8),
}

/// A horizontal bar chart: inputs top to bottom in the given order.
#[derive(Debug, Clone)]
pub struct BarChart {
    /// Title.
    pub title: String,
    /// Label of the value axis.
    pub x_label: String,
    /// Input names, first drawn at the top.
    pub names: Vec<String>,
    /// Series, drawn side by side within each input's row.
    pub series: Vec<Bars>,
    /// Optional dots (label, value per input), e.g. Spearman on a PRCC tornado.
    pub dots: Option<(String, Vec<f64>)>,
    /// Range of the value axis.
    pub x_range: (f64, f64),
}

/// Writes `chart` to `<base>.png` and `<base>.svg`.
pub fn write(base: &Path, chart: &BarChart) -> Result<()> {
    let height = SIZE.1.max(120 + 28 * chart.names.len() as u32);
    png_and_svg(
        base,
        (SIZE.0, height),
        |root| draw(root, chart),
        |root| draw(root, chart),
    )
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, c: &BarChart) -> Result<()> {
    root.fill(&WHITE).map_err(plot_err)?;
    let k = c.names.len();
    let longest = c.names.iter().map(|n| n.len()).max().unwrap_or(4) as u32;
    let mut chart = ChartBuilder::on(&root)
        .caption(&c.title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(20 + 7 * longest)
        .build_cartesian_2d(c.x_range.0..c.x_range.1, -0.5..(k as f64 - 0.5))
        .map_err(plot_err)?;
    // Row r (from the top) is drawn at y = k - 1 - r; labels only at whole rows.
    let names = c.names.clone();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(4 * k + 4)
        .y_label_formatter(&|y: &f64| {
            let r = k as f64 - 1.0 - y;
            if (r - r.round()).abs() < 1e-6 && r.round() >= 0.0 && (r.round() as usize) < k {
                names[r.round() as usize].clone()
            } else {
                String::new()
            }
        })
        .x_desc(&c.x_label)
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(plot_err)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, k as f64 - 0.5)],
            BLACK.stroke_width(1),
        )))
        .map_err(plot_err)?;
    let s = c.series.len().max(1) as f64;
    let band = 0.8 / s;
    for (si, bars) in c.series.iter().enumerate() {
        let color = RGBColor(bars.color.0, bars.color.1, bars.color.2);
        let centre = |r: usize| k as f64 - 1.0 - r as f64 + 0.4 - band * (si as f64 + 0.5);
        let rects = bars
            .values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(r, &v)| {
                let y = centre(r);
                Rectangle::new(
                    [(0.0, y - 0.42 * band), (v, y + 0.42 * band)],
                    color.filled(),
                )
            });
        chart
            .draw_series(rects)
            .map_err(plot_err)?
            .label(&bars.label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.filled()));
        let whiskers = bars
            .ci95
            .iter()
            .enumerate()
            .filter(|(_, ci)| ci[0].is_finite() && ci[1].is_finite())
            .flat_map(|(r, ci)| {
                let y = centre(r);
                let h = 0.25 * band;
                [
                    PathElement::new(vec![(ci[0], y), (ci[1], y)], BLACK.stroke_width(1)),
                    PathElement::new(vec![(ci[0], y - h), (ci[0], y + h)], BLACK.stroke_width(1)),
                    PathElement::new(vec![(ci[1], y - h), (ci[1], y + h)], BLACK.stroke_width(1)),
                ]
            });
        chart.draw_series(whiskers).map_err(plot_err)?;
    }
    if let Some((label, dots)) = &c.dots {
        let points = dots
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(r, &v)| Circle::new((v, k as f64 - 1.0 - r as f64), 4, BLACK.filled()));
        chart
            .draw_series(points)
            .map_err(plot_err)?
            .label(label)
            .legend(|(x, y)| Circle::new((x + 7, y), 4, BLACK.filled()));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .position(SeriesLabelPosition::LowerRight)
        .draw()
        .map_err(plot_err)?;
    root.present().map_err(plot_err)?;
    Ok(())
}
