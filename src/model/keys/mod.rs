//! The viability model's parameter schema as data: every key of its scenarios with its
//! role, domain, plausible range, unit and meaning ([`NUMERIC_KEYS`], [`LINE_KEYS`] and the
//! fixed keys) and where a trial keeps each number (the `slot` of each row).
//!
//! [`key_schema`] hands this to the generic [`crate::scenario`] loader, which validates a
//! scenario against it; [`super::binding`] reads the checked scenario back.
//! Plausible ranges ([`PLAUSIBLE`]) bound every key whose domain is unbounded (and a few
//! more), so that every value `validate` accepts keeps a trial finite over the longest
//! horizon; elsewhere the plausible range is the domain. `docs/calibration.md` lists them
//! with the reason for each bound (`tests/docs_agree.rs` checks it against this table).
//! A new parameter is one row here, one field in [`super::params`] and its use in the step.

use super::binding::cross_check;
use super::params::*;
use crate::dist::Interval;
use crate::scenario::{Fixed, Key, KeyKind, KeySchema, MAX_HORIZON_YEARS, Role};

/// The table of numeric keys outside the lines.
mod numeric;
pub use numeric::NUMERIC_KEYS;

/// A scalar numeric key outside the lines: its path, role, domain, unit, meaning and where
/// a trial keeps it.
pub struct NumericKey {
    /// Dotted key path as written in scenario files.
    pub path: &'static str,
    /// Values the key may take (the support of its distribution must lie inside).
    pub domain: Interval,
    /// Uncertain input, policy lever or criterion threshold.
    pub role: Role,
    /// Unit.
    pub unit: &'static str,
    /// What the key means.
    pub meaning: &'static str,
    /// Where the value lives in [`Params`].
    pub slot: fn(&mut Params) -> &mut f64,
}

/// A numeric field of every line (`lines.<name>.<field>`).
pub struct LineKey {
    /// Field name inside `[lines.<name>]`.
    pub field: &'static str,
    /// Values the field may take.
    pub domain: Interval,
    /// Uncertain input, policy lever or criterion threshold.
    pub role: Role,
    /// Unit.
    pub unit: &'static str,
    /// What the field means.
    pub meaning: &'static str,
    /// Where the value lives in [`LineParams`].
    pub slot: fn(&mut LineParams) -> &mut f64,
}

const fn line_key(
    field: &'static str,
    domain: Interval,
    role: Role,
    unit: &'static str,
    meaning: &'static str,
    slot: fn(&mut LineParams) -> &mut f64,
) -> LineKey {
    LineKey {
        field,
        domain,
        role,
        unit,
        meaning,
        slot,
    }
}

/// Every numeric field of a line, in scenario order.
pub const LINE_KEYS: &[LineKey] = &[
    line_key(
        "capex_musd",
        POSITIVE,
        Role::Uncertain,
        "million 2024 USD",
        "capital needed for full nominal capacity",
        |l| &mut l.capex_musd,
    ),
    line_key(
        "capacity",
        POSITIVE,
        Role::Uncertain,
        "units a year",
        "output at full capacity and full utilisation",
        |l| &mut l.capacity,
    ),
    line_key(
        "lead_time_years",
        NON_NEGATIVE,
        Role::Uncertain,
        "years",
        "years from the first spending to the first output",
        |l| &mut l.lead_time_years,
    ),
    line_key(
        "import_price_usd",
        POSITIVE,
        Role::Uncertain,
        "USD per unit",
        "landed price of one imported finished unit, no sanctions",
        |l| &mut l.import_price_usd,
    ),
    line_key(
        "import_content",
        UNIT,
        Role::Uncertain,
        "share of unit cost",
        "imported share of a locally made unit's cost at the first output",
        |l| &mut l.import_content,
    ),
    line_key(
        "localization_rate",
        UNIT,
        Role::Uncertain,
        "share per producing year",
        "cut in import content after each producing year",
        |l| &mut l.localization_rate,
    ),
    line_key(
        "min_import_content",
        UNIT,
        Role::Uncertain,
        "share of unit cost",
        "floor that localization cannot pass",
        |l| &mut l.min_import_content,
    ),
    line_key(
        "initial_cost_ratio",
        POSITIVE,
        Role::Uncertain,
        "local unit cost / import price",
        "local unit cost at the reference volume, before learning",
        |l| &mut l.initial_cost_ratio,
    ),
    line_key(
        "learning_rate",
        UNIT_POS,
        Role::Uncertain,
        "progress ratio per doubling",
        "cost multiplier of each doubling of cumulative output (Wright's law)",
        |l| &mut l.learning_rate,
    ),
    line_key(
        "energy_share",
        UNIT,
        Role::Uncertain,
        "share of local unit cost",
        "share of local unit cost that is energy",
        |l| &mut l.energy_share,
    ),
    line_key(
        "om_rate",
        UNIT,
        Role::Uncertain,
        "share of effective capital a year",
        "fixed operating cost",
        |l| &mut l.om_rate,
    ),
    line_key(
        "military_demand",
        NON_NEGATIVE,
        Role::Uncertain,
        "units a year at intensity 1",
        "what the armed forces need at conflict intensity 1",
        |l| &mut l.military_demand,
    ),
    line_key(
        "civil_demand",
        NON_NEGATIVE,
        Role::Uncertain,
        "units a year at the start GDP",
        "civilian demand at the initial GDP; grows with GDP",
        |l| &mut l.civil_demand,
    ),
    line_key(
        "export_demand",
        NON_NEGATIVE,
        Role::Uncertain,
        "units a year",
        "what neighbours would buy, when exportable",
        |l| &mut l.export_demand,
    ),
];

