//! `explore.html`: the answer in words first, then the policies on the Pareto front, each
//! lever's main effect, the plots, and every policy's figures.

use maud::{Markup, html};

use super::{Align, answer, cell, layout, plots_section, proportion, table};
use crate::analysis::answer::{Answer, thousands};
use crate::analysis::compare::Difference;
use crate::analysis::explore::report::ExploreReport;
use crate::export::plots::Plot;

/// A difference with its interval, in `scale` units: `d [lo, hi]`, or `-`.
fn diff(d: &Option<Difference>, scale: f64) -> String {
    match d {
        Some(d) => format!(
            "{} [{}, {}]",
            cell(Some(d.diff * scale)),
            cell(Some(d.ci95[0] * scale)),
            cell(Some(d.ci95[1] * scale))
        ),
        None => "-".into(),
    }
}

/// The policies `idx` as a table: lever values, then every figure.
fn policies(r: &ExploreReport, idx: &[usize]) -> Markup {
    let mut columns: Vec<(String, Align)> = vec![("#".into(), Align::Num)];
    columns.extend(r.levers.iter().map(|l| (l.key.clone(), Align::Key)));
    columns.extend(
        [
            format!("P({}) [95% CI]", r.criterion),
            "vs plan, points [95% CI]".into(),
            "program cost mean / p95".into(),
            "vs plan, MUSD [95% CI]".into(),
            "regret mean / p90".into(),
            "missed share".into(),
        ]
        .map(|c| (c, Align::NumWrap)),
    );
    let rows: Vec<Vec<Markup>> = idx
        .iter()
        .map(|&i| {
            let p = &r.policies[i];
            let s = &p.stats;
            let mut row = vec![html! { (i) }];
            row.extend(p.values.values().map(|v| html! { (v) }));
            row.extend([
                html! {
                    (format!(
                        "{:.1}% [{:.1}, {:.1}]",
                        s.p.p * 100.0,
                        s.p.ci95[0] * 100.0,
                        s.p.ci95[1] * 100.0
                    ))
                },
                html! { (diff(&s.vs_scenario.p, 100.0)) },
                html! { (cell(Some(s.outcomes[0].mean))) " / " (cell(Some(s.outcomes[0].p95))) },
                html! { (diff(&s.vs_scenario.program_cost_musd, 1.0)) },
                html! { (cell(Some(s.regret.mean))) " / " (cell(Some(s.regret.p90))) },
                html! { (format!("{:.1}%", s.missed_share * 100.0)) },
            ]);
            row
        })
        .collect();
    table(&columns, &rows, None)
}

/// Each lever's mean P by level and its effect.
fn effects(r: &ExploreReport) -> Markup {
    let rows: Vec<Vec<Markup>> = r
        .levers
        .iter()
        .zip(&r.effects)
        .map(|(l, e)| {
            let levels = l
                .levels
                .iter()
                .zip(&e.level_means)
                .map(|(lv, m)| {
                    format!(
                        "{lv}: {}",
                        m.map_or("-".into(), |m| format!("{:.1}%", m * 100.0))
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            vec![
                html! { (l.key) },
                html! { (levels) },
                html! { (diff(&e.effect, 100.0)) },
            ]
        })
        .collect();
    table(
        &[
            ("lever", Align::Key),
            ("mean P by level", Align::Text),
            ("effect, points [95% CI]", Align::Num),
        ],
        &rows,
        None,
    )
}

/// The page of `r` with its `plots`.
pub(crate) fn render(r: &ExploreReport, plots: &[Plot]) -> String {
    let words = Answer {
        sentences: r.answer.clone(),
    };
    let all: Vec<usize> = (0..r.policies.len()).collect();
    let body = html! {
        (answer(&words))
        p.meta {
            (r.policies.len()) " policies (" (r.design) ") of scenario " strong { (r.scenario) }
            ", each on the same " (thousands(r.trials)) " simulated futures (seed " (r.seed)
            ", common random numbers: trial " em { "k" } " has the same shocks and uncertain \
             parameters under every policy). Criterion: " code { (r.criterion) } ". Intervals \
             are 95%: Wilson for probabilities, paired for differences from the plan as \
             written (two policies whose paired interval covers 0 are not distinguishable)."
        }
        @for w in &r.warnings {
            p { strong { "Warning: " } (w) }
        }
        p {
            "The plan as written: P(" (r.criterion) ") = " (proportion(&r.scenario_as_written.p))
            ", mean program cost " (cell(Some(r.scenario_as_written.program_cost()))) " MUSD."
        }
        @if let Some(i) = r.recommended {
            p {
                "Recommended: policy " (i) " (" (r.policies[i].values.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join(", ")) "), "
                @if r.target.as_ref().is_some_and(|t| t.cheapest.is_some()) {
                    "the cheapest reaching the target"
                } @else {
                    "the highest P(" (r.criterion) ")"
                }
                "; its outcome distributions against the plan as written are plotted below                  (cdf_*). Replay one of its futures with "
                code { "defsim trace EXPERIMENT.toml --policy " (i) " --trial K" } "."
            }
        }
        h2 { "The Pareto front" }
        p {
            "No other policy is at least as likely to meet the criterion for less mean program \
             cost. Cheapest first."
        }
        (policies(r, &r.front))
        h2 { "Main effects" }
        p {
            "Mean P over the policies at each level of a lever (averaged over the other levers); \
             the effect is the best level minus the worst, with its paired 95% interval."
        }
        (effects(r))
        (plots_section(plots, false))
        h2 { "Every policy" }
        (policies(r, &all))
    };
    layout(
        &format!("defsim: explore {}", r.experiment),
        html! { "defsim: explore " (r.experiment) },
        body,
    )
}
