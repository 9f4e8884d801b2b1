//! The yearly step of the viability model: a pure function of the trial's parameters, the
//! state at the end of last year and this year's drawn shocks (steps 1 to 8 of
//! `docs/model.md`).
//!
//! No random numbers, no I/O, no allocation: a test can walk a trial with hand-made draws.
//! [`step_into`] reads as the list of steps; each step is one function below it. The split
//! keeps every floating-point operation in its original order, so results are bit-identical
//! to the single-function step they replace.

use super::params::{LineParams, N_LINES, Params, Settings, SupportTerms};
use super::state::{LineState, LineYear, State, Totals, YearDraws, YearRecord};

/// Growth is floored at -90% in a year, so GDP and revenue stay positive.
pub const GROWTH_FLOOR: f64 = -0.9;

/// Resets `state` to the start of a trial (the year before `start_year`).
pub fn start(p: &Params, s: &Settings, state: &mut State) {
    state.gdp = p.macro_.gdp0_musd;
    state.shock = 0.0;
    state.gold = 1.0;
    state.ln_conflict = 0.0;
    state.sanctioned = s.sanctions_initial;
    state.support = s.support_initial;
    state.debt_service.clear();
    state.debt_service.resize(s.horizon_years, 0.0);
    let c = p.plan.captive_power_share;
    for ((line, lp), exponent) in state
        .lines
        .iter_mut()
        .zip(&p.lines)
        .zip(&mut state.learning_exponents)
    {
        let exponent = *exponent.get(lp.learning_rate.to_bits(), |e| {
            *e = lp.learning_rate.log2();
        });
        *line = LineState {
            import_content: lp.import_content,
            learning_exponent: exponent,
            energy: 1.0 + lp.energy_share * c * p.power.captive_cost_premium,
            ..LineState::default()
        };
    }
    state.totals = Totals::default();
}

/// Next sanctions state: from 0 enter with `onset_prob`, from 1 leave with `lift_prob`.
fn next_sanctions(p: &Params, sanctioned: bool, u: f64) -> bool {
    if sanctioned {
        u >= p.sanctions.lift_prob
    } else {
        u < p.sanctions.onset_prob
    }
}

/// Next support state (0 full, 1 reduced, 2 withdrawn). In state reduced one uniform decides:
/// below `withdraw_prob` withdraws, below `withdraw_prob + restore_prob` restores.
fn next_support(p: &Params, support: usize, u: f64) -> usize {
    let q = &p.support;
    match support {
        0 if u < q.reduce_prob => 1,
        1 if u < q.withdraw_prob => 2,
        1 if u < q.withdraw_prob + q.restore_prob => 0,
        2 if u < q.recover_prob => 1,
        other => other,
    }
}

/// Annuity payment on `principal` at `rate` over `years` (`principal / years` at rate 0, and
/// at a rate so small that `1 + rate` rounds to 1, where the formula would divide by zero).
#[cfg(test)]
pub fn annuity(principal: f64, rate: f64, years: usize) -> f64 {
    annuity_with(principal, rate, years, discount(rate, years))
}

/// The annuity's discount `1 - (1 + rate)^-years`.
fn discount(rate: f64, years: usize) -> f64 {
    1.0 - (1.0 + rate).powf(-(years as f64))
}

/// [`annuity`] with its [`discount`] given (a per-trial constant unless a lever moves the
/// rate): the same bits, without a `powf` per year with credit.
fn annuity_with(principal: f64, rate: f64, years: usize, discount: f64) -> f64 {
    let n = years as f64;
    if rate == 0.0 || discount == 0.0 {
        principal / n
    } else {
        principal * rate / discount
    }
}

/// Value-weighted shares of military demand met locally (`self_sufficiency`) and met by local
/// value added (`independence`), over all lines: disabled lines' demand counts, imported.
fn military_shares(p: &Params, rec: &YearRecord) -> (f64, f64) {
    let (mut met, mut local, mut demand) = (0.0, 0.0, 0.0);
    for (lp, ly) in p.lines.iter().zip(&rec.lines) {
        met += lp.import_price_usd * ly.output_military;
        local += lp.import_price_usd * ly.output_military * (1.0 - ly.import_content);
        demand += lp.import_price_usd * ly.military_demand;
    }
    (met / demand, local / demand)
}

