//! The viability model's parameters: one trial's concrete values, and the schema of
//! every numeric scenario key with its domain.
//!
//! [`NUMERIC_KEYS`] and [`LINE_KEYS`] are the single table of the numeric keys of a
//! scenario (see `docs/calibration.md`): the scenario validator checks each key's domain
//! from it, and the model writes a trial's drawn value through its `slot`. Keys that are
//! counts, states, names or flags live in [`Settings`] and are never distributions.

use crate::dist::Interval;

/// Names of the production lines, in the order used everywhere (arrays, outputs).
pub const LINE_NAMES: [&str; 4] = ["small_arms", "vehicles", "ammunition", "explosives"];

/// Number of production lines.
pub const N_LINES: usize = LINE_NAMES.len();

/// Foreign-support states, in the order of `support_state` (0 full, 1 reduced, 2 withdrawn).
pub const SUPPORT_STATES: [&str; 3] = ["full", "reduced", "withdrawn"];

/// `[0, 1]`: probabilities, shares, rates, independence thresholds.
pub const UNIT: Interval = Interval {
    lo: 0.0,
    hi: 1.0,
    lo_open: false,
    hi_open: false,
};
/// `(0, 1]`: learning rate, revenue share, extreme-poverty share.
pub const UNIT_POS: Interval = Interval {
    lo: 0.0,
    hi: 1.0,
    lo_open: true,
    hi_open: false,
};
/// `[0, 1)`: AR(1) persistences.
pub const UNIT_HALF_OPEN: Interval = Interval {
    lo: 0.0,
    hi: 1.0,
    lo_open: false,
    hi_open: true,
};
/// `(0, inf)`: prices, capital, capacity, GDP, population, cost ratios, multipliers.
pub const POSITIVE: Interval = Interval {
    lo: 0.0,
    hi: f64::INFINITY,
    lo_open: true,
    hi_open: true,
};
/// `[0, inf)`: demands, volatilities, uplifts, lead times, rates without a cap.
pub const NON_NEGATIVE: Interval = Interval {
    lo: 0.0,
    hi: f64::INFINITY,
    lo_open: false,
    hi_open: true,
};
/// `(-1, inf)`: trend growth.
pub const ABOVE_MINUS_ONE: Interval = Interval {
    lo: -1.0,
    hi: f64::INFINITY,
    lo_open: true,
    hi_open: true,
};
/// The whole real line: gold drift.
pub const REAL: Interval = Interval {
    lo: f64::NEG_INFINITY,
    hi: f64::INFINITY,
    lo_open: true,
    hi_open: true,
};

/// Macro-economy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Macro {
    pub gdp0_musd: f64,
    pub trend_growth: f64,
    pub volatility: f64,
    pub persistence: f64,
    pub conflict_drag: f64,
    pub revenue_share: f64,
    pub gold_revenue_share: f64,
    pub population0_m: f64,
    pub population_growth: f64,
}

/// Gold price-and-output index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gold {
    pub drift: f64,
    pub volatility: f64,
}

/// Regional sanctions (two-state Markov chain).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sanctions {
    pub onset_prob: f64,
    pub lift_prob: f64,
    pub growth_penalty: f64,
    pub import_premium: f64,
    pub financing_cut: f64,
}

/// What one foreign-support state means for the plan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SupportTerms {
    pub credit_share: f64,
    pub supply_reliability: f64,
    pub supplier_premium: f64,
    pub russia_share: f64,
}

/// Foreign support (three-state Markov chain) and its states' terms.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Support {
    pub reduce_prob: f64,
    pub withdraw_prob: f64,
    pub restore_prob: f64,
    pub recover_prob: f64,
    /// Terms in states full, reduced, withdrawn.
    pub states: [SupportTerms; 3],
}

/// Grid power and captive generation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Power {
    pub grid_availability: f64,
    pub annual_sd: f64,
    pub captive_availability: f64,
    pub captive_cost_premium: f64,
}

/// Procurement corruption.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Corruption {
    pub leakage: f64,
    pub oversight_cost_share: f64,
}

/// Conflict intensity and disruption of plants.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conflict {
    pub persistence: f64,
    pub volatility: f64,
    pub disruption_prob: f64,
    pub disruption_max_loss: f64,
}

/// Military equipment outside the plan's scope.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Military {
    pub out_of_scope_imports_musd: f64,
}

/// The plan's numeric levers and financing terms.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub capex_scale: f64,
    pub max_budget_share: f64,
    pub captive_power_share: f64,
    pub oversight: f64,
    pub credit_rate: f64,
    pub export_price_ratio: f64,
}

/// Social cost of the program's spending.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Social {
    pub poverty_gap_usd_per_person_year: f64,
    pub extreme_poverty_share: f64,
}

