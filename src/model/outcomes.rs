//! The outcomes of a trial (docs/model.md, "Outcomes"), computed from the final state and the
//! final year's record.

use super::params::{Params, Settings};
use super::state::{State, YearRecord};

/// Outcome names, in the order of [`Outcomes::values`]. These names are public.
pub const OUTCOME_NAMES: [&str; 14] = [
    "independence",
    "self_sufficiency",
    "program_cost_musd",
    "excess_cost_musd",
    "unit_cost_ratio",
    "peak_fiscal_burden",
    "mean_fiscal_burden",
    "breakeven_year",
    "russia_dependence",
    "gdp_final_musd",
    "poverty_relief_forgone",
    "poverty_gap_share",
    "years_sanctioned",
    "viable",
];

/// Index of `breakeven_year`, the one outcome that may be absent (NaN in [`Outcomes::values`]).
pub const BREAKEVEN: usize = 7;

/// Index of `viable`.
pub const VIABLE: usize = 13;

/// One trial's outcomes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcomes {
    /// Values in [`OUTCOME_NAMES`] order; `breakeven_year` is NaN when there is no break-even.
    pub values: [f64; 14],
    /// Whether each viability criterion holds: independence, unit cost, fiscal burden.
    pub criteria: [bool; 3],
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
    let spend = totals.domestic_spend.max(0.0);
    let v = &p.viability;
    let criteria = [
        last.independence >= v.min_independence,
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
    Outcomes { values, criteria }
}
