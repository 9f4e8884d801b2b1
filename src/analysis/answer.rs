//! The answer in words: the first paragraph of every report, generated from the numbers
//! it reports and never claiming more than their intervals allow.
//!
//! Rules every sentence follows:
//! * a probability is written with its 95% interval, with as many decimals as it takes for
//!   the interval's ends to differ ([`percent`]);
//! * one thing is called larger, "the one that binds" or "the one that moves P most" only
//!   when the intervals say so: for probabilities of one run, when the Wilson intervals do
//!   not overlap; for differences under common random numbers, when the paired interval
//!   does not cover 0 ("not distinguishable" otherwise);
//! * estimates of correlations and explained variance are written as estimates ("about"),
//!   at a precision their interval supports.
//!
//! The functions are pure: a summary (or comparison, sweep, exploration) in, sentences out.
//! Each sentence's numbers are the JSON's numbers, formatted by the functions here, so a
//! test can check every sentence against the file it comes from.

use crate::analysis::compare::{Difference, ScenarioComparison as Comparison};
use crate::analysis::drivers::OutcomeDrivers;
use crate::analysis::explore::{Analysis, distinguishable};
use crate::analysis::run::RunSummary;
use crate::analysis::sweep::{Step, Sweep, value_text};
use crate::stats::Proportion;

/// The answer: sentences in reading order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Answer {
    /// Each sentence, ending with its full stop.
    pub sentences: Vec<String>,
}

impl Answer {
    /// The paragraph: the sentences joined by spaces.
    pub fn text(&self) -> String {
        self.sentences.join(" ")
    }
}

/// `n` with thousands separated by commas (`100,000`).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Decimals for an estimate with the interval `[lo, hi]` (in the unit they are written in)
/// so that `lo` and `hi` read differently: 0 when the interval spans 2 units or more, else
/// 1, up to 4.
fn decimals(lo: f64, hi: f64) -> usize {
    if hi <= lo {
        // No Monte Carlo error (the same value in every future): the value's own precision.
        return if lo.abs() >= 10.0 { 0 } else { 2 };
    }
    let mut d = if hi - lo >= 2.0 { 0 } else { 1 };
    while d < 4 && format!("{lo:.d$}") == format!("{hi:.d$}") {
        d += 1;
    }
    d
}

/// A probability with its interval, in percent: `3.6% (3.5-3.7%)`.
///
/// ```
/// use defsim::stats::Proportion;
/// let p = Proportion { p: 0.0361, ci95: [0.0350, 0.0373] };
/// assert_eq!(defsim::analysis::answer::percent(&p), "3.6% (3.5-3.7%)");
/// ```
pub fn percent(p: &Proportion) -> String {
    let (v, lo, hi) = (p.p * 100.0, p.ci95[0] * 100.0, p.ci95[1] * 100.0);
    let d = decimals(lo, hi);
    format!("{v:.d$}% ({lo:.d$}-{hi:.d$}%)")
}

/// A probability alone at the precision of its interval: `68.0%`.
pub fn percent_alone(p: &Proportion) -> String {
    let d = decimals(p.ci95[0] * 100.0, p.ci95[1] * 100.0);
    format!("{:.d$}%", p.p * 100.0)
}

/// A signed number at `d` decimals, `+` shown (`-0` written as `0`).
fn signed(v: f64, d: usize) -> String {
    let s = format!("{v:+.d$}");
    if s.trim_start_matches(['+', '-'])
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        s.trim_start_matches(['+', '-']).to_string()
    } else {
        s
    }
}

/// A difference with its paired interval, in `scale` times its unit, followed by `unit`:
/// `+1.2 points (95% interval +0.8 to +1.6)` (scale 100, unit "points").
pub fn difference(d: &Difference, scale: f64, unit: &str) -> String {
    let (v, lo, hi) = (d.diff * scale, d.ci95[0] * scale, d.ci95[1] * scale);
    let dec = decimals(lo, hi);
    format!(
        "{} {unit} (95% interval {} to {})",
        signed(v, dec),
        signed(lo, dec),
        signed(hi, dec)
    )
}

/// Whether two proportions' intervals do not overlap, `a` below `b`.
fn clearly_below(a: &Proportion, b: &Proportion) -> bool {
    a.ci95[1] < b.ci95[0]
}

/// A key as words: `power.grid_availability` -> `power grid availability`,
/// `lines.ammunition.learning_rate` -> `ammunition learning rate`, and the sections whose
/// name adds nothing dropped (`plan.oversight` -> `oversight`, `macro.trend_growth` ->
/// `trend growth`).
pub fn key_label(key: &str) -> String {
    let parts: Vec<&str> = key.split('.').collect();
    let words: Vec<&str> = match parts.as_slice() {
        [
            "lines" | "plan" | "macro" | "military" | "social",
            rest @ ..,
        ] if !rest.is_empty() => rest.to_vec(),
        [section, last] if last.contains(section) => vec![last],
        other => other.to_vec(),
    };
    words.join(" ").replace('_', " ")
}

