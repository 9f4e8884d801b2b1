//! Plots of simulation results (plotters), one file per chart kind, each written as PNG and
//! SVG.
//!
//! Text is drawn with DejaVu Sans embedded in the binary (the `dejavu` crate, licence in
//! `docs/fonts/LICENSE-DejaVu.txt`) and registered with plotters' `ab_glyph` backend, so
//! plots render on a machine with no system fonts and no fontconfig. Every chart implements
//! [`Chart`] once, generic over the backend, and [`render`] draws it twice: into an SVG
//! string and into an RGB buffer encoded as PNG. Given the same data, both files are
//! byte-identical from run to run (no timestamps, no paths).
//!
//! Charts read only the run's [`crate::analysis::run::RunSummary`] and [`crate::engine::Results`]
//! with the model's outcome schema ([`crate::engine::Schema`]: titles, units, kinds) and the
//! scenario's fixed criterion thresholds, never the model itself.

/// Overlaid cumulative distributions of one outcome across scenarios (`compare`).
pub mod cdf;
/// The headline probability and the share of trials meeting each criterion.
pub mod dashboard;
/// `explore`: P(criterion) against program cost with the Pareto front; main effects.
pub mod explore;
/// Fan charts of yearly series: one run, or several overlaid (`compare`).
pub mod fan;
/// A probability over a grid of two keys (explore's two strongest levers, a two-key sweep).
pub mod heatmap;
/// Histogram of one outcome with its threshold, mean and 5/50/95% marked.
pub mod histogram;
/// PRIM's peeling trajectory and box (`discover`).
pub mod prim;
/// Share of trials sanctioned and in each foreign-support state, year by year.
pub mod states;
/// Common look: size, fonts, colours, captions, units.
pub mod style;
/// Outcomes along one swept parameter (`sweep`).
pub mod sweep;
/// Tornado and Sobol bar charts (`sensitivity`).
pub mod tornado;

use std::fs;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;

use crate::analysis::run::RunSummary;
use crate::analysis::sweep::Sweep;
use crate::engine::Results;
use crate::engine::{Schema, SeriesKind};
pub use style::{Thresholds, caption};

/// Width and height of every figure, pixels.
pub const SIZE: (u32, u32) = (960, 560);

/// What a chart's drawing code returns on backend `DB`.
pub type DrawResult<DB> =
    std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A figure that can be drawn on any plotters backend.
pub trait Chart: Sync {
    /// File stem (`hist_independence`): the figure is written as `<stem>.png` and `<stem>.svg`.
    fn stem(&self) -> String;
    /// The figure's title (also its heading in reports).
    fn title(&self) -> String;
    /// Draws the figure on `root` (of size [`SIZE`]).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// A figure written to disk.
#[derive(Debug, Clone)]
pub struct Plot {
    /// File stem (without `.png` / `.svg`).
    pub stem: String,
    /// The figure's title.
    pub title: String,
    /// The SVG text (for reports that inline it).
    pub svg: String,
}

/// A chart ready to render: boxed so that charts of different kinds share one parallel list.
pub type Job<'a> = Box<dyn Fn(&Path) -> Result<Plot> + Send + Sync + 'a>;

/// Wraps `chart` as a [`Job`].
pub fn job<'a, C: Chart + Send + 'a>(chart: C) -> Job<'a> {
    Box::new(move |dir: &Path| render(&chart, dir))
}