/// The viability test's thresholds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Viability {
    pub min_independence: f64,
    pub max_unit_cost_ratio: f64,
    pub max_fiscal_burden: f64,
}

/// Numeric parameters of one production line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineParams {
    pub capex_musd: f64,
    pub capacity: f64,
    pub lead_time_years: f64,
    pub import_price_usd: f64,
    pub import_content: f64,
    pub localization_rate: f64,
    pub min_import_content: f64,
    pub initial_cost_ratio: f64,
    pub learning_rate: f64,
    pub energy_share: f64,
    pub om_rate: f64,
    pub military_demand: f64,
    pub civil_demand: f64,
    pub export_demand: f64,
}

/// Every numeric parameter of one trial (drawn once per trial).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    pub macro_: Macro,
    pub gold: Gold,
    pub sanctions: Sanctions,
    pub support: Support,
    pub power: Power,
    pub corruption: Corruption,
    pub conflict: Conflict,
    pub military: Military,
    pub plan: Plan,
    pub social: Social,
    pub viability: Viability,
    pub lines: [LineParams; N_LINES],
}

/// Non-numeric settings of one line: never distributions.
#[derive(Debug, Clone, PartialEq)]
pub struct LineSettings {
    pub enabled: bool,
    pub exportable: bool,
    pub unit: String,
    /// Fractions of `capex_musd` wanted in each year from the plan's start; sums to 1.
    pub capex_schedule: Vec<f64>,
}

/// Counts, states and flags of a scenario: fixed values, never distributions.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub start_year: i32,
    pub horizon_years: usize,
    /// `sanctions.initial`: sanctioned in the first year.
    pub sanctions_initial: bool,
    /// `support.initial` as an index into [`SUPPORT_STATES`].
    pub support_initial: usize,
    pub start_offset: usize,
    pub credit_tenor_years: usize,
    pub lines: [LineSettings; N_LINES],
    /// `sanctions.path`, one entry per year of the horizon: the forced state, or `None` where
    /// the chain runs free (empty: never forced).
    pub sanctions_forced: Vec<Option<bool>>,
    /// `support.path` likewise, as indices into [`SUPPORT_STATES`].
    pub support_forced: Vec<Option<usize>>,
    /// Lever paths (`plan.<lever> = { path = [...] }`): the key and its value in every year
    /// of the horizon.
    pub lever_paths: Vec<(Slot, Vec<f64>)>,
    /// `viability.independence_scope = "enabled"`: the independence criterion reads
    /// `independence_enabled` instead of `independence`.
    pub scope_enabled: bool,
}

/// Keys that may be given as a yearly path (`{ path = [...], from = YEAR }`): plan levers.
pub const LEVER_KEYS: [&str; 3] = [
    "plan.captive_power_share",
    "plan.oversight",
    "plan.max_budget_share",
];

/// A scalar numeric key outside the lines: its path, domain and where a trial keeps it.
pub struct NumericKey {
    /// Dotted key path as written in scenario files.
    pub path: &'static str,
    /// Values the key may take (the support of its distribution must lie inside).
    pub domain: Interval,
    /// Where the value lives in [`Params`].
    pub slot: fn(&mut Params) -> &mut f64,
}

/// A numeric field of every line (`lines.<name>.<field>`).
pub struct LineKey {
    /// Field name inside `[lines.<name>]`.
    pub field: &'static str,
    /// Values the field may take.
    pub domain: Interval,
    /// Where the value lives in [`LineParams`].
    pub slot: fn(&mut LineParams) -> &mut f64,
}

const fn key(
    path: &'static str,
    domain: Interval,
    slot: fn(&mut Params) -> &mut f64,
) -> NumericKey {
    NumericKey { path, domain, slot }
}

