//! The parameter schema a model hands to [`crate::scenario::load`]: every key a scenario of
//! that model states, in scenario order, with its kind, domain, plausible range, unit and
//! meaning, and the model's rules across keys.
//!
//! `scenario/` knows no model: it validates whatever schema it is given. The `[scenario]`
//! table (name, description, extends, years, trials, seed) is common to every model and is
//! declared here ([`scenario_table`]); everything else comes from the model.

use crate::dist::Interval;

use super::Scenario;

/// Every key of a model's scenarios, and its rules across keys.
#[derive(Debug, Clone)]
pub struct KeySchema {
    /// The model's keys in scenario order (fixed values of a table before its numbers),
    /// `[scenario]` excluded.
    pub keys: Vec<Key>,
    /// Rules across keys, run once every key is valid on its own; an empty list when the
    /// scenario keeps them.
    pub cross_check: fn(&Scenario) -> Vec<Fault>,
    /// Numeric keys that may also be a yearly path (`{ path = [...], from = YEAR }`).
    pub paths: Vec<&'static str>,
    /// Outcomes a `[criteria]` expression may read (the model's, criteria aside).
    pub outcomes: Vec<String>,
}

/// One key of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// Dotted key path as written in scenario files (`macro.trend_growth`).
    pub path: String,
    /// What the key holds.
    pub kind: KeyKind,
    /// Unit of a number (`million 2024 USD`, `share`); empty for the dimensionless.
    pub unit: &'static str,
    /// What the key means, in one line.
    pub meaning: &'static str,
}

/// What a key holds.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyKind {
    /// A number, fixed or a distribution, whose support lies inside `domain`.
    Number {
        /// An uncertain input, a policy lever or a criterion's threshold.
        role: Role,
        /// Values the key may take at all.
        domain: Interval,
        /// Values a careful analyst would call plausible (the domain until a narrower range
        /// is documented).
        plausible: Interval,
    },
    /// A fixed value: never a distribution.
    Fixed(Fixed),
}

/// Whether a number is an uncertain input or a policy lever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A fact about the world known only as a distribution.
    Uncertain,
    /// A choice of the plan (budget share, oversight, scale): what a policy varies.
    Lever,
    /// A criterion's threshold: the analyst's standard of success.
    Threshold,
}

