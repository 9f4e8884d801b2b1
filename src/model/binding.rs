//! Binding a validated scenario to the viability model: where each numeric key lives in a
//! trial's [`Params`] ([`Slot`]), the fixed settings read back from the scenario
//! ([`Settings::from_scenario`]), and the model's rules across keys ([`cross_check`]), which
//! the generic loader runs once every key is valid on its own.

use super::keys::{LINE_KEYS, NUMERIC_KEYS};
use super::params::*;
use crate::scenario::{Fault, Scenario, Value};

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

impl Settings {
    /// The counts, states and flags of a scenario validated against [`key_schema`].
    pub fn from_scenario(s: &Scenario) -> Settings {
        let get = |key: &str| s.setting(key).cloned();
        let size = |key: &str| get(key).map_or(0, |v| usize::try_from(v.int()).unwrap_or(0));
        let flag = |key: &str| matches!(get(key), Some(Value::Flag(true)));
        Settings {
            start_year: s.start_year,
            horizon_years: s.horizon_years,
            sanctions_initial: get("sanctions.initial").is_some_and(|v| v.int() == 1),
            support_initial: match get("support.initial") {
                Some(Value::State(i, _)) => i,
                _ => 0,
            },
            start_offset: size("plan.start_offset"),
            credit_tenor_years: size("plan.credit_tenor_years"),
            lines: std::array::from_fn(|l| {
                let at = |field: &str| format!("lines.{}.{field}", LINE_NAMES[l]);
                LineSettings {
                    enabled: flag(&at("enabled")),
                    exportable: flag(&at("exportable")),
                    unit: match get(&at("unit")) {
                        Some(Value::Str(u)) => u,
                        _ => String::new(),
                    },
                    capex_schedule: match get(&at("capex_schedule")) {
                        Some(Value::Shares(s)) => s,
                        _ => Vec::new(),
                    },
                }
            }),
        }
    }
}

/// Rules across keys: the localization floor under the import content on every line; at
/// least one enabled line with military demand.
pub(crate) fn cross_check(s: &Scenario) -> Vec<Fault> {
    let mut faults = Vec::new();
    let find = |key: String| s.params.iter().find(|p| p.key == key);
    for line in LINE_NAMES {
        let floor = find(format!("lines.{line}.min_import_content"));
        let start = find(format!("lines.{line}.import_content"));
        if let (Some(floor), Some(start)) = (floor, start) {
            let (f, st) = (floor.param.support(), start.param.support());
            if f.hi > st.lo {
                faults.push(Fault {
                    path: Some(floor.key.split('.').map(str::to_string).collect()),
                    key: floor.key.clone(),
                    message: format!(
                        "min_import_content ({}) lies above import_content ({}) in some \
                         or all trials (largest possible floor {}, smallest possible import \
                         content {}): the floor of localization must not exceed the import \
                         content it starts from",
                        floor.param.describe(),
                        start.param.describe(),
                        f.hi,
                        st.lo
                    ),
                });
            }
        }
    }
    let mut why = Vec::new();
    let mut any = false;
    for line in LINE_NAMES {
        let demand = find(format!("lines.{line}.military_demand"));
        if s.setting(&format!("lines.{line}.enabled")) != Some(&Value::Flag(true)) {
            why.push(format!("{line} is disabled"));
        } else if let Some(d) = demand {
            let sup = d.param.support();
            if sup.lo > 0.0 || (sup.lo == 0.0 && sup.lo_open) {
                any = true;
            } else {
                why.push(format!("{line} has military_demand {}", d.param.describe()));
            }
        }
    }
    if !any {
        faults.push(Fault {
            path: None,
            key: "lines".to_string(),
            message: format!(
                "no enabled line has military demand above 0 ({}): at least one enabled \
                 line needs a military_demand whose support lies strictly above 0",
                why.join("; ")
            ),
        });
    }
    faults
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::keys::key_schema;
    use crate::scenario::KeyKind;

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
    fn the_schema_lists_every_numeric_key_once_in_scenario_order() {
        let schema = key_schema();
        let numbers: Vec<&str> = schema
            .keys
            .iter()
            .filter(|k| matches!(k.kind, KeyKind::Number { .. }))
            .map(|k| k.path.as_str())
            .collect();
        assert_eq!(numbers, numeric_key_paths());
        // Fixed keys come before the numbers of their table.
        let at = |p: &str| schema.keys.iter().position(|k| k.path == p).unwrap();
        assert!(at("sanctions.initial") < at("sanctions.onset_prob"));
        assert!(at("plan.credit_tenor_years") < at("plan.capex_scale"));
        assert!(at("lines.vehicles.capex_schedule") < at("lines.vehicles.capex_musd"));
        assert!(schema.keys.iter().all(|k| !k.meaning.is_empty()));
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
