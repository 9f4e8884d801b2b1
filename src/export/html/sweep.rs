//! `sweep.html`: a scenario along one key (or over the grid of two): P(viable) and the
//! chosen outcomes at each step, and the plots.

use maud::{Markup, html};

use super::{Align, answer, cell, layout, plots_section, table};
use crate::analysis::sweep::{Sweep, value_text};
use crate::export::plots::Plot;
use crate::export::plots::style::thousands;

/// The page of `sweep` with its `plots`.
pub(crate) fn render(sweep: &Sweep, plots: &[Plot]) -> String {
    let body = html! {
        (answer(&crate::analysis::answer::sweep(sweep)))
        h2 { "The scenario" }
        p { (sweep.description) }
        p.meta {
            "File " code { (sweep.file) } "; each step runs as "
            code { "--set " (sweep.key) "=VALUE" }
            @if let Some(k2) = &sweep.key2 {
                " " code { "--set " (k2) "=VALUE" } " (every pair of values)"
            }
            " with seed " (sweep.seed) " and " (thousands(sweep.trials)) " trials (common random \
             numbers: the steps differ only by the key)."
        }
        h2 { "Steps" }
        (steps(sweep))
        (plots_section(plots, false))
    };
    let along = match &sweep.key2 {
        Some(k2) => format!("{} and {k2}", sweep.key),
        None => sweep.key.clone(),
    };
    layout(
        &format!("defsim: sweep {} along {along}", sweep.scenario),
        html! {
            "defsim: sweep of " (sweep.scenario) " along " code { (sweep.key) }
            @if let Some(k2) = &sweep.key2 { " and " code { (k2) } }
        },
        body,
    )
}

/// `12.3% [11.0, 13.7]`: a probability with its 95% Wilson interval, in percent.
fn percent(p: &crate::stats::Proportion) -> String {
    format!(
        "{:.1}% [{:.1}, {:.1}]",
        p.p * 100.0,
        p.ci95[0] * 100.0,
        p.ci95[1] * 100.0
    )
}

/// One row per step: the key's value, the headline probability, and each chosen outcome's
/// probability with its interval (a 0/1 outcome) or its 5/50/95%.
fn steps(sweep: &Sweep) -> Markup {
    let mut columns = vec![(sweep.key.clone(), Align::Num)];
    columns.extend(sweep.key2.iter().map(|k| (k.clone(), Align::Num)));
    columns.push((format!("P({}) [95% CI]", sweep.headline), Align::Num));
    // The 5 / 50 / 95% cells may wrap, so that several outcomes fit the column.
    columns.extend(sweep.chosen.iter().map(|o| {
        if sweep.is_probability(o) {
            (format!("P({o}) [95% CI]"), Align::Num)
        } else {
            (format!("{o}: 5% / 50% / 95%"), Align::NumWrap)
        }
    }));
    let rows: Vec<Vec<Markup>> = sweep
        .steps
        .iter()
        .map(|s| {
            let mut row = vec![html! { span.nw { (value_text(s.value)) } }];
            if let Some(v2) = s.value2 {
                row.push(html! { span.nw { (value_text(v2)) } });
            }
            row.push(html! {
                @match s.probabilities.get(&sweep.headline) {
                    Some(p) => span.nw { (percent(p)) },
                    None => "-",
                }
            });
            for o in &sweep.chosen {
                if let Some(p) = s.probabilities.get(o) {
                    row.push(html! { span.nw { (percent(p)) } });
                } else {
                    let q = &s.outcomes[o];
                    row.push(html! { (cell(q.p05)) " / " (cell(q.p50)) " / " (cell(q.p95)) });
                }
            }
            row
        })
        .collect();
    table(&columns, &rows, None)
}