/// Renders every job into `dir` in parallel (figures are independent); keeps their order.
pub fn render_all(jobs: &[Job<'_>], dir: &Path) -> Result<Vec<Plot>> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    jobs.par_iter().map(|job| job(dir)).collect()
}

/// Draws `chart` as `<dir>/<stem>.svg` and `<dir>/<stem>.png`.
pub fn render<C: Chart>(chart: &C, dir: &Path) -> Result<Plot> {
    style::register_fonts();
    let stem = chart.stem();
    let fail = |e: String| anyhow!("cannot draw plot {stem}: {e}");

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
        chart.draw(&root).map_err(|e| fail(e.to_string()))?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    let svg_path = dir.join(format!("{stem}.svg"));
    fs::write(&svg_path, &svg).with_context(|| format!("cannot write {}", svg_path.display()))?;

    let (w, h) = SIZE;
    let mut pixels = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
        chart.draw(&root).map_err(|e| fail(e.to_string()))?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    let png_path = dir.join(format!("{stem}.png"));
    write_png(&png_path, &pixels, SIZE)
        .with_context(|| format!("cannot write {}", png_path.display()))?;

    Ok(Plot {
        stem,
        title: chart.title(),
        svg,
    })
}

/// Draws the same chart into `<base>.png` and `<base>.svg`, with one closure per backend
/// (for charts written directly against plotters rather than as a [`Chart`]). The extension
/// is appended to the whole of `base`'s name, dots included (`tornado-ammunition.independence`
/// gives `tornado-ammunition.independence.png`), never put in place of its last dotted part.
pub(crate) fn png_and_svg(
    base: &Path,
    size: (u32, u32),
    draw_png: impl FnOnce(DrawingArea<BitMapBackend, Shift>) -> Result<()>,
    draw_svg: impl FnOnce(DrawingArea<SVGBackend, Shift>) -> Result<()>,
) -> Result<()> {
    style::register_fonts();
    let mut pixels = vec![0u8; (size.0 * size.1 * 3) as usize];
    draw_png(BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area())?;
    let png = appended(base, "png");
    write_png(&png, &pixels, size).with_context(|| format!("cannot write {}", png.display()))?;
    let svg = appended(base, "svg");
    draw_svg(SVGBackend::new(&svg, size).into_drawing_area())?;
    Ok(())
}

/// `base` with `.ext` appended to its full name: `Path::with_extension` would replace what
/// follows the last dot, and outcome names such as `ammunition.independence` have dots.
fn appended(base: &Path, ext: &str) -> PathBuf {
    let mut name = base.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

/// Turns a plotters error into an anyhow error.
pub(crate) fn plot_err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("cannot draw the chart: {e:?}")
}

/// Encodes an 8-bit RGB buffer as PNG: adaptive row filters, DEFLATE at level 1. Lossless
/// like every level; on a run's charts (large white areas, thin lines, anti-aliased text)
/// level 1 encodes about 4x faster than the default level 6 for files about 40% larger
/// (about 40 kB a chart), which takes PNG encoding from most of a run's plotting time to a
/// small part of it.
fn write_png(path: &Path, rgb: &[u8], (w, h): (u32, u32)) -> Result<()> {
    let file = BufWriter::new(fs::File::create(path)?);
    let mut encoder = png::Encoder::new(file, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_filter(png::Filter::Adaptive);
    encoder.set_deflate_compression(png::DeflateCompression::Level(1));
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(())
}

/// Where a run's histograms come from: every trial's outcome columns, or a streaming run's
/// sketches.
#[derive(Clone, Copy)]
pub enum Trials<'a> {
    /// The outcome columns of an in-memory run.
    Columns(&'a Results),
    /// The schema and statistics of a streaming (or merged) run.
    Streamed(&'a crate::engine::Schema, &'a crate::engine::StreamStats),
}

/// Every plot of one run, in report order: the dashboard, one histogram per outcome (0/1
/// indicators excepted), the states chart, one fan chart per yearly series (states
/// excepted). Written into `dir` (PNG and SVG) in parallel.
pub fn run_plots(
    summary: &RunSummary,
    trials: Trials<'_>,
    thresholds: &Thresholds,
    dir: &Path,
) -> Result<Vec<Plot>> {
    let caption = caption(summary);
    let schema = match trials {
        Trials::Columns(r) => &r.schema,
        Trials::Streamed(schema, _) => schema,
    };
    let mut jobs: Vec<Job<'_>> = vec![job(dashboard::Dashboard {
        summary,
        schema,
        thresholds: thresholds.clone(),
        caption: caption.clone(),
    })];
    for (o, outcome) in schema.outcomes.iter().enumerate() {
        if outcome.is_indicator() {
            continue;
        }
        let (stats, threshold, caption) = (
            &summary.outcomes[&outcome.name],
            thresholds.for_outcome(&outcome.name),
            caption.clone(),
        );
        // Binned inside the job, so the million-value columns are binned in parallel.
        jobs.push(Box::new(move |dir: &Path| {
            let chart = match trials {
                Trials::Columns(r) => histogram::Histogram::new(
                    outcome,
                    &r.outcomes[o],
                    stats,
                    threshold.clone(),
                    caption.clone(),
                ),
                Trials::Streamed(_, s) => {
                    let points: Vec<(f64, u64)> = s.outcomes[o].sketch.buckets().collect();
                    histogram::Histogram::from_sketch(
                        outcome,
                        &points,
                        s.trials,
                        stats,
                        threshold.clone(),
                        caption.clone(),
                    )
                }
            };
            render(&chart, dir)
        }));
    }
    if let Some(chart) = states::States::new(summary, schema, caption.clone()) {
        jobs.push(job(chart));
    }
    for (name, points) in &summary.timeseries {
        let Some(series) = schema.series(name) else {
            continue;
        };
        if series.kind == SeriesKind::State {
            continue;
        }
        jobs.push(job(fan::Fan {
            series: name,
            label: &series.label,
            points,
            threshold: thresholds.for_series(name),
            caption: caption.clone(),
        }));
    }
    render_all(&jobs, dir)
}

