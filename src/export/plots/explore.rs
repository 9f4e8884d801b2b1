//! `explore`'s figures: P(criterion) against mean program cost with 95% error bars and the
//! Pareto front ([`ParetoFront`]), and each lever's main effect ([`MainEffects`]).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style;
use super::{Chart, DrawResult};
use crate::stats::Proportion;

/// Pads a range by 5% each side (and widens a degenerate one).
fn padded(lo: f64, hi: f64) -> (f64, f64) {
    let pad = ((hi - lo) * 0.05).max(hi.abs().max(1.0) * 1e-3);
    (lo - pad, hi + pad)
}

/// P(criterion) against mean program cost, one point per policy.
#[derive(Debug, Clone)]
pub struct ParetoFront {
    /// The criterion (`viable`).
    pub criterion: String,
    /// Per policy: mean program cost (MUSD) and P with its interval.
    pub points: Vec<(f64, Proportion)>,
    /// Which policies are on the front.
    pub on_front: Vec<bool>,
    /// The scenario as written.
    pub scenario: (f64, Proportion),
    /// Caption.
    pub caption: String,
}

impl Chart for ParetoFront {
    fn stem(&self) -> String {
        "pareto".into()
    }

    fn title(&self) -> String {
        format!(
            "P({}) against mean program cost, with the Pareto front",
            self.criterion
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = style::frame(root, &self.title(), &self.caption)?;
        let all = self.points.iter().chain(std::iter::once(&self.scenario));
        let (x0, x1) = padded(
            all.clone().map(|p| p.0).fold(f64::MAX, f64::min),
            all.clone().map(|p| p.0).fold(f64::MIN, f64::max),
        );
        let y1 = all
            .map(|p| p.1.ci95[1] * 100.0)
            .fold(0.0f64, f64::max)
            .max(1.0)
            * 1.05;
        let mut chart = style::plot_area(&area, x0..x1, 0.0..y1, 64)?;
        style::mesh(
            &mut chart,
            "mean program cost (million 2024 USD)",
            &format!("P({}) (%), 95% interval", self.criterion),
        )
        .draw()?;
        let grey = RGBColor(150, 150, 150);
        let front_colour = style::colour(0);
        for (i, (x, p)) in self.points.iter().enumerate() {
            let c = if self.on_front[i] { front_colour } else { grey };
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(*x, p.ci95[0] * 100.0), (*x, p.ci95[1] * 100.0)],
                c.stroke_width(1),
            )))?;
        }
        chart
            .draw_series(
                self.points
                    .iter()
                    .zip(&self.on_front)
                    .filter(|(_, f)| !**f)
                    .map(|((x, p), _)| Circle::new((*x, p.p * 100.0), 3, grey.filled())),
            )?
            .label("policy")
            .legend(move |(x, y)| Circle::new((x + 10, y), 3, grey.filled()));
        let mut front: Vec<(f64, f64)> = self
            .points
            .iter()
            .zip(&self.on_front)
            .filter(|(_, f)| **f)
            .map(|((x, p), _)| (*x, p.p * 100.0))
            .collect();
        front.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart
            .draw_series(LineSeries::new(front.clone(), front_colour.stroke_width(2)))?
            .label("Pareto front")
            .legend(style::line_key(front_colour.stroke_width(2)));
        chart.draw_series(
            front
                .iter()
                .map(|p| Circle::new(*p, 5, front_colour.filled())),
        )?;
        let (sx, sp) = &self.scenario;
        let red = style::colour(3);
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(*sx, sp.ci95[0] * 100.0), (*sx, sp.ci95[1] * 100.0)],
            red.stroke_width(1),
        )))?;
        chart
            .draw_series(std::iter::once(TriangleMarker::new(
                (*sx, sp.p * 100.0),
                7,
                red.filled(),
            )))?
            .label("the plan as written")
            .legend(move |(x, y)| TriangleMarker::new((x + 10, y), 6, red.filled()));
        let spot = style::legend_spot(
            self.points
                .iter()
                .map(|(x, p)| style::unit((x0, x1), (0.0, y1))((*x, p.p * 100.0))),
        );
        style::legend(&mut chart, spot)?;
        Ok(())
    }
}

/// Each lever's main effect: mean P(criterion) over the policies at each of its levels.
#[derive(Debug, Clone)]
pub struct MainEffects {
    /// The criterion (`viable`).
    pub criterion: String,
    /// Per lever: its key, its level labels and the mean P (0-1) at each level.
    pub levers: Vec<(String, Vec<String>, Vec<Option<f64>>)>,
    /// Caption.
    pub caption: String,
}

impl Chart for MainEffects {
    fn stem(&self) -> String {
        "main_effects".into()
    }

    fn title(&self) -> String {
        format!(
            "Main effects: mean P({}) at each level of each lever",
            self.criterion
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = style::frame(root, &self.title(), &self.caption)?;
        let y1 = self
            .levers
            .iter()
            .flat_map(|l| l.2.iter().flatten())
            .fold(0.0f64, |a, b| a.max(*b * 100.0))
            .max(1.0)
            * 1.1;
        // Levels spread over [0, 1] on the x axis, first level at 0 and last at 1.
        let mut chart = style::plot_area(&area, -0.05..1.05, 0.0..y1, 64)?;
        style::mesh(
            &mut chart,
            "lever level (first to last as listed)",
            &format!("mean P({}) (%)", self.criterion),
        )
        .x_labels(0)
        .draw()?;
        for (i, (key, labels, means)) in self.levers.iter().enumerate() {
            let c = style::colour(i);
            let n = labels.len().max(2) - 1;
            let pts: Vec<(f64, f64)> = means
                .iter()
                .enumerate()
                .filter_map(|(l, m)| Some((l as f64 / n as f64, (*m)? * 100.0)))
                .collect();
            chart
                .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))?
                .label(format!("{key}: {}", labels.join(" / ")))
                .legend(style::line_key(c.stroke_width(2)));
            chart.draw_series(pts.iter().map(|p| Circle::new(*p, 4, c.filled())))?;
        }
        style::legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    }
}