/// Advances `state` by year `t` (0-based) with this year's shocks `d`; returns the year's record.
#[cfg(test)]
pub fn step(p: &Params, s: &Settings, state: &mut State, d: &YearDraws, t: usize) -> YearRecord {
    let mut rec = YearRecord::default();
    step_into(p, s, state, d, t, &mut rec);
    rec
}

/// This year's conditions outside the program: the processes' states and the economy.
struct Conditions<'a> {
    /// 1 when sanctioned this year, else 0.
    sanctioned: f64,
    /// The terms of this year's support state.
    terms: &'a SupportTerms,
    /// Conflict intensity `k`.
    conflict: f64,
    /// Grid availability.
    grid: f64,
    /// Power availability of the plants (captive and grid mix).
    availability: f64,
    /// GDP growth (floored at [`GROWTH_FLOOR`]).
    growth: f64,
    /// Government revenue (MUSD).
    revenue: f64,
}

/// What the year's budget leaves for capital once fixed obligations are met (step 1).
struct Budget {
    /// The program's budget ceiling (MUSD).
    ceiling: f64,
    /// Debt service due this year (MUSD).
    debt_service: f64,
    /// What is left for domestic capital spending (MUSD, never negative).
    available: f64,
}

/// The year's money, summed over the lines (step 7).
struct Money {
    /// Capital spending, credit included (MUSD).
    capital_spend: f64,
    /// Operating cost (MUSD).
    operating: f64,
    /// Oversight cost (MUSD).
    oversight: f64,
    /// Domestic program spending net of sales (MUSD).
    program_spend: f64,
    /// `program_spend / revenue`.
    fiscal_burden: f64,
}

/// Advances `state` by year `t` (0-based) with this year's shocks `d`, writing the year's
/// record into `rec` (every field is overwritten, which saves copying the record on the
/// engine's hot path).
pub fn step_into(
    p: &Params,
    s: &Settings,
    state: &mut State,
    d: &YearDraws,
    t: usize,
    rec: &mut YearRecord,
) {
    rec.year = s.start_year + t as i32;
    let cond = conditions(p, s, state, d, t);
    let budget = budget(p, state, &cond, t);
    let leak = p.corruption.leakage * (1.0 - p.plan.oversight);
    invest(p, s, state, rec, &cond, budget.available, leak, t);
    let premium = 1.0 + p.sanctions.import_premium * cond.sanctioned;
    let mut sales = 0.0;
    for l in 0..N_LINES {
        sales += produce(p, s, state, rec, &cond, d, leak, premium, l);
    }
    let money = money(p, rec, &budget, sales, cond.revenue);
    let (imported, demand) = imports(p, rec, cond.conflict);
    record(rec, state, &cond, &budget, &money, sales);
    (rec.self_sufficiency, rec.independence) = military_shares(p, rec);
    rec.russia_dependence = cond.terms.russia_share * imported / demand;
    let poverty_gap = poverty_gap_cost(p, s, state, t);
    accumulate(
        p,
        &mut state.totals,
        rec,
        t,
        money.capital_spend + money.operating + money.oversight - sales,
        premium,
        poverty_gap,
    );
}

/// The cost of closing the extreme-poverty gap in year `t` (MUSD), from the state's cache
/// of every year's cost, computed again (the same expression, the same bits) only when the
/// parameters it depends on are not those it was computed from.
fn poverty_gap_cost(p: &Params, s: &Settings, state: &mut State, t: usize) -> f64 {
    let params = [
        p.macro_.population0_m,
        p.macro_.population_growth,
        p.social.extreme_poverty_share,
        p.social.poverty_gap_usd_per_person_year,
    ]
    .map(f64::to_bits);
    let years = s.horizon_years.max(t + 1);
    state.poverty_gap.get((params, years), |by_year| {
        by_year.clear();
        by_year.extend((0..years).map(|t| {
            let population = p.macro_.population0_m
                * 1e6
                * (1.0 + p.macro_.population_growth).powi(t as i32 + 1);
            population * p.social.extreme_poverty_share * p.social.poverty_gap_usd_per_person_year
                / 1e6
        }));
    })[t]
}

