//! One trial's state as it walks the years, the annual shocks that drive it, and the
//! record of one year.
//!
//! Everything here is plain data of fixed size except the debt-service schedule, which is
//! allocated once per worker and reused across trials ([`State::reset`]).

use super::params::N_LINES;

/// Annual shocks of one year: standard variates only, so every component draws the same
/// number of variates every year whatever its state or parameters (common random numbers).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct YearDraws {
    /// Standard normal of the AR(1) growth shock.
    pub macro_eps: f64,
    /// Uniform deciding the sanctions transition.
    pub sanctions_u: f64,
    /// Uniform deciding the foreign-support transition.
    pub support_u: f64,
    /// Standard normal of the gold index.
    pub gold_eps: f64,
    /// Standard normal of grid availability.
    pub power_eps: f64,
    /// Standard normal of log conflict intensity.
    pub conflict_eps: f64,
    /// Per line: uniform deciding whether the plant is disrupted.
    pub disrupt_u: [f64; N_LINES],
    /// Per line: uniform giving the share of the loss range lost when disrupted.
    pub loss_u: [f64; N_LINES],
}

/// A line's state carried from year to year.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LineState {
    /// Effective capital `E` (MUSD) at the end of the last year.
    pub capital: f64,
    /// Unpaid domestic capital spending carried forward (MUSD).
    pub backlog: f64,
    /// First year index with output (first spending year + ceil(lead time)), once known.
    pub first_output: Option<usize>,
    /// Import content before this year's cut.
    pub import_content: f64,
    /// Cumulative output (units).
    pub cumulative: f64,
    /// Per-trial constant: Wright's learning exponent `log2(learning_rate)`, computed once
    /// at the start of the trial rather than per line and year.
    pub learning_exponent: f64,
    /// Per-trial constant: the energy factor of the local unit cost,
    /// `1 + energy_share * captive_power_share * captive_cost_premium`.
    pub energy: f64,
}

/// A trial's state. `t` counts years from the start year (0-based).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    /// GDP `Y` of the last year (MUSD).
    pub gdp: f64,
    /// AR(1) growth shock `u` of the last year.
    pub shock: f64,
    /// Gold index `G` of the last year.
    pub gold: f64,
    /// `ln k` of the last year.
    pub ln_conflict: f64,
    /// Sanctioned last year.
    pub sanctioned: bool,
    /// Support state last year (0 full, 1 reduced, 2 withdrawn).
    pub support: usize,
    /// Debt service due in each year of the horizon (MUSD).
    pub debt_service: Vec<f64>,
    /// Per-line state.
    pub lines: [LineState; N_LINES],
    /// Running totals for the outcomes.
    pub totals: Totals,
    /// The annuity discount `1 - (1 + rate)^-tenor`, keyed on the bits of the credit rate
    /// and the tenor (another trial's draw, a lever, other settings): a fixed rate costs one
    /// `powf` per worker.
    pub annuity_discount: Memo<(u64, usize), f64>,
    /// The poverty-gap cost of each year of the horizon, keyed on the bits of the
    /// parameters it depends on (population, its growth, the extreme-poverty share and gap)
    /// and the number of years: fixed ones cost one `powi` per year and worker, not per year
    /// and trial.
    pub poverty_gap: Memo<([u64; 4], usize), Vec<f64>>,
    /// Per line, Wright's exponent `log2(learning_rate)`, keyed on the bits of the rate: a
    /// fixed rate costs one `log2` per worker.
    pub learning_exponents: [Memo<u64, f64>; N_LINES],
}

/// A value that a worker keeps across trials, computed again only when its key (the bits of
/// what it is computed from) differs from the last one's; the same bits either way.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Memo<K, V> {
    /// The key of `value`; `None` before the first.
    key: Option<K>,
    value: V,
}

impl<K: PartialEq, V> Memo<K, V> {
    /// The value for `key`: the kept one, or refilled in place by `fill` (no allocation
    /// when `V` reuses its buffer) when the key differs.
    #[inline]
    pub fn get(&mut self, key: K, fill: impl FnOnce(&mut V)) -> &V {
        if self.key.as_ref() != Some(&key) {
            fill(&mut self.value);
            self.key = Some(key);
        }
        &self.value
    }
}

/// Running sums over the years that the outcomes need.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    /// Capital spending (credit included) + operating + oversight - sales (MUSD).
    pub program_cost: f64,
    /// What importing the locally made military units would have cost (MUSD).
    pub import_equivalent: f64,
    /// Domestic program spending, summed (MUSD).
    pub domestic_spend: f64,
    /// Cost of closing the extreme-poverty gap, summed over the years (MUSD).
    pub poverty_gap_cost: f64,
    /// Largest yearly fiscal burden.
    pub peak_burden: f64,
    /// Sum of yearly fiscal burdens.
    pub sum_burden: f64,
    /// Years sanctioned.
    pub years_sanctioned: u32,
    /// Calendar year of the first break-even, if any.
    pub breakeven_year: Option<i32>,
}

/// Everything about one line in one year (for yearly series and `trace`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LineYear {
    /// Capital spending wanted `W` (MUSD).
    pub wanted: f64,
    /// Foreign credit `C` (MUSD).
    pub credit: f64,
    /// Domestic capital spending paid (MUSD).
    pub paid: f64,
    /// Effective capital `E` at the end of the year (MUSD).
    pub capital: f64,
    /// Capacity `K` (units a year).
    pub capacity: f64,
    /// Output `Q` (units).
    pub output: f64,
    /// Output to the armed forces `Qm`.
    pub output_military: f64,
    /// Output to civil buyers.
    pub output_civil: f64,
    /// Output exported.
    pub output_export: f64,
    /// Military demand `Dm`.
    pub military_demand: f64,
    /// Import content used this year (before the year's cut).
    pub import_content: f64,
    /// Local unit cost `c` (USD).
    pub unit_cost: f64,
    /// `c / P`.
    pub unit_cost_ratio: f64,
    /// Operating cost (MUSD).
    pub operating: f64,
}

/// Everything about one year of one trial.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct YearRecord {
    /// Calendar year.
    pub year: i32,
    /// Sanctioned this year.
    pub sanctioned: bool,
    /// Support state (0 full, 1 reduced, 2 withdrawn).
    pub support: usize,
    /// Conflict intensity `k`.
    pub conflict: f64,
    /// Grid availability `a_t`.
    pub grid: f64,
    /// Plant availability `A_t`.
    pub availability: f64,
    /// Gold index `G`.
    pub gold: f64,
    /// Growth `g_t`.
    pub growth: f64,
    /// GDP (MUSD).
    pub gdp: f64,
    /// Government revenue (MUSD).
    pub revenue: f64,
    /// Program budget `B` (MUSD).
    pub budget: f64,
    /// Debt service (MUSD).
    pub debt_service: f64,
    /// Oversight cost (MUSD).
    pub oversight: f64,
    /// Sales to civil buyers and exports (MUSD).
    pub sales: f64,
    /// Domestic program spending (MUSD).
    pub program_spend: f64,
    /// Domestic program spending / revenue.
    pub fiscal_burden: f64,
    /// This year's self-sufficiency.
    pub self_sufficiency: f64,
    /// This year's independence.
    pub independence: f64,
    /// Russia's share of imported military value this year.
    pub russia_dependence: f64,
    /// Per-line details.
    pub lines: [LineYear; N_LINES],
}

impl State {
    /// A state for trials of `horizon` years (allocates the debt schedule once).
    pub fn new(horizon: usize) -> State {
        State {
            debt_service: vec![0.0; horizon],
            ..State::default()
        }
    }
}
