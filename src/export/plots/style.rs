//! The look every figure shares: the embedded font, colours, the title and caption frame,
//! the plot area, axes and legend, units of outcomes and series, and the viability
//! thresholds drawn on histograms.

use std::ops::Range;
use std::sync::Once;

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use crate::analysis::run::RunSummary;
use crate::engine::{Direction, Schema};
use crate::scenario::Scenario;

/// The font family name under which DejaVu Sans is registered.
pub const FONT: &str = "sans-serif";

/// Registers DejaVu Sans (regular and bold) with plotters, once per process.
pub fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are a valid TrueType font shipped by the `dejavu` crate: failure here is
        // a broken build, not bad input.
        register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
            .unwrap_or_else(|_| panic!("embedded DejaVu Sans is not a valid font"));
        register_font(FONT, FontStyle::Bold, dejavu::sans::bold())
            .unwrap_or_else(|_| panic!("embedded DejaVu Sans Bold is not a valid font"));
    });
}

/// A text style of `size` pixels.
pub fn text(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().into()
}

/// A bold text style of `size` pixels.
pub fn bold(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().style(FontStyle::Bold).into()
}

/// Colours of successive series (Tableau 10, distinguishable and print-friendly).
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// The threshold colour (red).
pub const THRESHOLD: RGBColor = RGBColor(200, 30, 30);

/// Colour of series `i`.
pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Draws the title on top and the caption at the bottom of `root`; returns the area between.
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    caption: &str,
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    let (_, h) = root.dim_in_pixel();
    let (body, foot) = root.split_vertically(h - 28);
    foot.draw(&Text::new(
        caption.to_string(),
        (12, 6),
        text(14).color(&RGBColor(90, 90, 90)),
    ))?;
    body.titled(title, bold(20))
}

/// A chart with two numeric axes.
pub type XyChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// What drawing on a `DB` can fail with.
pub type AreaError<DB> = DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>;

/// The plot area of a one-panel figure on `area`: a 16 px margin, 48 px below for the x
/// ticks and description, `y_labels` px on the left for the y ones.
pub fn plot_area<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: Range<f64>,
    y: Range<f64>,
    y_labels: u32,
) -> Result<XyChart<'a, DB>, AreaError<DB>> {
    ChartBuilder::on(area)
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(y_labels)
        .build_cartesian_2d(x, y)
}

/// The axes every figure shares, not yet drawn: no light grid lines, both axes described,
/// ticks as [`number`]s, 13 px tick labels and 15 px descriptions. The caller sets what
/// differs (year ticks: [`year`]) and draws it.
pub fn mesh<'a, 'b, DB: DrawingBackend>(
    chart: &'b mut XyChart<'a, DB>,
    x_desc: &str,
    y_desc: &str,
) -> MeshStyle<'a, 'b, RangedCoordf64, RangedCoordf64, DB> {
    let mut mesh = chart.configure_mesh();
    mesh.light_line_style(WHITE.mix(0.0))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .label_style(text(13))
        .axis_desc_style(text(15));
    mesh
}

/// A tick label: [`number`].
fn tick(v: &f64) -> String {
    number(*v)
}

/// A tick label on a year axis: the year at whole years, nothing between them.
pub fn year(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-6 {
        format!("{}", v.round() as i64)
    } else {
        String::new()
    }
}

/// Draws the legend of `chart` at `spot`: a white box with a grey border, 13 px labels.
pub fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut XyChart<'a, DB>,
    spot: SeriesLabelPosition,
) -> Result<(), AreaError<DB>> {
    chart
        .configure_series_labels()
        .position(spot)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .label_font(text(13))
        .draw()
}

/// A point on the backend, in pixels (plotters' `BackendCoord`).
type Pixel = (i32, i32);

/// A legend key for a line: a short stroke in `line`.
pub fn line_key(line: ShapeStyle) -> impl Fn(Pixel) -> PathElement<Pixel> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], line)
}

/// A legend key for an area: a small box filled with `fill`.
pub fn box_key(fill: ShapeStyle) -> impl Fn(Pixel) -> Rectangle<Pixel> {
    move |(x, y)| Rectangle::new([(x, y - 5), (x + 22, y + 5)], fill)
}

/// Draws a viability threshold as the dashed red line between `ends`, `label` in the legend.
pub fn threshold_line<'a, DB: DrawingBackend + 'a>(
    chart: &mut XyChart<'a, DB>,
    ends: [(f64, f64); 2],
    label: String,
) -> Result<(), AreaError<DB>> {
    let line = THRESHOLD.stroke_width(2);
    chart
        .draw_series(DashedLineSeries::new(ends.to_vec(), 6, 4, line))?
        .label(label)
        .legend(line_key(line));
    Ok(())
}

/// The closed polygon between two curves given as `(x, low, high)` points: along the high
/// curve, then back along the low one.
pub fn band<I>(points: I) -> Vec<(f64, f64)>
where
    I: DoubleEndedIterator<Item = (f64, f64, f64)> + Clone,
{
    let mut poly: Vec<(f64, f64)> = points.clone().map(|(x, _, hi)| (x, hi)).collect();
    poly.extend(points.rev().map(|(x, lo, _)| (x, lo)));
    poly
}

