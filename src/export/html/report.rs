//! `report.html` of one run, for a policy reader: the question and the scenario's
//! description, the headline probabilities with their intervals, the summary table, every
//! plot, and every parameter with its distribution and source.

use std::fmt::Write;

use super::{QUESTION, answer, cell, escape, figures, page, plots_heading, proportion, table};
use crate::engine::Schema;
use crate::export::plots::Plot;
use crate::export::plots::style::thousands;
use crate::summary::RunSummary;

/// The page of `summary` with `plots` (already written under `plots/`); `schema` says how
/// each probability reads.
pub fn render(summary: &RunSummary, schema: &Schema, plots: &[Plot]) -> String {
    let s = summary;
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>defsim: scenario {name}</h1>\n<p class=\"question\">{q}</p>\n{answer}\
<h2>The scenario</h2>\n<p>{desc}</p>\n\
<p class=\"meta\">File <code>{file}</code>, resolved SHA-256 <code>{sha}</code>; seed {seed}, \
{trials} trials, years {y0}-{y1}; defsim {version}.</p>\n",
        name = escape(&s.scenario.name),
        q = escape(QUESTION),
        answer = answer(&crate::analysis::answer::run(s, schema.headline_name())),
        desc = escape(&s.scenario.description),
        file = escape(&s.scenario.file),
        sha = escape(&s.scenario.resolved_sha256),
        seed = s.seed,
        trials = thousands(s.trials),
        y0 = s.start_year,
        y1 = s.start_year + s.horizon_years as i32 - 1,
        version = escape(&s.defsim_version),
    );

    body.push_str("<h2>Headline</h2>\n<ul class=\"headline\">\n");
    for (name, p) in &s.probabilities {
        let _ = writeln!(
            body,
            "<li>{}: <strong>{}</strong></li>",
            escape(&schema.probability_title(name)),
            proportion(p)
        );
    }
    body.push_str(
        "</ul>\n<p class=\"meta\">Shares of trials with 95% Wilson score intervals (Monte Carlo \
error only: the intervals say nothing about whether the scenario's assumptions are right).</p>\n",
    );

    body.push_str("<h2>Outcomes</h2>\n");
    let rows: Vec<Vec<String>> = s
        .outcomes
        .iter()
        .map(|(name, o)| {
            let mut row = vec![format!("<code>{}</code>", escape(name)), thousands(o.n)];
            row.extend([o.mean, o.sd, o.p05, o.p25, o.p50, o.p75, o.p95].map(cell));
            row
        })
        .collect();
    body.push_str(&table(
        &[
            "outcome", "n", "mean", "sd", "5%", "25%", "50%", "75%", "95%",
        ],
        &[false, true, true, true, true, true, true, true, true],
        &rows,
    ));
    body.push_str(
        "<p class=\"meta\">Quantiles are exact (type 7 over all trials); <code>n</code> is the \
number of trials with a value (<code>breakeven_year</code> is absent where the program never \
breaks even).</p>\n",
    );

    body.push_str(plots_heading(plots));
    body.push_str("<nav><ul>\n");
    for p in plots {
        let _ = writeln!(
            body,
            "<li><a href=\"#{}\">{}</a></li>",
            escape(&p.stem),
            escape(&p.title)
        );
    }
    body.push_str("</ul></nav>\n");
    body.push_str(&figures(plots));

    body.push_str("<h2>Parameters</h2>\n<p>Every number the model used, with its distribution and where it comes from.</p>\n");
    let rows: Vec<Vec<String>> = s
        .parameters
        .iter()
        .map(|p| {
            vec![
                escape(&p.key),
                escape(&p.dist),
                if p.source.is_empty() {
                    "<em>no source given</em>".into()
                } else {
                    escape(&p.source)
                },
            ]
        })
        .collect();
    let mut params = table(&["key", "distribution", "source"], &[], &rows);
    params = params.replacen("<tbody>", "<tbody class=\"params\">", 1);
    // Keys in monospace.
    params = params.replace("<tr><td>", "<tr><td class=\"key\">");
    body.push_str(&params);

    page(&format!("defsim: {}", s.scenario.name), &body)
}
