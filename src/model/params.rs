//! The viability model's parameters: one trial's concrete values ([`Params`]), the fixed
//! settings of a scenario ([`Settings`]: counts, states, names and flags, never
//! distributions) and the domains keys are checked against. The table of keys itself is
//! [`super::keys`].

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
}
