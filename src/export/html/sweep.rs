//! `sweep.html`: a scenario along one key: P(viable) and the chosen outcomes at each step,
//! and the plots.

use std::fmt::Write;

use super::{QUESTION, answer, cell, escape, figures, page, plots_heading, table};
use crate::export::plots::Plot;
use crate::export::plots::style::thousands;
use crate::sweep::{Sweep, value_text};

/// The page of `sweep` with its `plots`.
pub fn render(sweep: &Sweep, plots: &[Plot]) -> String {
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>defsim: sweep of {} along <code>{}</code></h1>\n<p class=\"question\">{}</p>\n{}\
<h2>The scenario</h2>\n<p>{}</p>\n<p class=\"meta\">File <code>{}</code>; each step runs as \
<code>--set {}=VALUE</code> with seed {} and {} trials (common random numbers: the steps \
differ only by the key).</p>\n",
        escape(&sweep.scenario),
        escape(&sweep.key),
        escape(QUESTION),
        answer(&crate::analysis::answer::sweep(sweep)),
        escape(&sweep.description),
        escape(&sweep.file),
        escape(&sweep.key),
        sweep.seed,
        thousands(sweep.trials),
    );
    body.push_str("<h2>Steps</h2>\n");
    let mut header: Vec<String> =
        vec![sweep.key.clone(), format!("P({}) [95% CI]", sweep.headline)];
    for o in &sweep.chosen {
        header.push(format!("{o}: 5% / 50% / 95%"));
    }
    let rows: Vec<Vec<String>> = sweep
        .steps
        .iter()
        .map(|s| {
            let mut row = vec![format!(
                "<span class=\"nw\">{}</span>",
                escape(&value_text(s.value))
            )];
            row.push(
                s.probabilities
                    .get(&sweep.headline)
                    .map_or("-".into(), |p| {
                        format!(
                            "<span class=\"nw\">{:.1}% [{:.1}, {:.1}]</span>",
                            p.p * 100.0,
                            p.ci95[0] * 100.0,
                            p.ci95[1] * 100.0
                        )
                    }),
            );
            for o in &sweep.chosen {
                let q = &s.outcomes[o];
                row.push(format!(
                    "{} / {} / {}",
                    cell(q.p05),
                    cell(q.p50),
                    cell(q.p95)
                ));
            }
            row
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let numeric = vec![true; header.len()];
    // The 5 / 50 / 95% cells may wrap, so that several outcomes fit the column.
    body.push_str(
        &table(&header, &numeric, &rows).replace("<td class=\"num\">", "<td class=\"num wrap\">"),
    );
    body.push_str(plots_heading(plots));
    body.push_str(&figures(plots));
    page(
        &format!("defsim: sweep {} along {}", sweep.scenario, sweep.key),
        &body,
    )
}
