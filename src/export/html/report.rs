//! `report.html` of one run, for a policy reader: the question and the scenario's
//! description, the headline probabilities with their intervals, the summary table, every
//! plot, and every parameter with its distribution and source.

use maud::{Markup, html};

use super::{Align, answer, cell, layout, plots_section, proportion, table};
use crate::analysis::run::RunSummary;
use crate::engine::{OutcomeKind, Schema};
use crate::export::plots::Plot;
use crate::export::plots::style::thousands;

/// The page of `summary` with `plots` (already written under `plots/`); `schema` says how
/// each probability reads.
pub(crate) fn render(summary: &RunSummary, schema: &Schema, plots: &[Plot]) -> String {
    let s = summary;
    // Outcomes some trials lack, and when (the schema says).
    let optional: Vec<(&str, &str)> = schema
        .outcomes
        .iter()
        .filter_map(|o| match &o.kind {
            OutcomeKind::Optional { absent_when, .. } => {
                Some((o.name.as_str(), absent_when.as_str()))
            }
            _ => None,
        })
        .collect();
    let body = html! {
        (answer(&crate::analysis::answer::run(s, schema.headline_name())))
        h2 { "The scenario" }
        p { (s.scenario.description) }
        p.meta {
            "File " code { (s.scenario.file) } ", resolved SHA-256 "
            code { (s.scenario.resolved_sha256) } "; seed " (s.seed) ", "
            (thousands(s.trials)) " trials, years " (s.start_year) "-"
            (s.start_year + s.horizon_years as i32 - 1) "; defsim " (s.defsim_version) "."
        }
        @if !s.scenario.overrides.is_empty() {
            p.overrides {
                strong { "Overridden on the command line:" } " "
                @for (i, o) in s.scenario.overrides.iter().enumerate() {
                    @if i > 0 { ", " }
                    code { (o.key) " = " (o.value) } " (" (o.source) ")"
                }
                " (the resolved SHA-256 covers them)."
            }
        }
        @if let Some(p) = &s.precision {
            p.meta {
                "Precision stopping: " (p.note) ". The run stopped at "
                (thousands(p.trials)) " trials (cap " (thousands(p.cap)) ")."
                @if !p.reached { " The cap was reached before every target was met." }
            }
        }
        h2 { "Headline" }
        ul.headline {
            @for (name, p) in &s.probabilities {
                li { (schema.probability_title(name)) ": " strong { (proportion(p)) } }
            }
        }
        p.meta {
            "Shares of trials with 95% Wilson score intervals (Monte Carlo error only: the \
             intervals say nothing about whether the scenario's assumptions are right)."
        }
        @if let Some(levers) = levers(s) {
            h2 { "Plan levers by year" }
            p {
                "Levers the scenario sets year by year (" code { "{ path = [...] }" } "): \
                 the value that applies in each year of the horizon."
            }
            (levers)
        }
        h2 { "Outcomes" }
        (outcomes(s, schema))
        p.meta {
            @if s.quantiles.is_sketch() {
                "Streaming run: quantiles come from a mergeable sketch (within 0.4% of the \
                 order statistic, clamped to the exact min and max); means, standard \
                 deviations and probabilities are exact. "
            } @else {
                "Quantiles are exact (type 7 over all trials); "
            }
            code { "n" } " is the number of \
             trials with a value"
            @for (i, (name, absent_when)) in optional.iter().enumerate() {
                (if i == 0 { " (" } else { "; " })
                code { (name) } " is absent where " (absent_when)
            }
            (if optional.is_empty() { "." } else { ")." })
        }
        (plots_section(plots, true))
        h2 { "Parameters" }
        p { "Every number the model used, with its distribution and where it comes from." }
        (parameters(s))
    };
    layout(
        &format!("defsim: {}", s.scenario.name),
        html! { "defsim: scenario " (s.scenario.name) },
        body,
    )
}

/// The levers given as yearly paths: one row per lever, one column per year (`None` when
/// the scenario has none).
fn levers(s: &RunSummary) -> Option<Markup> {
    let paths: Vec<(&str, &[f64])> = s
        .parameters
        .iter()
        .filter_map(|p| Some((p.key.as_str(), p.yearly.as_deref()?)))
        .collect();
    if paths.is_empty() {
        return None;
    }
    let years: Vec<String> = (0..s.horizon_years)
        .map(|t| (s.start_year + t as i32).to_string())
        .collect();
    let columns: Vec<(&str, Align)> = std::iter::once(("lever", Align::Key))
        .chain(years.iter().map(|y| (y.as_str(), Align::Num)))
        .collect();
    let rows: Vec<Vec<Markup>> = paths
        .iter()
        .map(|(key, values)| {
            std::iter::once(html! { (key) })
                .chain(values.iter().map(|v| html! { (v) }))
                .collect()
        })
        .collect();
    Some(table(&columns, &rows, Some("levers")))
}

/// The summary table: one row per outcome, with its unit from the model's schema.
fn outcomes(s: &RunSummary, schema: &Schema) -> Markup {
    let columns = [
        ("outcome", Align::Text),
        ("unit", Align::Text),
        ("n", Align::Num),
    ]
    .into_iter()
    .chain(["mean", "sd", "5%", "25%", "50%", "75%", "95%"].map(|c| (c, Align::Num)))
    .collect::<Vec<_>>();
    let rows: Vec<Vec<Markup>> = s
        .outcomes
        .iter()
        .map(|(name, o)| {
            let unit = schema.outcome(name).map_or("", |x| x.unit.as_str());
            let mut row = vec![
                html! { code { (name) } },
                html! { (unit) },
                html! { (thousands(o.n)) },
            ];
            row.extend(
                [o.mean, o.sd, o.p05, o.p25, o.p50, o.p75, o.p95].map(|v| html! { (cell(v)) }),
            );
            row
        })
        .collect();
    table(&columns, &rows, Some("outcomes"))
}

/// Every parameter with its distribution and source (`<tbody class="params">`).
fn parameters(s: &RunSummary) -> Markup {
    let rows: Vec<Vec<Markup>> = s
        .parameters
        .iter()
        .map(|p| {
            vec![
                html! { (p.key) },
                html! { (p.dist) },
                html! {
                    @if p.source.is_empty() { em { "no source given" } } @else { (p.source) }
                },
            ]
        })
        .collect();
    let columns = [
        ("key", Align::Key),
        ("distribution", Align::Text),
        ("source", Align::Text),
    ];
    table(&columns, &rows, Some("params"))
}
