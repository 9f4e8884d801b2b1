//! The outcomes of a trial, computed from the final state and the final year's record, and
//! the outcome schema that tells everything after the engine what each outcome is (title,
//! unit, meaning, kind). To add an outcome: a row in [`TABLE`] and its value in
//! [`outcomes`], in the same place.

use super::params::{LINE_NAMES, N_LINES, Params, Settings};
use super::state::{State, YearRecord};
use crate::engine::{Criterion, Direction, Outcome, OutcomeKind};

/// How an outcome of this model is reported (see [`crate::engine::OutcomeKind`]).
#[derive(Debug, Clone, Copy)]
enum Kind {
    Continuous,
    /// A whole number (a count), present in every trial: integer-valued.
    Count,
    /// A calendar year (integer-valued), absent in some trials; the share present is the
    /// probability named here, read as the second string; the third says when the outcome
    /// is absent.
    OptionalYear(&'static str, &'static str, &'static str),
    /// Every criterion met.
    AllCriteria,
    /// `meets_*`: outcome, threshold key, direction, short legend name.
    Criterion(&'static str, &'static str, Direction, &'static str),
}

/// One row of the outcome table: name, title, unit, meaning, kind.
type Row = (&'static str, &'static str, &'static str, &'static str, Kind);

/// The model's outcomes, in the order the model writes them: [`Outcomes::values`], then one
/// 0/1 value per criterion ([`Outcomes::criteria`]). These names are public.
const TABLE: [Row; 17] = [
    (
        "independence",
        "independence",
        "share of military demand met by local value added",
        "Share of the value of military demand met by local value added in the last year.",
        Kind::Continuous,
    ),
    (
        "self_sufficiency",
        "self-sufficiency",
        "share of military demand produced locally",
        "Share of the value of military demand produced locally in the last year.",
        Kind::Continuous,
    ),
    (
        "program_cost_musd",
        "program cost",
        "million 2024 USD",
        "Capital (credit included), operating and oversight spending less sales, summed over the horizon.",
        Kind::Continuous,
    ),
    (
        "excess_cost_musd",
        "cost above buying the same imports",
        "million 2024 USD",
        "Program cost less what importing the locally made military units would have cost.",
        Kind::Continuous,
    ),
    (
        "unit_cost_ratio",
        "unit cost ratio",
        "local unit cost / import price",
        "Local unit cost over import parity in the last year, weighted by the value of military demand.",
        Kind::Continuous,
    ),
    (
        "peak_fiscal_burden",
        "peak fiscal burden",
        "net program cost / revenue, worst year",
        "The largest yearly net program spending as a share of government revenue.",
        Kind::Continuous,
    ),
    (
        "mean_fiscal_burden",
        "mean fiscal burden",
        "net program cost / revenue, yearly mean",
        "The mean over the years of net program spending as a share of government revenue.",
        Kind::Continuous,
    ),
    (
        "breakeven_year",
        "break-even year",
        "calendar year",
        "The first year local military output costs no more than importing it; absent if never.",
        Kind::OptionalYear(
            "breakeven_within_horizon",
            "program breaks even within the horizon",
            "the program never breaks even",
        ),
    ),
    (
        "russia_dependence",
        "Russia dependence",
        "Russian share of military imports",
        "Russia's share of the value of all imported military goods in the last year.",
        Kind::Continuous,
    ),
    (
        "gdp_final_musd",
        "GDP in the last year",
        "million 2024 USD",
        "GDP in the last year of the horizon.",
        Kind::Continuous,
    ),
    (
        "poverty_relief_forgone",
        "poverty relief forgone",
        "person-years of the poverty gap",
        "Domestic program spending expressed as person-years of closing the extreme-poverty gap.",
        Kind::Continuous,
    ),
    (
        "poverty_gap_share",
        "program spending / cost of closing the poverty gap",
        "ratio",
        "Domestic program spending over the cost of closing the extreme-poverty gap.",
        Kind::Continuous,
    ),
    (
        "years_sanctioned",
        "years under sanctions",
        "years",
        "Number of years under sanctions.",
        Kind::Count,
    ),
    (
        "viable",
        "viable",
        "1 = meets all three criteria",
        "1 when the trial meets every viability criterion.",
        Kind::AllCriteria,
    ),
    (
        "meets_min_independence",
        "meets the independence criterion",
        "1 = met",
        "1 when independence reaches viability.min_independence.",
        Kind::Criterion(
            "independence",
            "viability.min_independence",
            Direction::AtLeast,
            "independence",
        ),
    ),
    (
        "meets_max_unit_cost_ratio",
        "meets the unit cost criterion",
        "1 = met",
        "1 when the unit cost ratio stays at or below viability.max_unit_cost_ratio.",
        Kind::Criterion(
            "unit_cost_ratio",
            "viability.max_unit_cost_ratio",
            Direction::AtMost,
            "unit cost",
        ),
    ),
    (
        "meets_max_fiscal_burden",
        "meets the fiscal burden criterion",
        "1 = met",
        "1 when the peak fiscal burden stays at or below viability.max_fiscal_burden.",
        Kind::Criterion(
            "peak_fiscal_burden",
            "viability.max_fiscal_burden",
            Direction::AtMost,
            "fiscal burden",
        ),
    ),
];

/// Number of outcomes in [`Outcomes::values`] (the criteria follow them).
const N_VALUES: usize = 14;

/// The outcome schema of the viability model, in the order the model writes outcomes.
pub fn schema() -> Vec<Outcome> {
    TABLE
        .iter()
        .map(|&(name, title, unit, meaning, kind)| Outcome {
            name: name.into(),
            title: title.into(),
            unit: unit.into(),
            meaning: meaning.into(),
            integer: matches!(kind, Kind::Count | Kind::OptionalYear(..)),
            kind: match kind {
                Kind::Continuous | Kind::Count => OutcomeKind::Continuous,
                Kind::OptionalYear(presence, presence_title, absent_when) => {
                    OutcomeKind::Optional {
                        presence: presence.into(),
                        presence_title: presence_title.into(),
                        absent_when: absent_when.into(),
                    }
                }
                Kind::AllCriteria => OutcomeKind::AllCriteria,
                Kind::Criterion(of, threshold, direction, short) => {
                    OutcomeKind::Criterion(Criterion {
                        of: of.into(),
                        threshold: threshold.into(),
                        direction,
                        short: short.into(),
                    })
                }
            },
        })
        .collect()
}

/// Number of outcomes after the table's: `independence_enabled`, then per line
/// `<line>.independence` and `<line>.unit_cost_ratio`.
pub const N_EXTRA: usize = 1 + 2 * N_LINES;

/// The outcomes that follow the criteria, in the order of [`Outcomes::extra`]: independence
/// over the enabled lines, then each line's independence and unit cost ratio.
pub fn extra_schema() -> Vec<Outcome> {
    let mut out = vec![Outcome {
        name: "independence_enabled".into(),
        title: "independence of the enabled lines".into(),
        unit: "share of their military demand met by local value added".into(),
        meaning: "Share of the value of the enabled lines' military demand met by local value \
                  added in the last year (the criterion reads it when \
                  viability.independence_scope is \"enabled\")."
            .into(),
        kind: OutcomeKind::Continuous,
        integer: false,
    }];
    for line in LINE_NAMES {
        out.push(Outcome {
            name: format!("{line}.independence"),
            title: format!("{} independence", line.replace('_', " ")),
            unit: "share of its military demand met by local value added".into(),
            meaning: format!(
                "Share of the value of the {line} line's military demand met by local value \
                 added in the last year; 0 when the line is disabled, absent when it has no \
                 military demand."
            ),
            kind: OutcomeKind::MaybeAbsent,
            integer: false,
        });
        out.push(Outcome {
            name: format!("{line}.unit_cost_ratio"),
            title: format!("{} unit cost ratio", line.replace('_', " ")),
            unit: "local unit cost / import price".into(),
            meaning: format!(
                "The {line} line's local unit cost over import parity in the last year; 1 when \
                 the line is disabled (it buys at import parity)."
            ),
            kind: OutcomeKind::Continuous,
            integer: false,
        });
    }
    out
}

/// Index of `breakeven_year`, the one outcome that may be absent (NaN in [`Outcomes::values`]).
#[cfg(test)]
pub const BREAKEVEN: usize = 7;

/// One trial's outcomes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcomes {
    /// Values in the order of the first outcomes of [`TABLE`]; `breakeven_year` is NaN when there is no break-even.
    pub values: [f64; N_VALUES],
    /// Whether each viability criterion holds: independence, unit cost, fiscal burden.
    pub criteria: [bool; TABLE.len() - N_VALUES],
    /// The outcomes of [`extra_schema`], in its order (NaN where absent).
    pub extra: [f64; N_EXTRA],
}

/// Computes the outcomes after the last year `last`.
pub fn outcomes(p: &Params, s: &Settings, state: &State, last: &YearRecord) -> Outcomes {
    let totals = &state.totals;
    // Weighted by the value of military demand over the enabled lines. Validation ensures an
    // enabled line with demand; with none (a model test), every line weighs, so the outcome
    // stays finite.
    let any_enabled = s.lines.iter().any(|l| l.enabled);
    let (mut weighted, mut weight) = (0.0, 0.0);
    for ((lp, ly), ls) in p.lines.iter().zip(&last.lines).zip(&s.lines) {
        if ls.enabled || !any_enabled {
            let w = lp.import_price_usd * ly.military_demand;
            weighted += w * ly.unit_cost_ratio;
            weight += w;
        }
    }
    let unit_cost_ratio = weighted / weight;
    // Independence over the enabled lines (all lines when none is, as above).
    let (mut local, mut demand) = (0.0, 0.0);
    let mut extra = [0.0; N_EXTRA];
    for (l, ((lp, ly), ls)) in p.lines.iter().zip(&last.lines).zip(&s.lines).enumerate() {
        let value_local = lp.import_price_usd * ly.output_military * (1.0 - ly.import_content);
        let value_demand = lp.import_price_usd * ly.military_demand;
        if ls.enabled || !any_enabled {
            local += value_local;
            demand += value_demand;
        }
        extra[1 + 2 * l] = if lp.military_demand > 0.0 {
            value_local / value_demand
        } else {
            f64::NAN
        };
        extra[2 + 2 * l] = if ls.enabled { ly.unit_cost_ratio } else { 1.0 };
    }
    extra[0] = local / demand;
    let spend = totals.domestic_spend.max(0.0);
    let v = &p.viability;
    let judged_independence = if s.scope_enabled {
        extra[0]
    } else {
        last.independence
    };
    let criteria = [
        judged_independence >= v.min_independence,
        unit_cost_ratio <= v.max_unit_cost_ratio,
        totals.peak_burden <= v.max_fiscal_burden,
    ];
    let values = [
        last.independence,
        last.self_sufficiency,
        totals.program_cost,
        totals.program_cost - totals.import_equivalent,
        unit_cost_ratio,
        totals.peak_burden,
        totals.sum_burden / s.horizon_years as f64,
        totals.breakeven_year.map_or(f64::NAN, f64::from),
        last.russia_dependence,
        last.gdp,
        spend * 1e6 / p.social.poverty_gap_usd_per_person_year,
        spend / totals.poverty_gap_cost,
        f64::from(totals.years_sanctioned),
        f64::from(u8::from(criteria.iter().all(|c| *c))),
    ];
    Outcomes {
        values,
        criteria,
        extra,
    }
}