/// The plots of `compare`: one overlaid CDF per outcome (0/1 indicators excepted) and one
/// overlaid fan chart per series the schema marks for overlay ([`Schema::overlaid_series`]). `runs` are the scenarios' summaries
/// and results, the reference first.
pub fn compare_plots(
    runs: &[(&RunSummary, &Results)],
    thresholds: &Thresholds,
    dir: &Path,
) -> Result<Vec<Plot>> {
    let (first, first_results) = runs[0];
    let names: Vec<&str> = runs.iter().map(|(s, _)| s.scenario.name.as_str()).collect();
    let caption = format!(
        "scenarios {}; seed {}, {} trials each (common random numbers)",
        names.join(", "),
        first.seed,
        style::thousands(first.trials)
    );
    let mut jobs: Vec<Job<'_>> = Vec::new();
    let schema = &first_results.schema;
    for outcome in &schema.outcomes {
        if outcome.is_indicator() {
            continue;
        }
        let name = &outcome.name;
        // By name: scenarios with different `[criteria]` order their outcomes differently.
        let columns: Vec<(&str, &[f64])> = runs
            .iter()
            .filter_map(|(s, r)| {
                let o = r.schema.outcomes.iter().position(|x| &x.name == name)?;
                Some((s.scenario.name.as_str(), r.outcomes[o].as_slice()))
            })
            .collect();
        jobs.push(job(cdf::Cdf::new(
            outcome,
            &columns,
            thresholds.for_outcome(name),
            caption.clone(),
        )));
    }
    for series in schema.overlaid_series() {
        let Some(runs) = runs
            .iter()
            .map(|(s, _)| {
                Some((
                    s.scenario.name.as_str(),
                    s.timeseries.get(series)?.as_slice(),
                ))
            })
            .collect::<Option<Vec<_>>>()
        else {
            continue;
        };
        let label = schema.series(series).map_or("value", |s| s.label.as_str());
        jobs.push(job(fan::FanOverlay {
            series,
            label,
            runs,
            caption: caption.clone(),
        }));
    }
    render_all(&jobs, dir)
}

