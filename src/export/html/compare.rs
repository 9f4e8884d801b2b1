//! `compare.html`: the scenarios and their questions, P(viable) of each, every outcome's
//! paired and unpaired difference from the first scenario, the overlaid plots, and the
//! parameters in which the scenarios differ (with their sources).

use maud::{Markup, html};

use super::{Align, answer, cell, layout, plots_section, proportion, table};
use crate::analysis::compare::{Difference, ScenarioComparison};
use crate::analysis::run::RunSummary;
use crate::export::plots::Plot;
use crate::export::plots::style::thousands;

/// A difference with its interval, `d [lo, hi]`, or `-`.
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
pub(crate) fn render(
    cmp: &ScenarioComparison,
    summaries: &[&RunSummary],
    plots: &[Plot],
) -> String {
    let names: Vec<&str> = cmp.scenarios.iter().map(|s| s.name.as_str()).collect();
    let title = format!("compare {}", names.join(" vs "));
    let body = html! {
        (answer(&crate::analysis::answer::compare(cmp)))
        p.meta {
            "Every scenario ran with seed " (cmp.seed) " and " (thousands(cmp.trials))
            " trials (common random numbers: trial " em { "i" } " sees the same sanctions, \
             support and growth shocks in each). Differences are each scenario minus "
            strong { (names[0]) } "."
        }
        h2 { "The scenarios" }
        ul {
            @for s in &cmp.scenarios {
                li { strong { (s.name) } " (" code { (s.file) } "): " (s.description) }
            }
        }
        h2 { "P(" (cmp.headline_name) ")" }
        ul.headline {
            @for v in &cmp.headline {
                li { (v.scenario) ": " strong { (proportion(&v.p)) } }
            }
        }
        h2 { "Probabilities" }
        p {
            "Every 0/1 outcome (each criterion, and each of the scenario's own "
            code { "[criteria]" } ") as the share of trials where it holds, with its 95% Wilson \
             score interval; their paired differences are in the table below."
        }
        (probabilities(cmp))
        h2 { "Differences from the first scenario" }
        p {
            "Paired: the mean of the per-trial differences ± 1.96 sd/√n (the interval for \
             common random numbers). Unpaired: the difference of the means ± 1.96 \
             √(se₁² + se₂²), as if the runs were independent. For "
            code { (cmp.headline_name) } " the mean is P(" (cmp.headline_name) ") and the \
             difference is in probability."
        }
        (differences(cmp))
        (plots_section(plots, false))
        h2 { "Parameters that differ" }
        (parameters(summaries))
    };
    layout(
        &format!("defsim: {title}"),
        html! { "defsim: " (title) },
        body,
    )
}

/// Each probability of each scenario with its Wilson interval, one row per probability and
/// scenario.
fn probabilities(cmp: &ScenarioComparison) -> Markup {
    let columns = [
        ("probability", Align::Text),
        ("scenario", Align::Text),
        ("P [95% CI]", Align::Num),
    ];
    let rows: Vec<Vec<Markup>> = cmp
        .probabilities
        .iter()
        .map(|r| {
            vec![
                html! { code { (r.name) } },
                html! { span.nw { (r.scenario) } },
                html! { (proportion(&r.p)) },
            ]
        })
        .collect();
    table(&columns, &rows, Some("probabilities"))
}

/// Each outcome's paired and unpaired differences, one row per outcome and scenario.
fn differences(cmp: &ScenarioComparison) -> Markup {
    let columns = [
        ("outcome", Align::Text),
        ("scenario", Align::Text),
        ("n", Align::Num),
        ("mean", Align::Num),
        ("paired diff [95% CI]", Align::Num),
        ("unpaired diff [95% CI]", Align::Num),
    ];
    let rows: Vec<Vec<Markup>> = cmp
        .outcomes
        .iter()
        .map(|r| {
            vec![
                html! { code { (r.outcome) } },
                html! { span.nw { (r.scenario) } },
                html! { (thousands(r.n)) },
                html! { (cell(r.mean)) },
                html! { (interval(&r.paired)) },
                html! { (interval(&r.unpaired)) },
            ]
        })
        .collect();
    table(&columns, &rows, None)
}

/// The parameters whose distribution or source differs between the scenarios: one row per
/// parameter and scenario (`-` where a scenario lacks it).
fn parameters(summaries: &[&RunSummary]) -> Markup {
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
                html! { (p.key) },
                html! { (s.scenario.name) },
                html! { (q.map_or("-", |q| q.dist.as_str())) },
                html! { (q.map_or("-", |q| q.source.as_str())) },
            ]);
        }
    }
    let columns = [
        ("key", Align::Key),
        ("scenario", Align::Text),
        ("distribution", Align::Text),
        ("source", Align::Text),
    ];
    html! {
        @if rows.is_empty() {
            p { "None: the scenarios state the same parameters." }
        } @else {
            (table(&columns, &rows, None))
        }
    }
}