/// Fixed keys outside the lines: path, kind, meaning. Each sits before the numbers of its
/// table.
fn fixed_keys() -> Vec<(&'static str, Fixed, &'static str)> {
    vec![
        (
            "sanctions.initial",
            Fixed::IndexedState(vec!["not sanctioned at the start", "sanctioned"]),
            "whether the first year is under sanctions",
        ),
        (
            "sanctions.path",
            Fixed::StatePath {
                states: vec!["not sanctioned", "sanctioned"],
                indexed: true,
            },
            "forced sanctions states by year (1, 0, or -1 free), from sanctions.from (optional)",
        ),
        (
            "sanctions.from",
            Fixed::PathFrom,
            "the year of sanctions.path's first entry (default: the start year)",
        ),
        (
            "support.initial",
            Fixed::NamedState(SUPPORT_STATES.to_vec()),
            "the foreign-support state of the first year",
        ),
        (
            "support.path",
            Fixed::StatePath {
                states: SUPPORT_STATES.to_vec(),
                indexed: false,
            },
            "forced support states by year (\"full\", \"reduced\", \"withdrawn\" or \"free\"), from support.from (optional)",
        ),
        (
            "support.from",
            Fixed::PathFrom,
            "the year of support.path's first entry (default: the start year)",
        ),
        (
            "support.supplier",
            Fixed::Text("Russia"),
            "the foreign supplier's name in reports and plots (default \"Russia\")",
        ),
        (
            "plan.start_offset",
            Fixed::Count {
                min: 0,
                max: MAX_HORIZON_YEARS,
            },
            "years from the start year to the plan's first spending",
        ),
        (
            "plan.credit_tenor_years",
            Fixed::Count {
                min: 1,
                max: MAX_HORIZON_YEARS,
            },
            "years over which each year's credit is repaid",
        ),
        (
            "viability.independence_scope",
            Fixed::Choice(vec!["all", "enabled"]),
            "which lines' demand the independence criterion reads: \"all\" (default) or \"enabled\"",
        ),
    ]
}

/// Fixed keys of every line: field, kind, meaning.
fn line_fixed_keys() -> Vec<(&'static str, Fixed, &'static str)> {
    vec![
        (
            "enabled",
            Fixed::Flag,
            "whether the scenario builds the line",
        ),
        (
            "unit",
            Fixed::Unit,
            "name of the unit (rifle, vehicle, round, tonne)",
        ),
        (
            "capex_schedule",
            Fixed::Schedule,
            "shares of capex_musd wanted in each year from the plan's start",
        ),
        (
            "exportable",
            Fixed::Flag,
            "whether surplus may be sold to neighbours",
        ),
    ]
}

fn number(
    path: String,
    role: Role,
    domain: Interval,
    unit: &'static str,
    meaning: &'static str,
) -> Key {
    let range = plausible(&path).map_or(domain, |p| p.intersect(&domain));
    Key {
        path,
        kind: KeyKind::Number {
            role,
            domain,
            plausible: range,
        },
        unit,
        meaning,
    }
}

