//! HTML reports: one file each, plots inlined as SVG (`sensitivity.html` shows the charts
//! written next to it), no network, no JavaScript. Pages are deterministic (no timestamps,
//! no paths), like the rest of a run's outputs.
//!
//! Pages are [maud](https://maud.lambda.xyz) templates: every string spliced into a page
//! (scenario names, descriptions, keys, sources, numbers) is escaped by the template
//! engine, so escaping does not depend on remembering it. Only two pieces of trusted markup
//! go in unescaped, each marked `PreEscaped` where it is used: the style sheet below and the
//! SVG that plotters wrote (which escapes its own text).
//!
//! Every page goes through the one `layout`: the document head and style sheet, then a
//! `<main>` column that opens with the page's heading and the question every report
//! answers. The pieces pages share (`table`, `plots_section`, `cell`, `proportion`) live
//! here too, so a new page (discovery, exploration) is a body of maud markup
//! handed to `layout`.

/// `compare.html`: scenarios side by side with paired and unpaired differences.
pub(crate) mod compare;
/// `explore.html`: policies against futures.
pub(crate) mod explore;
/// `report.html`: one run.
pub(crate) mod report;
/// `sensitivity.html`: which inputs drive each outcome.
pub(crate) mod sensitivity;
/// `sweep.html`: outcomes along one parameter.
pub(crate) mod sweep;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::export::plots::Plot;
use crate::stats::Proportion;

/// What a model says on every page it answers for, in its own words: the question under each
/// page's heading, and the yearly shocks (the randomness that stays when every input is
/// fixed), named on the sensitivity page. The model declares them; pages only show them.
#[derive(Debug, Clone, Copy)]
pub struct Framing<'a> {
    /// The question the pages answer.
    pub question: &'a str,
    /// The yearly shocks, as a list in words (`growth, sanctions, ...`).
    pub shocks: &'a str,
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
figure{margin:1.2rem 0}figure svg,figure img{width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85rem;color:#555}
nav ul{columns:2;font-size:.9rem}
";

/// The one layout of every page: `<title>` `title`, then in the page's column the `<h1>`
/// `heading`, the model's question (`framing`) and `body`.
pub(crate) fn layout(framing: Framing, title: &str, heading: Markup, body: Markup) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                // Our own constant: escaping would turn its quotes into entities, which a
                // style element does not decode.
                style { (PreEscaped(CSS)) }
            }
            body {
                main {
                    h1 { (heading) }
                    p.question { (framing.question) }
                    (body)
                }
            }
        }
    };
    let mut out = page.into_string();
    out.push('\n');
    out
}

/// The answer in words ([`crate::analysis::answer`]): the first paragraph of a page's body,
/// right under the question; nothing when there is no sentence.
pub(crate) fn answer(a: &crate::analysis::answer::Answer) -> Markup {
    html! {
        @if !a.sentences.is_empty() {
            p.answer { (a.text()) }
        }
    }
}

/// How a table column sets its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    /// Text, left-aligned.
    Text,
    /// A scenario key: monospace, not wrapped.
    Key,
    /// A number: right-aligned in tabular figures, not wrapped.
    Num,
    /// Numbers that may wrap (several in one cell).
    NumWrap,
}

impl Align {
    fn header_class(self) -> Option<&'static str> {
        match self {
            Align::Text | Align::Key => None,
            Align::Num | Align::NumWrap => Some("num"),
        }
    }

    fn cell_class(self) -> Option<&'static str> {
        match self {
            Align::Text => None,
            Align::Key => Some("key"),
            Align::Num => Some("num"),
            Align::NumWrap => Some("num wrap"),
        }
    }
}

/// A table with a header row of `(title, alignment)` and `rows` of cells, in a box that
/// scrolls sideways on narrow screens; `body_class` names the `<tbody>` (e.g. `params`).
pub(crate) fn table<T: AsRef<str>>(
    columns: &[(T, Align)],
    rows: &[Vec<Markup>],
    body_class: Option<&str>,
) -> Markup {
    html! {
        div.scroll {
            table {
                thead {
                    tr {
                        @for (title, align) in columns {
                            th class=[align.header_class()] { (title.as_ref()) }
                        }
                    }
                }
                tbody class=[body_class] {
                    @for row in rows {
                        tr {
                            @for (cell, (_, align)) in row.iter().zip(columns) {
                                td class=[align.cell_class()] { (cell) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The plots section: its heading (with a note when the plots were skipped), a list of
/// links to the figures when `contents` is set, and the figures. Each figure holds the
/// plot's title, its SVG inline and links to its files (relative to the page:
/// `plots/<stem>.png` and `.svg`).
pub(crate) fn plots_section(plots: &[Plot], contents: bool) -> Markup {
    html! {
        h2 { "Plots" }
        @if plots.is_empty() {
            p { "Plots were skipped (" code { "--no-plots" } ")." }
        } @else if contents {
            nav {
                ul {
                    @for p in plots {
                        li { a href={ "#" (p.stem) } { (p.title) } }
                    }
                }
            }
        }
        @for p in plots {
            figure id=(p.stem) {
                // plotters' SVG: trusted markup, its text already escaped by plotters.
                (PreEscaped(inline_svg(&p.svg)))
                figcaption {
                    (p.title) ". Files: "
                    a href={ "plots/" (p.stem) ".png" } { (p.stem) ".png" }
                    ", "
                    a href={ "plots/" (p.stem) ".svg" } { (p.stem) ".svg" }
                }
            }
        }
    }
}

/// The SVG of a plot, ready to sit inside HTML: without an XML declaration, and with a
/// `role` and nothing else changed.
fn inline_svg(svg: &str) -> String {
    let body = match svg.find("<svg") {
        Some(at) => &svg[at..],
        None => svg,
    };
    body.replacen("<svg ", "<svg role=\"img\" ", 1)
}

/// A probability as `12.3% (95% CI 11.9-12.7%)`.
pub(crate) fn proportion(p: &Proportion) -> String {
    format!(
        "{:.1}% (95% CI {:.1}-{:.1}%)",
        p.p * 100.0,
        p.ci95[0] * 100.0,
        p.ci95[1] * 100.0
    )
}

/// A number for a table cell: 4 significant digits (plain) or `-` when absent.
pub(crate) fn cell(v: Option<f64>) -> String {
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
    fn text_from_a_scenario_is_escaped_by_the_templates() {
        let hostile = "<script>alert(\"x\")</script> & Jerry's";
        let rows = vec![vec![html! { (hostile) }]];
        let framing = Framing {
            question: "q?",
            shocks: "growth",
        };
        let page = layout(
            framing,
            hostile,
            html! { (hostile) },
            table(&[(hostile, Align::Key)], &rows, Some(hostile)),
        );
        assert!(!page.contains("<script"), "{page}");
        assert_eq!(
            page.matches("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Jerry")
                .count(),
            5,
            "title, heading, column title, cell and class attribute: {page}"
        );
        let plot = Plot {
            stem: "a\"b".into(),
            title: "<b>".into(),
            svg: "<?xml version=\"1.0\"?>\n<svg width=\"1\"></svg>".into(),
        };
        let figs = plots_section(&[plot], true).into_string();
        assert!(figs.contains("id=\"a&quot;b\"") && figs.contains("&lt;b&gt;. Files:"));
        assert!(figs.contains("<svg role=\"img\" width=\"1\"></svg>") && !figs.contains("<?xml"));
    }

    #[test]
    fn skipped_plots_leave_a_note_and_no_figures() {
        let s = plots_section(&[], true).into_string();
        assert!(s.contains("--no-plots") && !s.contains("<figure") && !s.contains("<nav"));
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