/// Moves the processes (sanctions, support, gold, conflict, power, growth shock) one year and
/// grows the economy. The first year uses the initial states; transitions apply from the
/// second. A year that `sanctions.path` or `support.path` forces takes the forced state
/// (the chain's uniform was drawn all the same), and the next free year moves from it.
fn conditions<'a>(
    p: &'a Params,
    s: &Settings,
    state: &mut State,
    d: &YearDraws,
    t: usize,
) -> Conditions<'a> {
    if t > 0 {
        state.sanctioned = next_sanctions(p, state.sanctioned, d.sanctions_u);
        state.support = next_support(p, state.support, d.support_u);
    }
    if let Some(forced) = s.sanctions_forced.get(t).copied().flatten() {
        state.sanctioned = forced;
    }
    if let Some(forced) = s.support_forced.get(t).copied().flatten() {
        state.support = forced;
    }
    let sanctioned = f64::from(u8::from(state.sanctioned));
    let terms = &p.support.states[state.support];
    state.gold *=
        (p.gold.drift - 0.5 * p.gold.volatility.powi(2) + p.gold.volatility * d.gold_eps).exp();
    state.ln_conflict =
        p.conflict.persistence * state.ln_conflict + p.conflict.volatility * d.conflict_eps;
    let k = state.ln_conflict.exp();
    let grid = (p.power.grid_availability + p.power.annual_sd * d.power_eps).clamp(0.0, 1.0);
    let c = p.plan.captive_power_share;
    let availability = c * p.power.captive_availability + (1.0 - c) * grid;
    state.shock = p.macro_.persistence * state.shock + p.macro_.volatility * d.macro_eps;
    let growth = (p.macro_.trend_growth + state.shock
        - p.sanctions.growth_penalty * sanctioned
        - p.macro_.conflict_drag * (k - 1.0))
        .max(GROWTH_FLOOR);
    state.gdp *= 1.0 + growth;
    let revenue = state.gdp
        * p.macro_.revenue_share
        * (1.0 + p.macro_.gold_revenue_share * (state.gold - 1.0));
    Conditions {
        sanctioned,
        terms,
        conflict: k,
        grid,
        availability,
        growth,
        revenue,
    }
}

/// Step 1. Budget: fixed obligations first (debt service, O&M on last year's capital).
fn budget(p: &Params, state: &State, cond: &Conditions, t: usize) -> Budget {
    let ceiling = p.plan.max_budget_share
        * cond.revenue
        * (1.0 - p.sanctions.financing_cut * cond.sanctioned);
    let debt_service = state.debt_service[t];
    let om: f64 = (0..N_LINES)
        .map(|l| p.lines[l].om_rate * state.lines[l].capital)
        .sum();
    Budget {
        ceiling,
        debt_service,
        available: (ceiling - debt_service - om).max(0.0),
    }
}

/// Capital spending each line wants this year: its scheduled share of the plan's capital
/// plus last year's unpaid backlog (0 for disabled lines and before the plan starts).
fn wanted(p: &Params, s: &Settings, state: &State, t: usize) -> [f64; N_LINES] {
    let plan_year = t.checked_sub(s.start_offset);
    let mut wanted = [0.0; N_LINES];
    for (l, want) in wanted.iter_mut().enumerate() {
        if let (true, Some(i)) = (s.lines[l].enabled, plan_year) {
            let scheduled = s.lines[l].capex_schedule.get(i).copied().unwrap_or(0.0);
            *want = scheduled * p.lines[l].capex_musd * p.plan.capex_scale + state.lines[l].backlog;
        }
    }
    wanted
}

/// Steps 2 and 3. Capital spending wanted, credit, and the domestic part rationed by the
/// budget; then capital and capacity, and the year's credit scheduled as debt service.
#[allow(clippy::too_many_arguments)]
fn invest(
    p: &Params,
    s: &Settings,
    state: &mut State,
    rec: &mut YearRecord,
    cond: &Conditions,
    available: f64,
    leak: f64,
    t: usize,
) {
    let terms = cond.terms;
    let wanted = wanted(p, s, state, t);
    let sum_domestic: f64 = wanted.iter().map(|w| w * (1.0 - terms.credit_share)).sum();
    let pay_ratio = if sum_domestic > 0.0 {
        (available / sum_domestic).min(1.0)
    } else {
        0.0
    };
    let mut credit_total = 0.0;
    for (l, &want) in wanted.iter().enumerate() {
        let credit = want * terms.credit_share;
        let domestic = want * (1.0 - terms.credit_share);
        let paid = domestic * pay_ratio;
        credit_total += credit;
        let ls = &mut state.lines[l];
        ls.backlog = domestic - paid;
        rec.lines[l].wanted = want;
        build(
            &p.lines[l],
            p.plan.capex_scale,
            ls,
            &mut rec.lines[l],
            t,
            leak,
            credit,
            paid,
        );
    }
    schedule_debt(p, s, state, credit_total, t);
}