/// The caption of a run's figures: scenario, seed and trials.
pub fn caption(summary: &RunSummary) -> String {
    format!(
        "scenario {} ({}), seed {}, {} trials, {}-{}",
        summary.scenario.name,
        summary.scenario.file,
        summary.seed,
        thousands(summary.trials),
        summary.start_year,
        summary.start_year + summary.horizon_years as i32 - 1
    )
}

/// `1234567` as `1,234,567` (the answer's own formatting, so pages and sentences agree).
pub use crate::analysis::answer::thousands;

/// `v` rounded to an integer with thousands grouped (`-1,234`).
pub fn grouped(v: f64) -> String {
    let s = thousands(v.abs().round() as u64);
    if v < 0.0 { format!("-{s}") } else { s }
}

/// A number for an axis tick or a label: 3 significant digits, thousands grouped.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1e6 {
        // Axis ticks stay short: 16,000,000 would run into the axis label.
        format!("{}M", trim(format!("{:.2}", v / 1e6)))
    } else if a >= 1e4 {
        grouped(v)
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 1e-6 {
        // Three significant digits, trailing zeros dropped.
        let digits = (2 - a.log10().floor() as i32).max(0) as usize;
        trim(format!("{v:.digits$}"))
    } else {
        format!("{v:.2e}")
    }
}

fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Where a legend hides the least data: the candidate corner (or middle of a side) that holds
/// the fewest of `points`, given as (x, y) scaled to [0, 1] over the plot area. Ties go to
/// the earlier candidate (upper right first).
pub fn legend_spot(points: impl Iterator<Item = (f64, f64)>) -> SeriesLabelPosition {
    use SeriesLabelPosition::*;
    // (position, x range, y range) of the box a legend of about a third of the width
    // and a quarter of the height would cover.
    let spots = [
        (UpperRight, (0.62, 1.0), (0.72, 1.0)),
        (UpperLeft, (0.0, 0.38), (0.72, 1.0)),
        (LowerRight, (0.62, 1.0), (0.0, 0.28)),
        (LowerLeft, (0.0, 0.38), (0.0, 0.28)),
        (MiddleRight, (0.62, 1.0), (0.36, 0.64)),
        (MiddleLeft, (0.0, 0.38), (0.36, 0.64)),
    ];
    let mut counts = [0usize; 6];
    for (x, y) in points {
        for (c, (_, xs, ys)) in counts.iter_mut().zip(&spots) {
            if x >= xs.0 && x <= xs.1 && y >= ys.0 && y <= ys.1 {
                *c += 1;
            }
        }
    }
    let best = (0..spots.len())
        .min_by_key(|&i| (counts[i], i))
        .unwrap_or(0);
    spots.into_iter().nth(best).map_or(UpperRight, |s| s.0)
}

/// `points` of a polyline with 7 more points on each segment, so that [`legend_spot`] sees
/// the lines between data points too.
pub fn densify(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(points.len() * 8);
    for w in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        out.extend((0..8).map(|k| {
            let f = k as f64 / 8.0;
            (x0 + (x1 - x0) * f, y0 + (y1 - y0) * f)
        }));
    }
    out.extend(points.last());
    out
}

/// Scales `(x, y)` from the ranges `xr` and `yr` to [0, 1].
pub fn unit(xr: (f64, f64), yr: (f64, f64)) -> impl Fn((f64, f64)) -> (f64, f64) {
    move |(x, y)| ((x - xr.0) / (xr.1 - xr.0), (y - yr.0) / (yr.1 - yr.0))
}

/// A criterion's threshold: the value and whether the criterion is "at least" it.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// The threshold value.
    pub value: f64,
    /// true: the criterion is `outcome >= value`; false: `outcome <= value`.
    pub at_least: bool,
    /// Name of the headline outcome a trial meets when it meets every criterion (`viable`).
    pub headline: String,
}

impl Threshold {
    /// `>=` for an "at least" criterion, else `<=`.
    pub fn sign(&self) -> &'static str {
        if self.at_least { ">=" } else { "<=" }
    }

    /// The legend label of the threshold: `viable if >= 0.35`.
    pub fn legend(&self) -> String {
        format!(
            "{} if {} {}",
            self.headline,
            self.sign(),
            number(self.value)
        )
    }
}

/// The thresholds of a model's criteria (its outcome schema) in a scenario, where they are
/// fixed values (a threshold given as a distribution differs by trial and is not drawn),
/// keyed by the outcome each criterion holds, and by the yearly series held to it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Thresholds {
    outcomes: Vec<(String, Threshold)>,
    series: Vec<(String, Threshold)>,
}

