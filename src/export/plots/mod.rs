//! Charts, each written as PNG and SVG (plotters; text in the embedded DejaVu Sans, so
//! nothing depends on the system's fonts and the files are identical on every machine).

pub mod font;
pub mod prim;
pub mod tornado;

use std::path::Path;

use anyhow::{Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Width and height of every chart, in pixels.
pub const SIZE: (u32, u32) = (900, 600);

/// Draws the same chart into `<base>.png` and `<base>.svg`.
pub(crate) fn png_and_svg(
    base: &Path,
    size: (u32, u32),
    draw_png: impl FnOnce(DrawingArea<BitMapBackend, Shift>) -> Result<()>,
    draw_svg: impl FnOnce(DrawingArea<SVGBackend, Shift>) -> Result<()>,
) -> Result<()> {
    font::register();
    let png = base.with_extension("png");
    let root = BitMapBackend::new(&png, size).into_drawing_area();
    draw_png(root)?;
    let svg = base.with_extension("svg");
    let root = SVGBackend::new(&svg, size).into_drawing_area();
    draw_svg(root)?;
    Ok(())
}

/// Turns a plotters error (not `Send`-friendly as is) into an anyhow error.
pub(crate) fn plot_err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("cannot draw the chart: {e:?}")
}