/// Step 3 for one line: capital and capacity; output starts ceil(lead time) years after the
/// first spending.
#[allow(clippy::too_many_arguments)]
fn build(
    lp: &LineParams,
    scale: f64,
    ls: &mut LineState,
    ly: &mut LineYear,
    t: usize,
    leak: f64,
    credit: f64,
    paid: f64,
) {
    if credit + paid > 0.0 && ls.first_output.is_none() {
        ls.first_output = Some(t + lp.lead_time_years.ceil() as usize);
    }
    ly.credit = credit;
    ly.paid = paid;
    ly.operating = lp.om_rate * ls.capital; // O&M on last year's capital
    ls.capital += (credit + paid) * (1.0 - leak);
    ly.capital = ls.capital;
    let full = lp.capex_musd * scale;
    ly.capacity = match ls.first_output {
        Some(first) if t >= first => lp.capacity * scale * (ls.capital / full).min(1.0),
        _ => 0.0,
    };
}

/// Each year's credit is repaid as an annuity from the next year; payments past the
/// horizon are not counted.
fn schedule_debt(p: &Params, s: &Settings, state: &mut State, credit_total: f64, t: usize) {
    if credit_total > 0.0 {
        let rate = p.plan.credit_rate;
        let tenor = s.credit_tenor_years;
        let cached = *state
            .annuity_discount
            .get((rate.to_bits(), tenor), |d| *d = discount(rate, tenor));
        let pay = annuity_with(credit_total, rate, tenor, cached);
        let end = (t + 1 + s.credit_tenor_years).min(s.horizon_years);
        for due in &mut state.debt_service[(t + 1).min(end)..end] {
            *due += pay;
        }
    }
}

/// Steps 4 to 6 for line `l`: output, allotment (armed forces first, then civil buyers, then
/// exports), learning and unit cost, and the cut in import content after a producing year.
/// Returns the line's sales to civil buyers and abroad (MUSD).
#[allow(clippy::too_many_arguments)]
fn produce(
    p: &Params,
    s: &Settings,
    state: &mut State,
    rec: &mut YearRecord,
    cond: &Conditions,
    d: &YearDraws,
    leak: f64,
    premium: f64,
    l: usize,
) -> f64 {
    let terms = cond.terms;
    let k = cond.conflict;
    let lp = &p.lines[l];
    let gdp = state.gdp;
    let ls = &mut state.lines[l];
    let ly = &mut rec.lines[l];
    let ic = ls.import_content;
    let dm = lp.military_demand * k;
    let dc = lp.civil_demand * gdp / p.macro_.gdp0_musd;
    let dx = if s.lines[l].exportable {
        lp.export_demand
    } else {
        0.0
    };
    let supply = 1.0 - ic * (1.0 - terms.supply_reliability);
    let disrupted = d.disrupt_u[l] < (p.conflict.disruption_prob * k).min(1.0);
    let loss = if disrupted {
        d.loss_u[l] * p.conflict.disruption_max_loss
    } else {
        0.0
    };
    let q = (ly.capacity * cond.availability * supply * (1.0 - loss)).min(dm + dc + dx);
    let qm = q.min(dm);
    let qc = (q - qm).min(dc);
    ls.cumulative += q;

    let price = lp.import_price_usd;
    let parity = price * premium;
    let reference = lp.capacity;
    // Wright's law from the reference volume on (no pow/log2 below it: the hot path).
    let learning = if ls.cumulative > reference {
        (ls.cumulative / reference).powf(ls.learning_exponent)
    } else {
        1.0
    };
    let local = lp.initial_cost_ratio * learning * ls.energy * (1.0 + leak);
    let unit_cost = price * (ic * premium * terms.supplier_premium + (1.0 - ic) * local);

    ly.military_demand = dm;
    ly.import_content = ic;
    ly.output = q;
    ly.output_military = qm;
    ly.output_civil = qc;
    ly.output_export = q - qm - qc;
    ly.unit_cost = unit_cost;
    ly.unit_cost_ratio = unit_cost / parity;
    ly.operating += q * unit_cost / 1e6;
    if q > 0.0 {
        ls.import_content = (ic * (1.0 - lp.localization_rate)).max(lp.min_import_content);
    }
    (qc * parity + ly.output_export * price * p.plan.export_price_ratio) / 1e6
}

