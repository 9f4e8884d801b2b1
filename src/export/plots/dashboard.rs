//! The headline in one figure: the probability that a trial meets every criterion (`viable`
//! in the viability model) with its 95% interval, and the share of trials meeting each
//! criterion (with theirs), so the reader sees which
//! criterion binds (the one met least often is marked). Read from
//! `RunSummary::probabilities` (Wilson intervals).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{self, Thresholds, number};
use super::{Chart, DrawResult};
use crate::analysis::run::RunSummary;
use crate::engine::{Criterion, Schema, count_word};
use crate::stats::Proportion;

/// The dashboard of one run.
#[derive(Debug, Clone)]
pub struct Dashboard<'a> {
    /// The run's summary.
    pub summary: &'a RunSummary,
    /// The model's outcome schema (which outcome is the headline, which are criteria).
    pub schema: &'a Schema,
    /// Fixed thresholds (for the row labels).
    pub thresholds: Thresholds,
    /// Caption.
    pub caption: String,
}

/// The rows: label and probability, top to bottom: the headline (every criterion met), then
/// each criterion as `<outcome title> <sign> <threshold>`.
pub fn rows(summary: &RunSummary, schema: &Schema, t: &Thresholds) -> Vec<(String, Proportion)> {
    let headline = schema.headline_name();
    let criteria: Vec<(&str, &Criterion)> = schema.criteria().collect();
    let mut wanted = vec![(
        headline.to_string(),
        format!("{headline}: all {} criteria", count_word(criteria.len())),
    )];
    for (name, c) in criteria {
        let title = schema
            .outcome(&c.of)
            .map_or(c.of.as_str(), |o| o.title.as_str());
        let sign = c.direction.sign();
        let label = match t.for_outcome(&c.of) {
            Some(v) => format!("{title} {sign} {}", number(v.value)),
            None => format!("{title} {sign} threshold"),
        };
        wanted.push((name.to_string(), label));
    }
    wanted
        .into_iter()
        .filter_map(|(key, label)| Some((label, summary.probabilities.get(&key)?.clone())))
        .collect()
}

impl Chart for Dashboard<'_> {
    fn stem(&self) -> String {
        "dashboard".into()
    }

    fn title(&self) -> String {
        format!(
            "P({}) and the share of trials meeting each criterion",
            self.schema.headline_name()
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = style::frame(root, &self.title(), &self.caption)?;
        let rows = rows(self.summary, self.schema, &self.thresholds);
        let n = rows.len();
        // The binding criterion: the one met by the fewest trials (rows after the first).
        let binds = rows
            .iter()
            .enumerate()
            .skip(1)
            .min_by(|a, b| a.1.1.p.total_cmp(&b.1.1.p))
            .map(|(i, _)| i);
        let labels: Vec<String> = rows.iter().map(|(l, _)| l.clone()).collect();
        let mut chart = ChartBuilder::on(&area)
            .margin(16)
            .margin_right(40)
            .x_label_area_size(48)
            .y_label_area_size(250)
            .build_cartesian_2d(0.0..100.0, -0.6..(n as f64 - 0.4))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE.mix(0.0))
            .x_desc("share of trials (%), with 95% Wilson interval")
            .y_labels(n)
            .y_label_formatter(&|v| {
                let row = (n as f64 - 1.0 - v).round();
                if (n as f64 - 1.0 - v - row).abs() < 1e-6 && row >= 0.0 && (row as usize) < n {
                    labels[row as usize].clone()
                } else {
                    String::new()
                }
            })
            .x_label_formatter(&|v| number(*v))
            .label_style(style::text(15))
            .axis_desc_style(style::text(15))
            .draw()?;
        for (i, (_, p)) in rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let colour = if i == 0 {
                style::colour(0)
            } else if Some(i) == binds {
                style::THRESHOLD
            } else {
                RGBColor(130, 130, 130)
            };
            let h = if i == 0 { 0.34 } else { 0.26 };
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y - h), (p.p * 100.0, y + h)],
                colour.mix(0.75).filled(),
            )))?;
            let (lo, hi) = (p.ci95[0] * 100.0, p.ci95[1] * 100.0);
            let whisker = BLACK.stroke_width(2);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(lo, y), (hi, y)],
                whisker,
            )))?;
            for x in [lo, hi] {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, y - 0.1), (x, y + 0.1)],
                    whisker,
                )))?;
            }
            let mut text = format!(
                "{:.1}%  [{:.1}, {:.1}]",
                p.p * 100.0,
                p.ci95[0] * 100.0,
                p.ci95[1] * 100.0
            );
            if Some(i) == binds {
                text += "  binds";
            }
            // Write the value to the right of the interval, or inside the bar when near 100%.
            let (x, anchor) = if hi < 70.0 {
                (hi + 1.5, HPos::Left)
            } else {
                (lo - 1.5, HPos::Right)
            };
            let font = if i == 0 {
                style::bold(16)
            } else {
                style::text(15)
            };
            chart.draw_series(std::iter::once(Text::new(
                text,
                (x, y),
                font.pos(Pos::new(anchor, VPos::Center)),
            )))?;
        }
        Ok(())
    }
}