/// Every numeric key outside `[lines.*]`, in scenario order.
pub const NUMERIC_KEYS: &[NumericKey] = &[
    key("macro.gdp0_musd", POSITIVE, |p| &mut p.macro_.gdp0_musd),
    key("macro.trend_growth", ABOVE_MINUS_ONE, |p| {
        &mut p.macro_.trend_growth
    }),
    key("macro.volatility", NON_NEGATIVE, |p| {
        &mut p.macro_.volatility
    }),
    key("macro.persistence", UNIT_HALF_OPEN, |p| {
        &mut p.macro_.persistence
    }),
    key("macro.conflict_drag", UNIT, |p| &mut p.macro_.conflict_drag),
    key("macro.revenue_share", UNIT_POS, |p| {
        &mut p.macro_.revenue_share
    }),
    key("macro.gold_revenue_share", UNIT, |p| {
        &mut p.macro_.gold_revenue_share
    }),
    key("macro.population0_m", POSITIVE, |p| {
        &mut p.macro_.population0_m
    }),
    key("macro.population_growth", UNIT, |p| {
        &mut p.macro_.population_growth
    }),
    key("gold.drift", REAL, |p| &mut p.gold.drift),
    key("gold.volatility", NON_NEGATIVE, |p| &mut p.gold.volatility),
    key("sanctions.onset_prob", UNIT, |p| {
        &mut p.sanctions.onset_prob
    }),
    key("sanctions.lift_prob", UNIT, |p| &mut p.sanctions.lift_prob),
    key("sanctions.growth_penalty", UNIT, |p| {
        &mut p.sanctions.growth_penalty
    }),
    key("sanctions.import_premium", NON_NEGATIVE, |p| {
        &mut p.sanctions.import_premium
    }),
    key("sanctions.financing_cut", UNIT, |p| {
        &mut p.sanctions.financing_cut
    }),
    key("support.reduce_prob", UNIT, |p| &mut p.support.reduce_prob),
    key("support.withdraw_prob", UNIT, |p| {
        &mut p.support.withdraw_prob
    }),
    key("support.restore_prob", UNIT, |p| {
        &mut p.support.restore_prob
    }),
    key("support.recover_prob", UNIT, |p| {
        &mut p.support.recover_prob
    }),
    key("support.full.credit_share", UNIT, |p| {
        &mut p.support.states[0].credit_share
    }),
    key("support.full.supply_reliability", UNIT, |p| {
        &mut p.support.states[0].supply_reliability
    }),
    key("support.full.supplier_premium", POSITIVE, |p| {
        &mut p.support.states[0].supplier_premium
    }),
    key("support.full.russia_share", UNIT, |p| {
        &mut p.support.states[0].russia_share
    }),
    key("support.reduced.credit_share", UNIT, |p| {
        &mut p.support.states[1].credit_share
    }),
    key("support.reduced.supply_reliability", UNIT, |p| {
        &mut p.support.states[1].supply_reliability
    }),
    key("support.reduced.supplier_premium", POSITIVE, |p| {
        &mut p.support.states[1].supplier_premium
    }),
    key("support.reduced.russia_share", UNIT, |p| {
        &mut p.support.states[1].russia_share
    }),
    key("support.withdrawn.credit_share", UNIT, |p| {
        &mut p.support.states[2].credit_share
    }),
    key("support.withdrawn.supply_reliability", UNIT, |p| {
        &mut p.support.states[2].supply_reliability
    }),
    key("support.withdrawn.supplier_premium", POSITIVE, |p| {
        &mut p.support.states[2].supplier_premium
    }),
    key("support.withdrawn.russia_share", UNIT, |p| {
        &mut p.support.states[2].russia_share
    }),
    key("power.grid_availability", UNIT, |p| {
        &mut p.power.grid_availability
    }),
    key("power.annual_sd", NON_NEGATIVE, |p| &mut p.power.annual_sd),
    key("power.captive_availability", UNIT, |p| {
        &mut p.power.captive_availability
    }),
    key("power.captive_cost_premium", NON_NEGATIVE, |p| {
        &mut p.power.captive_cost_premium
    }),
    key("corruption.leakage", UNIT, |p| &mut p.corruption.leakage),
    key("corruption.oversight_cost_share", UNIT, |p| {
        &mut p.corruption.oversight_cost_share
    }),
    key("conflict.persistence", UNIT_HALF_OPEN, |p| {
        &mut p.conflict.persistence
    }),
    key("conflict.volatility", NON_NEGATIVE, |p| {
        &mut p.conflict.volatility
    }),
    key("conflict.disruption_prob", UNIT, |p| {
        &mut p.conflict.disruption_prob
    }),
    key("conflict.disruption_max_loss", UNIT, |p| {
        &mut p.conflict.disruption_max_loss
    }),
    key("military.out_of_scope_imports_musd", NON_NEGATIVE, |p| {
        &mut p.military.out_of_scope_imports_musd
    }),
    key("plan.capex_scale", POSITIVE, |p| &mut p.plan.capex_scale),
    key("plan.max_budget_share", UNIT, |p| {
        &mut p.plan.max_budget_share
    }),
    key("plan.captive_power_share", UNIT, |p| {
        &mut p.plan.captive_power_share
    }),
    key("plan.oversight", UNIT, |p| &mut p.plan.oversight),
    key("plan.credit_rate", NON_NEGATIVE, |p| {
        &mut p.plan.credit_rate
    }),
    key("plan.export_price_ratio", NON_NEGATIVE, |p| {
        &mut p.plan.export_price_ratio
    }),
    key("social.poverty_gap_usd_per_person_year", POSITIVE, |p| {
        &mut p.social.poverty_gap_usd_per_person_year
    }),
    key("social.extreme_poverty_share", UNIT_POS, |p| {
        &mut p.social.extreme_poverty_share
    }),
    key("viability.min_independence", UNIT, |p| {
        &mut p.viability.min_independence
    }),
    key("viability.max_unit_cost_ratio", NON_NEGATIVE, |p| {
        &mut p.viability.max_unit_cost_ratio
    }),
    key("viability.max_fiscal_burden", NON_NEGATIVE, |p| {
        &mut p.viability.max_fiscal_burden
    }),
];