/// Step 7. Money: what the program cost the budget this year, net of its sales.
fn money(p: &Params, rec: &YearRecord, budget: &Budget, sales: f64, revenue: f64) -> Money {
    let capital_spend: f64 = rec.lines.iter().map(|ly| ly.credit + ly.paid).sum();
    let paid: f64 = rec.lines.iter().map(|ly| ly.paid).sum();
    let operating: f64 = rec.lines.iter().map(|ly| ly.operating).sum();
    let oversight =
        p.corruption.oversight_cost_share * p.plan.oversight * (capital_spend + operating);
    let program_spend = paid + operating + oversight + budget.debt_service - sales;
    Money {
        capital_spend,
        operating,
        oversight,
        program_spend,
        fiscal_burden: program_spend / revenue,
    }
}

/// Step 8. Imports fill the rest: returns the imported military value and all military
/// demand (MUSD), out-of-scope imports included.
fn imports(p: &Params, rec: &YearRecord, k: f64) -> (f64, f64) {
    let out_of_scope = p.military.out_of_scope_imports_musd * k;
    let (mut imported, mut demand) = (out_of_scope, out_of_scope);
    for (lp, ly) in p.lines.iter().zip(&rec.lines) {
        imported += lp.import_price_usd
            * ((ly.military_demand - ly.output_military) + ly.output_military * ly.import_content)
            / 1e6;
        demand += lp.import_price_usd * ly.military_demand / 1e6;
    }
    (imported, demand)
}

/// Copies the year's program-wide figures into its record.
fn record(
    rec: &mut YearRecord,
    state: &State,
    cond: &Conditions,
    budget: &Budget,
    money: &Money,
    sales: f64,
) {
    rec.sanctioned = state.sanctioned;
    rec.support = state.support;
    rec.conflict = cond.conflict;
    rec.grid = cond.grid;
    rec.availability = cond.availability;
    rec.gold = state.gold;
    rec.growth = cond.growth;
    rec.gdp = state.gdp;
    rec.revenue = cond.revenue;
    rec.budget = budget.ceiling;
    rec.debt_service = budget.debt_service;
    rec.oversight = money.oversight;
    rec.sales = sales;
    rec.program_spend = money.program_spend;
    rec.fiscal_burden = money.fiscal_burden;
}

/// Adds year `t` to the running totals.
/// `premium` is the year's sanctions uplift on import prices (`P = p * premium`);
/// `poverty_gap` the year's cost of closing the extreme-poverty gap ([`poverty_gap_cost`]).
fn accumulate(
    p: &Params,
    totals: &mut Totals,
    rec: &YearRecord,
    t: usize,
    cost: f64,
    premium: f64,
    poverty_gap: f64,
) {
    totals.program_cost += cost;
    for (lp, ly) in p.lines.iter().zip(&rec.lines) {
        totals.import_equivalent += ly.output_military * lp.import_price_usd * premium / 1e6;
    }
    totals.domestic_spend += rec.program_spend;
    totals.poverty_gap_cost += poverty_gap;
    totals.peak_burden = if t == 0 {
        rec.fiscal_burden
    } else {
        totals.peak_burden.max(rec.fiscal_burden)
    };
    totals.sum_burden += rec.fiscal_burden;
    totals.years_sanctioned += u32::from(rec.sanctioned);
    if totals.breakeven_year.is_none() {
        let (mut cost, mut value) = (0.0, 0.0);
        for (lp, ly) in p.lines.iter().zip(&rec.lines) {
            if ly.output_military > 0.0 {
                cost += ly.output_military * ly.unit_cost;
                value += ly.output_military * lp.import_price_usd;
            }
        }
        if value > 0.0 && cost <= value {
            totals.breakeven_year = Some(rec.year);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