/// A rank correlation at the precision its interval supports: 2 decimals when its
/// half-width is under 0.05, else 1.
fn correlation(r: f64, ci: [f64; 2]) -> String {
    let d = if ci[1] - ci[0] < 0.1 { 2 } else { 1 };
    signed(r, d)
}

/// The answer of one run: the headline probability (`headline`, e.g. `viable`: every
/// criterion met), the criterion that binds, and what drives it (from the summary's
/// `drivers`, which also name the criteria).
pub fn run(s: &RunSummary, headline: &str) -> Answer {
    let mut out = Vec::new();
    if let Some(v) = s.probabilities.get(headline) {
        out.push(format!(
            "In {} of {} simulated futures the plan is viable.",
            percent(v),
            thousands(s.trials)
        ));
    }
    let Some(drivers) = &s.drivers else {
        return Answer { sentences: out };
    };
    let mut criteria: Vec<(&str, &OutcomeDrivers, &Proportion)> = drivers
        .outcomes
        .iter()
        .filter_map(|(o, d)| Some((o.as_str(), d, s.probabilities.get(&d.criterion)?)))
        .collect();
    if criteria.len() >= 2 {
        criteria.sort_by(|a, b| a.2.p.total_cmp(&b.2.p));
        // The binding group: every criterion whose interval overlaps the lowest's.
        let lowest = criteria[0].2;
        let tied = criteria
            .iter()
            .take_while(|(_, _, p)| !clearly_below(lowest, p))
            .count();
        let rest: Vec<String> = criteria[tied..]
            .iter()
            .map(|(_, d, p)| format!("{} for {}", percent_alone(p), d.short))
            .collect();
        let against = if rest.is_empty() {
            String::new()
        } else {
            format!(", against {}", join_and(&rest))
        };
        if tied == 1 {
            let (_, d, p) = criteria[0];
            out.push(format!(
                "{} is the criterion that binds: it is met in {} of futures{against}.",
                capitalize(&d.short),
                percent(p)
            ));
        } else {
            let names: Vec<String> = criteria[..tied]
                .iter()
                .map(|(_, d, _)| d.short.clone())
                .collect();
            let shares: Vec<String> = criteria[..tied]
                .iter()
                .map(|(_, _, p)| percent(p))
                .collect();
            out.push(format!(
                "{} bind about equally: they are met in {} of futures (intervals that \
                 overlap){against}.",
                capitalize(&join_and(&names)),
                join_and(&shares)
            ));
        }
        let (outcome, d, _) = criteria[0];
        out.push(drivers_sentence(outcome, d));
    }
    Answer { sentences: out }
}

/// "The answer depends most on A (rank correlation with X +0.53) and B (-0.28); the
/// uncertain inputs together explain about 61% of its rank variance ..."
fn drivers_sentence(outcome: &str, d: &OutcomeDrivers) -> String {
    let outcome_words = outcome.replace('_', " ");
    if d.inputs.is_empty() {
        return format!(
            "No input of this scenario is uncertain: the spread of {outcome_words} comes from \
             the annual shocks alone."
        );
    }
    // Inputs whose correlation is clearly not 0 and not negligible, strongest first.
    let mut clear: Vec<(&str, f64, [f64; 2])> = d
        .inputs
        .iter()
        .filter_map(|i| {
            let r = i.spearman?;
            let clear = (i.ci95[0] > 0.0 || i.ci95[1] < 0.0) && r.abs() >= 0.05;
            clear.then_some((i.key.as_str(), r, i.ci95))
        })
        .collect();
    clear.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    let named: Vec<String> = clear
        .iter()
        .take(2)
        .enumerate()
        .map(|(k, (key, r, ci))| {
            if k == 0 {
                format!(
                    "{} (rank correlation with {outcome_words} {})",
                    key_label(key),
                    correlation(*r, *ci)
                )
            } else {
                format!("{} ({})", key_label(key), correlation(*r, *ci))
            }
        })
        .collect();
    let mut first = if named.is_empty() {
        format!(
            "No uncertain input moves {outcome_words} clearly (every rank correlation is below \
             0.05 or its interval covers 0)"
        )
    } else {
        format!("The answer depends most on {}", join_and(&named))
    };
    // A third input as strong as the second (their |r| intervals overlap) is named too.
    if let (Some(second), Some(third)) = (clear.get(1), clear.get(2)) {
        let lo2 = second.2[0].abs().min(second.2[1].abs());
        let hi3 = third.2[0].abs().max(third.2[1].abs());
        if hi3 >= lo2 {
            first.push_str(&format!(
                ", with {} ({}) not clearly weaker",
                key_label(third.0),
                correlation(third.1, third.2)
            ));
        }
    }
    match d.r2 {
        Some(r2) => {
            let width = (d.r2_ci95[1] - d.r2_ci95[0]) * 100.0;
            let pct = if width > 2.0 {
                ((r2 * 100.0 / 5.0).round() * 5.0) as i64
            } else {
                (r2 * 100.0).round() as i64
            };
            format!(
                "{first}; the uncertain inputs together explain about {pct}% of its rank \
                 variance (R² of a rank regression), the rest is the annual shocks."
            )
        }
        None => format!("{first}."),
    }
}