impl Thresholds {
    /// The thresholds of `schema`'s criteria, each read by `fixed` from its parameter key.
    pub fn new(schema: &Schema, fixed: impl Fn(&str) -> Option<f64>) -> Thresholds {
        let headline = schema.headline_name().to_string();
        let outcomes: Vec<(String, Threshold)> = schema
            .criteria()
            .filter_map(|(_, c)| {
                let threshold = Threshold {
                    value: fixed(&c.threshold)?,
                    at_least: c.direction == Direction::AtLeast,
                    headline: headline.clone(),
                };
                Some((c.of.clone(), threshold))
            })
            .collect();
        let series = schema
            .series
            .iter()
            .filter_map(|s| {
                let of = s.held_to.as_deref()?;
                let (_, t) = outcomes.iter().find(|(o, _)| o == of)?;
                Some((s.name.clone(), t.clone()))
            })
            .collect();
        Thresholds { outcomes, series }
    }

    /// The fixed thresholds of `scenario` for the criteria of `schema`.
    pub fn from_scenario(schema: &Schema, scenario: &Scenario) -> Thresholds {
        Thresholds::new(schema, |key| {
            scenario
                .params
                .iter()
                .find(|e| e.key == key)
                .and_then(|e| e.param.fixed_value())
        })
    }

    /// The thresholds shared by every one of `all` (a criterion whose threshold differs
    /// between scenarios is left out: one line could not stand for all of them).
    pub fn common(all: &[Thresholds]) -> Thresholds {
        let same = |pick: fn(&Thresholds) -> &Vec<(String, Threshold)>| {
            let Some(first) = all.first() else {
                return Vec::new();
            };
            pick(first)
                .iter()
                .filter(|entry| all.iter().all(|t| pick(t).contains(entry)))
                .cloned()
                .collect()
        };
        Thresholds {
            outcomes: same(|t| &t.outcomes),
            series: same(|t| &t.series),
        }
    }

    /// The threshold that applies to outcome `name`, if any.
    pub fn for_outcome(&self, name: &str) -> Option<Threshold> {
        lookup(&self.outcomes, name)
    }

    /// The threshold that a yearly series is held to in its last year (independence) or in
    /// every year (the fiscal burden, whose peak is the criterion), if any.
    pub fn for_series(&self, name: &str) -> Option<Threshold> {
        lookup(&self.series, name)
    }
}

fn lookup(entries: &[(String, Threshold)], name: &str) -> Option<Threshold> {
    entries
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_grouped() {
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(number(0.35), "0.35");
        assert_eq!(number(12.34), "12.3");
        assert_eq!(number(20000.0), "20,000");
        assert_eq!(number(16e6), "16M");
        assert_eq!(number(2.5e6), "2.5M");
        assert_eq!(number(-150.4), "-150");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(0.005), "0.005");
        assert_eq!(number(0.0125), "0.0125");
        assert_eq!(number(1.4128), "1.41");
    }

    #[test]
    fn legends_go_where_the_data_is_not() {
        let top: Vec<(f64, f64)> = (0..=20).map(|i| (i as f64 / 20.0, 0.9)).collect();
        assert!(matches!(
            legend_spot(top.into_iter()),
            SeriesLabelPosition::LowerRight
        ));
        assert!(matches!(
            legend_spot(std::iter::empty()),
            SeriesLabelPosition::UpperRight
        ));
    }

    #[test]
    fn thresholds_map_to_their_outcomes() {
        use crate::engine::{Criterion, Outcome, OutcomeKind, Series};
        let criterion = |of: &str, key: &str, direction| {
            OutcomeKind::Criterion(Criterion {
                of: of.into(),
                threshold: key.into(),
                direction,
                short: of.into(),
            })
        };
        let mut burden = Series::level("burden");
        burden.held_to = Some("peak_burden".into());
        let schema = Schema {
            inputs: vec![],
            outcomes: vec![
                Outcome::named("share", OutcomeKind::Continuous),
                Outcome::named("peak_burden", OutcomeKind::Continuous),
                Outcome::named("ok", OutcomeKind::AllCriteria),
                Outcome::named(
                    "share_ok",
                    criterion("share", "limits.share", Direction::AtLeast),
                ),
                Outcome::named(
                    "burden_ok",
                    criterion("peak_burden", "limits.burden", Direction::AtMost),
                ),
            ],
            series: vec![Series::level("share"), burden],
            years: vec![],
            streams: vec![],
        };
        let fixed = |key: &str| match key {
            "limits.share" => Some(0.35),
            "limits.burden" => Some(0.03),
            _ => None,
        };
        let t = Thresholds::new(&schema, fixed);
        let s = t.for_outcome("share").unwrap();
        assert_eq!((s.value, s.at_least), (0.35, true));
        assert_eq!(s.legend(), "ok if >= 0.35");
        let b = t.for_outcome("peak_burden").unwrap();
        assert_eq!((b.value, b.at_least), (0.03, false));
        assert_eq!(t.for_series("burden"), Some(b));
        assert_eq!(t.for_series("share"), None);
        assert_eq!(t.for_outcome("ok"), None);
        // A threshold given as a distribution (no fixed value) draws no line.
        let t = Thresholds::new(&schema, |k| (k == "limits.share").then_some(0.35));
        assert_eq!(t.for_outcome("peak_burden"), None);
        // Only thresholds every scenario shares are common.
        let common = Thresholds::common(&[Thresholds::new(&schema, fixed), t]);
        assert!(common.for_outcome("share").is_some() && common.for_series("burden").is_none());
    }
}