/// The kinds of fixed values.
#[derive(Debug, Clone, PartialEq)]
pub enum Fixed {
    /// `scenario.name`: a non-empty string safe as a folder name.
    Name,
    /// `scenario.description`: any string.
    Description,
    /// `scenario.extends`: a path, optional, consumed while loading.
    Extends,
    /// `scenario.start_year`: an integer in [`YEARS`].
    Year,
    /// An integer in `min..=max` (counts, seed).
    Count {
        /// Smallest value.
        min: i64,
        /// Largest value (`i64::MAX` for none).
        max: i64,
    },
    /// A state written as its index: one meaning per index (`0 (not sanctioned)`).
    IndexedState(Vec<&'static str>),
    /// A state written as its name, one of these.
    NamedState(Vec<&'static str>),
    /// A boolean flag.
    Flag,
    /// The name of a unit of output (`round`): a non-empty string.
    Unit,
    /// Non-empty shares summing to 1.
    Schedule,
    /// Forced states by year (`sanctions.path`): each entry one of `states` (written as its
    /// index when `indexed`, else as its name) or free (-1, "free"), paired with the
    /// optional year `<table>.from` of its first entry. Optional.
    StatePath {
        /// The states, in index order.
        states: Vec<&'static str>,
        /// Written as indices (0, 1) rather than names.
        indexed: bool,
    },
    /// The year of a [`Fixed::StatePath`]'s first entry. Optional.
    PathFrom,
    /// A non-empty name (`support.supplier`), with its default. Optional.
    Text(&'static str),
    /// One of a few words (`viability.independence_scope`), the first the default. Optional.
    Choice(Vec<&'static str>),
}

impl Fixed {
    /// What the key holds, for "is ..., never a distribution" messages.
    pub(crate) fn what(&self) -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed(match self {
            Fixed::Year => {
                return std::borrow::Cow::Owned(format!(
                    "a year, an integer in [{}, {}]",
                    YEARS.start(),
                    YEARS.end()
                ));
            }
            Fixed::Name | Fixed::Description | Fixed::Extends | Fixed::Unit => "a string",
            Fixed::Count { .. } => "a count (an integer)",
            Fixed::IndexedState(_) | Fixed::NamedState(_) => "a state",
            Fixed::Flag => "a flag (true or false)",
            Fixed::Schedule => "a list of shares",
            Fixed::StatePath { .. } => "a list of forced states",
            Fixed::PathFrom => "a year",
            Fixed::Text(_) | Fixed::Choice(_) => "a string",
        })
    }

    /// Whether a scenario may omit the key (`scenario.extends` and the version 2 keys,
    /// whose defaults change nothing).
    pub fn optional(&self) -> bool {
        matches!(
            self,
            Fixed::Extends
                | Fixed::StatePath { .. }
                | Fixed::PathFrom
                | Fixed::Text(_)
                | Fixed::Choice(_)
        )
    }
}

/// The start years a scenario may have: a plausible range for a model of an economy that
/// exists (and a year count that keeps every simulated year an `i32`).
pub const YEARS: std::ops::RangeInclusive<i64> = 1900..=2200;

/// The longest horizon, in years: one run keeps every trial's yearly series, and no
/// model of an economy's plan is meaningful over more than a century.
pub const MAX_HORIZON_YEARS: i64 = 100;

/// The most trials a scenario states (a run holds every trial's outcomes in memory).
pub const MAX_TRIALS: i64 = 50_000_000;

/// A checked fixed value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A name, description, path or unit.
    Str(String),
    /// A count, a year or an indexed state.
    Int(i64),
    /// A flag.
    Flag(bool),
    /// A named state: its index among the kind's states, and its name.
    State(usize, String),
    /// A schedule of shares.
    Shares(Vec<f64>),
    /// Forced states by year: a state's index, or `None` (free).
    Path(Vec<Option<usize>>),
}

impl Value {
    /// The integer of a count or year (0 otherwise).
    pub fn int(&self) -> i64 {
        match self {
            Value::Int(i) => *i,
            _ => 0,
        }
    }
}

/// A rule across keys that fails: where, and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// The key at fault, located in its file; or `None` for a fault of a whole table.
    pub path: Option<Vec<String>>,
    /// The dotted key or table named in the message.
    pub key: String,
    /// What is wrong and what to do.
    pub message: String,
}

/// The `[scenario]` table every model's scenarios share.
pub fn scenario_table() -> Vec<Key> {
    let key = |path: &str, kind: Fixed, meaning: &'static str| Key {
        path: path.to_string(),
        kind: KeyKind::Fixed(kind),
        unit: "",
        meaning,
    };
    vec![
        key(
            "scenario.name",
            Fixed::Name,
            "the scenario's name (default output folder)",
        ),
        key(
            "scenario.description",
            Fixed::Description,
            "the question the scenario asks",
        ),
        key(
            "scenario.extends",
            Fixed::Extends,
            "a scenario file this one changes (optional)",
        ),
        key(
            "scenario.start_year",
            Fixed::Year,
            "the first simulated year",
        ),
        key(
            "scenario.horizon_years",
            Fixed::Count {
                min: 1,
                max: MAX_HORIZON_YEARS,
            },
            "number of simulated years",
        ),
        key(
            "scenario.trials",
            Fixed::Count {
                min: 1,
                max: MAX_TRIALS,
            },
            "Monte Carlo trials of a run",
        ),
        key(
            "scenario.seed",
            Fixed::Count {
                min: 0,
                max: i64::MAX,
            },
            "seed of every random stream",
        ),
    ]
}

impl Scenario {
    /// The checked fixed value of `key` (`lines.vehicles.enabled`), if the model has it.
    pub fn setting(&self, key: &str) -> Option<&Value> {
        self.settings.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The distribution of numeric key `key`, if the model has it.
    pub fn param(&self, key: &str) -> Option<&crate::dist::Param> {
        self.params.iter().find(|p| p.key == key).map(|p| &p.param)
    }
}
