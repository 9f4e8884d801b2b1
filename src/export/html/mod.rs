//! Self-contained HTML reports: one file each, plots inlined as SVG, no network, no
//! JavaScript. Every piece of text that comes from a scenario (names, descriptions, keys,
//! sources) goes through [`escape`]. Pages are deterministic (no timestamps, no paths), like
//! the rest of a run's outputs.

/// `compare.html`: scenarios side by side with paired and unpaired differences.
pub mod compare;
/// `explore.html`: policies against futures.
pub mod explore;
/// `report.html`: one run.
pub mod report;
/// `sweep.html`: outcomes along one parameter.
pub mod sweep;

use std::fmt::Write;

use crate::export::plots::Plot;
use crate::stats::Proportion;

/// The question every report answers.
pub const QUESTION: &str = "Can Mali's 2025 plan for a domestic defense industry deliver real \
military independence (local value added, not assembly of imported kits) at a unit cost and a \
fiscal burden that the scenario's thresholds accept?";

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The style sheet: a readable column, aligned numeric tables, figures scaled to the column.
const CSS: &str = "\
body{font-family:'DejaVu Sans',Verdana,Helvetica,Arial,sans-serif;color:#222;background:#fff;margin:0;line-height:1.45}
main{max-width:60rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.7rem;margin:.2rem 0 .6rem}h2{font-size:1.3rem;margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
h3{font-size:1.05rem;margin:1.4rem 0 .3rem}
p.question{font-size:1.1rem;background:#f4f7fb;border-left:4px solid #1f77b4;padding:.6rem .9rem}
p.meta{color:#555;font-size:.9rem}
p.answer{font-size:1.1rem;font-weight:500;border-left:4px solid #2ca02c;padding:.4rem .9rem;margin:1rem 0}
table{border-collapse:collapse;width:100%;font-size:.88rem;margin:.6rem 0}
th,td{padding:.3rem .5rem;border-bottom:1px solid #e3e3e3;vertical-align:top;text-align:left}
th{background:#f2f2f2;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.num{white-space:nowrap}td.num.wrap{white-space:normal}.nw{white-space:nowrap}
div.scroll{overflow-x:auto}
td.key{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:.82rem;white-space:nowrap}
ul.headline{font-size:1.05rem;padding-left:1.2rem}ul.headline li{margin:.2rem 0}
.headline strong{font-variant-numeric:tabular-nums}
figure{margin:1.2rem 0}figure svg{width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85rem;color:#555}
nav ul{columns:2;font-size:.9rem}
";

/// A complete page with `title` and `body` (already HTML).
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        escape(title)
    )
}

/// The answer in words ([`crate::analysis::answer`]), as the page's first paragraph after
/// the question; nothing when there is no sentence.
pub fn answer(a: &crate::analysis::answer::Answer) -> String {
    if a.sentences.is_empty() {
        return String::new();
    }
    format!("<p class=\"answer\">{}</p>\n", escape(&a.text()))
}

/// A table: header cells and rows of cells (already HTML); `numeric[i]` right-aligns
/// column `i`.
pub fn table(header: &[&str], numeric: &[bool], rows: &[Vec<String>]) -> String {
    let class = |i: usize| {
        if numeric.get(i).copied().unwrap_or(false) {
            " class=\"num\""
        } else {
            ""
        }
    };
    let mut out = String::from("<div class=\"scroll\">\n<table>\n<thead><tr>");
    for (i, h) in header.iter().enumerate() {
        let _ = write!(out, "<th{}>{}</th>", class(i), escape(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let _ = write!(out, "<td{}>{cell}</td>", class(i));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
    out
}

/// The heading of the plots section, with a note when the plots were skipped.
pub fn plots_heading(plots: &[Plot]) -> &'static str {
    if plots.is_empty() {
        "<h2>Plots</h2>\n<p>Plots were skipped (<code>--no-plots</code>).</p>\n"
    } else {
        "<h2>Plots</h2>\n"
    }
}

/// The figures, each with its title, the inline SVG and links to its PNG and SVG files
/// (relative to the report: `plots/<stem>.png`).
pub fn figures(plots: &[Plot]) -> String {
    let mut out = String::new();
    for p in plots {
        let _ = write!(
            out,
            "<figure id=\"{stem}\">\n{svg}\n<figcaption>{title}. Files: \
<a href=\"plots/{stem}.png\">{stem}.png</a>, <a href=\"plots/{stem}.svg\">{stem}.svg</a></figcaption>\n</figure>\n",
            stem = escape(&p.stem),
            title = escape(&p.title),
            svg = inline_svg(&p.svg),
        );
    }
    out
}

/// The SVG of a plot, ready to sit inside HTML: without an XML declaration, and with a
/// `role` and nothing else changed (plotters escapes its text itself).
fn inline_svg(svg: &str) -> String {
    let body = match svg.find("<svg") {
        Some(at) => &svg[at..],
        None => svg,
    };
    body.replacen("<svg ", "<svg role=\"img\" ", 1)
}

/// A probability as `12.3% (95% CI 11.9-12.7%)`.
pub fn proportion(p: &Proportion) -> String {
    format!(
        "{:.1}% (95% CI {:.1}-{:.1}%)",
        p.p * 100.0,
        p.ci95[0] * 100.0,
        p.ci95[1] * 100.0
    )
}

/// A number for a table cell: 4 significant digits (plain) or `-` when absent.
pub fn cell(v: Option<f64>) -> String {
    match v {
        None => "-".into(),
        Some(x) if !x.is_finite() => "-".into(),
        Some(0.0) => "0".into(),
        Some(x) => {
            let a = x.abs();
            if a >= 1e4 {
                crate::export::plots::style::grouped(x)
            } else if x.fract() == 0.0 {
                format!("{x:.0}")
            } else if a >= 1e-3 {
                let digits = (3 - a.log10().floor() as i32).max(0) as usize;
                format!("{x:.digits$}")
            } else {
                format!("{x:.3e}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
    }

    #[test]
    fn cells_keep_four_significant_digits() {
        assert_eq!(cell(Some(0.123456)), "0.1235");
        assert_eq!(cell(Some(1234.5678)), "1235");
        assert_eq!(cell(Some(2.0)), "2");
        assert_eq!(cell(Some(33571.3)), "33,571");
        assert_eq!(cell(Some(12.345678)), "12.35");
        assert_eq!(cell(Some(250000.0)), "250,000");
        assert_eq!(cell(None), "-");
        assert_eq!(cell(Some(f64::NAN)), "-");
    }
}
