//! `sensitivity.html`: which uncertain inputs drive each outcome. The method and its run,
//! then per outcome its chart (the tornado or Sobol bar chart written next to the page)
//! and its table of effects, strongest first.

use indexmap::IndexMap;
use maud::{Markup, html};
use serde::Serialize;

use super::{Align, Framing, layout, table};
use crate::analysis::sensitivity::{OutcomeReport, SensitivityReport};
use crate::export::plots::style::thousands;

/// The page of `report`. `charts` maps an outcome to the file stem of its chart
/// (`tornado-<outcome>`, written as `.png` and `.svg` next to the page); `columns` are the
/// table's column titles (the input, then one per number of `cells`).
pub(crate) fn render<E: Serialize>(
    framing: Framing,
    report: &SensitivityReport<E>,
    charts: &IndexMap<String, String>,
    columns: &[&str],
    cells: fn(&E) -> Vec<f64>,
) -> String {
    let body = html! {
        p.meta { "Seed " (report.seed) ". " (method(report)) }
        p {
            "Inputs are the scenario's uncertain per-trial parameters; the annual shocks ("
            (framing.shocks)
            ") are not inputs: they stay random in every trial, and the variance they cause is \
             what no input explains."
        }
        @if let Some(w) = &report.warning {
            p { strong { "Warning: " } (w) }
        }
        nav {
            ul {
                @for name in report.outcomes.keys() {
                    li { a href={ "#" (name) } { (name) } }
                }
            }
        }
        @for (name, o) in &report.outcomes {
            h2 id=(name) { (name) }
            @if let Some(note) = &o.note {
                p { em { (note) } }
            } @else {
                @if let Some(stem) = charts.get(name) {
                    figure {
                        img src={ (stem) ".svg" } alt={ "chart of " (name) };
                        figcaption {
                            "Files: " a href={ (stem) ".png" } { (stem) ".png" } ", "
                            a href={ (stem) ".svg" } { (stem) ".svg" }
                        }
                    }
                }
                (effects(o, columns, cells))
            }
        }
    };
    layout(
        framing,
        &format!("defsim: sensitivity of {}", report.scenario),
        html! { "defsim: sensitivity of scenario " (report.scenario) " (" (report.method) ")" },
        body,
    )
}

/// What the method computed, on how many runs, with which intervals.
fn method<E: Serialize>(report: &SensitivityReport<E>) -> String {
    if report.method == "rank" {
        format!(
            "Spearman rank correlation and partial rank correlation (PRCC) of each uncertain \
             parameter with each outcome over {} trials, with 95% intervals from Fisher's \
             z-transform (variance of Bonett and Wright 2000); decile_delta is the outcome's \
             mean over the parameter's top decile minus its bottom decile.",
            thousands(report.model_runs),
        )
    } else {
        format!(
            "Sobol first-order (Saltelli 2010) and total (Jansen 1999) indices on a Saltelli \
             design of N = {} scrambled Sobol base points: N (k + 2) = {} model runs, with 95% \
             percentile intervals from {} bootstrap resamples of the base points.",
            thousands(report.base_samples.unwrap_or(0)),
            thousands(report.model_runs),
            report.bootstrap_resamples.unwrap_or(0)
        )
    }
}

/// One outcome's table: the input, then its numbers to 3 decimals (`-` where undefined).
fn effects<E: Serialize>(
    o: &OutcomeReport<E>,
    columns: &[&str],
    cells: fn(&E) -> Vec<f64>,
) -> Markup {
    let columns: Vec<(&str, Align)> = columns
        .iter()
        .enumerate()
        .map(|(i, &c)| (c, if i == 0 { Align::Key } else { Align::Num }))
        .collect();
    let rows: Vec<Vec<Markup>> = o
        .effects
        .iter()
        .map(|r| {
            let mut row = vec![html! { (r.input) }];
            row.extend(cells(&r.effect).into_iter().map(|v| {
                html! {
                    @if v.is_nan() { "-" } @else { (format!("{v:.3}")) }
                }
            }));
            row
        })
        .collect();
    table(&columns, &rows, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::sensitivity::Row;

    /// A one-number effect.
    #[derive(Debug, Serialize)]
    struct Effect(f64);

    fn report(scenario: &str, input: &str) -> SensitivityReport<Effect> {
        let mut outcomes = IndexMap::new();
        let effects = vec![
            Row {
                input: input.into(),
                effect: Effect(0.12345),
            },
            Row {
                input: "b".into(),
                effect: Effect(f64::NAN),
            },
        ];
        outcomes.insert(
            "x".to_string(),
            OutcomeReport {
                n: 100,
                note: None,
                effects,
            },
        );
        outcomes.insert(
            "y".to_string(),
            OutcomeReport {
                n: 3,
                note: Some("present in only 3 trials: too few to rank".into()),
                effects: Vec::new(),
            },
        );
        SensitivityReport {
            scenario: scenario.into(),
            method: "rank",
            seed: 7,
            model_runs: 100_000,
            base_samples: None,
            intervals: "Fisher z, Bonett-Wright variance",
            bootstrap_resamples: None,
            inputs: vec![input.into(), "b".into()],
            warning: None,
            outcomes,
        }
    }

    #[test]
    fn page_holds_each_outcome_its_chart_table_or_note() {
        let charts = IndexMap::from([("x".to_string(), "tornado-x".to_string())]);
        let framing = Framing {
            question: "q?",
            shocks: "growth, gold",
        };
        let page = render(
            framing,
            &report("base", "a.b"),
            &charts,
            &["input", "v"],
            |e| vec![e.0],
        );
        assert!(page.contains("<h2 id=\"x\">x</h2>") && page.contains("<h2 id=\"y\">y</h2>"));
        assert!(page.contains("<img src=\"tornado-x.svg\" alt=\"chart of x\">"));
        assert!(page.contains("href=\"tornado-x.png\""));
        assert!(
            page.contains(">0.123</td>") && page.contains(">-</td>"),
            "{page}"
        );
        assert!(page.contains("<em>present in only 3 trials: too few to rank</em>"));
        assert_eq!(
            page.matches("<table>").count(),
            1,
            "no table for a noted outcome"
        );
        assert!(page.contains("over 100,000 trials") && page.contains("Seed 7."));
        assert!(page.contains("q?") && page.contains("the annual shocks (growth, gold) are"));
    }

    #[test]
    fn names_from_the_scenario_are_escaped() {
        let hostile = "<script>x</script>&";
        let page = render(
            Framing {
                question: "q?",
                shocks: "growth",
            },
            &report(hostile, hostile),
            &IndexMap::new(),
            &["input", "v"],
            |e| vec![e.0],
        );
        assert!(!page.contains("<script>"), "{page}");
        assert_eq!(
            page.matches("&lt;script&gt;x&lt;/script&gt;&amp;").count(),
            3
        );
    }
}