/// The answer of a comparison: each scenario against the first, in P(viable) and program
/// cost, with paired intervals.
pub fn compare(c: &Comparison) -> Answer {
    let mut out = Vec::new();
    let Some(first) = c.headline.first() else {
        return Answer::default();
    };
    out.push(format!(
        "Under {}, the plan is viable in {} of {} simulated futures; every scenario ran on the \
         same futures, so the differences below are paired.",
        first.scenario,
        percent(&first.p),
        thousands(c.trials)
    ));
    let row = |outcome: &str, scenario: &str| {
        c.outcomes
            .iter()
            .find(|r| r.outcome == outcome && r.scenario == scenario)
            .and_then(|r| r.paired.clone())
    };
    for v in &c.headline[1..] {
        let mut s = match row(&c.headline_name, &v.scenario) {
            Some(d) if distinguishable(&d) => format!(
                "{}: {}, {} P({}) by {}.",
                v.scenario,
                percent(&v.p),
                if d.diff > 0.0 { "raising" } else { "lowering" },
                c.headline_name,
                difference(&d, 100.0, "points")
            ),
            Some(d) => format!(
                "{}: {}, not distinguishable from {} (paired difference {}).",
                v.scenario,
                percent(&v.p),
                first.scenario,
                difference(&d, 100.0, "points")
            ),
            None => format!("{}: {}.", v.scenario, percent(&v.p)),
        };
        if let Some(d) = row("program_cost_musd", &v.scenario) {
            s.pop();
            let verdict = if distinguishable(&d) {
                ""
            } else {
                ", not distinguishable"
            };
            s.push_str(&format!(
                "; mean program cost {}{verdict}.",
                difference(&d, 1.0, "MUSD")
            ));
        }
        out.push(s);
    }
    Answer { sentences: out }
}

/// The answer of a sweep: P(viable) at both ends and where it is highest, said as firmly
/// as the steps' intervals allow.
pub fn sweep(s: &Sweep) -> Answer {
    let mut out = Vec::new();
    let steps: Vec<(&Step, &Proportion)> = s
        .steps
        .iter()
        .filter_map(|st| st.probabilities.get(&s.headline).map(|p| (st, p)))
        .collect();
    let (Some(first), Some(last)) = (steps.first(), steps.last()) else {
        return Answer::default();
    };
    let best = steps
        .iter()
        .copied()
        .reduce(|a, b| if b.1.p > a.1.p { b } else { a })
        .expect("steps");
    match &s.key2 {
        None => {
            let trend = if clearly_below(first.1, last.1) {
                "it clearly rises"
            } else if clearly_below(last.1, first.1) {
                "it clearly falls"
            } else {
                "the two ends are not clearly different (their intervals overlap)"
            };
            out.push(format!(
                "As {} goes from {} to {}, P({}) goes from {} to {} ({} simulated futures at \
                 each step): {trend}.",
                s.key,
                value_text(first.0.value),
                value_text(last.0.value),
                s.headline,
                percent(first.1),
                percent(last.1),
                thousands(s.trials)
            ));
        }
        Some(key2) => {
            let worst = steps
                .iter()
                .copied()
                .reduce(|a, b| if b.1.p < a.1.p { b } else { a })
                .expect("steps");
            let range = |v: &dyn Fn(&Step) -> f64| {
                let lo = steps.iter().map(|(st, _)| v(st)).fold(f64::MAX, f64::min);
                let hi = steps.iter().map(|(st, _)| v(st)).fold(f64::MIN, f64::max);
                format!("{} to {}", value_text(lo), value_text(hi))
            };
            let spread = if clearly_below(worst.1, best.1) {
                "the grid clearly matters"
            } else {
                "no point is clearly different from another (their intervals overlap)"
            };
            out.push(format!(
                "Over the grid of {} ({}) and {key2} ({}), P({}) ranges from {} at {} to {} at \
                 {} ({} simulated futures at each of {} points): {spread}.",
                s.key,
                range(&|st| st.value),
                range(&|st| st.value2.unwrap_or(f64::NAN)),
                s.headline,
                percent(worst.1),
                s.at(worst.0),
                percent(best.1),
                s.at(best.0),
                thousands(s.trials),
                steps.len()
            ));
        }
    }
    let overlapping = steps
        .iter()
        .filter(|(st, p)| !std::ptr::eq(*st, best.0) && !clearly_below(p, best.1))
        .count();
    out.push(if overlapping == 0 {
        format!(
            "It is highest at {}: {}, clearly above every other step.",
            s.at(best.0),
            percent(best.1)
        )
    } else {
        format!(
            "Its highest estimate is at {}: {}, not clearly above {} other step{} whose \
             interval overlaps it.",
            s.at(best.0),
            percent(best.1),
            overlapping,
            if overlapping == 1 { "" } else { "s" }
        )
    });
    Answer { sentences: out }
}

