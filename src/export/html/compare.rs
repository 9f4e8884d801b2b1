//! `compare.html`: the scenarios and their questions, P(viable) of each, every outcome's
//! paired and unpaired difference from the first scenario, the overlaid plots, and the
//! parameters in which the scenarios differ (with their sources).

use std::fmt::Write;

use super::{QUESTION, answer, cell, escape, figures, page, plots_heading, proportion, table};
use crate::compare::{Comparison, Difference};
use crate::export::plots::Plot;
use crate::export::plots::style::thousands;
use crate::summary::RunSummary;

fn interval(d: &Option<Difference>) -> String {
    match d {
        Some(d) => format!(
            "{} [{}, {}]",
            cell(Some(d.diff)),
            cell(Some(d.ci95[0])),
            cell(Some(d.ci95[1]))
        ),
        None => "-".into(),
    }
}

/// The page of `table`, with the runs' `summaries` (same order) and `plots`.
pub fn render(cmp: &Comparison, summaries: &[&RunSummary], plots: &[Plot]) -> String {
    let names: Vec<String> = cmp.scenarios.iter().map(|s| s.name.clone()).collect();
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>defsim: {}</h1>\n<p class=\"question\">{}</p>\n{}\
<p class=\"meta\">Every scenario ran with seed {} and {} trials (common random numbers: trial \
<em>i</em> sees the same sanctions, support and growth shocks in each). Differences are each \
scenario minus <strong>{}</strong>.</p>\n<h2>The scenarios</h2>\n<ul>\n",
        escape(&format!("compare {}", names.join(" vs "))),
        escape(QUESTION),
        answer(&crate::analysis::answer::compare(cmp)),
        cmp.seed,
        thousands(cmp.trials),
        escape(&names[0]),
    );
    for s in &cmp.scenarios {
        let _ = writeln!(
            body,
            "<li><strong>{}</strong> (<code>{}</code>): {}</li>",
            escape(&s.name),
            escape(&s.file),
            escape(&s.description)
        );
    }
    let _ = write!(
        body,
        "</ul>\n<h2>P({})</h2>\n<ul class=\"headline\">\n",
        escape(&cmp.headline_name)
    );
    for v in &cmp.headline {
        let _ = writeln!(
            body,
            "<li>{}: <strong>{}</strong></li>",
            escape(&v.scenario),
            proportion(&v.p)
        );
    }
    body.push_str("</ul>\n");

    body.push_str(
        "<h2>Differences from the first scenario</h2>\n<p>Paired: the mean of the per-trial \
differences ± 1.96 sd/&radic;n (the interval for common random numbers). Unpaired: the \
difference of the means ± 1.96 &radic;(se&#8321;&sup2; + se&#8322;&sup2;), as if the runs were \
independent. For <code>viable</code> the mean is P(viable) and the difference is in \
probability.</p>\n",
    );
    let rows: Vec<Vec<String>> = cmp
        .outcomes
        .iter()
        .map(|r| {
            vec![
                format!("<code>{}</code>", escape(&r.outcome)),
                format!("<span class=\"nw\">{}</span>", escape(&r.scenario)),
                thousands(r.n),
                cell(r.mean),
                interval(&r.paired),
                interval(&r.unpaired),
            ]
        })
        .collect();
    body.push_str(&table_html(&rows));

    body.push_str(plots_heading(plots));
    body.push_str(&figures(plots));

    body.push_str("<h2>Parameters that differ</h2>\n");
    let first = summaries[0];
    let mut rows = Vec::new();
    for (i, p) in first.parameters.iter().enumerate() {
        let others: Vec<_> = summaries
            .iter()
            .map(|s| s.parameters.get(i).filter(|q| q.key == p.key))
            .collect();
        if others
            .iter()
            .all(|q| q.is_some_and(|q| q.dist == p.dist && q.source == p.source))
        {
            continue;
        }
        for (s, q) in summaries.iter().zip(others) {
            rows.push(vec![
                format!("<span class=\"key\">{}</span>", escape(&p.key)),
                escape(&s.scenario.name),
                q.map_or("-".into(), |q| escape(&q.dist)),
                q.map_or("-".into(), |q| escape(&q.source)),
            ]);
        }
    }
    if rows.is_empty() {
        body.push_str("<p>None: the scenarios state the same parameters.</p>\n");
    } else {
        body.push_str(&table(
            &["key", "scenario", "distribution", "source"],
            &[],
            &rows,
        ));
    }
    page(&format!("defsim: compare {}", names.join(" vs ")), &body)
}

fn table_html(rows: &[Vec<String>]) -> String {
    table(
        &[
            "outcome",
            "scenario",
            "n",
            "mean",
            "paired diff [95% CI]",
            "unpaired diff [95% CI]",
        ],
        &[false, false, true, true, true, true],
        rows,
    )
}
