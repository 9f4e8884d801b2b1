//! PRIM charts: the peeling trajectory (coverage against density, the chosen box marked)
//! and the chosen box drawn over a scatter of trials on its two most restricted inputs.

use std::path::Path;

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{SIZE, plot_err, png_and_svg};
use crate::stats::prim::PrimBox;

/// Writes the trajectory chart of `path` with box `chosen` marked.
pub fn write_trajectory(base: &Path, title: &str, path: &[PrimBox], chosen: usize) -> Result<()> {
    png_and_svg(
        base,
        SIZE,
        |root| trajectory(root, title, path, chosen),
        |root| trajectory(root, title, path, chosen),
    )
}

fn trajectory<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    path: &[PrimBox],
    chosen: usize,
) -> Result<()> {
    root.fill(&WHITE).map_err(plot_err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..1.02, 0.0..1.02)
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .x_desc("coverage (share of the cases of interest inside the box)")
        .y_desc("density (share of the box's trials that are cases)")
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(plot_err)?;
    let blue = RGBColor(31, 119, 180);
    chart
        .draw_series(std::iter::once(PathElement::new(
            path.iter()
                .map(|b| (b.coverage, b.density))
                .collect::<Vec<_>>(),
            blue.stroke_width(1),
        )))
        .map_err(plot_err)?;
    chart
        .draw_series(
            path.iter()
                .map(|b| Circle::new((b.coverage, b.density), 3, blue.filled())),
        )
        .map_err(plot_err)?;
    let b = &path[chosen];
    chart
        .draw_series([
            Circle::new((b.coverage, b.density), 7, RED.stroke_width(2)),
            Circle::new((b.coverage, b.density), 1, RED.filled()),
        ])
        .map_err(plot_err)?;
    chart
        .draw_series(std::iter::once(Text::new(
            format!("box {chosen}"),
            (b.coverage, b.density),
            ("sans-serif", 14).into_font().color(&RED),
        )))
        .map_err(plot_err)?;
    root.present().map_err(plot_err)?;
    Ok(())
}

/// A scatter of trials on two inputs, coloured by the condition, with a box drawn.
#[derive(Debug, Clone)]
pub struct BoxScatter {
    /// Title.
    pub title: String,
    /// Names of the two inputs (x, y).
    pub names: [String; 2],
    /// Values of the two inputs, per trial shown.
    pub points: Vec<(f64, f64, bool)>,
    /// The box's limits on the two inputs.
    pub limits: [[f64; 2]; 2],
    /// Axis ranges (the data's ranges).
    pub ranges: [[f64; 2]; 2],
}

/// Writes the scatter chart.
pub fn write_box(base: &Path, s: &BoxScatter) -> Result<()> {
    png_and_svg(base, SIZE, |root| scatter(root, s), |root| scatter(root, s))
}

fn scatter<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, s: &BoxScatter) -> Result<()> {
    root.fill(&WHITE).map_err(plot_err)?;
    let pad = |r: [f64; 2]| {
        let w = (r[1] - r[0]).abs().max(1e-12);
        r[0] - 0.02 * w..r[1] + 0.02 * w
    };
    let mut chart = ChartBuilder::on(&root)
        .caption(&s.title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(pad(s.ranges[0]), pad(s.ranges[1]))
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .x_desc(&s.names[0])
        .y_desc(&s.names[1])
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(plot_err)?;
    let grey = RGBColor(170, 170, 170);
    let orange = RGBColor(230, 120, 20);
    for (hit, color, label) in [
        (false, grey, "condition false"),
        (true, orange, "condition true"),
    ] {
        chart
            .draw_series(
                s.points
                    .iter()
                    .filter(|p| p.2 == hit)
                    .map(|p| Circle::new((p.0, p.1), 2, color.filled())),
            )
            .map_err(plot_err)?
            .label(label)
            .legend(move |(x, y)| Circle::new((x + 7, y), 4, color.filled()));
    }
    let [[x0, x1], [y0, y1]] = s.limits;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)],
            BLACK.stroke_width(2),
        )))
        .map_err(plot_err)?
        .label("box")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], BLACK.stroke_width(2)));
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(plot_err)?;
    root.present().map_err(plot_err)?;
    Ok(())
}