const fn line_key(
    field: &'static str,
    domain: Interval,
    slot: fn(&mut LineParams) -> &mut f64,
) -> LineKey {
    LineKey {
        field,
        domain,
        slot,
    }
}

/// Every numeric field of a line, in scenario order.
pub const LINE_KEYS: &[LineKey] = &[
    line_key("capex_musd", POSITIVE, |l| &mut l.capex_musd),
    line_key("capacity", POSITIVE, |l| &mut l.capacity),
    line_key("lead_time_years", NON_NEGATIVE, |l| &mut l.lead_time_years),
    line_key("import_price_usd", POSITIVE, |l| &mut l.import_price_usd),
    line_key("import_content", UNIT, |l| &mut l.import_content),
    line_key("localization_rate", UNIT, |l| &mut l.localization_rate),
    line_key("min_import_content", UNIT, |l| &mut l.min_import_content),
    line_key("initial_cost_ratio", POSITIVE, |l| {
        &mut l.initial_cost_ratio
    }),
    line_key("learning_rate", UNIT_POS, |l| &mut l.learning_rate),
    line_key("energy_share", UNIT, |l| &mut l.energy_share),
    line_key("om_rate", UNIT, |l| &mut l.om_rate),
    line_key("military_demand", NON_NEGATIVE, |l| &mut l.military_demand),
    line_key("civil_demand", NON_NEGATIVE, |l| &mut l.civil_demand),
    line_key("export_demand", NON_NEGATIVE, |l| &mut l.export_demand),
];

/// Where a numeric key path lives: a scalar key, or a line's field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// Index into [`NUMERIC_KEYS`].
    Global(usize),
    /// Line index and index into [`LINE_KEYS`].
    Line(usize, usize),
}

impl Slot {
    /// Resolves a dotted key path (`macro.trend_growth`, `lines.ammunition.capacity`).
    pub fn of(path: &str) -> Option<Slot> {
        if let Some(i) = NUMERIC_KEYS.iter().position(|k| k.path == path) {
            return Some(Slot::Global(i));
        }
        let rest = path.strip_prefix("lines.")?;
        let (line, field) = rest.split_once('.')?;
        let l = LINE_NAMES.iter().position(|n| *n == line)?;
        let f = LINE_KEYS.iter().position(|k| k.field == field)?;
        Some(Slot::Line(l, f))
    }

    /// The key's domain.
    pub fn domain(self) -> Interval {
        match self {
            Slot::Global(i) => NUMERIC_KEYS[i].domain,
            Slot::Line(_, f) => LINE_KEYS[f].domain,
        }
    }

    /// The value's place in `params`.
    pub fn get_mut(self, params: &mut Params) -> &mut f64 {
        match self {
            Slot::Global(i) => (NUMERIC_KEYS[i].slot)(params),
            Slot::Line(l, f) => (LINE_KEYS[f].slot)(&mut params.lines[l]),
        }
    }
}

/// Every numeric key path of a scenario, in scenario order (lines last).
pub fn numeric_key_paths() -> Vec<String> {
    let mut out: Vec<String> = NUMERIC_KEYS.iter().map(|k| k.path.to_string()).collect();
    for line in LINE_NAMES {
        for k in LINE_KEYS {
            out.push(format!("lines.{line}.{}", k.field));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_resolves_to_a_distinct_slot() {
        let paths = numeric_key_paths();
        let mut params = Params::default();
        for (i, p) in paths.iter().enumerate() {
            let slot = Slot::of(p).unwrap_or_else(|| panic!("{p} does not resolve"));
            *slot.get_mut(&mut params) = i as f64 + 1.0;
        }
        // Each slot kept its own value: no two paths share a field.
        for (i, p) in paths.iter().enumerate() {
            assert_eq!(
                *Slot::of(p).unwrap().get_mut(&mut params),
                i as f64 + 1.0,
                "{p}"
            );
        }
        assert_eq!(paths.len(), NUMERIC_KEYS.len() + N_LINES * LINE_KEYS.len());
    }

    #[test]
    fn unknown_paths_do_not_resolve() {
        for p in [
            "macro.trend",
            "lines.tanks.capacity",
            "lines.vehicles.colour",
            "plan.start_offset",
        ] {
            assert_eq!(Slot::of(p), None, "{p}");
        }
    }
}
