//! A probability over a grid of two keys' values, one coloured cell per pair of values, its
//! value written in it: `explore`'s two strongest levers ([`HeatMap`] of mean P(criterion)
//! over the other levers) and a two-key `sweep` (P at each grid point). One colour scale
//! (white to the palette's first colour, 0 to the largest value shown) and a key beside it.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style;
use super::{Chart, DrawResult};

/// A probability over the grid of two keys' levels.
#[derive(Debug, Clone)]
pub struct HeatMap {
    /// File stem.
    pub stem: String,
    /// Title.
    pub title: String,
    /// The key along the x axis and its level labels.
    pub x: (String, Vec<String>),
    /// The key along the y axis and its level labels.
    pub y: (String, Vec<String>),
    /// `cells[i][j]`: the probability (0-1) at x level `i` and y level `j` (`None`: no
    /// value there).
    pub cells: Vec<Vec<Option<f64>>>,
    /// What the cells hold (`P(viable) (%)`), for the colour key.
    pub value_label: String,
    /// Caption.
    pub caption: String,
}

/// The colour of share `s` (0-1) of the scale: white to the palette's first colour.
fn shade(s: f64) -> RGBColor {
    let RGBColor(r, g, b) = style::colour(0);
    let s = s.clamp(0.0, 1.0);
    let mix = |c: u8| (255.0 - (255.0 - f64::from(c)) * s).round() as u8;
    RGBColor(mix(r), mix(g), mix(b))
}

impl Chart for HeatMap {
    fn stem(&self) -> String {
        self.stem.clone()
    }

    fn title(&self) -> String {
        self.title.clone()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = style::frame(root, &self.title(), &self.caption)?;
        let (w, _) = area.dim_in_pixel();
        let (plot, key) = area.split_horizontally(w.saturating_sub(120));
        let (nx, ny) = (self.x.1.len().max(1), self.y.1.len().max(1));
        let top = self
            .cells
            .iter()
            .flatten()
            .flatten()
            .fold(0.0f64, |a, b| a.max(*b))
            .max(1e-9);
        let mut chart = ChartBuilder::on(&plot)
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(110)
            .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)?;
        let xl = self.x.1.clone();
        let yl = self.y.1.clone();
        let at = |labels: &[String], v: f64| -> String {
            let i = v - 0.5;
            if (i - i.round()).abs() < 1e-6 && i >= 0.0 {
                labels.get(i.round() as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(&self.x.0)
            .y_desc(&self.y.0)
            .x_labels(2 * nx + 1)
            .y_labels(2 * ny + 1)
            .x_label_formatter(&|v| at(&xl, *v))
            .y_label_formatter(&|v| at(&yl, *v))
            .label_style(style::text(13))
            .axis_desc_style(style::text(15))
            .draw()?;
        for (i, column) in self.cells.iter().enumerate() {
            for (j, cell) in column.iter().enumerate() {
                let (x, y) = (i as f64, j as f64);
                let fill = match cell {
                    Some(v) => shade(v / top),
                    None => RGBColor(230, 230, 230),
                };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x, y), (x + 1.0, y + 1.0)],
                    fill.filled(),
                )))?;
                let text = cell.map_or("-".to_string(), |v| format!("{:.1}", v * 100.0));
                let dark = cell.is_some_and(|v| v / top > 0.6);
                let colour = if dark { WHITE } else { BLACK };
                chart.draw_series(std::iter::once(Text::new(
                    text,
                    (x + 0.5, y + 0.5),
                    style::text(14)
                        .color(&colour)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                )))?;
            }
        }
        // The colour key: 0 at the bottom, the largest value at the top.
        let (_, kh) = key.dim_in_pixel();
        let (x0, x1) = (20i32, 44i32);
        let (y0, y1) = (40i32, kh as i32 - 70);
        let steps = 50;
        for s in 0..steps {
            let f0 = s as f64 / steps as f64;
            let f1 = (s + 1) as f64 / steps as f64;
            let ya = y1 - ((y1 - y0) as f64 * f1) as i32;
            let yb = y1 - ((y1 - y0) as f64 * f0) as i32;
            key.draw(&Rectangle::new(
                [(x0, ya), (x1, yb)],
                shade((f0 + f1) / 2.0).filled(),
            ))?;
        }
        key.draw(&Rectangle::new([(x0, y0), (x1, y1)], BLACK.stroke_width(1)))?;
        key.draw(&Text::new(
            format!("{:.1}", top * 100.0),
            (x1 + 4, y0),
            style::text(13).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        key.draw(&Text::new(
            "0".to_string(),
            (x1 + 4, y1),
            style::text(13).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        key.draw(&Text::new(
            self.value_label.clone(),
            (4, y0 - 24),
            style::text(13),
        ))?;
        Ok(())
    }
}