/// The plots of `sweep`: the headline probability, the criteria and the scenario's own
/// `[criteria]` (with any chosen 0/1 outcome), then each other chosen outcome's 5/50/95%,
/// against the swept value; over two keys, a heat map of each of those probabilities over
/// the grid ([`sweep_heat_maps`]).
pub fn sweep_plots(
    sweep: &Sweep,
    schema: &Schema,
    thresholds: &Thresholds,
    dir: &Path,
) -> Result<Vec<Plot>> {
    if let Some(jobs) = sweep_heat_maps(sweep, schema) {
        return render_all(&jobs, dir);
    }
    let caption = format!(
        "scenario {} ({}), {} from {} to {} in {} steps; seed {}, {} trials per step",
        sweep.scenario,
        sweep.file,
        sweep.key,
        style::number(sweep.steps.first().map_or(0.0, |s| s.value)),
        style::number(sweep.steps.last().map_or(0.0, |s| s.value)),
        sweep.steps.len(),
        sweep.seed,
        style::thousands(sweep.trials)
    );
    let xs: Vec<f64> = sweep.steps.iter().map(|s| s.value).collect();
    let headline = schema.headline_name();
    let mut rows = vec![(headline.to_string(), format!("P({headline})"))];
    rows.extend(
        schema
            .criteria()
            .map(|(name, c)| (name.to_string(), format!("meets {}", c.short))),
    );
    // The scenario's own `[criteria]` (plain 0/1 outcomes), and any other chosen outcome
    // that is a probability: a probability with its interval, not quantiles of a 0/1.
    let indicators = schema
        .outcomes
        .iter()
        .filter(|o| o.kind == crate::engine::OutcomeKind::Indicator)
        .map(|o| o.name.clone());
    for name in indicators.chain(sweep.chosen.iter().cloned()) {
        if sweep.is_probability(&name) && !rows.iter().any(|(k, _)| *k == name) {
            rows.push((name.clone(), name));
        }
    }
    let lines = rows
        .iter()
        .filter_map(|(key, label)| {
            let ps = sweep
                .steps
                .iter()
                .map(|s| s.probabilities.get(key).cloned())
                .collect::<Option<Vec<_>>>()?;
            Some((label.to_string(), ps))
        })
        .collect();
    let mut jobs: Vec<Job<'_>> = vec![job(sweep::CriteriaAlong {
        headline: headline.to_string(),
        param: sweep.key.clone(),
        xs: xs.clone(),
        lines,
        caption: caption.clone(),
    })];
    for outcome in &sweep.chosen {
        if sweep.is_probability(outcome) {
            continue;
        }
        let q = sweep
            .steps
            .iter()
            .map(|s| {
                let o = &s.outcomes[outcome];
                [o.p05, o.p50, o.p95].map(|v| v.unwrap_or(f64::NAN))
            })
            .collect();
        jobs.push(job(sweep::OutcomeAlong {
            param: sweep.key.clone(),
            outcome: outcome.clone(),
            label: schema
                .outcome(outcome)
                .map_or_else(|| "value".to_string(), |o| o.label()),
            xs: xs.clone(),
            q,
            threshold: thresholds.for_outcome(outcome),
            caption: caption.clone(),
        }));
    }
    render_all(&jobs, dir)
}

/// A two-key sweep's plots: the headline probability, then each criterion's, over the grid
/// of the two keys' values ([`heatmap::HeatMap`], as `explore` draws its two strongest
/// levers). `None` for a one-key sweep.
pub fn sweep_heat_maps<'a>(sweep: &Sweep, schema: &Schema) -> Option<Vec<Job<'a>>> {
    let (xs, ys, cells) = sweep.grid()?;
    let key2 = sweep.key2.clone()?;
    let caption = format!(
        "scenario {} ({}), {} x {} grid of {} and {}; seed {}, {} trials per point",
        sweep.scenario,
        sweep.file,
        xs.len(),
        ys.len(),
        sweep.key,
        key2,
        sweep.seed,
        style::thousands(sweep.trials)
    );
    let headline = schema.headline_name();
    let mut rows = vec![(headline.to_string(), format!("P({headline})"))];
    rows.extend(
        schema
            .criteria()
            .map(|(name, c)| (name.to_string(), format!("P(meets {})", c.short))),
    );
    let labels = |v: &[f64]| v.iter().map(|x| style::number(*x)).collect::<Vec<_>>();
    let jobs = rows
        .into_iter()
        .filter_map(|(name, label)| {
            let means: Vec<Vec<Option<f64>>> = cells
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|s| s.probabilities.get(&name).map(|p| p.p))
                        .collect()
                })
                .collect();
            means.iter().flatten().any(Option::is_some).then(|| {
                job(heatmap::HeatMap {
                    stem: format!("heatmap_{name}"),
                    title: format!("{label} (%) over {} and {key2}", sweep.key),
                    x: (sweep.key.clone(), labels(&xs)),
                    y: (key2.clone(), labels(&ys)),
                    cells: means,
                    value_label: format!("{label} (%)"),
                    caption: caption.clone(),
                })
            })
        })
        .collect();
    Some(jobs)
}