/// What the explore answer needs besides the analysis: names and labels.
#[derive(Debug, Clone)]
pub struct ExploreLabels<'a> {
    /// The criterion's name (`viable`).
    pub criterion: &'a str,
    /// Futures per policy.
    pub trials: u64,
    /// Each lever's key.
    pub levers: &'a [String],
    /// Each lever's level labels.
    pub levels: &'a [Vec<String>],
    /// Each policy in words (`captive power share 1, oversight 0.5`).
    pub policies: &'a [String],
}

/// The answer of an exploration: which policies reach the target, the cheapest, the lever
/// that moves P most, and what no policy achieves.
pub fn explore(a: &Analysis, l: &ExploreLabels) -> Answer {
    let mut out = Vec::new();
    let m = a.policies.len();
    let crit = format!("P({})", l.criterion);
    let best = (0..m).reduce(|x, y| {
        if a.policies[y].p.p > a.policies[x].p.p {
            y
        } else {
            x
        }
    });
    match &a.target {
        Some(t) => {
            let tp = format!("{}%", value_text(t.target * 100.0));
            out.push(format!(
                "{} of {m} policies reach {crit} >= {tp} in {} simulated futures ({} of them \
                 clearly, with the whole interval above it).",
                t.reaching,
                thousands(l.trials),
                t.clearly_reaching
            ));
            match &t.cheapest {
                Some(c) => {
                    let p = &a.policies[c.policy];
                    let mut s = format!(
                        "The cheapest is {}: {crit} = {}, mean program cost {:.0} MUSD",
                        l.policies[c.policy],
                        percent(&p.p),
                        p.program_cost()
                    );
                    if let Some(d) = &p.vs_scenario.program_cost_musd {
                        s.push_str(&format!(
                            " ({} against the plan as written)",
                            difference(d, 1.0, "MUSD")
                        ));
                    }
                    if !c.clearly {
                        s.push_str(
                            "; the target lies inside its interval, so it is not clearly reached",
                        );
                    }
                    s.push('.');
                    out.push(s);
                }
                None => {
                    if let Some(b) = best {
                        let p = &a.policies[b];
                        let reach = if p.p.ci95[1] >= t.target {
                            "its interval still reaches the target"
                        } else {
                            "the target lies above its interval"
                        };
                        out.push(format!(
                            "No policy reaches {crit} >= {tp}: the highest is {}, with {} \
                             ({reach}).",
                            l.policies[b],
                            percent(&p.p)
                        ));
                    }
                }
            }
        }
        None => {
            if let Some(b) = best {
                let p = &a.policies[b];
                out.push(format!(
                    "Of {m} policies, each on the same {} simulated futures, the highest {crit} \
                     is {}'s: {}.",
                    thousands(l.trials),
                    l.policies[b],
                    percent(&p.p)
                ));
            }
        }
    }
    if let Some(&j) = a.strongest.first() {
        let e = &a.effects[j];
        if let Some(d) = &e.effect {
            let from = &l.levels[j][e.low];
            let to = &l.levels[j][e.high];
            if distinguishable(d) {
                let mut s = format!(
                    "{} moves {crit} most: {} from {from} to {to}, averaged over the other \
                     levers",
                    capitalize(&key_label(&l.levers[j])),
                    difference(d, 100.0, "points")
                );
                if let Some(&k) = a.strongest.get(1)
                    && let Some(d2) = &a.effects[k].effect
                {
                    let tie = d.ci95[0].abs().min(d.ci95[1].abs())
                        <= d2.ci95[1].abs().max(d2.ci95[0].abs());
                    s.push_str(&format!(
                        "; next comes {} ({}){}",
                        key_label(&l.levers[k]),
                        difference(d2, 100.0, "points"),
                        if tie { ", not clearly weaker" } else { "" }
                    ));
                }
                s.push('.');
                out.push(s);
            } else {
                out.push(format!(
                    "No lever moves {crit} distinguishably: the largest main effect, of {}, is {}.",
                    key_label(&l.levers[j]),
                    difference(d, 100.0, "points")
                ));
            }
        }
    }
    Answer { sentences: out }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests;
