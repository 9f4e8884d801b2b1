//! Fixed values (counts, states, names, flags, schedules, forced-state paths): checked
//! against their kind ([`Fixed`]), never a distribution.

use super::{Checker, SCHEDULE_TOLERANCE};
use crate::scenario::doc;
use crate::scenario::keys::{Fixed, Value};
use crate::scenario::merge::describe_value;
use crate::scenario::schema;

impl Checker<'_> {
    /// A count, state, name, flag or schedule: a fixed value, never a distribution.
    pub(super) fn setting(
        &mut self,
        path: &[String],
        kind: &Fixed,
        value: &toml::Value,
    ) -> Option<Value> {
        let key = doc::dotted(path);
        if let toml::Value::Table(_) = value {
            self.fail_at(
                path,
                format!(
                    "`{key}` is {}: a fixed value, never a distribution or table; write a bare \
                     value (and its source in a comment)",
                    kind.what()
                ),
            );
            return None;
        }
        let checked = check_setting(kind, value);
        if let Err(message) = &checked {
            self.fail_at(path, message.clone());
        }
        checked.ok()
    }
}

/// Checks a fixed value against its kind.
pub(super) fn check_setting(kind: &Fixed, value: &toml::Value) -> Result<Value, String> {
    let found = || describe_value(value);
    let string = || match value {
        toml::Value::String(s) => Ok(s.clone()),
        _ => Err(format!("expected a string, found {}", found())),
    };
    let integer = || match value {
        toml::Value::Integer(i) => Ok(*i),
        _ => Err(format!("expected an integer, found {}", found())),
    };
    match kind {
        Fixed::Name => {
            let s = string()?;
            let safe = s
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if s.is_empty() || !safe || s == "." || s == ".." {
                return Err(format!(
                    "expected a non-empty name made of letters, digits, `-`, `_` and `.` (it \
                     names the output folder), found {s:?}"
                ));
            }
            Ok(Value::Str(s))
        }
        Fixed::Description | Fixed::Extends => string().map(Value::Str),
        Fixed::Unit => {
            let s = string()?;
            if s.trim().is_empty() {
                return Err("expected the name of the unit (rifle, round, ...), found \"\"".into());
            }
            Ok(Value::Str(s))
        }
        Fixed::Year => {
            let i = integer()?;
            if !crate::scenario::keys::YEARS.contains(&i) {
                return Err(format!(
                    "expected a year from {} to {}, found {i}",
                    crate::scenario::keys::YEARS.start(),
                    crate::scenario::keys::YEARS.end()
                ));
            }
            Ok(Value::Int(i))
        }
        Fixed::Count { min, max } => {
            let i = integer()?;
            if i < *min {
                return Err(format!("expected an integer >= {min}, found {i}"));
            }
            if i > *max {
                return Err(format!("expected an integer <= {max}, found {i}"));
            }
            usize::try_from(i)
                .map(|_| Value::Int(i))
                .map_err(|_| format!("{i} is too large"))
        }
        Fixed::IndexedState(meanings) => {
            let i = integer()?;
            match usize::try_from(i) {
                Ok(k) if k < meanings.len() => Ok(Value::Int(i)),
                _ => {
                    let options: Vec<String> = meanings
                        .iter()
                        .enumerate()
                        .map(|(k, m)| format!("{k} ({m})"))
                        .collect();
                    Err(format!("expected {}, found {i}", one_of(&options)))
                }
            }
        }
        Fixed::NamedState(names) => {
            let s = string()?;
            match names.iter().position(|st| *st == s) {
                Some(k) => Ok(Value::State(k, s)),
                None => {
                    let options: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
                    Err(format!(
                        "expected {}, found {s:?}{}",
                        one_of(&options),
                        schema::did_you_mean(&s, names)
                    ))
                }
            }
        }
        Fixed::StatePath { states, indexed } => {
            let toml::Value::Array(items) = value else {
                return Err(format!(
                    "expected a list of forced states, found {}",
                    found()
                ));
            };
            if items.is_empty() {
                return Err("expected a non-empty list of forced states, found []".into());
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let entry = match (item, indexed) {
                    (toml::Value::Integer(-1), true) => Ok(None),
                    (toml::Value::Integer(k), true) => usize::try_from(*k)
                        .ok()
                        .filter(|k| *k < states.len())
                        .map(Some)
                        .ok_or(()),
                    (toml::Value::String(s), false) if s == "free" => Ok(None),
                    (toml::Value::String(s), false) => {
                        states.iter().position(|st| st == s).map(Some).ok_or(())
                    }
                    _ => Err(()),
                };
                let Ok(entry) = entry else {
                    let options: Vec<String> = if *indexed {
                        let mut o: Vec<String> = states
                            .iter()
                            .enumerate()
                            .map(|(k, m)| format!("{k} ({m})"))
                            .collect();
                        o.push("-1 (free: the chain decides)".into());
                        o
                    } else {
                        let mut o: Vec<String> = states.iter().map(|n| format!("{n:?}")).collect();
                        o.push("\"free\" (the chain decides)".into());
                        o
                    };
                    let hint = match item {
                        toml::Value::String(s) => {
                            let mut names = states.clone();
                            names.push("free");
                            schema::did_you_mean(s, &names)
                        }
                        _ => String::new(),
                    };
                    return Err(format!(
                        "entry {i} of the path: unknown forced state {}: expected {}{hint}",
                        describe_value(item),
                        one_of(&options)
                    ));
                };
                out.push(entry);
            }
            Ok(Value::Path(out))
        }
        Fixed::PathFrom => {
            let i = integer()?;
            i32::try_from(i)
                .map(|_| Value::Int(i))
                .map_err(|_| format!("expected a year, found {i}"))
        }
        Fixed::Text(_) => {
            let s = string()?;
            if s.trim().is_empty() {
                return Err("expected a non-empty name, found \"\"".into());
            }
            Ok(Value::Str(s))
        }
        Fixed::Choice(words) => {
            let s = string()?;
            if words.contains(&s.as_str()) {
                Ok(Value::Str(s))
            } else {
                let options: Vec<String> = words.iter().map(|w| format!("{w:?}")).collect();
                Err(format!(
                    "unknown {s:?}: expected {}{}",
                    one_of(&options),
                    schema::did_you_mean(&s, words)
                ))
            }
        }
        Fixed::Flag => match value {
            toml::Value::Boolean(f) => Ok(Value::Flag(*f)),
            _ => Err(format!("expected true or false, found {}", found())),
        },
        Fixed::Schedule => {
            let toml::Value::Array(items) = value else {
                return Err(format!("expected an array of shares, found {}", found()));
            };
            if items.is_empty() {
                return Err(
                    "expected a non-empty array of shares summing to 1, found []".to_string(),
                );
            }
            let mut shares = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let x = match item {
                    toml::Value::Integer(n) => *n as f64,
                    toml::Value::Float(x) => *x,
                    other => {
                        return Err(format!(
                            "item {i} of the schedule: expected a share, found {}",
                            describe_value(other)
                        ));
                    }
                };
                if !(0.0..=1.0).contains(&x) {
                    return Err(format!(
                        "item {i} of the schedule is {x}, not a share in [0, 1]"
                    ));
                }
                shares.push(x);
            }
            let sum: f64 = shares.iter().sum();
            if (sum - 1.0).abs() > SCHEDULE_TOLERANCE {
                return Err(format!(
                    "the shares sum to {sum}, not 1 (within {SCHEDULE_TOLERANCE:e})"
                ));
            }
            Ok(Value::Shares(shares))
        }
    }
}

/// `a, b or c`.
pub(super) fn one_of(options: &[String]) -> String {
    match options.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}
