//! `explore.html`: the answer in words first, then the policies on the Pareto front, every
//! policy's figures, each lever's main effect, and the plots.

use std::fmt::Write;

use super::{QUESTION, cell, escape, figures, page, plots_heading, proportion, table};
use crate::analysis::answer::{Answer, thousands};
use crate::analysis::explore::report::ExploreReport;
use crate::export::plots::Plot;

fn diff(d: &Option<crate::compare::Difference>, scale: f64) -> String {
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

/// The page of `r` with its `plots`.
pub fn render(r: &ExploreReport, plots: &[Plot]) -> String {
    let mut body = String::new();
    let answer = Answer {
        sentences: r.answer.clone(),
    };
    let _ = write!(
        body,
        "<h1>defsim: explore {name}</h1>\n<p class=\"question\">{q}</p>\n{answer}\
<p class=\"meta\">{n} policies ({design}) of scenario <strong>{scenario}</strong>, each on the \
same {trials} simulated futures (seed {seed}, common random numbers: trial <em>k</em> has the \
same shocks and uncertain parameters under every policy). Criterion: <code>{crit}</code>. \
Intervals are 95%: Wilson for probabilities, paired for differences from the plan as written \
(two policies whose paired interval covers 0 are not distinguishable).</p>\n",
        name = escape(&r.experiment),
        q = escape(QUESTION),
        answer = super::answer(&answer),
        n = r.policies.len(),
        design = escape(&r.design),
        scenario = escape(&r.scenario),
        trials = thousands(r.trials),
        seed = r.seed,
        crit = escape(&r.criterion),
    );
    let _ = writeln!(
        body,
        "<p>The plan as written: P({}) = {}, mean program cost {} MUSD.</p>",
        escape(&r.criterion),
        proportion(&r.scenario_as_written.p),
        cell(Some(r.scenario_as_written.program_cost()))
    );
    let mut header: Vec<String> = vec!["#".into()];
    header.extend(r.levers.iter().map(|l| l.key.clone()));
    header.extend([
        format!("P({}) [95% CI]", r.criterion),
        "vs plan, points [95% CI]".into(),
        "program cost mean / p95".into(),
        "vs plan, MUSD [95% CI]".into(),
        "regret mean / p90".into(),
        "missed share".into(),
    ]);
    let row = |i: usize| {
        let p = &r.policies[i];
        let s = &p.stats;
        let mut row = vec![i.to_string()];
        row.extend(p.values.values().map(|v| escape(v)));
        row.push(format!(
            "{:.1}% [{:.1}, {:.1}]",
            s.p.p * 100.0,
            s.p.ci95[0] * 100.0,
            s.p.ci95[1] * 100.0
        ));
        row.push(diff(&s.vs_scenario.p, 100.0));
        row.push(format!(
            "{} / {}",
            cell(Some(s.outcomes[0].mean)),
            cell(Some(s.outcomes[0].p95))
        ));
        row.push(diff(&s.vs_scenario.program_cost_musd, 1.0));
        row.push(format!(
            "{} / {}",
            cell(Some(s.regret.mean)),
            cell(Some(s.regret.p90))
        ));
        row.push(format!("{:.1}%", s.missed_share * 100.0));
        row
    };
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut numeric = vec![true];
    numeric.extend(r.levers.iter().map(|_| false));
    numeric.extend([true; 6]);
    body.push_str("<h2>The Pareto front</h2>\n<p>No other policy is at least as likely to meet the criterion for less mean program cost. Cheapest first.</p>\n");
    let rows: Vec<Vec<String>> = r.front.iter().map(|&i| row(i)).collect();
    body.push_str(&table(&h, &numeric, &rows));
    body.push_str("<h2>Main effects</h2>\n<p>Mean P over the policies at each level of a lever (averaged over the other levers); the effect is the best level minus the worst, with its paired 95% interval.</p>\n");
    let rows: Vec<Vec<String>> = r
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
                        "{}: {}",
                        escape(lv),
                        m.map_or("-".into(), |m| format!("{:.1}%", m * 100.0))
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            vec![
                format!("<code>{}</code>", escape(&l.key)),
                levels,
                diff(&e.effect, 100.0),
            ]
        })
        .collect();
    body.push_str(&table(
        &["lever", "mean P by level", "effect, points [95% CI]"],
        &[false, false, true],
        &rows,
    ));
    body.push_str(plots_heading(plots));
    body.push_str(&figures(plots));
    body.push_str("<h2>Every policy</h2>\n");
    let rows: Vec<Vec<String>> = (0..r.policies.len()).map(row).collect();
    body.push_str(&table(&h, &numeric, &rows));
    page(&format!("defsim: explore {}", r.experiment), &body)
}