/// Plausible ranges narrower than the domain, by key (`lines.*.` for every line's field):
/// wide enough for any calibration a careful analyst would defend, narrow enough that a
/// trial stays finite over [`MAX_HORIZON_YEARS`] (growth of 50% a year for a century is
/// about 4e17 times the start, far inside `f64`). `docs/calibration.md` lists them, each with
/// the reason for its bounds.
pub const PLAUSIBLE: &[(&str, f64, f64)] = &[
    ("macro.gdp0_musd", 1.0, 1e7),
    ("macro.trend_growth", -0.5, 0.5),
    ("macro.volatility", 0.0, 0.5),
    ("macro.revenue_share", 0.01, 1.0),
    ("macro.gold_revenue_share", 0.0, 0.9),
    ("macro.population0_m", 0.01, 2000.0),
    ("macro.population_growth", 0.0, 0.2),
    ("gold.drift", -0.5, 0.5),
    ("gold.volatility", 0.0, 1.0),
    ("sanctions.import_premium", 0.0, 10.0),
    ("support.full.supplier_premium", 0.1, 10.0),
    ("support.reduced.supplier_premium", 0.1, 10.0),
    ("support.withdrawn.supplier_premium", 0.1, 10.0),
    ("power.annual_sd", 0.0, 0.5),
    ("power.captive_cost_premium", 0.0, 10.0),
    ("conflict.volatility", 0.0, 2.0),
    ("military.out_of_scope_imports_musd", 0.0, 1e6),
    ("plan.capex_scale", 0.01, 100.0),
    ("plan.credit_rate", 0.0, 1.0),
    ("plan.export_price_ratio", 0.0, 10.0),
    ("social.poverty_gap_usd_per_person_year", 1.0, 5000.0),
    ("social.extreme_poverty_share", 0.001, 1.0),
    ("viability.max_unit_cost_ratio", 0.0, 100.0),
    ("viability.max_fiscal_burden", 0.0, 10.0),
    ("lines.*.capex_musd", 0.01, 1e6),
    ("lines.*.capacity", 1e-3, 1e9),
    ("lines.*.lead_time_years", 0.0, 50.0),
    ("lines.*.import_price_usd", 1e-3, 1e9),
    ("lines.*.initial_cost_ratio", 0.01, 100.0),
    ("lines.*.learning_rate", 0.5, 1.0),
    ("lines.*.military_demand", 0.0, 1e10),
    ("lines.*.civil_demand", 0.0, 1e10),
    ("lines.*.export_demand", 0.0, 1e10),
];

/// The plausible range of `path` from [`PLAUSIBLE`], if narrower than its domain.
fn plausible(path: &str) -> Option<Interval> {
    let generic = match path.strip_prefix("lines.") {
        Some(rest) => rest
            .split_once('.')
            .map(|(_, field)| format!("lines.*.{field}")),
        None => None,
    };
    PLAUSIBLE
        .iter()
        .find(|(p, _, _)| *p == path || Some(*p) == generic.as_deref())
        .map(|&(_, lo, hi)| Interval::closed(lo, hi))
}

fn fixed(path: String, kind: Fixed, meaning: &'static str) -> Key {
    Key {
        path,
        kind: KeyKind::Fixed(kind),
        unit: "",
        meaning,
    }
}

/// The viability model's parameter schema, in scenario order: each table's fixed keys
/// before its numbers, the lines last.
pub fn key_schema() -> KeySchema {
    let mut keys = Vec::new();
    let mut tables: Vec<&str> = Vec::new();
    let mut pending = fixed_keys();
    for k in NUMERIC_KEYS {
        let table = k.path.split('.').next().unwrap_or(k.path);
        if !tables.contains(&table) {
            tables.push(table);
            let (mine, rest): (Vec<_>, Vec<_>) = pending
                .into_iter()
                .partition(|(p, _, _)| p.split('.').next() == Some(table));
            pending = rest;
            keys.extend(
                mine.into_iter()
                    .map(|(p, kind, m)| fixed(p.to_string(), kind, m)),
            );
        }
        keys.push(number(
            k.path.to_string(),
            k.role,
            k.domain,
            k.unit,
            k.meaning,
        ));
    }
    keys.extend(
        pending
            .into_iter()
            .map(|(p, kind, m)| fixed(p.to_string(), kind, m)),
    );
    for line in LINE_NAMES {
        for (field, kind, m) in line_fixed_keys() {
            keys.push(fixed(format!("lines.{line}.{field}"), kind, m));
        }
        for k in LINE_KEYS {
            let path = format!("lines.{line}.{}", k.field);
            keys.push(number(path, k.role, k.domain, k.unit, k.meaning));
        }
    }
    KeySchema {
        keys,
        cross_check,
        paths: super::params::LEVER_KEYS.to_vec(),
        outcomes: super::outcomes::schema()
            .into_iter()
            .chain(super::outcomes::extra_schema())
            .map(|o| o.name)
            .collect(),
    }
}
